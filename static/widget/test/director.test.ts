import { afterEach, describe, expect, it, vi } from "vitest";
import { createDirector } from "../src/director";
import type { Parts } from "../src/parts";
import { createStore } from "../src/store";
import type { TourHost, TourRuntime } from "../src/tour/contract";
import type { BootstrapResponse, ProgressMap, Tour } from "../src/types";
import { dashboardTour, type Fake, settle } from "./helpers";

/** A tour runtime that records what it is asked to do; `host` is what the director gave it. */
function fakeRuntime() {
  const rt = {
    host: null as TourHost | null,
    running: null as string | null,
    runs: [] as Array<[string, string | null]>,
    routes: [] as string[],
    stop: vi.fn(() => void (rt.running = null)),
    destroy: vi.fn(),
  };
  const runtime: TourRuntime = {
    run: (tour: Tour, step) => void (rt.runs.push([tour.key, step]), (rt.running = tour.key)),
    current: () => rt.running,
    showing: () => !!rt.running,
    route: (url) => void rt.routes.push(url),
    event: vi.fn(),
    stop: rt.stop,
    destroy: rt.destroy,
  };
  return { rt, factory: (host: TourHost) => ((rt.host = host), runtime) };
}

function setup(progress: ProgressMap = {}) {
  const { rt, factory } = fakeRuntime();
  const store = createStore(progress);
  const data = { guides: [dashboardTour(), { key: "list", kind: "checklist", steps: [{ id: "a" }] }], workspace: {}, user: { locale: "en" } };
  const w = {
    win_: window,
    store_: store,
    ui_: { close_: vi.fn() },
    events_: { emit_: vi.fn() },
    report_: vi.fn(),
    load_: { tour_: vi.fn(async () => factory) },
    session_: { data_: data as unknown as BootstrapResponse | null, strings_: vi.fn(), send_: vi.fn(async () => ({ ok: true })), track_: vi.fn() },
    help_: { open_: vi.fn() },
    nudges_: { aside_: vi.fn(), pump_: vi.fn() },
    author_: { picking_: vi.fn(() => false) },
    surveys_: { evaluate_: vi.fn() },
    messages_: { wake_: vi.fn() },
  } satisfies Fake<Parts>;
  const director = createDirector(w as unknown as Parts);
  return { w, rt, store, director };
}

describe("createDirector", () => {
  afterEach(() => window.history.replaceState(null, "", "/"));

  it("starts the tour whose start page this is, loading the runtime once", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate_();
    await settle();
    expect(rt.runs).toEqual([["dashboard-tour", null]]);
    director.evaluate_();
    await settle();
    expect(rt.routes).toEqual(["/demo/dashboard"]);
    expect(w.load_.tour_).toHaveBeenCalledTimes(1);
  });

  it("starts nothing while an author picks an element, or before the first bootstrap", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    w.author_.picking_.mockReturnValue(true);
    director.evaluate_();
    w.author_.picking_.mockReturnValue(false);
    w.session_.data_ = null;
    director.evaluate_();
    await settle();
    expect(rt.runs).toEqual([]);
    expect(w.load_.tour_).not.toHaveBeenCalled();
  });

  it("start() runs a tour from a step (closing the panel) and declines what is not a tour", async () => {
    const { w, rt, director } = setup();
    expect(director.start_("list")).toBe(false);
    expect(director.start_("dashboard-tour", "b")).toBe(true);
    await settle();
    expect(w.ui_.close_).toHaveBeenCalledWith(true);
    expect(rt.runs).toEqual([["dashboard-tour", "b"]]);
  });

  it("a tour that ended here does not start again on its own; its events reach the page and the nudges", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate_();
    await settle();
    rt.host!.emit("tour:step", { guide: "dashboard-tour", step: "a", index: 0, total: 3 });
    expect(w.nudges_.aside_).toHaveBeenCalledTimes(1);
    rt.running = null;
    rt.host!.emit("tour:end", { guide: "dashboard-tour", state: "dismissed" });
    expect(w.events_.emit_.mock.calls.map(([event]) => event)).toEqual(["tour:step", "tour:end"]);
    expect(w.nudges_.pump_).toHaveBeenCalledTimes(2);
    director.evaluate_();
    await settle();
    expect(rt.runs).toHaveLength(1);
  });

  it("stops a tour that ended in another tab, and the tour host sends its state through the session", async () => {
    const { w, rt, store, director } = setup();
    director.start_("dashboard-tour");
    await settle();
    rt.host!.state("dashboard-tour", "active", "a");
    expect(w.session_.send_).toHaveBeenCalledWith("guide:state", { guide: "dashboard-tour", state: "active", step: "a" });
    store.apply_({ "dashboard-tour": { state: "completed", completed: [] } });
    director.changed_(["dashboard-tour"]);
    expect(rt.stop).toHaveBeenCalled();
    expect(w.nudges_.pump_).toHaveBeenCalled();
    expect(director.showing_()).toBe(false);
  });

  it("reports a runtime that cannot load, and destroys the runtime it has", async () => {
    const { w, rt, director } = setup();
    w.load_.tour_.mockRejectedValueOnce({ code: "bundle_unavailable", message: "offline" });
    director.start_("dashboard-tour");
    await settle();
    expect(w.report_).toHaveBeenCalledWith({ code: "bundle_unavailable", message: "offline" });
    director.start_("dashboard-tour");
    await settle();
    expect(rt.runs).toHaveLength(1);
    director.destroy_();
    expect(rt.destroy).toHaveBeenCalled();
  });

  it("is busy from a tour's start until it ends, then lets the due survey and a modal announcement show", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate_();
    expect(director.busy_()).toBe(true); // tour.js still loading: nothing may slip in before the tour
    await settle();
    expect(director.busy_()).toBe(true); // the tour shows
    expect(w.surveys_.evaluate_).not.toHaveBeenCalled();
    expect(w.messages_.wake_).not.toHaveBeenCalled();
    rt.running = null;
    rt.host!.emit("tour:end", { guide: "dashboard-tour", state: "completed" });
    expect(director.busy_()).toBe(false);
    expect(w.surveys_.evaluate_).toHaveBeenCalledTimes(1);
    expect(w.messages_.wake_).toHaveBeenCalledTimes(1);
  });

  it("lets them show when the tour it was loading for no longer applies once tour.js is there", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate_();
    expect(director.busy_()).toBe(true);
    w.session_.data_!.guides = []; // a bootstrap meanwhile: the tour is gone
    await settle();
    expect(rt.runs).toEqual([]);
    expect(director.busy_()).toBe(false);
    expect(w.surveys_.evaluate_).toHaveBeenCalledTimes(1);
    expect(w.messages_.wake_).toHaveBeenCalledTimes(1);
  });
});

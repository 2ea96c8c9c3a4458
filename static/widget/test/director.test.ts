import { afterEach, describe, expect, it, vi } from "vitest";
import { createDirector } from "../src/director";
import type { Parts } from "../src/parts";
import { createStore } from "../src/store";
import type { TourHost, TourRuntime } from "../src/tour/contract";
import type { BootstrapResponse, ProgressMap, Tour } from "../src/types";
import { dashboardTour, settle } from "./helpers";

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
    win: window,
    store,
    ui: { close: vi.fn() },
    events: { emit: vi.fn() },
    report: vi.fn(),
    load: { tour: vi.fn(async () => factory) },
    session: { data: vi.fn(() => data as unknown as BootstrapResponse), strings: vi.fn(), send: vi.fn(async () => ({ ok: true })), track: vi.fn() },
    help: { open: vi.fn() },
    nudges: { aside: vi.fn(), pump: vi.fn() },
    author: { picking: vi.fn(() => false) },
  };
  const director = createDirector(w as unknown as Parts);
  return { w, rt, store, director };
}

describe("createDirector", () => {
  afterEach(() => window.history.replaceState(null, "", "/"));

  it("starts the tour whose start page this is, loading the runtime once", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate();
    await settle();
    expect(rt.runs).toEqual([["dashboard-tour", null]]);
    director.evaluate();
    await settle();
    expect(rt.routes).toEqual(["/demo/dashboard"]);
    expect(w.load.tour).toHaveBeenCalledTimes(1);
  });

  it("starts nothing while an author picks an element, or before the first bootstrap", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    w.author.picking.mockReturnValue(true);
    director.evaluate();
    w.author.picking.mockReturnValue(false);
    w.session.data.mockReturnValue(null as never);
    director.evaluate();
    await settle();
    expect(rt.runs).toEqual([]);
    expect(w.load.tour).not.toHaveBeenCalled();
  });

  it("start() runs a tour from a step (closing the panel) and declines what is not a tour", async () => {
    const { w, rt, director } = setup();
    expect(director.start("list")).toBe(false);
    expect(director.start("dashboard-tour", "b")).toBe(true);
    await settle();
    expect(w.ui.close).toHaveBeenCalledWith(true);
    expect(rt.runs).toEqual([["dashboard-tour", "b"]]);
  });

  it("a tour that ended here does not start again on its own; its events reach the page and the nudges", async () => {
    const { w, rt, director } = setup();
    window.history.replaceState(null, "", "/demo/dashboard");
    director.evaluate();
    await settle();
    rt.host!.emit("tour:step", { guide: "dashboard-tour", step: "a", index: 0, total: 3 });
    expect(w.nudges.aside).toHaveBeenCalledTimes(1);
    rt.running = null;
    rt.host!.emit("tour:end", { guide: "dashboard-tour", state: "dismissed" });
    expect(w.events.emit.mock.calls.map(([event]) => event)).toEqual(["tour:step", "tour:end"]);
    expect(w.nudges.pump).toHaveBeenCalledTimes(2);
    director.evaluate();
    await settle();
    expect(rt.runs).toHaveLength(1);
  });

  it("stops a tour that ended in another tab, and the tour host sends its state through the session", async () => {
    const { w, rt, store, director } = setup();
    director.start("dashboard-tour");
    await settle();
    rt.host!.state("dashboard-tour", "active", "a");
    expect(w.session.send).toHaveBeenCalledWith("guide:state", { guide: "dashboard-tour", state: "active", step: "a" });
    store.apply({ "dashboard-tour": { state: "completed", completed: [] } });
    director.changed(["dashboard-tour"]);
    expect(rt.stop).toHaveBeenCalled();
    expect(w.nudges.pump).toHaveBeenCalled();
    expect(director.showing()).toBe(false);
  });

  it("reports a runtime that cannot load, and destroys the runtime it has", async () => {
    const { w, rt, director } = setup();
    w.load.tour.mockRejectedValueOnce({ code: "bundle_unavailable", message: "offline" });
    director.start("dashboard-tour");
    await settle();
    expect(w.report).toHaveBeenCalledWith({ code: "bundle_unavailable", message: "offline" });
    director.start("dashboard-tour");
    await settle();
    expect(rt.runs).toHaveLength(1);
    director.destroy();
    expect(rt.destroy).toHaveBeenCalled();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bootstrapPayload, dashboardTour, harness, settle, shownTourStep as shown, tourRoot, tourStep, tourTargets, type Harness } from "./helpers";

let h: Harness;

const TOUR = dashboardTour([tourStep("a"), tourStep("b", { advance_on: { type: "event", event: "report_opened" } }), tourStep("c")]);

function payload(extra: { progress?: Record<string, unknown>; action?: boolean } = {}) {
  const base = bootstrapPayload();
  const checklist = base.guides[0];
  if (extra.action) checklist.steps[2] = { ...checklist.steps[2], action: { label: "Take the tour", tour: "dashboard-tour" } };
  return bootstrapPayload({ guides: [checklist, TOUR], progress: { ...base.progress, ...(extra.progress ?? {}) } as never });
}

async function boot(p = payload()): Promise<Harness> {
  h = harness(p);
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  h.socket().accept();
  return h;
}

const states = (): unknown[] => h.socket().emitted.filter((e) => e.event === "guide:state").map((e) => [e.data.state, e.data.step]);

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  tourTargets();
  history.replaceState(null, "", "/demo/dashboard");
});
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
});

describe("tours in the widget", () => {
  it("starts a tour on its own on its start page and tells the server", async () => {
    await boot();
    await settle();
    expect(shown()).toBe("a");
    expect(states()).toEqual([["active", "a"]]);
  });

  it("does not start on another page, nor when the server says no autostart", async () => {
    history.replaceState(null, "", "/demo/settings");
    await boot();
    await settle();
    expect(shown()).toBeNull();
    h.api.destroy();
    history.replaceState(null, "", "/demo/dashboard");
    await boot(payload({ progress: { "dashboard-tour": { state: "dismissed", completed: [], autostart: false } } }));
    await settle();
    expect(shown()).toBeNull();
  });

  it("starts when the user navigates (SPA) to the start page", async () => {
    history.replaceState(null, "", "/demo/settings");
    await boot();
    history.pushState(null, "", "/demo/dashboard");
    await settle();
    expect(shown()).toBe("a");
  });

  it("resumes an active tour at its step", async () => {
    history.replaceState(null, "", "/demo/integrations");
    await boot(payload({ progress: { "dashboard-tour": { state: "active", step: "c", completed: [], autostart: false } } }));
    await settle();
    expect(shown()).toBe("c");
    expect(states()).toEqual([]);
  });

  it("Guide.start starts a tour, even one without a start rule, from the beginning", async () => {
    history.replaceState(null, "", "/demo/settings");
    await boot();
    h.api.start("dashboard-tour");
    await settle();
    expect(shown()).toBe("a");
  });

  it("a checklist step's tour action starts the tour and closes the panel", async () => {
    history.replaceState(null, "", "/demo/settings");
    await boot(payload({ action: true }));
    h.$('[data-testid="guide-launcher"]')!.click();
    const action = h.$('li[data-step="connect-data"] [data-testid="step-action"]')!;
    expect(action.tagName).toBe("BUTTON");
    expect(action.textContent).toBe("Take the tour");
    action.click();
    await settle();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(true);
    expect(shown()).toBe("a");
  });

  it("Guide.track moves an event step on (and is still sent)", async () => {
    await boot();
    await settle();
    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-next"]')!.click();
    expect(shown()).toBe("b");
    h.api.track("report_opened");
    expect(shown()).toBe("c");
    await settle(); // persisted first, then sent
    expect(h.socket().emitted.some((e) => e.event === "event:track" && e.data.name === "report_opened")).toBe(true);
  });

  it("stops when another tab ends the tour", async () => {
    await boot();
    await settle();
    h.socket().fire("progress", { progress: { "dashboard-tour": { state: "dismissed", completed: [], autostart: false } } });
    expect(shown()).toBeNull();
    history.pushState(null, "", "/demo/dashboard?again=1");
    await settle();
    expect(shown()).toBeNull();
  });

  it("sends tour states one at a time, the latest step replacing one still waiting", async () => {
    await boot();
    await settle();
    const next = () => tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-next"]')!.click();
    next(); // b
    h.api.track("report_opened"); // c
    expect(states()).toEqual([["active", "a"]]); // b and c wait for a's ack; c replaced b
    const ackFirst = h.socket().emitted.find((e) => e.event === "guide:state")!;
    ackFirst.ack({ ok: true, id: ackFirst.data.id, progress: {}, completed: [] });
    await settle();
    expect(states()).toEqual([["active", "a"], ["active", "c"]]);
  });

  it("a step with a help article shows Stuck?, which opens it; without help enabled it does not", async () => {
    const p = payload();
    (p.guides[1].steps[0] as unknown as { help: string }).help = "dashboards";
    await boot(p);
    await settle();
    const stuck = tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-stuck"]')!;
    expect(stuck.textContent).toBe("Stuck?");
    stuck.click();
    await settle();
    expect(h.$('[data-testid="help-panel"]')!.hidden).toBe(false);
    expect(h.fetch.mock.calls.some(([url]) => String(url).endsWith("/api/v1/widget/help/dashboards"))).toBe(true);
    expect(shown()).toBe("a"); // the tour stays where it was
    h.api.destroy();
    document.body.querySelectorAll("#guide-root, #guide-tour-root").forEach((el) => el.remove());
    p.workspace.help_enabled = false;
    await boot(p);
    await settle();
    expect(tourRoot()!.querySelector('[data-testid="tour-stuck"]')).toBeNull();
  });

  it("an unknown key is an error, not a throw", async () => {
    await boot();
    const errors: string[] = [];
    h.api.on("error", (e) => errors.push(e.code));
    h.api.start("nope");
    expect(errors).toEqual(["unknown_guide"]);
  });

  it("sends the tour end's \"Was this helpful?\" through the outbox as the step's vote", async () => {
    const end = dashboardTour([tourStep("a", { helpful: true })]);
    await boot(bootstrapPayload({ guides: [payload().guides[0], end] }));
    await settle();
    const root = tourRoot()!;
    root.querySelector<HTMLElement>('[data-testid="helpful-no"]')!.click();
    root.querySelector<HTMLTextAreaElement>('[data-testid="helpful-comment"]')!.value = "Too fast";
    root.querySelector<HTMLElement>('[data-testid="helpful-send"]')!.click();
    await settle();
    const votes = h.socket().emitted.filter((e) => e.event === "feedback:helpful").map((e) => e.data);
    expect(votes).toEqual([expect.objectContaining({ guide: "dashboard-tour", step: "a", helpful: false, comment: "Too fast" })]);
  });
});

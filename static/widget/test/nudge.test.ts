import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Nudge } from "../src/types";
import { booted, bootstrapPayload, dashboardTour, settle, shownTourStep as tourStepShown, tourRoot, tourTargets, type Harness } from "./helpers";

let h: Harness;

const TOUR = dashboardTour();

async function boot(progress: Record<string, unknown> = {}): Promise<Harness> {
  const base = bootstrapPayload();
  return (h = await booted(bootstrapPayload({ guides: [base.guides[0], TOUR], progress: { ...base.progress, ...progress } as never })));
}

const push = async (n: Nudge): Promise<void> => {
  h.socket().fire("nudge", n);
  await settle();
};
const card = () => h.$('[data-testid="guide-nudge"]')!;
const shownNudge = (): string | null => (card().hidden ? null : card().dataset.nudge ?? null);
const tracked = (prefix: string) =>
  h
    .socket()
    .emitted.filter((e) => e.event === "event:track" && String(e.data.name).startsWith(prefix))
    .map((e) => [e.data.name, e.data.props]);

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  tourTargets();
  // Not the tour's start page: no tour runs unless a test starts one.
  history.replaceState(null, "", "/demo/settings");
});
afterEach(() => {
  h?.api.destroy();
  document.body.replaceChildren();
});

describe("scenario nudges", () => {
  it("shows a card with the title, the message, Show me and Dismiss; axe finds nothing", async () => {
    await boot();
    await push({ id: 1, title: "Still stuck on your data?", message: "Most teams connect Postgres in 2 minutes.", guide: "getting-started", step: "connect-data", scenario: "stalled-connect" });
    expect(shownNudge()).toBe("1");
    expect(card().getAttribute("role")).toBe("status");
    expect(card().textContent).toContain("Still stuck on your data?");
    expect(card().textContent).toContain("Most teams connect Postgres in 2 minutes.");
    expect(h.$('[data-testid="nudge-open"]')!.textContent).toBe("Show me");
    expect(h.$('[data-testid="nudge-dismiss"]')!.getAttribute("aria-label")).toBe("Dismiss");
    const result = await axe.run(card(), { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });

  it("Show me opens the checklist at the step (expanded, focused) and tracks $nudge_opened", async () => {
    await boot();
    await push({ id: 2, message: "Connect your data.", guide: "getting-started", step: "read-docs", scenario: "stalled" });
    h.$('[data-testid="nudge-open"]')!.click();
    await settle();
    expect(shownNudge()).toBeNull();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(false);
    const toggle = h.$('li[data-step="read-docs"] [data-testid="step-toggle"]')!;
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(h.root().activeElement).toBe(toggle);
    expect(tracked("$nudge_opened")).toEqual([["$nudge_opened", { nudge: 2, scenario: "stalled" }]]);
    expect(tracked("$nudge_shown")).toEqual([["$nudge_shown", { nudge: 2, scenario: "stalled" }]]);
  });

  it("Show me starts a tour at the named step; the next nudge waits for the tour, not even flashing", async () => {
    await boot();
    await push({ id: 3, message: "Take the tour.", guide: "dashboard-tour", step: "b" });
    await push({ id: 30, message: "Next one" });
    const seen: Array<string | null> = [];
    new MutationObserver(() => seen.push(shownNudge())).observe(card(), { attributes: true });
    h.$('[data-testid="nudge-open"]')!.click();
    await settle();
    expect(tourStepShown()).toBe("b");
    expect(seen).not.toContain("30");
    expect(tracked("$nudge_opened")).toEqual([["$nudge_opened", { nudge: 3, scenario: null }]]);
    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-dismiss"]')!.click();
    await settle();
    expect(shownNudge()).toBe("30");
  });

  it("shows one card at a time, the next after a dismissal, and drops duplicate ids", async () => {
    await boot();
    await push({ id: 4, message: "First", scenario: "s1" });
    await push({ id: 5, message: "Second", scenario: "s2" });
    await push({ id: 4, message: "First" }); // another server process sent it too
    expect(shownNudge()).toBe("4");
    h.$('[data-testid="nudge-dismiss"]')!.click();
    await settle();
    expect(shownNudge()).toBe("5");
    h.$('[data-testid="nudge-dismiss"]')!.click();
    await settle();
    expect(shownNudge()).toBeNull();
    expect(tracked("$nudge_dismissed")).toEqual([
      ["$nudge_dismissed", { nudge: 4, scenario: "s1" }],
      ["$nudge_dismissed", { nudge: 5, scenario: "s2" }],
    ]);
    // Each card counted as shown once; the duplicate id never showed.
    expect(tracked("$nudge_shown")).toEqual([
      ["$nudge_shown", { nudge: 4, scenario: "s1" }],
      ["$nudge_shown", { nudge: 5, scenario: "s2" }],
    ]);
  });

  it("dismissing from the keyboard leaves focus on the widget, not lost with the card", async () => {
    await boot();
    await push({ id: 6, message: "Hello" });
    h.$('[data-testid="nudge-dismiss"]')!.focus();
    h.$('[data-testid="nudge-dismiss"]')!.click();
    expect(h.root().activeElement).toBe(h.$('[data-testid="guide-help-button"]'));
  });

  it("waits while a tour shows and appears when the tour ends", async () => {
    history.replaceState(null, "", "/demo/dashboard");
    await boot();
    expect(tourStepShown()).toBe("a");
    await push({ id: 7, message: "Later, please", guide: "getting-started" });
    await push({ id: 8, message: "Start me", guide: "getting-started", mode: "start" });
    expect(shownNudge()).toBeNull();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(true);
    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-dismiss"]')!.click();
    await settle();
    expect(tourStepShown()).toBeNull();
    expect(shownNudge()).toBe("7");
  });

  it("a card up when a tour starts steps aside and comes back after the tour", async () => {
    await boot();
    await push({ id: 9, message: "Hi" });
    expect(shownNudge()).toBe("9");
    h.api.start("dashboard-tour");
    await settle();
    expect(tourStepShown()).toBe("a");
    expect(shownNudge()).toBeNull();
    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-dismiss"]')!.click();
    await settle();
    expect(shownNudge()).toBe("9");
    expect(tracked("$nudge_opened")).toEqual([]);
    expect(tracked("$nudge_dismissed")).toEqual([]);
    // Back after stepping aside is the same card: shown once.
    expect(tracked("$nudge_shown")).toEqual([["$nudge_shown", { nudge: 9, scenario: null }]]);
  });

  it('mode "start" runs the tour or opens the checklist at once, without a card', async () => {
    await boot();
    await push({ id: 10, message: "Let us show you", guide: "getting-started", step: "invite", mode: "start" });
    expect(shownNudge()).toBeNull();
    expect(h.$('[data-testid="guide-panel"]')!.hidden).toBe(false);
    expect(h.$('li[data-step="invite"] [data-testid="step-toggle"]')!.getAttribute("aria-expanded")).toBe("true");
    await push({ id: 11, message: "Tour time", guide: "dashboard-tour", mode: "start" });
    expect(tourStepShown()).toBe("a");
    expect(shownNudge()).toBeNull();
  });

  it("another user signing in takes the previous user's nudges away", async () => {
    await boot();
    await push({ id: 13, message: "For user-123" });
    await push({ id: 14, message: "Also for user-123" });
    h.api.identify("someone-else");
    await settle();
    expect(shownNudge()).toBeNull();
    await push({ id: 15, message: "For someone-else" });
    expect(shownNudge()).toBe("15");
  });

  it("a guide that does not apply here leaves a plain card, without Show me", async () => {
    await boot();
    await push({ id: 12, message: "Try reports", guide: "reports-tour", mode: "start" });
    expect(shownNudge()).toBe("12");
    expect(h.$('[data-testid="nudge-open"]')).toBeNull();
  });
});

import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, RETRY_MAX_MS } from "../src/client";
import { memoryStore } from "../src/storage";
import type { Guide } from "../src/types";
import { bootstrapPayload, fakeIo, harness, jsonResponse, type Harness } from "./helpers";

let h: Harness;
const NOW = new Date("2026-12-01T10:00:00Z");
const HOUR = 3600_000;
const iso = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();

const PLAN = {
  key: "acme-plan",
  kind: "plan",
  version: 1,
  title: "Acme launch plan",
  priority: 1,
  steps: [
    { id: "kickoff", title: "Kickoff call", complete_when: { type: "manual" }, scope: "account", owner: "vendor", assignee: "Sam Lee" },
    { id: "sso", title: "Set up SSO", complete_when: { type: "manual" }, scope: "account", owner: "customer", assignee: null },
    { id: "import", title: "Import your data", complete_when: { type: "event", event: "import_done" }, scope: "account", owner: "customer", assignee: "Ada" },
    { id: "review", title: "Review the rollout", complete_when: { type: "manual" }, scope: "account", owner: "vendor", assignee: null },
  ],
} as unknown as Guide;

function payload(locale = "en") {
  const base = bootstrapPayload();
  return bootstrapPayload({
    user: { id: "user-123", locale },
    workspace: { ...base.workspace, name: "Demo" },
    guides: [base.guides[0], PLAN],
    progress: {
      ...base.progress,
      "acme-plan": {
        state: "active",
        completed: ["import"],
        total: 4,
        // kickoff is overdue (server says so); import was due but is done; sso is due in one minute.
        due: { kickoff: iso(-48 * HOUR), sso: iso(60_000), import: iso(-24 * HOUR) },
        overdue: ["kickoff"],
      },
    },
  });
}

/** Fake timers and clock: the step due in a minute turns overdue while the page is open. */
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

async function openPlan(locale = "en"): Promise<Harness> {
  h = harness(payload(locale));
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  for (let i = 0; i < 5; i++) await tick();
  h.api.start("acme-plan");
  await tick();
  return h;
}

const step = (id: string) => h.$(`li[data-step="${id}"]`)!;
const meta = (id: string) => step(id).querySelector<HTMLElement>('[data-testid="step-meta"]')!.textContent;
const overdue = (id: string) => !!step(id).querySelector('[data-testid="step-overdue"]');
const date = (ms: number, locale: string) => new Date(NOW.getTime() + ms).toLocaleDateString(locale, { dateStyle: "medium" });

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  h?.api.destroy();
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("success plans in the panel", () => {
  it("are listed among the checklists and show owner, assignee and due date on every step", async () => {
    await openPlan();
    expect(h.$$('[data-testid="guide-tab"]').map((t) => t.dataset.guide)).toEqual(["getting-started", "acme-plan"]);
    expect(h.$('[data-testid="guide-title"]')!.textContent).toBe("Acme launch plan");
    expect(meta("kickoff")).toBe(`Demo team \u00B7 Assigned to Sam Lee \u00B7 Due ${date(-48 * HOUR, "en")} \u00B7 Overdue`);
    expect(meta("sso")).toBe(`Your team \u00B7 Due ${date(60_000, "en")}`);
    expect(meta("import")).toBe(`Your team \u00B7 Assigned to Ada \u00B7 Due ${date(-24 * HOUR, "en")}`);
    expect(meta("review")).toBe("Demo team");
    // Part of the step button's name, so a screen reader hears it with the title.
    expect(step("kickoff").querySelector('[data-testid="step-toggle"]')!.textContent).toContain("Overdue");
    expect(h.$('[data-testid="guide-progressbar"]')!.getAttribute("aria-valuenow")).toBe("1");
  });

  it('says "Overdue" in words only on steps past due and not done', async () => {
    await openPlan();
    expect(overdue("kickoff")).toBe(true); // the server's list
    expect(overdue("import")).toBe(false); // past due but done
    expect(overdue("sso")).toBe(false); // not yet
    expect(step("kickoff").querySelector('[data-testid="step-overdue"]')!.textContent).toBe("Overdue");
  });

  it("marks a step overdue when its due time passes while the page is open", async () => {
    await openPlan();
    expect(overdue("sso")).toBe(false);
    await tick(60_000 + 1000);
    expect(overdue("sso")).toBe(true);
  });

  it("offers no Mark done on vendor steps; customer manual steps keep it", async () => {
    await openPlan();
    for (const id of ["kickoff", "review"]) {
      step(id).querySelector<HTMLElement>('[data-testid="step-toggle"]')!.click();
      await tick();
      expect(step(id).querySelector('[data-testid="step-done"]')).toBeNull();
    }
    step("sso").querySelector<HTMLElement>('[data-testid="step-toggle"]')!.click();
    await tick();
    expect(step("sso").querySelector('[data-testid="step-done"]')).not.toBeNull();
  });

  it("formats due dates in the user's locale", async () => {
    await openPlan("de");
    expect(meta("sso")).toContain(date(60_000, "de"));
    expect(date(60_000, "de")).not.toBe(date(60_000, "en"));
  });

  it("axe finds nothing in a plan panel", async () => {
    await openPlan();
    vi.useRealTimers(); // axe schedules its own timers
    const result = await axe.run(h.$('[data-testid="guide-panel"]')!, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => v.id)).toEqual([]);
  });
});

describe("vendor_step, no_account, not_in_audience", () => {
  it.each(["vendor_step", "no_account", "not_in_audience"])("%s is a definitive refusal: the envelope is dropped, never retried", async (code) => {
    const { io, sockets } = fakeIo();
    const store = memoryStore();
    const scope = JSON.stringify(["https://guide.test", "demo", "ada"]);
    const client = createClient("https://guide.test", { fetch_: vi.fn(async () => jsonResponse({ results: [] })) as never, io_: io, store_: store, random_: () => 1 }, {
      progress_: vi.fn(),
      guidesChanged_: vi.fn(),
      tokenExpired_: vi.fn(),
      error_: vi.fn(),
      settled_: vi.fn(),
      nudge_: vi.fn(),
    });
    await client.use_(scope);
    client.connect_({ namespace: "/widget", path: "/socket.io", token: "t" }, false, scope);
    sockets[0].accept();
    void client.send_("step:complete", { id: "v1", guide: "acme-plan", step: "kickoff" });
    await tick();
    sockets[0].emitted[0].ack({ ok: false, error: { code, message: "The server refuses this step for good." } });
    await tick(RETRY_MAX_MS * 2);
    expect(sockets[0].emitted.map((e) => e.data.id)).toEqual(["v1"]);
    expect(await store.load_(scope)).toEqual([]);
    client.destroy_();
  });
});

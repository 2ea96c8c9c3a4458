import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../src/messages/contract";
import { createMessages } from "../src/messages/runtime";
import { anchor } from "../src/tour/position";
import { waitForTarget } from "../src/tour/target";
import { VIEW_DELAY_MS } from "../src/transport";
import { bootstrapPayload, dashboardTour, harness, settle, shownTourStep, tourRoot, tourTargets, type Harness } from "./helpers";

// The demo's Alan: the dashboard tour, the `whats-new` banner and the Export hotspot, all due at once.
const BANNER: Message = {
  key: "whats-new", kind: "announcement", title: "New", style: "banner", position: "top", mode: "inline", unread: true, state: "not_started",
  steps: [{ id: "main", title: "Reports can now be scheduled", body_html: "<p>Every Monday.</p>" }],
};
const HOTSPOT: Message = {
  key: "export-hotspot", kind: "hotspot", title: "Export",
  steps: [{ id: "export", title: "Export anything", body_html: "<p>CSV.</p>", target: "#export", placement: "left" }],
};

let h: Harness;

async function boot(): Promise<void> {
  const base = bootstrapPayload({ announcements: [BANNER], hotspots: [HOTSPOT] } as never);
  h = harness({ ...base, guides: [...base.guides, dashboardTour()] }, undefined, {
    loadMessages_: async () => createMessages,
    loadTargeting_: async () => () => ({ anchor, waitForTarget }),
  });
  h.api.init({ appKey: "demo", server: "https://guide.test" });
  h.api.identify("user-123");
  await settle();
  h.socket().accept();
  await settle();
  await settle();
}

const messages = (): ShadowRoot | null | undefined => document.querySelector("#guide-messages-root")?.shadowRoot;
const banner = (): Element | null => document.querySelector("[data-inline]")?.shadowRoot?.querySelector('[data-testid="announcement-banner"]') ?? null;
const beacon = (): Element | null | undefined => messages()?.querySelector('[data-testid="hotspot-beacon"]');
/** The help button's accessible name (its aria-hidden icon and number left out), and its badge shown. */
const help = (): string => {
  const button = h.$('[data-testid="guide-help-button"]')!.cloneNode(true) as HTMLElement;
  button.querySelectorAll('[aria-hidden="true"]').forEach((el) => el.remove());
  return button.textContent! + (h.$('[data-testid="guide-unread"]')!.hidden ? "" : " (badge)");
};
const tracked = (name: string) =>
  h.socket().emitted.flatMap((e) => (e.event === "envelopes" ? e.data.envelopes.map((x: any) => x.data) : e.event === "event:track" ? [e.data] : [])).filter((d: any) => d.name === name);

describe("announcements and hotspots wait for a running tour", () => {
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    tourTargets(["a", "b", "c", "export"]);
    history.replaceState(null, "", "/demo/dashboard");
  });
  afterEach(() => {
    h?.api.destroy();
    history.replaceState(null, "", "/");
    document.body.replaceChildren();
    vi.restoreAllMocks();
  });

  it("the banner and the beacon wait while the tour shows, the help button counting the banner unread; they show when it ends", async () => {
    await boot();
    expect(shownTourStep()).toBe("a");
    expect(banner()).toBeNull();
    expect(beacon() ?? null).toBeNull();
    expect(help()).toBe("Help, 1 unread announcement (badge)");
    expect(tracked("$announcement_seen")).toEqual([]);
    expect(tracked("$hotspot_seen")).toEqual([]);

    tourRoot()!.querySelector<HTMLElement>('[data-testid="tour-dismiss"]')!.click();
    await settle();
    expect(banner()).not.toBeNull();
    expect(beacon()).not.toBeNull();
    expect(help()).toBe("Help");
    // The beacon's view goes batched, within VIEW_DELAY_MS.
    await vi.waitFor(() => expect(tracked("$hotspot_seen")).toHaveLength(1), { timeout: VIEW_DELAY_MS * 2 });
    expect(tracked("$announcement_seen").map((d: any) => d.props)).toEqual([{ announcement: "whats-new" }]);
    expect(tracked("$hotspot_seen").map((d: any) => d.props)).toEqual([{ hotspot: "export-hotspot", step: "export" }]);
  });

  it("Guide.start shows the banner and opens the hotspot's tip at once, over the tour", async () => {
    await boot();
    expect(shownTourStep()).toBe("a");
    h.api.start("whats-new");
    h.api.start("export-hotspot");
    await settle();
    await settle();
    expect(shownTourStep()).toBe("a");
    expect(banner()).not.toBeNull();
    expect(beacon()).not.toBeNull();
    expect(messages()!.querySelector('[data-testid="hotspot-tip"]')).not.toBeNull();
    expect(help()).toBe("Help");
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message, MessagesHost, Targeting } from "../src/messages/contract";
import { createSpots, HOVER_GRACE_MS, mirrored, type Spots } from "../src/messages/spots";
import { mergeStrings } from "../src/i18n";
import { settle } from "./helpers";
import { EN } from "./strings";

const tooltip: Message = {
  key: "tip", kind: "tooltip", title: "Export",
  steps: [{ id: "export", title: "Export this dashboard", body_html: "<p>As CSV.</p>", target: "#export", placement: "left" }],
};
const hotspot: Message = {
  key: "spot", kind: "hotspot", title: "Insights",
  steps: [{ id: "insights", title: "Insights for you", body_html: "<p>Patterns.</p>", target: "#export", placement: "top" }],
};

let spots: Spots;
let root: ShadowRoot;
let anchor: ReturnType<typeof vi.fn>;
let track: ReturnType<typeof vi.fn>;
let touring = false;

function make(): void {
  touring = false;
  track = vi.fn();
  anchor = vi.fn(() => () => {});
  const targeting: Targeting = {
    anchor: anchor as unknown as Targeting["anchor"],
    waitForTarget: ((doc: Document, selector: string, _ms: number, found: (el: HTMLElement | null) => void) => {
      found(doc.querySelector<HTMLElement>(selector));
      return () => {};
    }) as Targeting["waitForTarget"],
  };
  const host = {
    win: window, strings: () => mergeStrings(EN), locale: () => "en", vars: () => ({}), track, start: vi.fn(), help: vi.fn(),
    safeUrl: (u: unknown) => String(u), targeting: async () => targeting, busy: () => touring,
  } as unknown as MessagesHost;
  const el = document.createElement("div");
  document.body.append(el);
  root = el.attachShadow({ mode: "open" });
  spots = createSpots(host, () => root, new Set());
}

const target = (): HTMLButtonElement => document.querySelector<HTMLButtonElement>("#export")!;
const beacon = (): HTMLButtonElement | null => root.querySelector<HTMLButtonElement>('[data-testid="hotspot-beacon"]');
const hotspotTip = (): HTMLElement | null => root.querySelector('[data-testid="hotspot-tip"]');
const calls = (name: string) => track.mock.calls.filter(([n]) => n === name);
const tip = (): HTMLElement | null => root.querySelector('[data-testid="tooltip"]');
const fire = (el: EventTarget, type: string): boolean => el.dispatchEvent(new Event(type));
const escape = (on: EventTarget = document): boolean => on.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));

beforeEach(() => {
  const button = document.createElement("button");
  button.id = "export";
  document.body.append(button);
  make();
});
afterEach(() => {
  spots.destroy();
  vi.useRealTimers();
  document.body.replaceChildren();
  document.documentElement.removeAttribute("dir");
});

describe("tooltips: content on hover or focus (WCAG 1.4.13)", () => {
  it("is hoverable: the pointer moves from the target onto the tip and it stays, until the pointer leaves both", async () => {
    spots.update([], [tooltip]);
    await settle();
    vi.useFakeTimers();
    fire(target(), "mouseenter");
    expect(tip()).not.toBeNull();
    fire(target(), "mouseleave");
    fire(tip()!, "mouseenter"); // on its way across the gap, then on the tip
    vi.advanceTimersByTime(HOVER_GRACE_MS * 3);
    expect(tip()).not.toBeNull();
    fire(tip()!, "mouseleave");
    fire(target(), "mouseenter"); // and back to the target
    vi.advanceTimersByTime(HOVER_GRACE_MS * 3);
    expect(tip()).not.toBeNull();
    fire(target(), "mouseleave");
    vi.advanceTimersByTime(HOVER_GRACE_MS - 1);
    expect(tip()).not.toBeNull(); // a moment's grace
    vi.advanceTimersByTime(1);
    expect(tip()).toBeNull();
  });

  it("is persistent while the target has focus, whatever the pointer does, and goes on blur", async () => {
    spots.update([], [tooltip]);
    await settle();
    vi.useFakeTimers();
    target().focus();
    fire(target(), "mouseenter");
    fire(target(), "mouseleave");
    vi.advanceTimersByTime(HOVER_GRACE_MS * 3);
    expect(tip()).not.toBeNull();
    target().blur();
    expect(tip()).toBeNull();
  });

  it("is dismissible: Escape anywhere hides it without moving focus, and it stays hidden until hovered or focused again", async () => {
    const field = document.createElement("input");
    document.body.append(field);
    spots.update([], [tooltip]);
    await settle();
    field.focus();
    fire(target(), "mouseenter"); // hovered while focus is in a field elsewhere
    expect(tip()).not.toBeNull();
    escape(field);
    expect(tip()).toBeNull();
    expect(document.activeElement).toBe(field);
    fire(target(), "mouseleave");
    fire(target(), "mouseenter");
    expect(tip()).not.toBeNull();
  });
});

describe("hotspot tips", () => {
  it("close on Escape pressed in the page, focus staying where it is", async () => {
    const field = document.createElement("input");
    document.body.append(field);
    spots.update([hotspot], []);
    await settle();
    root.querySelector<HTMLButtonElement>('[data-testid="hotspot-beacon"]')!.click();
    expect(root.querySelector('[data-testid="hotspot-tip"]')).not.toBeNull();
    field.focus();
    escape(field);
    expect(root.querySelector('[data-testid="hotspot-tip"]')).toBeNull();
    expect(document.activeElement).toBe(field);
  });
});

describe("placement on a right-to-left page", () => {
  it("mirrors left and right, and leaves the rest alone", () => {
    expect(mirrored(window, target(), "left")).toBe("left");
    document.documentElement.dir = "rtl";
    target().style.direction = "rtl"; // jsdom does not inherit direction from dir
    expect(mirrored(window, target(), "left")).toBe("right");
    expect(mirrored(window, target(), "right-start")).toBe("left-start");
    expect(mirrored(window, target(), "bottom")).toBe("bottom");
    expect(mirrored(window, target(), undefined)).toBe("auto");
  });

  it("anchors a tooltip on the mirrored side", async () => {
    target().style.direction = "rtl";
    spots.update([], [tooltip]);
    await settle();
    fire(target(), "mouseenter");
    expect(anchor.mock.calls[0][4]).toBe("right");
  });
});

describe("Guide.start(tooltip)", () => {
  it("shows the tip at its target as if focused, and announces it, without moving focus; Escape hides it", async () => {
    const field = document.createElement("input");
    document.body.append(field);
    field.focus();
    spots.update([], [tooltip]);
    await settle();
    vi.useFakeTimers();
    expect(spots.open("tip")).toBe(true);
    expect(tip()).not.toBeNull();
    expect(document.activeElement).toBe(field);
    expect(root.querySelector('[data-testid="tooltip-live"]')!.textContent).toBe("Export this dashboard. As CSV.");
    fire(target(), "mouseenter");
    fire(target(), "mouseleave");
    vi.advanceTimersByTime(HOVER_GRACE_MS * 3);
    expect(tip()).not.toBeNull(); // pinned: the pointer passing by does not take it away
    escape(field);
    expect(tip()).toBeNull();
    fire(target(), "mouseenter");
    fire(target(), "mouseleave");
    vi.advanceTimersByTime(HOVER_GRACE_MS);
    expect(tip()).toBeNull(); // unpinned: hover works as before
    expect(calls("$tooltip_shown")).toEqual([["$tooltip_shown", { tooltip: "tip", step: "export" }, undefined]]);
  });

  it("goes when the target, focused since, is blurred, or on a press elsewhere", async () => {
    spots.update([], [tooltip]);
    await settle();
    spots.open("tip");
    target().focus();
    target().blur();
    expect(tip()).toBeNull();
    spots.open("tip");
    expect(tip()).not.toBeNull();
    document.body.dispatchEvent(new Event("pointerdown", { bubbles: true }));
    expect(tip()).toBeNull();
  });

  it("waits for a late target, then shows; a key that is none of ours is false", async () => {
    target().remove();
    const waiting: Array<(el: HTMLElement | null) => void> = [];
    spots.destroy();
    const host = {
      win: window, strings: () => mergeStrings(EN), locale: () => "en", vars: () => ({}), track, start: vi.fn(), help: vi.fn(),
      safeUrl: (u: unknown) => String(u),
      targeting: async () => ({ anchor, waitForTarget: (_d: Document, _s: string, _ms: number, found: (el: HTMLElement | null) => void) => (waiting.push(found), () => {}) }),
    } as unknown as MessagesHost;
    spots = createSpots(host, () => root, new Set());
    spots.update([], [tooltip]);
    expect(spots.open("tip")).toBe(true);
    expect(spots.open("nope")).toBe(false);
    await settle();
    expect(tip()).toBeNull();
    const button = document.createElement("button");
    button.id = "export";
    document.body.append(button);
    waiting[waiting.length - 1](button);
    expect(tip()).not.toBeNull();
  });
});

describe("hotspots and a running tour", () => {
  it("records $hotspot_seen, a batched view, once per step per page view when its beacon is drawn", async () => {
    spots.update([hotspot], []);
    await settle();
    expect(beacon()).not.toBeNull();
    spots.update([hotspot], []); // drawn again (a bootstrap): the same page view
    await settle();
    expect(calls("$hotspot_seen")).toEqual([["$hotspot_seen", { hotspot: "spot", step: "insights" }, true]]);
    history.pushState(null, "", "/elsewhere"); // a new page view (SPA)
    spots.update([hotspot], []);
    await settle();
    expect(calls("$hotspot_seen")).toHaveLength(2);
    history.pushState(null, "", "/");
  });

  it("draws no beacon while a tour is on screen (tooltips still work), and draws it on wake", async () => {
    touring = true;
    spots.update([hotspot], [tooltip]);
    await settle();
    expect(beacon()).toBeNull();
    fire(target(), "mouseenter");
    expect(tip()).not.toBeNull();
    spots.wake();
    await settle();
    expect(beacon()).toBeNull(); // still touring
    expect(calls("$hotspot_seen")).toEqual([]);
    touring = false;
    spots.wake();
    await settle();
    expect(beacon()).not.toBeNull();
    expect(calls("$hotspot_seen")).toHaveLength(1);
  });

  it("Guide.start(hotspot) draws its beacon over the tour and opens its tip", async () => {
    touring = true;
    spots.update([hotspot], []);
    await settle();
    expect(spots.open("spot")).toBe(true);
    await settle();
    expect(beacon()).not.toBeNull();
    expect(hotspotTip()).not.toBeNull();
    expect(beacon()!.getAttribute("aria-expanded")).toBe("true");
  });
});

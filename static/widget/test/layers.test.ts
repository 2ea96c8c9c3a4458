import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../src/locale";
import { layer } from "../src/toplayer";
import { bootstrapPayload, harness, settle, type Harness } from "./helpers";

/**
 * jsdom has no popovers: this stands in for the browser's top layer (an
 * ordered list, last shown on top) behind showPopover/hidePopover/:popover-open.
 */
function fakeTopLayer(): { stack: Element[]; restore(): void } {
  const stack: Element[] = [];
  const proto = HTMLElement.prototype as unknown as Record<string, unknown>;
  const matches = Element.prototype.matches;
  proto.showPopover = function (this: HTMLElement) {
    if (this.getAttribute("popover") !== "manual" || stack.includes(this)) throw new DOMException("invalid", "InvalidStateError");
    stack.push(this);
  };
  proto.hidePopover = function (this: HTMLElement) {
    stack.splice(stack.indexOf(this), 1);
  };
  const spy = vi.spyOn(Element.prototype, "matches").mockImplementation(function (this: Element, s: string) {
    return s === ":popover-open" ? stack.includes(this) : matches.call(this, s);
  });
  return {
    stack,
    restore() {
      delete proto.showPopover;
      delete proto.hidePopover;
      spy.mockRestore();
    },
  };
}

describe("layer", () => {
  afterEach(() => document.body.replaceChildren());

  it("falls back to the hidden attribute where popovers are missing", () => {
    const el = document.body.appendChild(document.createElement("div"));
    layer(el, true);
    expect(el.hidden).toBe(false);
    expect(el.hasAttribute("popover")).toBe(false);
    layer(el, false);
    expect(el.hidden).toBe(true);
  });

  it("shows a manual popover, and showing again raises it above what opened since", () => {
    const top = fakeTopLayer();
    try {
      const el = document.body.appendChild(document.createElement("div"));
      const dialog = document.body.appendChild(document.createElement("div"));
      layer(el, true);
      expect(el.getAttribute("popover")).toBe("manual");
      top.stack.push(dialog); // a host dialog opened after us
      layer(el, true);
      expect(top.stack).toEqual([dialog, el]);
      layer(el, false);
      expect(top.stack).toEqual([dialog]);
      expect(el.hidden).toBe(true);
    } finally {
      top.restore();
    }
  });
});

describe("setLocale", () => {
  it.each([
    ["en", "en", "ltr"],
    ["en-US", "en-US", "ltr"],
    ["ar", "ar", "rtl"],
    ["he-IL", "he-IL", "rtl"],
    ["fa", "fa", "rtl"],
    ["ur-PK", "ur-PK", "rtl"],
    ["arn", "arn", "ltr"], // Mapudungun: a prefix of "ar" is not Arabic
    [undefined, "en", "ltr"],
  ])("%s: lang %s, dir %s", (locale, lang, dir) => {
    const el = document.createElement("div");
    setLocale(el, locale);
    expect([el.lang, el.dir]).toEqual([lang, dir]);
  });
});

describe("widget panels in the top layer", () => {
  let h: Harness;
  let top: ReturnType<typeof fakeTopLayer>;
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    top = fakeTopLayer();
  });
  afterEach(() => {
    h?.api.destroy();
    top.restore();
    document.body.replaceChildren();
  });

  async function boot(locale = "en"): Promise<Harness> {
    h = harness(bootstrapPayload({ user: { id: "user-123", locale } }));
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    await settle();
    return h;
  }

  it("the dock is a popover from the start; the checklist panel opens above it with focus inside and closes to the launcher", async () => {
    await boot();
    const dock = h.$(".dock")!;
    const panel = h.$('[data-testid="guide-panel"]')!;
    expect(top.stack).toEqual([dock]);
    const launcher = h.$('[data-testid="guide-launcher"]')!;
    launcher.click();
    expect(top.stack).toEqual([dock, panel]);
    expect(panel.contains(h.root().activeElement)).toBe(true);
    panel.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(top.stack).toEqual([dock]);
    expect(panel.hidden).toBe(true);
    expect(h.root().activeElement).toBe(launcher);
  });

  it("the help panel takes the checklist panel's place in the top layer, and gives it back", async () => {
    await boot();
    h.$('[data-testid="guide-launcher"]')!.click();
    h.$('[data-testid="guide-help-button"]')!.click();
    await settle();
    const help = h.$('[data-testid="help-panel"]')!;
    expect(top.stack).toEqual([h.$(".dock"), help]);
    expect(help.contains(h.root().activeElement)).toBe(true);
    h.$('[data-testid="help-close"]')!.click();
    expect(top.stack).toEqual([h.$(".dock")]);
    expect(h.root().activeElement).toBe(h.$('[data-testid="guide-help-button"]'));
  });

  it("a nudge card shows above the dock and leaves the top layer when dismissed", async () => {
    await boot();
    h.socket().accept();
    await settle();
    h.socket().fire("nudge", { id: 7, message: "Stuck on the import?" });
    await settle();
    const card = h.$('[data-testid="guide-nudge"]')!;
    expect(top.stack).toEqual([h.$(".dock"), card]);
    h.$('[data-testid="nudge-dismiss"]')!.click();
    expect(top.stack).toEqual([h.$(".dock")]);
    expect(card.hidden).toBe(true);
  });

  it("the host element carries the user's locale and its direction, not the page's", async () => {
    document.documentElement.dir = "rtl";
    try {
      await boot("en-GB");
      const host = document.querySelector<HTMLElement>("#guide-root")!;
      expect([host.lang, host.dir]).toEqual(["en-GB", "ltr"]);
      h.api.destroy();
      document.body.replaceChildren();
      await boot("ar");
      const arabic = document.querySelector<HTMLElement>("#guide-root")!;
      expect([arabic.lang, arabic.dir]).toEqual(["ar", "rtl"]);
    } finally {
      document.documentElement.removeAttribute("dir");
    }
  });
});

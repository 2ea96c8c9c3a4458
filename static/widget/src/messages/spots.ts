import { h } from "../h";
import { pageUrl } from "../page";
import { layer } from "../toplayer";
import { urlMatches } from "../url";
import { html } from "./announce";
import type { Message, MessagesHost, MessageStep, Targeting } from "./contract";

/** How long a beacon's or tooltip's target may take to appear (a late element, an SPA render). */
export const WAIT_MS = 8000;
/** How long a tooltip stays after the pointer leaves its target: time to move onto the tip (WCAG 1.4.13). */
export const HOVER_GRACE_MS = 300;

const MIRROR: Record<string, string> = { left: "right", right: "left" };

/** `left`/`right` mean the other side by a target laid out right to left (an RTL page): mirrored. */
export const mirrored = (win: Window, target: Element, placement: string | undefined): string =>
  win.getComputedStyle(target).direction === "rtl" ? (placement || "auto").replace(/^(left|right)/, (side) => MIRROR[side]) : placement || "auto";

export interface Spots {
  /** Draws again for this page: beacons and tooltips whose `page` rule matches. */
  update(hotspots: Message[], tooltips: Message[]): void;
  /** Guide.start(hotspot): opens its first beacon's tip. */
  open(key: string): boolean;
  destroy(): void;
}

/**
 * Hotspots (a beacon that opens a tip) and tooltips (a tip while the target
 * is hovered or focused), anchored with the tour bundle's targeting. Neither
 * ever takes focus on its own.
 *
 * A tooltip cannot be tied to its target with aria-describedby: the target
 * is in the page, the tip in our shadow root, and ids do not cross that
 * boundary. So the tip is drawn aria-hidden and, when the target takes
 * focus, its text goes into a polite live region: a screen reader reads it
 * right after the target's own name, as a description would be. A hover
 * alone announces nothing (the pointer user sees it).
 *
 * WCAG 1.4.13 (content on hover or focus): a tooltip is hoverable (the
 * pointer may move from the target onto the tip: it stays), persistent (it
 * stays while the target is hovered or focused), and dismissible (Escape
 * hides it, wherever focus is, without moving focus). An open hotspot tip
 * also closes on Escape pressed anywhere, focus staying where it is.
 */
export function createSpots(host: MessagesHost, root: () => ShadowRoot, gone: Set<string>): Spots {
  const win = host.win;
  const doc = win.document;
  const opened = new Set<string>();
  const shownTips = new Set<string>();
  let live: HTMLElement | null = null;
  let teardown: Array<() => void> = [];
  let generation = 0;
  let url = "";
  const openers = new Map<string, () => void>();

  const k = (m: Message, s: MessageStep): string => `${m.key}\u0000${s.id}`;
  const here = (s: MessageStep): boolean => !!s.target && (!s.page || urlMatches(s.page, pageUrl(win.location)));

  /** A positioned box with an arrow, in the top layer. */
  function box(cls: string, attrs: Record<string, string>, ...children: Array<Node | null>): { el: HTMLElement; arrow: HTMLElement } {
    const arrow = h(doc, "div", { class: "arrow", "aria-hidden": "true" });
    const el = h(doc, "div", { class: `tip ${cls}`, ...attrs }, arrow, ...children);
    root().append(el);
    return { el, arrow };
  }

  function beacon(t: Targeting, m: Message, s: MessageStep, target: HTMLElement | null): void {
    const id = `guide-tip-${Math.random().toString(36).slice(2, 8)}`;
    const b = h(doc, "button", {
      type: "button", class: `beacon${s.seen || opened.has(k(m, s)) ? "" : " pulse"}${target ? "" : " centered"}`,
      "aria-label": s.title || m.title || m.key, "aria-expanded": "false", "aria-controls": id, "data-testid": "hotspot-beacon", "data-key": m.key,
    });
    root().append(b);
    layer(b, true);
    let stopAnchor = target ? t.anchor(win, target, b, h(doc, "span"), mirrored(win, target, s.placement), () => {}, false) : () => {};
    let tip: { el: HTMLElement; arrow: HTMLElement } | null = null;
    let stopTip = (): void => {};
    const close = (focus: boolean): void => {
      if (!tip) return;
      stopTip();
      tip.el.remove();
      tip = null;
      b.setAttribute("aria-expanded", "false");
      if (focus) b.focus();
    };
    const open = (): void => {
      if (tip) return;
      const title = h(doc, "h2", { id: `${id}-t` }, s.title || m.title || "");
      const t2 = host.strings();
      tip = box("", { id, role: "dialog", "aria-modal": "false", "aria-labelledby": `${id}-t`, "data-testid": "hotspot-tip" },
        title, html(doc, s.body_html),
        h(doc, "div", { class: "bar" },
          h(doc, "button", { type: "button", "data-testid": "hotspot-dismiss", onclick: () => dismiss() }, t2.dismiss),
          h(doc, "button", { type: "button", class: "primary", "data-testid": "hotspot-close", onclick: () => close(true) }, t2.close)));
      tip.el.addEventListener("keydown", (e) => {
        if (e.key !== "Escape") return;
        e.stopPropagation();
        close(true);
      });
      layer(tip.el, true);
      stopTip = target ? t.anchor(win, b, tip.el, tip.arrow, mirrored(win, target, s.placement), () => {}, false) : () => {};
      if (!target) tip.el.classList.add("centered");
      b.setAttribute("aria-expanded", "true");
      b.classList.remove("pulse");
      if (!opened.has(k(m, s))) host.track("$hotspot_opened", { hotspot: m.key, step: s.id });
      opened.add(k(m, s));
    };
    const dismiss = (): void => {
      gone.add(m.key);
      host.track("$hotspot_dismissed", { hotspot: m.key });
      draw();
    };
    b.addEventListener("click", () => (tip ? close(false) : open()));
    b.addEventListener("keydown", (e) => e.key === "Escape" && tip && (e.stopPropagation(), close(false)));
    // Escape elsewhere (focus in the page): the tip goes, focus stays. Not stopped: the page's own handlers run.
    const esc = (e: KeyboardEvent): void => void (e.key === "Escape" && close(false));
    doc.addEventListener("keydown", esc);
    if (!openers.has(m.key)) openers.set(m.key, open);
    teardown.push(() => {
      doc.removeEventListener("keydown", esc);
      close(false);
      stopAnchor();
      stopAnchor = () => {};
      b.remove();
    });
  }

  function tooltip(t: Targeting, m: Message, s: MessageStep, target: HTMLElement): void {
    const text = [s.title, s.body_html && html(doc, s.body_html)?.textContent].filter(Boolean).join(". ");
    let tip: { el: HTMLElement; arrow: HTMLElement } | null = null;
    let stop = (): void => {};
    // Why it shows: the pointer on the target or the tip, focus on the target. It goes when none holds.
    let hovered = false;
    let focused = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const enter = (e: Event): void => {
      clearTimeout(timer);
      if (e.type === "focusin") focused = true;
      else hovered = true;
      if (e.currentTarget !== target) return; // onto the tip: it stays as it is
      if (!tip) {
        tip = box("tt", { "aria-hidden": "true", "data-testid": "tooltip", "data-key": m.key }, s.title ? h(doc, "strong", {}, s.title) : null, html(doc, s.body_html));
        tip.el.addEventListener("mouseenter", enter);
        tip.el.addEventListener("mouseleave", leave);
        layer(tip.el, true);
        stop = t.anchor(win, target, tip.el, tip.arrow, mirrored(win, target, s.placement), () => {}, false);
        if (!shownTips.has(k(m, s))) host.track("$tooltip_shown", { tooltip: m.key, step: s.id });
        shownTips.add(k(m, s));
      }
      if (e.type === "focusin" && live) live.textContent = text;
    };
    const hide = (): void => {
      clearTimeout(timer);
      stop();
      tip?.el.remove();
      tip = null;
      if (live) live.textContent = "";
    };
    const leave = (e: Event): void => {
      if (e.type === "focusout") focused = false;
      else hovered = false;
      clearTimeout(timer);
      if (focused || hovered) return;
      // Blurred: at once. The pointer gone: after a moment, in case it is on its way to the tip.
      if (e.type === "focusout") hide();
      else timer = setTimeout(() => !hovered && !focused && hide(), HOVER_GRACE_MS);
    };
    const esc = (e: KeyboardEvent): void => void (e.key === "Escape" && tip && hide());
    const on: Array<[EventTarget, string, EventListener]> = [
      [target, "mouseenter", enter], [target, "focusin", enter], [target, "mouseleave", leave], [target, "focusout", leave], [doc, "keydown", esc as EventListener],
    ];
    on.forEach(([el, type, fn]) => el.addEventListener(type, fn));
    teardown.push(() => {
      hide();
      on.forEach(([el, type, fn]) => el.removeEventListener(type, fn));
    });
  }

  /** Every beacon and tooltip for this page, each once its target is there. */
  function draw(): void {
    teardown.splice(0).forEach((fn) => fn());
    openers.clear();
    const gen = ++generation;
    const items: Array<[Message, MessageStep]> = [];
    for (const m of [...hotspots, ...tooltips]) if (!gone.has(m.key)) for (const s of m.steps) if (here(s)) items.push([m, s]);
    if (!items.length) return;
    if (!live) {
      live = h(doc, "div", { class: "sr", role: "status", "data-testid": "tooltip-live" });
      root().append(live);
    }
    host.targeting().then((t) => {
      if (gen !== generation) return;
      for (const [m, s] of items) {
        const cancel = t.waitForTarget(doc, s.target!, WAIT_MS, (el) => {
          if (gen !== generation) return;
          if (!el) host.track("$target_missing", { guide: m.key, step: s.id, selector: s.target });
          if (m.kind === "tooltip") return el && tooltip(t, m, s, el);
          if (el || s.on_missing === "center") beacon(t, m, s, el);
        });
        teardown.push(cancel);
      }
    }, () => {});
  }

  let hotspots: Message[] = [];
  let tooltips: Message[] = [];
  return {
    update(hs, ts) {
      const now = pageUrl(win.location);
      // A new page view: tooltips count as shown again.
      if (now !== url) shownTips.clear();
      url = now;
      hotspots = hs;
      tooltips = ts;
      draw();
    },
    open(key) {
      const fn = openers.get(key);
      fn?.();
      return !!fn || hotspots.some((m) => m.key === key);
    },
    destroy() {
      generation++;
      teardown.splice(0).forEach((fn) => fn());
      live?.remove();
    },
  };
}

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
  /** Guide.start(key): opens a hotspot's first tip, or shows a tooltip's first tip as if its target had focus. */
  open(key: string): boolean;
  /** The tour that held the beacons back ended: they show now. */
  wake(): void;
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
 *
 * While a tour is on screen (or starting) no beacon is drawn: they wait for
 * `wake`, unless Guide.start names them. `$hotspot_seen` and `$tooltip_shown`
 * count once per step per page view.
 */
export function createSpots(host: MessagesHost, root: () => ShadowRoot, gone: Set<string>): Spots {
  const win = host.win;
  const doc = win.document;
  const opened = new Set<string>();
  // Beacons and tooltips counted as seen or shown on this page view.
  const shown = new Set<string>();
  // Hotspots Guide.start named: drawn even while a tour is on screen.
  const started = new Set<string>();
  let live: HTMLElement | null = null;
  let teardown: Array<() => void> = [];
  let generation = 0;
  let url = "";
  // Beacons a tour held back, and the item Guide.start asked for before it was drawn.
  let held = false;
  let pending: string | null = null;
  const openers = new Map<string, () => void>();

  const k = (m: Message, s: MessageStep): string => `${m.key}\u0000${s.id}`;
  /** This step seen, recorded once per page view (`view`: batched with the other views). */
  const once = (name: string, m: Message, s: MessageStep, view?: boolean): void =>
    void (shown.size < shown.add(k(m, s)).size && host.track(name, { [m.kind]: m.key, step: s.id }, view));
  /** What Guide.start(key) calls: the first drawn step's, at once if it was asked for already. */
  function opener(m: Message, fn: () => void): void {
    if (!openers.has(m.key)) openers.set(m.key, fn);
    if (pending === m.key) {
      pending = null;
      fn();
    }
  }
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
    once("$hotspot_seen", m, s, true);
    opener(m, open);
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
    // Why it shows: the pointer on the target or the tip, focus on the target, Guide.start (pinned:
    // as if the target had focus, until Escape, a blur of the target or a press elsewhere). It goes when none holds.
    let hovered = false;
    let focused = false;
    let pinned = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (announce: boolean): void => {
      if (!tip) {
        tip = box("tt", { "aria-hidden": "true", "data-testid": "tooltip", "data-key": m.key }, s.title ? h(doc, "strong", {}, s.title) : null, html(doc, s.body_html));
        tip.el.addEventListener("mouseenter", enter);
        tip.el.addEventListener("mouseleave", leave);
        layer(tip.el, true);
        stop = t.anchor(win, target, tip.el, tip.arrow, mirrored(win, target, s.placement), () => {}, false);
        once("$tooltip_shown", m, s);
      }
      if (announce && live) live.textContent = text;
    };
    const enter = (e: Event): void => {
      clearTimeout(timer);
      if (e.type === "focusin") focused = true;
      else hovered = true;
      // Onto the tip: it stays as it is.
      if (e.currentTarget === target) show(e.type === "focusin");
    };
    const hide = (): void => {
      clearTimeout(timer);
      pinned = false;
      stop();
      tip?.el.remove();
      tip = null;
      if (live) live.textContent = "";
    };
    const leave = (e: Event): void => {
      if (e.type === "focusout") focused = pinned = false;
      else hovered = false;
      clearTimeout(timer);
      if (focused || hovered || pinned) return;
      // Blurred: at once. The pointer gone: after a moment, in case it is on its way to the tip.
      if (e.type === "focusout") hide();
      else timer = setTimeout(() => !hovered && !focused && hide(), HOVER_GRACE_MS);
    };
    const esc = (e: KeyboardEvent): void => void (e.key === "Escape" && tip && hide());
    // A press anywhere unpins it: it stays only while the pointer or focus holds it.
    const press = (): void => void (pinned && !hovered && !focused ? hide() : (pinned = false));
    const on: Array<[EventTarget, string, EventListener]> = [
      [target, "mouseenter", enter], [target, "focusin", enter], [target, "mouseleave", leave], [target, "focusout", leave], [doc, "keydown", esc as EventListener], [doc, "pointerdown", press],
    ];
    on.forEach(([el, type, fn]) => el.addEventListener(type, fn));
    opener(m, () => {
      pinned = true;
      show(true);
    });
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
    const busy = !!host.busy?.();
    held = false;
    for (const m of [...hotspots, ...tooltips]) {
      if (gone.has(m.key)) continue;
      // A tour on screen holds beacons back (not tooltips: the user asks for those).
      if (busy && m.kind === "hotspot" && !started.has(m.key)) held = true;
      else for (const s of m.steps) if (here(s)) items.push([m, s]);
    }
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
      // A new page view: beacons and tooltips count as seen again.
      if (now !== url) {
        shown.clear();
        pending = null;
      }
      url = now;
      hotspots = hs;
      tooltips = ts;
      draw();
    },
    open(key) {
      if (![...hotspots, ...tooltips].some((m) => m.key === key)) return false;
      const fn = openers.get(key);
      if (fn) fn();
      else {
        // Not drawn (held back by a tour, dismissed here, its target late): it opens once drawn.
        pending = key;
        started.add(key);
        gone.delete(key);
        draw();
      }
      return true;
    },
    wake: () => void (held && draw()),
    destroy() {
      generation++;
      teardown.splice(0).forEach((fn) => fn());
      live?.remove();
    },
  };
}

import { h } from "../h";
import { fmt, type Strings } from "../i18n";
import type { Cta, Message, MessagesHost, MessageStep } from "./contract";

export interface AnnounceActions {
  /** The user followed a step's cta (recorded before it acts). */
  cta(step: MessageStep): void;
  /** The close button, Escape on the modal. */
  dismiss(): void;
}

/** Server-sanitized Markdown (nh3, docs/SURVEYS.md); null when empty. */
export function html(doc: Document, body: string | undefined, id?: string): HTMLDivElement | null {
  if (!body) return null;
  const el = h(doc, "div", { class: "html", id });
  el.innerHTML = body;
  return el;
}

/** A cta `url` is a real link (new tab rules stay the browser's); `guide` and `help` are buttons. */
function ctaEl(doc: Document, host: MessagesHost, cta: Cta | null | undefined, cls: string, act: () => void): HTMLElement | null {
  if (!cta?.label) return null;
  const attrs = { class: `cta ${cls}`, "data-testid": "announcement-cta", onclick: act };
  if (cta.url) {
    const href = host.safeUrl(cta.url);
    return href ? h(doc, "a", { ...attrs, href }, cta.label) : null;
  }
  return h(doc, "button", { ...attrs, type: "button" }, cta.label);
}

/**
 * A banner: one step (title, body, cta) and a dismiss button, a labelled
 * region so screen-reader users can find it among the page's landmarks.
 */
export function renderBanner(doc: Document, host: MessagesHost, a: Message, t: Strings, on: AnnounceActions): HTMLElement {
  const s = a.steps[0];
  const where = `${a.mode === "inline" ? "inline" : "overlay"} ${a.position === "bottom" ? "bottom" : "top"}`;
  return h(
    doc,
    "div",
    { class: `banner ${where}`, role: "region", "aria-label": a.title || s.title || a.key, "data-testid": "announcement-banner", "data-key": a.key },
    h(doc, "div", { class: "copy" }, s.title && h(doc, "p", { class: "t" }, s.title), html(doc, s.body_html)),
    ctaEl(doc, host, s.cta, "", () => on.cta(s)),
    h(doc, "button", { type: "button", class: "x", "aria-label": t.dismiss, "data-testid": "announcement-dismiss", onclick: on.dismiss }, "\u00D7"),
  );
}

/**
 * The content of page `index` of a modal: count, title (labels the dialog),
 * body (describes it), then Back, the page's cta and Next (Done on the last
 * page), in DOM (= Tab) order, and the close button.
 */
export function renderPage(doc: Document, host: MessagesHost, prefix: string, a: Message, index: number, t: Strings, on: AnnounceActions & { go(to: number): void }): Node[] {
  const s = a.steps[index];
  const total = a.steps.length;
  const last = index === total - 1;
  const button = (label: string, cls: string, testid: string, fn: () => void): HTMLButtonElement =>
    h(doc, "button", { type: "button", class: cls, "data-testid": testid, onclick: fn }, label);
  return [
    total > 1 ? h(doc, "p", { class: "count" }, fmt(t.step_of, { current: index + 1, total })) : null,
    h(doc, "h2", { id: `${prefix}-title`, tabindex: "-1" }, s.title || a.title || ""),
    html(doc, s.body_html, `${prefix}-body`),
    h(
      doc,
      "div",
      { class: "bar" },
      index > 0 && button(t.back, "", "announcement-back", () => on.go(index - 1)),
      ctaEl(doc, host, s.cta, last ? "primary" : "", () => on.cta(s)),
      !(last && s.cta) && button(last ? t.done : t.next, "primary", "announcement-next", () => (last ? on.dismiss() : on.go(index + 1))),
    ),
    h(doc, "button", { type: "button", class: "x", "aria-label": t.dismiss, "data-testid": "announcement-dismiss", onclick: on.dismiss }, "\u00D7"),
  ].filter((n): n is NonNullable<typeof n> => !!n);
}

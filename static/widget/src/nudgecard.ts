import { h } from "./h";
import type { Strings } from "./i18n";
import type { Nudge } from "./types";

/** A nudge card's content: title, message, reference, "Show me" (when `canOpen`) and dismiss. */
export function nudgeCard(doc: Document, n: Nudge, canOpen: boolean | undefined, t: Strings, answer: (open: boolean) => void): Node[] {
  const parts = [
    n.title && h(doc, "p", { class: "nt" }, n.title),
    h(doc, "p", {}, n.message),
    n.reference && h(doc, "p", { class: "meter-text" }, n.reference),
    canOpen && h(doc, "button", { type: "button", class: "btn btn-primary", "data-testid": "nudge-open", onclick: () => answer(true) }, t.nudge_open),
    h(doc, "button", { type: "button", class: "close", "aria-label": t.dismiss, "data-testid": "nudge-dismiss", onclick: () => answer(false) }, "\u00D7"),
  ];
  return parts.filter((p) => !!p) as Node[];
}

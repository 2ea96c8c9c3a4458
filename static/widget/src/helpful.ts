import type { h as H } from "./h";
import type { Strings } from "./i18n";
import type { Ack, EnvelopeType } from "./types";

/** Sends a checklist step's or a tour end's vote (`feedback:helpful {guide, step, helpful, comment?}`). */
export const stepVote =
  (send: (type: EnvelopeType, payload: Record<string, unknown>) => Promise<Ack>) =>
  (guide: string, step: string, helpful: boolean, comment?: string): void =>
    void send("feedback:helpful", { guide, step, helpful, ...(comment ? { comment } : {}) });

/**
 * "Was this helpful?" under a help article, a checklist step or a tour's end (issue 15): Yes thanks at once; No asks
 * for an optional comment first. `send` queues the `feedback:helpful` vote
 * (the outbox keeps it until the server has it, offline included).
 */
export function helpful(doc: Document, h: typeof H, id: string, t: Strings, send: (yes: boolean, comment?: string) => void): HTMLElement {
  const box = h(doc, "div", { class: "hf", role: "group", "aria-labelledby": `${id}-hq`, "data-testid": "helpful" });
  const thanks = (): void => {
    box.replaceChildren(h(doc, "p", { class: "muted", role: "status", tabindex: "-1", "data-testid": "helpful-thanks" }, t.helpful_thanks));
    box.querySelector("p")!.focus();
  };
  const vote = (yes: boolean): HTMLButtonElement =>
    h(doc, "button", { type: "button", class: "btn btn-secondary", "data-testid": yes ? "helpful-yes" : "helpful-no", onclick: () => (yes ? (send(true), thanks()) : ask()) }, yes ? t.yes : t.no);
  function ask(): void {
    // data-focus: the checklist redraws its panel, and puts focus back by it.
    const text = h(doc, "textarea", { id: `${id}-hc`, maxlength: 2000, "data-testid": "helpful-comment", "data-focus": `${id}-hc` });
    const form = h(doc, "form", {}, h(doc, "label", { for: `${id}-hc` }, t.helpful_comment), text,
      h(doc, "div", { class: "row" }, h(doc, "button", { type: "submit", class: "btn btn-primary", "data-testid": "helpful-send" }, t.send)));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      send(false, text.value.trim() || undefined);
      thanks();
    });
    box.replaceChildren(form);
    text.focus();
  }
  box.append(h(doc, "p", { id: `${id}-hq` }, t.helpful), vote(true), " ", vote(false));
  return box;
}

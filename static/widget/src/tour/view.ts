import { h } from "../h";
import { fmt, type Strings } from "../i18n";
import type { TourStep } from "../types";

export interface StepView {
  prefix_: string;
  guide_: string;
  step_: TourStep;
  index_: number;
  total_: number;
  buttons_: string[];
  t_: Strings;
  /** Show "Stuck?" (the step has a help article and help is enabled). */
  stuck_: boolean;
  /** "Was this helpful?" under the body (a tour's last step with `helpful: true`). */
  vote_?: Node | null;
}

export type ButtonName = "back" | "next" | "dismiss" | "later" | "stuck";

/**
 * The step's content: a count, the title (labels the dialog), the body
 * (describes it; server-sanitized HTML) and the buttons. "Skip tour" and
 * "Later" sit left, Back and Next/Done right, in DOM (= Tab) order.
 */
export function renderStep(doc: Document, view: StepView, press: (b: ButtonName) => void): Node[] {
  const { prefix_: prefix, step_: step, index_: index, total_: total, t_: t } = view;
  const last = index === total - 1;
  const labels: Record<ButtonName, string> = { back: t.back, next: last ? t.done : t.next, dismiss: t.skip_tour, later: t.later, stuck: t.stuck };
  const button = (name: ButtonName, cls: string): HTMLButtonElement | null =>
    view.buttons_.includes(name) || (name === "stuck" && view.stuck_)
      ? h(doc, "button", { type: "button", class: cls, "data-testid": `tour-${name}`, onclick: () => press(name) }, labels[name])
      : null;
  let body: HTMLDivElement | null = null;
  if (step.body_html) {
    body = h(doc, "div", { class: "html", id: `${prefix}-body` });
    // The server sanitized body_html (nh3) before sending it.
    body.innerHTML = step.body_html;
  }
  return [
    h(doc, "div", { class: "arrow", "aria-hidden": "true" }),
    total > 1 && h(doc, "p", { class: "count", "data-testid": "tour-count" }, fmt(t.step_of, { current: index + 1, total })),
    h(doc, "h2", { class: "title", id: `${prefix}-title`, "data-testid": "tour-title" }, step.title),
    body,
    view.vote_,
    h(
      doc,
      "div",
      { class: "bar" },
      button("dismiss", "link"),
      button("later", "link"),
      button("stuck", "link"),
      h(doc, "span", { class: "gap" }),
      button("back", ""),
      button("next", "primary"),
    ),
  ].filter((n): n is HTMLDivElement => !!n);
}

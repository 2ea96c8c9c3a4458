import { safeHref } from "../checklist";
import { h } from "../h";
import { fmt, type Strings } from "../i18n";
import type { Step } from "../types";
import type { ChecklistHandlers, ChecklistView, PlanView, RenderChecklist } from "./contract";

function renderStep(doc: Document, prefix: string, index: number, step: Step, view: ChecklistView, on: ChecklistHandlers): HTMLLIElement {
  const done = view.isDone(step.id);
  const pending = done && !!view.isPending?.(step.id);
  const open = view.isExpanded(step.id);
  const bodyId = `${prefix}-b${index}`;
  const href = step.action ? safeHref(step.action.url, doc.baseURI) : null;
  const tour = typeof step.action?.tour === "string" ? step.action.tour : null;
  // Vendor steps of a plan are ticked by the vendor's team; the server refuses them from here.
  const manual = step.complete_when?.type === "manual" && !done && step.owner !== "vendor";
  const error = view.error(step.id);
  const stuck = view.help && typeof step.help === "string" && step.help ? step.help : null;

  let html: HTMLDivElement | null = null;
  if (step.body_html) {
    html = h(doc, "div", { class: "step-html" });
    // The only innerHTML in the widget: the server sanitizes body_html (nh3) before sending it.
    html.innerHTML = step.body_html;
  }

  const actions =
    href || tour || manual || stuck
      ? h(
          doc,
          "div",
          { class: "actions" },
          tour &&
            h(
              doc,
              "button",
              {
                type: "button",
                class: "btn btn-primary",
                "data-testid": "step-action",
                "data-focus": `action:${step.id}`,
                onclick: () => (on.act(step.id), on.startTour(tour)),
              },
              step.action?.label || view.t.open,
            ),
          href &&
            h(doc, "a", { class: "btn btn-primary", href, "data-testid": "step-action", "data-focus": `action:${step.id}`, onclick: () => on.act(step.id) }, step.action?.label || view.t.open),
          manual &&
            h(
              doc,
              "button",
              {
                type: "button",
                class: `btn ${href || tour ? "btn-secondary" : "btn-primary"}`,
                "data-testid": "step-done",
                "data-focus": `done:${step.id}`,
                onclick: () => on.markDone(step.id),
              },
              view.t.mark_done,
            ),
          stuck &&
            h(
              doc,
              "button",
              { type: "button", class: "link", "data-testid": "step-stuck", "data-focus": `stuck:${step.id}`, onclick: () => on.stuck(step.id, stuck) },
              view.t.stuck,
            ),
        )
      : null;

  return h(
    doc,
    "li",
    { class: "step", "data-step": step.id, "data-done": String(done), "data-pending": pending && "true", "data-open": String(open) },
    h(
      doc,
      "button",
      {
        type: "button",
        class: "step-toggle",
        "aria-expanded": String(open),
        "aria-controls": bodyId,
        "data-testid": "step-toggle",
        "data-focus": `toggle:${step.id}`,
        onclick: () => on.toggle(step.id),
      },
      h(doc, "span", { class: "check", "aria-hidden": "true" }, "\u2713"),
      h(doc, "span", { class: "step-title" }, step.title, done && h(doc, "span", { class: "sr" }, ` ${view.t.done_suffix}`)),
      pending && h(doc, "span", { class: "pending", "data-testid": "step-pending" }, view.t.not_saved),
      h(doc, "span", { class: "chevron", "aria-hidden": "true" }, "\u25BE"),
      view.plan && planMeta(doc, step, done, view.plan, view.t),
    ),
    h(
      doc,
      "div",
      { class: "step-body", id: bodyId, hidden: !open },
      html,
      actions,
      error && h(doc, "p", { class: "error", role: "alert", "data-testid": "step-error" }, error),
      step.helpful === true && view.helpful(step.id),
    ),
  );
}

/** Owner side, assignee, due date and "Overdue" (in words, not only red): part of the step button's name. */
function planMeta(doc: Document, step: Step, done: boolean, plan: PlanView, t: Strings): HTMLSpanElement {
  const due = plan.due[step.id];
  const late = !done && (plan.overdue.includes(step.id) || Date.parse(due) <= plan.now);
  const bits = [
    h(doc, "span", { class: "owner", "data-testid": "step-owner" }, step.owner === "vendor" ? fmt(t.plan_vendor, { name: plan.org }) : t.plan_customer),
    step.assignee && fmt(t.plan_assignee, { name: step.assignee }),
    due && fmt(t.plan_due, { date: plan.date(due) }),
    late && h(doc, "strong", { class: "late", "data-testid": "step-overdue" }, t.plan_overdue),
  ].filter((b) => !!b) as Array<string | Node>;
  return h(doc, "span", { class: "meta", "data-testid": "step-meta" }, ...bits.flatMap((b, i) => (i ? [" \u00B7 ", b] : [b])));
}

/** Builds the panel's content; the caller owns the dialog element and replaces its children. */
export const renderChecklist: RenderChecklist = (doc, prefix, view, on) => {
  const { guide, checklists } = view;
  const total = guide.steps.length;
  const done = guide.steps.filter((s) => view.isDone(s.id)).length;
  const fill = h(doc, "div", { class: "bar-fill" });
  fill.style.setProperty("--guide-pct", String(total ? done / total : 0));

  return [
    h(
      doc,
      "div",
      { class: "head" },
      h(doc, "h2", { class: "title", id: `${prefix}-title`, tabindex: "-1", "data-testid": "guide-title", "data-focus": "title" }, guide.title),
      h(doc, "button", { type: "button", class: "close", "aria-label": view.t.close, "data-testid": "guide-close", "data-focus": "close", onclick: on.close }, "\u00D7"),
    ),
    checklists.length > 1 &&
      h(
        doc,
        "div",
        { class: "tabs", role: "group", "aria-label": view.t.checklists },
        ...checklists.map((g) =>
          h(
            doc,
            "button",
            {
              type: "button",
              class: "tab",
              "aria-pressed": String(g.key === guide.key),
              "data-testid": "guide-tab",
              "data-guide": g.key,
              "data-focus": `tab:${g.key}`,
              onclick: () => on.select(g.key),
            },
            g.title,
          ),
        ),
      ),
    h(
      doc,
      "div",
      { class: "meter" },
      h(doc, "p", { class: "meter-text", id: `${prefix}-meter` }, fmt(view.t.steps_done, { done, total })),
      h(
        doc,
        "div",
        {
          class: "bar",
          role: "progressbar",
          "aria-valuemin": 0,
          "aria-valuemax": total,
          "aria-valuenow": done,
          "aria-labelledby": `${prefix}-meter`,
          "data-testid": "guide-progressbar",
        },
        fill,
      ),
    ),
    h(
      doc,
      "div",
      { class: "body" },
      done === total && total > 0 && h(doc, "p", { class: "done-all", "data-testid": "guide-all-done" }, view.t.all_done),
      h(doc, "ol", { class: "steps", "data-guide": guide.key }, ...guide.steps.map((s, i) => renderStep(doc, prefix, i, s, view, on))),
    ),
    view.help &&
      h(
        doc,
        "div",
        { class: "foot" },
        h(doc, "button", { type: "button", class: "link", "data-testid": "guide-help", "data-focus": "help", onclick: on.help }, view.t.need_help),
      ),
  ].filter((n): n is HTMLDivElement => !!n);
};

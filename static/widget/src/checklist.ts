import { h } from "./h";
import { fmt, type Strings } from "./i18n";
import type { Guide, Step } from "./types";

/** What a success plan (`kind: "plan"`) shows beside each step. */
export interface PlanView {
  /** The workspace's name: vendor steps are "{name} team". */
  org_: string;
  /** Due times (ISO 8601) and the server's overdue steps, from the plan's progress. */
  due_: Record<string, string>;
  overdue_: string[];
  now_: number;
  /** An ISO time as a date in the user's locale. */
  date_(iso: string): string;
}

export interface ChecklistView {
  checklists_: Guide[];
  guide_: Guide;
  /** Present for plans. */
  plan_?: PlanView;
  isDone_(step: string): boolean;
  /** Done here but not yet acknowledged by the server (offline, or a page before a reload). */
  isPending_?(step: string): boolean;
  isExpanded_(step: string): boolean;
  error_(step: string): string | undefined;
  /** "Was this helpful?" for a step with `helpful: true` (one node per step, kept across redraws). */
  helpful_(step: string): Node;
  help_: boolean;
  t_: Strings;
}

export interface ChecklistHandlers {
  close_(): void;
  select_(guide: string): void;
  toggle_(step: string): void;
  markDone_(step: string): void;
  help_(): void;
  /** A step's "Stuck?": its help article. */
  stuck_(step: string, article: string): void;
  startTour_(key: string): void;
  /** A step's action (its link or tour button) was clicked. */
  act_(step: string): void;
}

/** Relative URLs and http(s) only: a `javascript:` action must never become a link. */
export function safeHref(url: unknown, base: string): string | null {
  if (typeof url !== "string" || !url) return null;
  try {
    return /^https?:$/.test(new URL(url, base).protocol) ? url : null;
  } catch {
    return null;
  }
}

/** A date (no time) in the user's locale. */
export function formatDate(iso: string, locale: string | undefined): string {
  const d = new Date(iso);
  try {
    return d.toLocaleDateString(locale || undefined, { dateStyle: "medium" });
  } catch {
    return d.toLocaleDateString(); // a locale tag this browser rejects
  }
}

function renderStep(doc: Document, prefix: string, index: number, step: Step, view: ChecklistView, on: ChecklistHandlers): HTMLLIElement {
  const done = view.isDone_(step.id);
  const pending = done && !!view.isPending_?.(step.id);
  const open = view.isExpanded_(step.id);
  const bodyId = `${prefix}-b${index}`;
  const href = step.action ? safeHref(step.action.url, doc.baseURI) : null;
  const tour = typeof step.action?.tour === "string" ? step.action.tour : null;
  // Vendor steps of a plan are ticked by the vendor's team; the server refuses them from here.
  const manual = step.complete_when?.type === "manual" && !done && step.owner !== "vendor";
  const error = view.error_(step.id);
  const stuck = view.help_ && typeof step.help === "string" && step.help ? step.help : null;

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
                onclick: () => (on.act_(step.id), on.startTour_(tour)),
              },
              step.action?.label || view.t_.open,
            ),
          href &&
            h(doc, "a", { class: "btn btn-primary", href, "data-testid": "step-action", "data-focus": `action:${step.id}`, onclick: () => on.act_(step.id) }, step.action?.label || view.t_.open),
          manual &&
            h(
              doc,
              "button",
              {
                type: "button",
                class: `btn ${href || tour ? "btn-secondary" : "btn-primary"}`,
                "data-testid": "step-done",
                "data-focus": `done:${step.id}`,
                onclick: () => on.markDone_(step.id),
              },
              view.t_.mark_done,
            ),
          stuck &&
            h(
              doc,
              "button",
              { type: "button", class: "link", "data-testid": "step-stuck", "data-focus": `stuck:${step.id}`, onclick: () => on.stuck_(step.id, stuck) },
              view.t_.stuck,
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
        onclick: () => on.toggle_(step.id),
      },
      h(doc, "span", { class: "check", "aria-hidden": "true" }, "\u2713"),
      h(doc, "span", { class: "step-title" }, step.title, done && h(doc, "span", { class: "sr" }, ` ${view.t_.done_suffix}`)),
      pending && h(doc, "span", { class: "pending", "data-testid": "step-pending" }, view.t_.not_saved),
      h(doc, "span", { class: "chevron", "aria-hidden": "true" }, "\u25BE"),
      view.plan_ && planMeta(doc, step, done, view.plan_, view.t_),
    ),
    h(
      doc,
      "div",
      { class: "step-body", id: bodyId, hidden: !open },
      html,
      actions,
      error && h(doc, "p", { class: "error", role: "alert", "data-testid": "step-error" }, error),
      step.helpful === true && view.helpful_(step.id),
    ),
  );
}

/** Owner side, assignee, due date and "Overdue" (in words, not only red): part of the step button's name. */
function planMeta(doc: Document, step: Step, done: boolean, plan: PlanView, t: Strings): HTMLSpanElement {
  const due = plan.due_[step.id];
  const late = !done && (plan.overdue_.includes(step.id) || Date.parse(due) <= plan.now_);
  const bits = [
    h(doc, "span", { class: "owner", "data-testid": "step-owner" }, step.owner === "vendor" ? fmt(t.plan_vendor, { name: plan.org_ }) : t.plan_customer),
    step.assignee && fmt(t.plan_assignee, { name: step.assignee }),
    due && fmt(t.plan_due, { date: plan.date_(due) }),
    late && h(doc, "strong", { class: "late", "data-testid": "step-overdue" }, t.plan_overdue),
  ].filter((b) => !!b) as Array<string | Node>;
  return h(doc, "span", { class: "meta", "data-testid": "step-meta" }, ...bits.flatMap((b, i) => (i ? [" \u00B7 ", b] : [b])));
}

/** Builds the panel's content; the caller owns the dialog element and replaces its children. */
export function renderChecklist(doc: Document, prefix: string, view: ChecklistView, on: ChecklistHandlers): Node[] {
  const { guide_: guide, checklists_: checklists } = view;
  const total = guide.steps.length;
  const done = guide.steps.filter((s) => view.isDone_(s.id)).length;
  const fill = h(doc, "div", { class: "bar-fill" });
  fill.style.setProperty("--guide-pct", String(total ? done / total : 0));

  return [
    h(
      doc,
      "div",
      { class: "head" },
      h(doc, "h2", { class: "title", id: `${prefix}-title`, tabindex: "-1", "data-testid": "guide-title", "data-focus": "title" }, guide.title),
      h(doc, "button", { type: "button", class: "close", "aria-label": view.t_.close, "data-testid": "guide-close", "data-focus": "close", onclick: on.close_ }, "\u00D7"),
    ),
    checklists.length > 1 &&
      h(
        doc,
        "div",
        { class: "tabs", role: "group", "aria-label": view.t_.checklists },
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
              onclick: () => on.select_(g.key),
            },
            g.title,
          ),
        ),
      ),
    h(
      doc,
      "div",
      { class: "meter" },
      h(doc, "p", { class: "meter-text", id: `${prefix}-meter` }, fmt(view.t_.steps_done, { done, total })),
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
      done === total && total > 0 && h(doc, "p", { class: "done-all", "data-testid": "guide-all-done" }, view.t_.all_done),
      h(doc, "ol", { class: "steps", "data-guide": guide.key }, ...guide.steps.map((s, i) => renderStep(doc, prefix, i, s, view, on))),
    ),
    view.help_ &&
      h(
        doc,
        "div",
        { class: "foot" },
        h(doc, "button", { type: "button", class: "link", "data-testid": "guide-help", "data-focus": "help", onclick: on.help_ }, view.t_.need_help),
      ),
  ].filter((n): n is HTMLDivElement => !!n);
}

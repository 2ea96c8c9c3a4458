import { fmt } from "../i18n";
import { layer, unzoom } from "../toplayer";
import type { Answer, Survey, SurveyCard, SurveyHost } from "./contract";
import { field, type Field } from "./questions";

// Reuses the main stylesheet's .head, .title, .close, .btn, .error, .sr and .step-html.
// .pop: the card; without it, the section in the checklist panel (display: panel).
const CSS = `
.svy{flex:none;max-height:50vh;overflow-y:auto;border-bottom:1px solid var(--guide-line)}
.svy.pop{position:fixed;inset:auto;inset-block-end:76px;inset-inline-end:20px;z-index:2147483002;margin:0;width:360px;max-width:calc(100vw - 32px);max-height:calc(100vh - 100px);overflow-y:auto;padding:0;background:var(--guide-bg);color:var(--guide-fg);border:1px solid var(--guide-line);border-radius:var(--guide-radius);box-shadow:0 18px 48px rgba(17,24,39,.18);zoom:var(--guide-zoom,1)}
.svy:not(.pop) .head{padding-top:12px}
.svy form,.svy .thanks{padding:0 18px 16px}
.svy .q{margin:0 0 14px;padding:0;border:0;min-width:0}
.svy legend{padding:0;margin-bottom:8px;font-weight:600}
.svy .scale{display:flex;flex-wrap:wrap;gap:4px}
.svy .scale .opt{flex:1 0 24px;margin:0}
.svy .scale input{position:absolute;opacity:0;width:1px;height:1px}
.svy .scale span{display:block;padding:6px 0;border:1px solid var(--guide-line);border-radius:6px;text-align:center;font-variant-numeric:tabular-nums;cursor:pointer}
.svy .scale input:checked+span{background:var(--guide-accent);border-color:var(--guide-accent);color:#fff}
.svy .scale input:focus-visible+span{outline:2px solid var(--guide-accent);outline-offset:2px}
.svy .ends{display:flex;justify-content:space-between;margin:4px 0 0;color:var(--guide-muted);font-size:12px}
.svy .opt{display:flex;gap:8px;align-items:center;margin:4px 0}
.svy textarea{width:100%;min-height:72px;padding:8px 10px;border:1px solid var(--guide-line);border-radius:8px;background:var(--guide-bg);color:var(--guide-fg);font:inherit;resize:vertical}
`;

/**
 * The survey card (issue 15): one survey's questions in a small non-modal
 * dialog in a corner, above the page (top layer), or for `display: panel` a
 * section of the checklist panel (the card when there is no panel). Questions hidden by
 * `show_if` follow the NPS answer as it changes; "Send" checks required ones,
 * queues `survey:answer` in the durable outbox and thanks at once (an answer
 * given offline goes out later, once); Close dismisses (`$survey_dismissed`).
 */
export function createSurveyCard(host: SurveyHost): SurveyCard {
  const { doc, h } = host;
  const id = `${host.prefix}-svy`;
  const card = h(doc, "div", { class: "svy pop", id, role: "dialog", "aria-modal": "false", "aria-labelledby": `${id}-t`, "data-testid": "survey", hidden: true });
  // In the panel, a labelled region; Escape there closes the panel, as anywhere in it.
  const sec = h(doc, "section", { class: "svy", "aria-labelledby": `${id}-t`, "data-testid": "survey", "data-display": "panel" });
  let el: HTMLElement = card;
  let current: Survey | null = null;
  let mounted = false;
  let fields: Field[] = [];
  const t = () => host.t();

  card.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.stopPropagation(); // the host page's own Esc handlers stay untouched
    dismiss();
  });

  function frame(title: string, ...body: Node[]): void {
    el.replaceChildren(
      h(doc, "div", { class: "head" },
        h(doc, "h2", { class: "title", id: `${id}-t`, tabindex: "-1" }, title),
        h(doc, "button", { type: "button", class: "close", "aria-label": t().close, "data-testid": "survey-close", onclick: () => (current ? dismiss() : hide()) }, "\u00D7")),
      ...body,
    );
  }

  /** Questions whose `show_if` holds for the answers so far; hidden ones lose their answer. */
  function branch(): void {
    for (const f of fields) {
      const cond = f.q.show_if;
      if (!cond) continue;
      const on = fields.find((g) => g.q.id === cond.question)?.value();
      const show = typeof on === "number" && cond.scores.includes(on);
      f.el.hidden = !show;
      f.el.disabled = !show;
    }
    for (const f of fields) {
      const max = f.q.max_choices;
      const v = f.value();
      if (max && Array.isArray(v)) f.error.textContent = v.length > max ? fmt(t().survey_max, { max }) : "";
    }
  }

  function submit(e: Event): void {
    e.preventDefault();
    const survey = current!;
    const answers: Record<string, Answer> = {};
    let bad: Field | null = null;
    for (const f of fields) {
      if (f.el.hidden) continue;
      const v = f.value();
      const over = Array.isArray(v) && !!f.q.max_choices && v.length > f.q.max_choices;
      f.error.textContent = over ? fmt(t().survey_max, { max: f.q.max_choices! }) : v === undefined && f.q.required ? t().survey_required : "";
      if (f.error.textContent) bad ??= f;
      else if (v !== undefined) answers[f.q.id] = v;
    }
    if (bad) return void bad.first()?.focus();
    current = null;
    void host.answer({ survey: survey.key, version: survey.version, answers });
    frame(survey.title, h(doc, "p", { class: "thanks", role: "status", "data-testid": "survey-thanks" }, t().survey_thanks));
    el.querySelector<HTMLElement>(".close")!.focus();
  }

  function dismiss(): void {
    if (current) host.track("$survey_dismissed", { survey: current.key });
    hide();
  }

  function hide(): void {
    current = null;
    if (el === sec) host.section?.(null);
    layer(card, false);
  }

  return {
    show(survey, focus) {
      if (!mounted) {
        mounted = true;
        host.style(CSS);
        host.root().append(card);
      }
      hide();
      el = survey.display === "panel" && host.section ? sec : card;
      current = survey;
      fields = survey.questions.map((q) => field(doc, h, id, q, branch));
      const form = h(doc, "form", { novalidate: true, "data-testid": "survey-form", onsubmit: submit },
        ...fields.map((f) => f.el),
        h(doc, "button", { type: "submit", class: "btn btn-primary", "data-testid": "survey-send" }, t().survey_send));
      frame(survey.title, form);
      branch();
      const shown = (): void => host.track("$survey_shown", { survey: survey.key });
      // No panel (no checklist for this user here): the card.
      if (el === sec && !host.section!(sec, shown, focus)) card.replaceChildren(...sec.childNodes), (el = card);
      if (el === card) {
        unzoom(card);
        layer(card, true);
        shown();
      }
      // Shown on its own, it takes no focus from what the user is doing; asked for (Guide.start), it does.
      if (focus) el.querySelector<HTMLElement>(".title")!.focus();
    },
    destroy() {
      hide();
      card.remove();
    },
  };
}

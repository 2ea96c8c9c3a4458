import { fmt } from "../i18n";
import { layer } from "../toplayer";
import type { Ack } from "../types";
import type { ArticleSummary, HelpAt, HelpHost, HelpPanel } from "./contract";
import { helpful } from "../helpful";

// Reuses the main stylesheet's .panel, .head, .title, .close, .btn, .link,
// .error and .step-html; only what is new to help lives here.
const CSS = `
.help .hb{overflow-y:auto;padding:0 18px 16px}
.help input,.help textarea{width:100%;padding:8px 10px;border:1px solid var(--guide-line);border-radius:8px;background:var(--guide-bg);color:var(--guide-fg);font:inherit}
.help textarea{min-height:96px;resize:vertical}
.help label,.help legend{display:block;margin:12px 0 4px;padding:0;font-weight:600}
.help fieldset{margin:0;padding:0;border:0}
.help .opt{display:flex;gap:8px;align-items:center;margin:4px 0;font-weight:400}
.help .opt input{width:auto}
.help .row{margin-top:14px}
.arts{margin:8px -8px;padding:0;list-style:none}
.art{display:block;width:100%;padding:8px;border:0;border-radius:8px;background:transparent;text-align:start;font-weight:600}
.art:hover{background:var(--guide-soft)}
.art span,.muted{display:block;color:var(--guide-muted);font-size:12px;font-weight:400}
`;

const SEARCH_DEBOUNCE_MS = 250;
/** After this long without an answer the escalation is safe in the outbox: say so. */
const QUEUED_NOTICE_MS = 4000;

/**
 * The help panel (issue 4): articles for where the user is, search, an
 * article view, and "Contact support" (help:escalate). A dialog beside the
 * checklist panel, in the same shadow root; Esc or Close closes it.
 */
export function createHelpPanel(host: HelpHost): HelpPanel {
  const { doc, h } = host;
  const id = `${host.prefix}-help`;
  const el = h(doc, "div", {
    class: "panel help",
    id,
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": `${id}-t`,
    "data-testid": "help-panel",
    hidden: true,
  });
  el.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.stopPropagation(); // the host page's own Esc handlers stay untouched
    close(true);
  });
  let at: HelpAt = {};
  let view = 0; // bumped on every view change: late answers for an old view are ignored
  let timer: ReturnType<typeof setTimeout> | undefined;
  let mounted = false;
  const t = () => host.t();

  /** Renders one view: a head (Back, title, Close) and a body; focus goes to `focus` or the title. */
  function frame(title: string, back: (() => void) | null, body: Array<Node | null | false>, focus?: HTMLElement): number {
    const head = h(doc, "h2", { class: "title", id: `${id}-t`, tabindex: "-1" }, title);
    el.replaceChildren(
      h(
        doc,
        "div",
        { class: "head" },
        back && h(doc, "button", { type: "button", class: "close", "aria-label": t().back, "data-testid": "help-back", onclick: back }, "\u2039"),
        head,
        h(doc, "button", { type: "button", class: "close", "aria-label": t().close, "data-testid": "help-close", onclick: () => close(true) }, "\u00D7"),
      ),
      h(doc, "div", { class: "hb" }, ...body),
    );
    (focus ?? head).focus();
    return ++view;
  }

  const status = (): HTMLParagraphElement => h(doc, "p", { class: "muted", role: "status", "data-testid": "help-status" });
  const contactButton = (): HTMLButtonElement =>
    h(doc, "button", { type: "button", class: "btn btn-secondary", "data-testid": "help-contact", onclick: contact }, t().contact_support);

  function list(): void {
    const input = h(doc, "input", { type: "search", id: `${id}-q`, autocomplete: "off", "data-testid": "help-search" });
    const items = h(doc, "ul", { class: "arts", "data-testid": "help-articles" });
    const note = status();
    const mine = frame(t().help, null, [h(doc, "label", { for: `${id}-q` }, t().help_search), input, note, items, h(doc, "div", { class: "row" }, contactButton())], input);
    const load = (q: string): void => {
      host.list(q, at).then(
        ({ articles = [] }) => {
          if (mine !== view) return;
          items.replaceChildren(...articles.map(item));
          note.textContent = articles.length ? "" : t().help_empty;
        },
        () => mine === view && (note.textContent = t().help_error),
      );
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => load(input.value.trim()), SEARCH_DEBOUNCE_MS);
    });
    load("");
  }

  const item = (a: ArticleSummary): HTMLLIElement =>
    h(
      doc,
      "li",
      {},
      h(
        doc,
        "button",
        { type: "button", class: "art", "data-testid": "help-article", "data-key": a.key, onclick: () => article(a.key, list) },
        a.title,
        a.excerpt && h(doc, "span", {}, a.excerpt),
      ),
    );

  function article(key: string, back: (() => void) | null): void {
    at = { ...at, article: key };
    const body = h(doc, "div", { class: "step-html", "data-testid": "help-body" });
    const note = status();
    const mine = frame("\u2026", back, [note, body, h(doc, "div", { class: "row" }, contactButton())]);
    host.article(key, at).then(
      (a) => {
        if (mine !== view) return;
        el.querySelector(".title")!.textContent = a.title;
        // The server sanitized body_html (nh3) before sending it.
        body.innerHTML = a.body_html;
        const vote = host.helpful;
        if (vote) body.after(helpful(doc, h, id, t(), (yes, comment) => vote(key, yes, comment)));
      },
      () => mine === view && (note.textContent = t().help_error),
    );
  }

  function contact(): void {
    const back = at.article ? () => article(at.article!, list) : list;
    const about = host.label(at.guide, at.step);
    const message = h(doc, "textarea", { id: `${id}-m`, required: true, maxlength: 5000, "data-testid": "help-message" });
    const radio = (value: string, label: string): HTMLLabelElement =>
      h(doc, "label", { class: "opt" }, h(doc, "input", { type: "radio", name: `${id}-s`, value, checked: value === "question" }), label);
    const note = status();
    const submit = h(doc, "button", { type: "submit", class: "btn btn-primary", "data-testid": "help-send" }, t().send);
    const form = h(
      doc,
      "form",
      { "data-testid": "help-form" },
      !!about && h(doc, "p", { class: "muted", "data-testid": "help-about" }, fmt(t().help_about, { step: about })),
      h(doc, "label", { for: `${id}-m` }, t().help_message),
      message,
      h(doc, "fieldset", {}, h(doc, "legend", {}, t().help_severity), radio("blocked", t().severity_blocked), radio("question", t().severity_question)),
      h(doc, "div", { class: "row" }, submit),
      note,
    );
    const mine = frame(t().contact_support, back, [form], message);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!message.value.trim()) return void message.reportValidity?.();
      submit.disabled = true;
      note.textContent = t().help_sending;
      const queued = setTimeout(() => mine === view && (note.textContent = t().help_queued), QUEUED_NOTICE_MS);
      const severity = (form.querySelector<HTMLInputElement>("input:checked")?.value ?? "question") as "blocked" | "question";
      void host.escalate({ message: message.value.trim(), severity, ...at }).then((ack) => {
        clearTimeout(queued);
        if (mine !== view) return;
        if (ack.ok) return sent(ack);
        submit.disabled = false;
        note.textContent = t().help_send_failed;
      });
    });
  }

  function sent(ack: Extract<Ack, { ok: true }>): void {
    const link = host.safeUrl(ack.support_url);
    frame(t().contact_support, null, [
      h(doc, "p", { role: "status" }, t().help_sent),
      h(doc, "p", { "data-testid": "help-reference" }, fmt(t().help_reference, { reference: ack.reference ?? "" })),
      !!link && h(doc, "p", {}, h(doc, "a", { href: link, target: "_blank", rel: "noopener noreferrer", class: "link", "data-testid": "help-desk" }, t().help_desk)),
      h(doc, "div", { class: "row" }, h(doc, "button", { type: "button", class: "btn btn-primary", onclick: () => close(true) }, t().done)),
    ]);
  }

  function close(returnFocus: boolean): void {
    if (el.hidden) return;
    layer(el, false);
    view++;
    host.closed(returnFocus);
  }

  return {
    open(next) {
      if (!mounted) {
        mounted = true;
        host.style(CSS);
        host.root().append(el);
      }
      const where = host.where();
      at = next.guide ? { ...next } : { ...next, guide: where.guide, step: where.step };
      // The top layer, raised again: above the page's sticky header and any host dialog opened since.
      layer(el, true);
      if (next.article) article(next.article, list);
      else list();
    },
    close,
    destroy() {
      clearTimeout(timer);
      el.remove();
    },
  };
}

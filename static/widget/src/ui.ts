import { renderChecklist, type PlanView } from "./checklist";
import { h } from "./h";
import { createLauncher } from "./launcher";
import { setLocale } from "./locale";
import { adoptStyles, CSS } from "./styles";
import { applyTheme } from "./theme";
import { layer, unzoom } from "./toplayer";
import type { Strings } from "./i18n";
import type { Guide, Nudge, Theme } from "./types";

export interface UiModel {
  checklists: Guide[];
  /** The checklist the launcher speaks for; none: only the help button shows. */
  primary?: Guide;
  theme: Theme | null | undefined;
  /** The workspace has help enabled: a help button, "Need help?" and "Stuck?". */
  help: boolean;
  t: Strings;
  /** The user's locale (bootstrap `user.locale`): our `lang` and `dir`, whatever the page's. */
  locale?: string;
  isDone(guide: string, step: string): boolean;
  /** Done here, not yet acknowledged by the server: shown as "Not saved yet". */
  isPending?(guide: string, step: string): boolean;
  /** Owner, due dates and overdue steps of a plan; undefined for a checklist. */
  plan(guide: Guide): PlanView | undefined;
}

export interface UiHandlers {
  markDone(guide: string, step: string): void;
  /** Opens the help panel, at an article for a step's "Stuck?". */
  help(guide?: string, step?: string, article?: string): void;
  startTour(key: string): void;
  /** The checklist panel opened (the help panel closes). */
  opened(): void;
  /** The user answered the nudge card: "Show me" (true) or dismiss (false). */
  nudge(open: boolean): void;
  /** The widget's words, for a nudge card shown when no checklist is (no model yet). */
  strings(): Strings;
}

export interface Ui {
  update(model: UiModel | null): void;
  /** Opens the panel at a checklist, and at one of its steps (expanded and focused). */
  open(guide?: string, step?: string): void;
  close(returnFocus: boolean): void;
  setError(guide: string, step: string, message: string | null): void;
  /** The shadow root, mounted if it was not yet (the help panel lives there too). */
  root(): ShadowRoot;
  /** Focus back to the help button (the help panel closed). */
  focusHelp(): void;
  /** Shows a nudge card ("Show me" when `open`); null hides it. */
  nudge(nudge: Nudge | null, open?: boolean): void;
  destroy(): void;
}

/**
 * Owns the DOM: a host element, its open shadow root, the launcher and the
 * panel, plus purely visual state (open, selected checklist, expanded steps).
 * Nothing touches the document until the first update with a checklist.
 */
export function createUi(doc: Document, prefix: string, on: UiHandlers): Ui {
  let host: HTMLDivElement | null = null;
  let root: ShadowRoot | null = null;
  let model: UiModel | null = null;
  let isOpen = false;
  let selected: string | null = null;
  const expanded = new Map<string, boolean>();
  const errors = new Map<string, string>();
  const teardown: Array<() => void> = [];
  const panelId = `${prefix}-panel`;

  const launcher = createLauncher(doc, panelId, () => (isOpen ? close(true) : open()));
  const helpName = h(doc, "span", { class: "sr" });
  const helpButton = h(
    doc,
    "button",
    { type: "button", class: "hbtn", "data-testid": "guide-help-button", onclick: () => on.help() },
    helpName,
    h(doc, "span", { "aria-hidden": "true" }, "?"),
  );
  const dock = h(doc, "div", { class: "dock" }, helpButton, launcher.el);
  const note = h(doc, "div", { class: "nudge", role: "status", "data-testid": "guide-nudge", hidden: true });
  const panel = h(doc, "div", {
    class: "panel",
    id: panelId,
    role: "dialog",
    "aria-modal": "false",
    "aria-labelledby": `${prefix}-title`,
    "data-testid": "guide-panel",
    hidden: true,
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    // Handled here, so the host page's own Esc handlers (its modals) stay untouched.
    e.stopPropagation();
    close(true);
  });

  const k = (guide: string, step: string): string => `${guide}\u0000${step}`;
  const focusHelp = (): void => (helpButton.hidden ? launcher.el : helpButton).focus();
  // Compared, not put in a selector: ids come from content and may hold any character.
  const byFocus = (key: string): HTMLElement | undefined =>
    Array.from(panel.querySelectorAll<HTMLElement>("[data-focus]")).find((el) => el.getAttribute("data-focus") === key);

  function current(): Guide | undefined {
    if (!model) return undefined;
    return model.checklists.find((g) => g.key === selected) ?? model.primary;
  }

  function mount(): ShadowRoot {
    if (root) return root;
    host = h(doc, "div", { id: "guide-root", "data-guide-widget": "" });
    root = host.attachShadow({ mode: "open" });
    teardown.push(adoptStyles(root, CSS));
    root.append(dock, panel, note);
    setLocale(host, model?.locale);
    doc.body.appendChild(host);
    layer(dock, true);
    return root;
  }

  function render(): void {
    if (!model || !root || !host) return;
    const m = model;
    applyTheme(host, m.theme);
    setLocale(host, m.locale);
    unzoom(host);
    helpButton.hidden = !m.help;
    helpName.textContent = m.t.help;
    const guide = current();
    launcher.el.hidden = !m.primary;
    if (!guide || !m.primary) return;
    const count = (g: Guide): number => g.steps.filter((s) => m.isDone(g.key, s.id)).length;
    launcher.update({ title: m.primary.title, done: count(m.primary), total: m.primary.steps.length, expanded: isOpen, t: m.t });
    if (!isOpen) return;

    // Re-rendering replaces the nodes, so remember what had focus and put it back.
    const focusKey = (root.activeElement as HTMLElement | null)?.getAttribute("data-focus");
    const firstOpen = guide.steps.find((s) => !m.isDone(guide.key, s.id))?.id;
    panel.replaceChildren(
      ...renderChecklist(
        doc,
        prefix,
        {
          checklists: m.checklists,
          guide,
          help: m.help,
          t: m.t,
          plan: m.plan(guide),
          isDone: (step) => m.isDone(guide.key, step),
          isPending: (step) => !!m.isPending?.(guide.key, step),
          isExpanded: (step) => expanded.get(k(guide.key, step)) ?? step === firstOpen,
          error: (step) => errors.get(k(guide.key, step)),
        },
        {
          close: () => close(true),
          select: (key) => {
            selected = key;
            render();
          },
          toggle: (step) => {
            const key = k(guide.key, step);
            expanded.set(key, !(expanded.get(key) ?? step === firstOpen));
            render();
          },
          markDone: (step) => {
            errors.delete(k(guide.key, step));
            // It will no longer be the first open step; let the next one open.
            expanded.delete(k(guide.key, step));
            on.markDone(guide.key, step);
          },
          help: () => on.help(),
          stuck: (step, article) => on.help(guide.key, step, article),
          startTour: on.startTour,
        },
      ),
    );
    if (focusKey) {
      (byFocus(focusKey) ?? byFocus(focusKey.replace(/^(done|action):/, "toggle:")))?.focus();
    }
  }

  function open(guide?: string, step?: string): void {
    if (!model?.primary) return;
    if (guide) selected = guide;
    if (guide && step) expanded.set(k(guide, step), true);
    on.opened();
    isOpen = true;
    layer(panel, true);
    render();
    // focus() scrolls the step into view.
    (byFocus(`toggle:${step}`) ?? byFocus("title"))?.focus();
  }

  function close(returnFocus: boolean): void {
    if (!isOpen) return;
    isOpen = false;
    layer(panel, false);
    render();
    if (returnFocus) launcher.el.focus();
  }

  return {
    update(next) {
      model = next && (next.checklists.length || next.help) ? next : null;
      if (!model) {
        // No checklist and no help for this user on this page: nothing of ours stays visible.
        if (host && note.hidden) host.hidden = true;
        return;
      }
      if (!model.primary) close(false);
      mount();
      if (host) host.hidden = false;
      render();
    },
    open,
    close,
    setError(guide, step, message) {
      if (message) {
        errors.set(k(guide, step), message);
        // Keep the failed step open, or the message would be hidden with it.
        expanded.set(k(guide, step), true);
      } else errors.delete(k(guide, step));
      render();
    },
    root: () => {
      const r = mount();
      if (host) host.hidden = false;
      return r;
    },
    focusHelp,
    nudge(n, canOpen) {
      // Focus inside the card must not be lost with it.
      if (!n && note.contains(root?.activeElement ?? null)) focusHelp();
      if (!n) return layer(note, false);
      const t = model?.t ?? on.strings();
      note.setAttribute("data-nudge", String(n.id));
      const parts = [
        n.title && h(doc, "p", { class: "nt" }, n.title),
        h(doc, "p", {}, n.message),
        n.reference && h(doc, "p", { class: "meter-text" }, n.reference),
        canOpen && h(doc, "button", { type: "button", class: "btn btn-primary", "data-testid": "nudge-open", onclick: () => on.nudge(true) }, t.nudge_open),
        h(doc, "button", { type: "button", class: "close", "aria-label": t.dismiss, "data-testid": "nudge-dismiss", onclick: () => on.nudge(false) }, "\u00D7"),
      ];
      note.replaceChildren(...(parts.filter((p) => !!p) as Node[]));
      mount();
      if (host) host.hidden = false;
      layer(note, true);
    },
    destroy() {
      teardown.forEach((fn) => fn());
      host?.remove();
      host = root = model = null;
    },
  };
}

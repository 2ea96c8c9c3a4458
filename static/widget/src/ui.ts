import { h } from "./h";
import { helpful } from "./helpful";
import { fmt, type Strings } from "./i18n";
import { createLauncher } from "./launcher";
import { setLocale } from "./locale";
import { nudgeCard } from "./nudgecard";
import type { PlanView, RenderChecklist } from "./panel/contract";
import { adoptStyles, CSS } from "./styles";
import { applyTheme, followScheme, label } from "./theme";
import { layer, unzoom } from "./toplayer";
import type { Guide, Nudge, Theme } from "./types";

export interface UiModel {
  checklists_: Guide[];
  /** The checklist the launcher speaks for; none: only the help button shows. */
  primary_?: Guide;
  theme_: Theme | null | undefined;
  /** The workspace has help enabled: a help button, "Need help?" and "Stuck?". */
  help_: boolean;
  t_: Strings;
  /** The user's locale (bootstrap `user.locale`): our `lang` and `dir`, whatever the page's. */
  locale_?: string;
  isDone_(guide: string, step: string): boolean;
  /** Done here, not yet acknowledged by the server: shown as "Not saved yet". */
  isPending_?(guide: string, step: string): boolean;
  /** Owner, due dates and overdue steps of a plan; undefined for a checklist. */
  plan_(guide: Guide): PlanView | undefined;
}

export interface UiHandlers {
  markDone_(guide: string, step: string): void;
  /** Opens the help panel, at an article for a step's "Stuck?". */
  help_(guide?: string, step?: string, article?: string): void;
  startTour_(key: string): void;
  /** The checklist panel opened (the help panel closes). */
  opened_(): void;
  /** An analytics view (`$guide_shown`, `$checklist_open`, `$item_expanded`, `$item_clicked`). */
  view_(name: string, guide: string, step?: string): void;
  /** The user answered the nudge card: "Show me" (true) or dismiss (false). */
  nudge_(open: boolean): void;
  /** "Was this helpful?" answered under a step. */
  helpful_(guide: string, step: string, yes: boolean, comment?: string): void;
  /** The widget's words, for a nudge card shown when no checklist is (no model yet). */
  strings_(): Strings;
  /** The checklist panel's renderer, dist/checklist.js: asked for once a model lists a checklist. */
  checklist_(): Promise<RenderChecklist>;
}

export interface Ui {
  update_(model: UiModel | null): void;
  /** Opens the panel at a checklist, and at one of its steps (expanded and focused). */
  open_(guide?: string, step?: string): void;
  close_(returnFocus: boolean): void;
  setError_(guide: string, step: string, message: string | null): void;
  /** The shadow root, mounted if it was not yet (the help panel lives there too). */
  root_(): ShadowRoot;
  /** Focus back to the help button (the help panel closed). */
  focusHelp_(): void;
  /** The unread announcements badge, on the help button (else the launcher); 0 hides it. */
  badge_(count: number): void;
  /**
   * A survey shown as a section of the panel (`display: panel`), kept across redraws; `shown` runs
   * once the user sees it; `open`: the panel opens. False when there is no panel; null removes it.
   */
  section_(el: HTMLElement | null, shown?: () => void, open?: boolean): boolean;
  /** Shows a nudge card ("Show me" when `open`); null hides it. */
  nudge_(nudge: Nudge | null, open?: boolean): void;
  destroy_(): void;
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
  // The "Was this helpful?" box of each step, kept across redraws (an answer half typed, the thanks).
  const votes = new Map<string, Node>();
  let slot: { el_: HTMLElement; shown_?: () => void } | null = null;
  const teardown: Array<() => void> = [];
  // The panel's renderer (dist/checklist.js), fetched once a model lists a checklist: the launcher never
  // waits for it, opening the panel rarely does. A failure was reported (widget.ts); the next open tries again.
  let draw: RenderChecklist | null = null, loading: Promise<unknown> | null = null;
  const load = (): Promise<unknown> => (loading ??= on.checklist_().then((f) => void ((draw = f), render()), () => void (loading = null)));
  const panelId = `${prefix}-panel`;

  const launcher = createLauncher(doc, panelId, () => (isOpen ? close(true) : open()));
  const helpName = h(doc, "span", { class: "sr" });
  const helpButton = h(
    doc,
    "button",
    { type: "button", class: "hbtn", "data-testid": "guide-help-button", onclick: () => on.help_() },
    helpName,
    h(doc, "span", { "aria-hidden": "true" }, "?"),
  );
  const dock = h(doc, "div", { class: "dock" }, helpButton, launcher.el_);
  // Spelled out for screen readers ("Help, 1 unread announcement"); the number is aria-hidden.
  const unreadName = h(doc, "span", { class: "sr" });
  const unreadDot = h(doc, "span", { class: "badge", "aria-hidden": "true", "data-testid": "guide-unread", hidden: true });
  let unread = 0;
  const note = h(doc, "div", { class: "nudge", role: "status", "data-testid": "guide-nudge", hidden: true });
  const panel = h(doc, "div", { class: "panel", id: panelId, role: "dialog", "aria-modal": "false", "aria-labelledby": `${prefix}-title`, "data-testid": "guide-panel", hidden: true });
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    // Handled here, so the host page's own Esc handlers (its modals) stay untouched.
    e.stopPropagation();
    close(true);
  });

  const k = (guide: string, step: string): string => `${guide}\u0000${step}`;
  const focusHelp = (): void => (helpButton.hidden ? launcher.el_ : helpButton).focus();
  // Compared, not put in a selector: ids come from content and may hold any character.
  const byFocus = (key: string): HTMLElement | undefined =>
    Array.from(panel.querySelectorAll<HTMLElement>("[data-focus]")).find((el) => el.getAttribute("data-focus") === key);

  function current(): Guide | undefined {
    if (!model) return undefined;
    return model.checklists_.find((g) => g.key === selected) ?? model.primary_;
  }

  function mount(): ShadowRoot {
    if (root) return root;
    host = h(doc, "div", { id: "guide-root", "data-guide-widget": "" });
    root = host.attachShadow({ mode: "open" });
    teardown.push(adoptStyles(root, CSS), followScheme(render));
    root.append(dock, panel, note);
    setLocale(host, model?.locale_);
    // Themed before it is in the page: never painted in the default colours first.
    applyTheme(host, model?.theme_);
    doc.body.appendChild(host);
    layer(dock, true);
    return root;
  }

  function render(): void {
    if (!model || !root || !host) return;
    const m = model;
    applyTheme(host, m.theme_);
    setLocale(host, m.locale_);
    unzoom(host);
    helpButton.hidden = !m.help_;
    // One text node with the button's own name: separate hidden spans read as "Help , 1 unread".
    const unreadText = unread ? `, ${fmt(m.t_[unread > 1 ? "unread_other" : "unread_one"], { count: unread })}` : "";
    helpName.textContent = m.t_.help + (m.help_ ? unreadText : "");
    unreadName.textContent = m.help_ ? "" : unreadText;
    unreadDot.textContent = String(unread);
    unreadDot.hidden = !unread;
    (m.help_ ? helpButton : launcher.el_).append(unreadName, unreadDot);
    const guide = current();
    launcher.el_.hidden = !m.primary_;
    if (!guide || !m.primary_) return;
    const count = (g: Guide): number => g.steps.filter((s) => m.isDone_(g.key, s.id)).length;
    launcher.update_({ title_: label(m.theme_) || m.primary_.title, done_: count(m.primary_), total_: m.primary_.steps.length, expanded_: isOpen, t_: m.t_ });
    if (!isOpen || !draw) return;
    on.view_("$guide_shown", guide.key);

    // Re-rendering replaces the nodes, so remember what had focus and put it back.
    const focusKey = (root.activeElement as HTMLElement | null)?.getAttribute("data-focus");
    const firstOpen = guide.steps.find((s) => !m.isDone_(guide.key, s.id))?.id;
    const parts = draw(
      doc,
      prefix,
      {
        checklists: m.checklists_,
        guide,
        help: m.help_,
        t: m.t_,
        plan: m.plan_(guide),
        isDone: (step) => m.isDone_(guide.key, step),
        isPending: (step) => !!m.isPending_?.(guide.key, step),
        isExpanded: (step) => expanded.get(k(guide.key, step)) ?? step === firstOpen,
        error: (step) => errors.get(k(guide.key, step)),
        helpful: (step) => {
          const key = k(guide.key, step);
          if (!votes.has(key)) votes.set(key, helpful(doc, h, `${prefix}-v${votes.size}`, m.t_, (yes, comment) => on.helpful_(guide.key, step, yes, comment)));
          return votes.get(key)!;
        },
      },
      {
        close: () => close(true),
        select: (key) => {
          selected = key;
          render();
        },
        toggle: (step) => {
          const key = k(guide.key, step);
          const open = !(expanded.get(key) ?? step === firstOpen);
          expanded.set(key, open);
          if (open) on.view_("$item_expanded", guide.key, step);
          render();
        },
        markDone: (step) => {
          errors.delete(k(guide.key, step));
          // It will no longer be the first open step; let the next one open.
          expanded.delete(k(guide.key, step));
          on.markDone_(guide.key, step);
        },
        help: () => on.help_(),
        stuck: (step, article) => on.help_(guide.key, step, article),
        startTour: on.startTour_,
        act: (step) => on.view_("$item_clicked", guide.key, step),
      },
    );
    // The survey section goes under the title; moved back in, it keeps what had focus in it.
    const inSlot = slot?.el_.contains(root.activeElement) && (root.activeElement as HTMLElement);
    if (slot) parts.splice(1, 0, slot.el_), slot.shown_?.(), (slot.shown_ = undefined);
    panel.replaceChildren(...parts);
    if (inSlot) inSlot.focus();
    if (focusKey) {
      (byFocus(focusKey) ?? byFocus(focusKey.replace(/^(done|action):/, "toggle:")))?.focus();
    }
  }

  function open(guide?: string, step?: string): void {
    if (!model?.primary_) return;
    // Opened before dist/checklist.js arrived: opens when it does.
    if (!draw) return void load().then(() => draw && open(guide, step));
    if (guide) selected = guide;
    if (guide && step) expanded.set(k(guide, step), true);
    on.opened_();
    if (!isOpen) on.view_("$checklist_open", current()!.key);
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
    if (returnFocus) launcher.el_.focus();
  }

  return {
    update_(next) {
      model = next && (next.checklists_.length || next.help_) ? next : null;
      if (!model) {
        // No checklist and no help for this user on this page: nothing of ours stays visible.
        if (host && note.hidden) host.hidden = true;
        return;
      }
      if (!model.primary_) close(false);
      else void load();
      mount();
      if (host) host.hidden = false;
      render();
    },
    open_: open,
    close_: close,
    setError_(guide, step, message) {
      if (message) {
        errors.set(k(guide, step), message);
        // Keep the failed step open, or the message would be hidden with it.
        expanded.set(k(guide, step), true);
      } else errors.delete(k(guide, step));
      render();
    },
    root_: () => {
      const r = mount();
      if (host) host.hidden = false;
      return r;
    },
    focusHelp_: focusHelp,
    badge_(count) {
      unread = count;
      render();
    },
    section_(el, shown, show) {
      if (el && !model?.primary_) return false;
      slot = el && { el_: el, shown_: shown };
      show ? open() : render();
      return true;
    },
    nudge_(n, canOpen) {
      // Focus inside the card must not be lost with it.
      if (!n && note.contains(root?.activeElement ?? null)) focusHelp();
      if (!n) return layer(note, false);
      note.setAttribute("data-nudge", String(n.id));
      note.replaceChildren(...nudgeCard(doc, n, canOpen, model?.t_ ?? on.strings_(), on.nudge_));
      mount();
      if (host) host.hidden = false;
      layer(note, true);
    },
    destroy_() {
      teardown.forEach((fn) => fn());
      host?.remove();
      host = root = model = null;
    },
  };
}

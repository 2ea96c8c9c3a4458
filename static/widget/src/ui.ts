import { renderChecklist } from "./checklist";
import { h } from "./h";
import { createLauncher } from "./launcher";
import { adoptStyles, CSS } from "./styles";
import { applyTheme } from "./theme";
import type { Strings } from "./i18n";
import type { Guide, Theme } from "./types";

export interface UiModel {
  checklists: Guide[];
  primary: Guide;
  theme: Theme | null | undefined;
  help: boolean;
  t: Strings;
  isDone(guide: string, step: string): boolean;
}

export interface UiHandlers {
  markDone(guide: string, step: string): void;
  help(): void;
  startTour(key: string): void;
}

export interface Ui {
  update(model: UiModel | null): void;
  open(guide?: string): void;
  close(returnFocus: boolean): void;
  setError(guide: string, step: string, message: string | null): void;
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

  function current(): Guide | null {
    if (!model) return null;
    return model.checklists.find((g) => g.key === selected) ?? model.primary;
  }

  function mount(): ShadowRoot {
    if (root) return root;
    host = h(doc, "div", { id: "guide-root", "data-guide-widget": "" });
    root = host.attachShadow({ mode: "open" });
    teardown.push(adoptStyles(root, CSS));
    root.append(launcher.el, panel);
    doc.body.appendChild(host);
    return root;
  }

  function render(): void {
    const guide = current();
    if (!model || !guide || !root || !host) return;
    const m = model;
    applyTheme(host, m.theme);
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
          isDone: (step) => m.isDone(guide.key, step),
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
          help: on.help,
          startTour: on.startTour,
        },
      ),
    );
    if (focusKey) {
      const fallback = focusKey.replace(/^(done|action):/, "toggle:");
      const candidates = Array.from(panel.querySelectorAll<HTMLElement>("[data-focus]"));
      const find = (key: string): HTMLElement | undefined => candidates.find((el) => el.getAttribute("data-focus") === key);
      (find(focusKey) ?? find(fallback))?.focus();
    }
  }

  function open(guide?: string): void {
    if (!model) return;
    if (guide) selected = guide;
    isOpen = true;
    panel.hidden = false;
    render();
    panel.querySelector<HTMLElement>(".title")?.focus();
  }

  function close(returnFocus: boolean): void {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    render();
    if (returnFocus) launcher.el.focus();
  }

  return {
    update(next) {
      model = next && next.checklists.length ? next : null;
      if (!model) {
        // No checklist for this user on this page: nothing of ours stays visible.
        if (host) host.hidden = true;
        return;
      }
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
    destroy() {
      teardown.forEach((fn) => fn());
      host?.remove();
      host = root = model = null;
    },
  };
}

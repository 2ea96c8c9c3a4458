import { h } from "./h";
import { fmt, type Strings } from "./i18n";

export interface LauncherView {
  title_: string;
  done_: number;
  total_: number;
  expanded_: boolean;
  t_: Strings;
}

export interface Launcher {
  el_: HTMLButtonElement;
  update_(view: LauncherView): void;
}

/**
 * The accessible name comes from the content, not aria-label: an aria-label
 * must contain the visible text (axe label-content-name-mismatch), and "2/5"
 * reads badly, so the count is aria-hidden and spelled out in hidden text.
 * Resulting name: "Onboarding checklist: <title>, 2 of 5 steps done".
 */
export function createLauncher(doc: Document, panelId: string, onClick: () => void): Launcher {
  const name = h(doc, "span", { class: "sr" });
  const label = h(doc, "span", { class: "launcher-label" });
  const status = h(doc, "span", { class: "sr" });
  const count = h(doc, "span", { class: "launcher-count", "data-testid": "guide-progress", "aria-hidden": "true" });
  const el = h(
    doc,
    "button",
    { type: "button", class: "launcher", "data-testid": "guide-launcher", "aria-controls": panelId, "aria-expanded": "false", onclick: onClick },
    name,
    label,
    status,
    count,
  );
  return {
    el_: el,
    update_({ title_: title, done_: done, total_: total, expanded_: expanded, t_: t }) {
      name.textContent = `${t.launcher_name}: `;
      label.textContent = title || t.get_started;
      status.textContent = `, ${fmt(t.steps_done, { done, total })}`;
      count.textContent = `${done}/${total}`;
      el.setAttribute("aria-expanded", String(expanded));
    },
  };
}

/**
 * Helpers guide.js keeps for itself and its parts (links, dates); the checklist
 * panel they serve is drawn by the lazily loaded dist/checklist.js (src/panel/).
 */
export { CHECKLIST_GLOBAL, type PlanView } from "./panel/contract";

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

import { parentOf } from "./target";

/**
 * The open modal <dialog> around `el` (through shadow roots), or for a step
 * without a target the last one the page opened; null without. Such a
 * dialog makes everything outside it inert, top layer or not, so a step for
 * a target in it must be inside it too. Without `:modal` (older engines) any
 * open dialog counts: moving into a non-modal one does no harm.
 */
export function modalAround(el: Element | null, doc: Document): HTMLDialogElement | null {
  // A step without a target goes into the page's open modal dialog, if any: outside, it would be inert.
  if (!el) {
    try {
      const open = doc.querySelectorAll<HTMLDialogElement>("dialog:modal");
      return open[open.length - 1] ?? null;
    } catch {
      return null;
    }
  }
  for (let n: Element | null = el; n; n = parentOf(n)) {
    if (n.localName !== "dialog") continue;
    try {
      if (n.matches(":modal")) return n as HTMLDialogElement;
    } catch {
      if ((n as HTMLDialogElement).open) return n as HTMLDialogElement;
    }
  }
  return null;
}

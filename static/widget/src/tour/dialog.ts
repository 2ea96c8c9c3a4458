import { parentOf } from "./target";

/**
 * The open modal <dialog> around `el` (through shadow roots), or null. Such a
 * dialog makes everything outside it inert, top layer or not, so a step for
 * a target in it must be inside it too. Without `:modal` (older engines) any
 * open dialog counts: moving into a non-modal one does no harm.
 */
export function modalAround(el: Element): HTMLDialogElement | null {
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

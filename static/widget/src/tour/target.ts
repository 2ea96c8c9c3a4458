/**
 * Finding a step's target. `a >>> b` looks for `b` inside the open shadow
 * root of the first `a` (web components as targets); each part is a plain CSS
 * selector. An invalid selector finds nothing rather than throwing.
 */
export function query(doc: Document, selector: string): HTMLElement | null {
  let scope: Document | ShadowRoot | null = doc;
  let found: HTMLElement | null = null;
  try {
    for (const part of selector.split(">>>")) {
      if (!scope) return null;
      found = scope.querySelector<HTMLElement>(part.trim());
      scope = found?.shadowRoot ?? null;
    }
  } catch {
    return null;
  }
  return found && visible(found) ? found : null;
}

/** Rendered at all: a `hidden` or display:none element is not there for the user yet. */
export const visible = (el: Element): boolean => el.getClientRects().length > 0;

/**
 * Calls `done(el)` as soon as the target is there, or `done(null)` after `ms`.
 * A MutationObserver notices it (no polling); the timer is the deadline.
 * Returns a cancel function; `done` is called at most once.
 */
export function waitForTarget(doc: Document, selector: string, ms: number, done: (el: HTMLElement | null) => void): () => void {
  const now = query(doc, selector);
  if (now) {
    done(now);
    return () => {};
  }
  const win = doc.defaultView as Window & typeof globalThis;
  let over = false;
  const finish = (el: HTMLElement | null): void => {
    if (over) return;
    over = true;
    observer.disconnect();
    win.clearTimeout(timer);
    done(el);
  };
  const observer = new win.MutationObserver(() => {
    const el = query(doc, selector);
    if (el) finish(el);
  });
  // Attributes too: a late target is often there but hidden (a tab panel, `hidden`, a class).
  observer.observe(doc.documentElement, { childList: true, subtree: true, attributes: true });
  const timer = win.setTimeout(() => finish(query(doc, selector)), Math.max(0, ms));
  return () => {
    over = true;
    observer.disconnect();
    win.clearTimeout(timer);
  };
}

/**
 * The parent in the flat tree: the slot an element is assigned to, else its
 * parent, else (at the top of a shadow tree) the shadow host. Scroll
 * containers and modal dialogs work on the flat tree.
 */
export const parentOf = (el: Element): Element | null => el.assignedSlot ?? el.parentElement ?? (el.parentNode as ShadowRoot | null)?.host ?? null;

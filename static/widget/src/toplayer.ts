/**
 * Shows or hides one of our boxes (panel, dock, card, tour step). Where the
 * browser has popovers, a shown box is a `popover="manual"` in the top layer,
 * above any z-index, sticky header or transformed ancestor of the host page,
 * and laid out against the viewport; elsewhere the CSS fallback (position:
 * fixed, a large z-index) applies. Showing always hides first, so a host
 * dialog or popover opened since ends up below us again. Hiding a manual
 * popover moves no focus (checked in Chromium 156): callers put focus where
 * it belongs.
 */
export function layer(el: HTMLElement, on: boolean): void {
  el.hidden = !on;
  if (!("showPopover" in el)) return;
  try {
    el.setAttribute("popover", "manual");
    if (el.matches(":popover-open")) el.hidePopover();
    if (on) el.showPopover();
  } catch {
    // Disconnected, or an engine quirk: the fixed fallback styles still apply.
  }
}

/**
 * A page scaled with CSS `zoom` (on html or body) scales our boxes with it: a
 * panel taller than the viewport, a tour step and spotlight placed by
 * viewport coordinates in a zoomed space. Our top-level boxes take
 * `zoom: var(--guide-zoom)`, set here to undo the page's on `host`.
 */
export function unzoom(host: HTMLElement): void {
  host.style.setProperty("--guide-zoom", String(1 / ((host as { currentCSSZoom?: number }).currentCSSZoom || 1)));
}

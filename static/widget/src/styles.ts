// What every shadow root of ours starts with, the tour's too (dist/tour.js
// takes it from guide.js at run time, lib.ts, rather than carrying a copy).
// Defaults live on :host so a theme only overrides custom properties; nothing
// here depends on the host page's CSS. `:host { all: initial !important }`:
// host-page !important rules (`:focus { outline: 3px solid red !important }`,
// `* { font-size: 30px !important }`) match our host element, and an
// !important declaration from inside the shadow beats one from outside (CSS
// Cascade 4, context order). Our own font and colour follow it in the same
// block, so they are !important too (a later declaration of the same
// importance wins). `all` leaves `direction` alone: the host element's `dir`
// (our locale's, see locale.ts) decides it.
export const BASE_CSS = `
:host {
  all: initial !important;
  font: 14px/1.5 var(--guide-font) !important;
  color: var(--guide-fg) !important;
  direction: ltr !important;
  --guide-accent: #4f46e5;
  --guide-bg: #ffffff;
  --guide-fg: #1f2937;
  --guide-radius: 12px;
  --guide-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
:host([dir="rtl"]) { direction: rtl !important; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; }
}
`;

// The launcher, the checklist panel, the nudge card and (help/panel.ts adds
// its own rules) the help panel.
const PANEL_CSS = `
:host {
  --guide-muted: color-mix(in srgb, var(--guide-fg) 72%, var(--guide-bg));
  --guide-line: color-mix(in srgb, var(--guide-fg) 12%, var(--guide-bg));
  --guide-soft: color-mix(in srgb, var(--guide-accent) 9%, var(--guide-bg));
}
:host([hidden]) { display: none !important; }
@supports not (color: color-mix(in srgb, red, blue)) {
  :host { --guide-muted: #5b6270; --guide-line: #e5e7eb; --guide-soft: #f3f3fd; }
}
/* The top-level boxes: where the browser has popovers they are manual
   popovers in the top layer (toplayer.ts), so the UA's [popover] box styles
   (inset, margin, border, padding, overflow, colours) are reset here first. */
.dock, .nudge, .panel { position: fixed; inset: auto; margin: 0; padding: 0; border: 0; overflow: visible; background: none; color: inherit; zoom: var(--guide-zoom, 1); }
button, a { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 2px solid var(--guide-accent); outline-offset: 2px; }
.sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.dock { right: 20px; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 10px; }
.hbtn {
  width: 40px; height: 40px; border: 1px solid var(--guide-line); border-radius: 50%;
  background: var(--guide-bg); color: var(--guide-accent); font-size: 18px; font-weight: 700;
  box-shadow: 0 6px 20px rgba(17, 24, 39, .14);
}
.hbtn, .launcher { position: relative; }
.badge {
  position: absolute; inset-block-start: -6px; inset-inline-end: -6px; min-width: 18px; padding: 0 5px; border-radius: 9px;
  background: #b91c1c; color: #fff; font: 700 11px/18px var(--guide-font); text-align: center;
}
.nudge {
  right: 20px; bottom: 76px; z-index: 2147483002; width: 320px; max-width: calc(100vw - 32px);
  padding: 12px; padding-inline: 16px 40px; background: var(--guide-bg); border: 1px solid var(--guide-line);
  border-radius: var(--guide-radius); box-shadow: 0 18px 48px rgba(17, 24, 39, .18);
}
/* The open panel has the corner: a card waits behind it until it closes. */
.panel:not([hidden]) ~ .nudge { display: none; }
.nudge p { margin: 0; }
.nudge .nt { font-weight: 650; }
.nudge .btn { margin-top: 10px; }
.nudge .close { position: absolute; top: 10px; inset-inline-end: 10px; }
.launcher {
  display: inline-flex; align-items: center; gap: 10px; max-width: 280px;
  padding: 10px 16px; border: 0; border-radius: 999px;
  background: var(--guide-accent); color: #fff; font-weight: 600;
  box-shadow: 0 6px 20px rgba(17, 24, 39, .18), 0 1px 3px rgba(17, 24, 39, .12);
  transition: transform .15s ease, box-shadow .15s ease;
}
.launcher:hover { transform: translateY(-1px); box-shadow: 0 10px 24px rgba(17, 24, 39, .22); }
.launcher:focus-visible { outline-color: var(--guide-fg); outline-offset: 3px; }
.launcher-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.launcher-count { padding: 1px 8px; border-radius: 999px; background: rgba(0, 0, 0, .2); font-size: 12px; font-variant-numeric: tabular-nums; }

.panel {
  right: 20px; bottom: 76px; z-index: 2147483001;
  width: 360px; max-width: calc(100vw - 32px); max-height: calc(100vh - 100px);
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--guide-bg);
  border: 1px solid var(--guide-line); border-radius: var(--guide-radius);
  box-shadow: 0 18px 48px rgba(17, 24, 39, .18), 0 2px 6px rgba(17, 24, 39, .08);
  animation: guide-in .18s ease-out;
}
@keyframes guide-in { from { opacity: 0; transform: translateY(8px); } }
.head { display: flex; align-items: flex-start; gap: 8px; padding: 18px 18px 6px; }
.title { flex: 1; margin: 0; font-size: 16px; font-weight: 650; line-height: 1.35; }
.title:focus { outline: none; }
.title:focus-visible { outline: 2px solid var(--guide-accent); outline-offset: 2px; border-radius: 4px; }
.close {
  flex: none; width: 28px; height: 28px; margin: -4px 0 0; margin-inline-end: -6px; border: 0; border-radius: 8px;
  background: transparent; color: var(--guide-muted); font-size: 20px; line-height: 1;
}
.close:hover { background: var(--guide-line); color: var(--guide-fg); }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; padding: 4px 18px 6px; }
.tab { padding: 3px 10px; border: 1px solid var(--guide-line); border-radius: 999px; background: transparent; font-size: 12px; }
.tab[aria-pressed="true"] { border-color: var(--guide-accent); background: var(--guide-soft); color: var(--guide-accent); font-weight: 600; }
.meter { padding: 6px 18px 12px; }
.meter-text { margin: 0 0 6px; color: var(--guide-muted); font-size: 12px; }
.bar { height: 6px; border-radius: 999px; background: var(--guide-line); overflow: hidden; }
.bar-fill {
  height: 100%; width: 100%; background: var(--guide-accent); border-radius: inherit;
  transform-origin: left; transform: scaleX(var(--guide-pct, 0)); transition: transform .3s ease;
}
:host([dir="rtl"]) .bar-fill { transform-origin: right; }
.body { overflow-y: auto; padding: 0 10px 10px; }
.steps { list-style: none; margin: 0; padding: 0; }
.step { border-radius: 10px; }
.step + .step { margin-top: 2px; }
.step[data-open="true"] { background: var(--guide-soft); }
.step-toggle {
  display: flex; flex-wrap: wrap; align-items: center; gap: 2px 10px; width: 100%; padding: 10px 8px;
  border: 0; border-radius: 10px; background: transparent; text-align: start;
}
.step-toggle:hover { background: var(--guide-soft); }
.check {
  flex: none; display: inline-flex; align-items: center; justify-content: center;
  width: 20px; height: 20px; border: 2px solid var(--guide-line); border-radius: 50%;
  color: transparent; font-size: 12px; font-weight: 700; line-height: 1;
}
.step[data-done="true"] .check { border-color: var(--guide-accent); background: var(--guide-accent); color: #fff; }
.step-title { flex: 1; font-weight: 550; }
/* Done here, not yet acknowledged by the server (data-pending on .step). */
.pending { color: var(--guide-muted); font-size: 12px; font-weight: 400; animation: guide-late 0s 1.5s both; }
/* Most acknowledgements take milliseconds: only a wait the user could notice shows. */
@keyframes guide-late { from { visibility: hidden; } }
.step[data-done="true"] .step-title { color: var(--guide-muted); text-decoration: line-through; text-decoration-color: var(--guide-line); }
.meta { order: 1; flex-basis: 100%; padding-inline-start: 30px; color: var(--guide-muted); font-size: 12px; }
.owner, .late { font-weight: 600; }
.late { color: #b91c1c; }
.chevron { flex: none; color: var(--guide-muted); transition: transform .15s ease; }
.step-toggle[aria-expanded="true"] .chevron { transform: rotate(180deg); }
.step-body { padding: 0 10px 12px; padding-inline-start: 38px; color: var(--guide-fg); }
.step-html { color: var(--guide-muted); }
.step-html > :first-child { margin-top: 0; }
.step-html p { margin: 0 0 8px; }
.step-html a { color: var(--guide-accent); }
.step-html code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; }
.step-html + .actions { margin-top: 10px; }
.btn {
  display: inline-flex; align-items: center; padding: 6px 12px; border-radius: 8px;
  border: 1px solid var(--guide-accent); font-weight: 600; font-size: 13px; text-decoration: none;
}
.btn-primary { background: var(--guide-accent); color: #fff; }
.btn-primary:hover { filter: brightness(1.08); }
.btn-secondary { background: transparent; color: var(--guide-accent); }
.btn-secondary:hover { background: var(--guide-bg); }
.error { margin: 8px 0 0; color: #b91c1c; font-size: 12px; }
.done-all { margin: 6px 8px 10px; padding: 12px; border-radius: 10px; background: var(--guide-soft); text-align: center; font-weight: 600; }
.foot { display: flex; justify-content: flex-end; padding: 10px 18px 14px; border-top: 1px solid var(--guide-line); }
.hf { margin-top: 12px; }
.hf p { margin: 0 0 6px; }
.hf textarea { display: block; width: 100%; margin: 4px 0 8px; font: inherit; }
.link { padding: 2px 4px; border: 0; background: transparent; color: var(--guide-accent); font-weight: 600; }
.link:hover { text-decoration: underline; }

/* The theme's launcher position (theme.ts sets data-pos; bottom-right is the default).
   Right to left, the corner mirrors: a fixed box's inline sides follow the page, not us. */
:host([data-pos^="top"]) .dock { top: 20px; bottom: auto; }
:host([data-pos^="top"]) :is(.panel, .nudge) { top: 76px; bottom: auto; }
:host([dir="rtl"]) :is(.dock, .panel, .nudge), :host([data-pos*="left"]) :is(.dock, .panel, .nudge) { left: 20px; right: auto; }

@media (max-width: 420px) {
  .panel { right: 16px; left: 16px; width: auto; max-width: none; }
}
`;

/** One stylesheet for the whole widget. */
export const CSS = BASE_CSS + PANEL_CSS;

/**
 * Constructable stylesheets need no style-src exception under a strict CSP;
 * the <style> fallback covers browsers (and jsdom) without them.
 */
export function adoptStyles(root: ShadowRoot, css: string): () => void {
  const win = root.ownerDocument.defaultView as (Window & typeof globalThis) | null;
  try {
    if (win && "adoptedStyleSheets" in root && typeof win.CSSStyleSheet === "function") {
      const sheet = new win.CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return () => {
        root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
      };
    }
  } catch {
    // Fall through: an engine that has the property but rejects replaceSync.
  }
  const style = root.ownerDocument.createElement("style");
  style.textContent = css;
  root.prepend(style);
  return () => style.remove();
}

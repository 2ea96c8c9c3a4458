import { BASE_CSS } from "../styles";

// The tour's own rules, after the base every shadow root of ours starts with
// (../styles.ts: `:host { all: initial !important }` and the defaults, `[hidden]`,
// reduced motion), adopted into the tour's own shadow root.
const STEP_CSS = `
/* Manual popovers (../toplayer.ts): the UA's [popover] box styles are reset first. */
.overlay, .step { position: fixed; margin: 0; padding: 0; border: 0; overflow: visible; inset: auto; color: inherit; zoom: var(--guide-zoom, 1); }
.overlay { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; background: transparent; pointer-events: none; z-index: 2147483646; }
.overlay svg { display: block; width: 100%; height: 100%; }
.dim { fill: rgba(17, 24, 39, .55); fill-rule: evenodd; pointer-events: auto; }
.shield { fill: transparent; pointer-events: none; }
.shield.block { pointer-events: all; }
.step {
  left: 0; top: 0; width: 340px; max-width: calc(100vw - 16px); max-height: calc(100vh - 16px);
  padding: 16px 18px 14px; background: var(--guide-bg); border-radius: var(--guide-radius);
  box-shadow: 0 18px 48px rgba(17, 24, 39, .25), 0 2px 6px rgba(17, 24, 39, .1);
  z-index: 2147483647; animation: guide-tour-in .18s ease-out;
}
.step:focus { outline: none; }
.step:focus-visible { outline: 2px solid var(--guide-accent); outline-offset: 2px; }
.step.centered { left: 50%; top: 50%; transform: translate(-50%, -50%); }
.step.docked { left: 8px; right: 8px; top: auto; bottom: 8px; width: auto; max-height: 50vh; overflow-y: auto; }
.step.centered .arrow, .step.docked .arrow { display: none; }
@keyframes guide-tour-in { from { opacity: 0; } }
.arrow { position: absolute; width: 12px; height: 12px; background: var(--guide-bg); transform: rotate(45deg); }
.count { margin: 0 0 4px; color: #5b6270; font-size: 12px; font-weight: 600; }
.title { margin: 0 0 6px; font-size: 16px; font-weight: 650; line-height: 1.35; }
.html { margin: 0; color: var(--guide-fg); }
.html > :first-child { margin-top: 0; }
.html p { margin: 0 0 8px; }
.html a { color: var(--guide-accent); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 12px; }
.gap { flex: 1; }
button {
  display: inline-flex; align-items: center; min-height: 32px; margin: 0; padding: 5px 12px;
  border: 1px solid var(--guide-accent); border-radius: 8px; background: transparent; color: var(--guide-accent);
  font: 600 13px/1.2 var(--guide-font); cursor: pointer;
}
button:focus-visible { outline: 2px solid var(--guide-accent); outline-offset: 2px; }
.primary { background: var(--guide-accent); color: #fff; }
.link { border-color: transparent; padding: 5px 6px; color: #4b5563; }
.link:hover { text-decoration: underline; }
/* "Was this helpful?" at a tour's end (../helpful.ts). */
.hf { margin-top: 10px; }
.hf p { margin: 0 0 6px; }
.hf .muted { color: #4b5563; }
.hf textarea { display: block; box-sizing: border-box; width: 100%; margin: 4px 0 8px; padding: 6px 8px; border: 1px solid #9ca3af; border-radius: 8px; font: inherit; }
.btn-primary { background: var(--guide-accent); color: #fff; }
`;

export const TOUR_CSS = BASE_CSS + STEP_CSS;

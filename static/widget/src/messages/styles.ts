import { BASE_CSS } from "../styles";

// Announcements, beacons and tips, after the base every shadow root of ours starts
// with (../styles.ts: `:host { all: initial !important }`, `[hidden]`, reduced motion,
// which also stops the beacon's pulse). Logical properties only: RTL-safe.
const MSG_CSS = `
:host { --guide-line: color-mix(in srgb, var(--guide-fg) 14%, var(--guide-bg)); }
:host([data-inline]) { display: block !important; }
/* Manual popovers and the modal dialog (../toplayer.ts): the UA's box styles are reset first. */
.banner, .beacon, .tip, .modal { margin: 0; padding: 0; border: 0; overflow: visible; color: inherit; zoom: var(--guide-zoom, 1); }
.banner {
  display: flex; align-items: center; gap: 12px; padding: 10px 16px; padding-inline-end: 48px;
  background: var(--guide-accent); color: #fff; box-shadow: 0 4px 14px rgba(17, 24, 39, .18);
}
.banner.overlay { position: fixed; inset: 0 0 auto 0; width: 100%; max-width: none; z-index: 2147482000; }
.banner.overlay.bottom { inset: auto 0 0 0; }
.banner.inline { position: relative; }
.banner .copy { flex: 1; min-width: 0; }
.banner .t { margin: 0; font-weight: 650; }
.banner .html p { margin: 0; }
.banner a, .banner .cta { color: inherit; }
.banner .cta { border-color: #fff; }
.x {
  position: absolute; inset-block-start: 50%; inset-inline-end: 10px; translate: 0 -50%;
  width: 32px; height: 32px; padding: 0; border: 0; border-radius: 50%; background: transparent; color: inherit; font-size: 20px; line-height: 1;
}
.modal .x { inset-block-start: 12px; translate: none; color: var(--guide-fg); }
.modal {
  position: fixed; inset: 0; width: 480px; max-width: calc(100vw - 32px); max-height: calc(100vh - 32px); margin: auto;
  padding: 24px; overflow-y: auto; background: var(--guide-bg); border-radius: var(--guide-radius);
  box-shadow: 0 24px 64px rgba(17, 24, 39, .3); z-index: 2147483600;
}
.modal::backdrop { background: rgba(17, 24, 39, .5); }
.modal h2, .tip h2 { margin: 0 0 8px; padding-inline-end: 28px; font-size: 18px; font-weight: 650; line-height: 1.35; }
.count { margin: 0 0 4px; font-size: 12px; font-weight: 600; opacity: .75; }
.html > :first-child { margin-top: 0; }
.html a { color: var(--guide-accent); }
.bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: flex-end; gap: 8px; margin-top: 16px; }
button, .cta {
  display: inline-flex; align-items: center; min-height: 32px; margin: 0; padding: 5px 12px;
  border: 1px solid var(--guide-accent); border-radius: 8px; background: transparent; color: var(--guide-accent);
  font: 600 13px/1.2 var(--guide-font); text-decoration: none; cursor: pointer;
}
button:focus-visible, .cta:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
.primary { background: var(--guide-accent); color: #fff; }
.beacon {
  position: fixed; inset: auto; left: 0; top: 0; width: 24px; height: 24px; min-height: 0; padding: 0;
  border: 3px solid #fff; border-radius: 50%; background: var(--guide-accent); z-index: 2147482500;
  box-shadow: 0 0 0 0 color-mix(in srgb, var(--guide-accent) 60%, transparent);
}
.beacon.pulse { animation: guide-pulse 1.6s ease-out infinite; }
.beacon.centered, .tip.centered { left: 50%; top: 50%; translate: -50% -50%; }
@keyframes guide-pulse { to { box-shadow: 0 0 0 14px transparent; } }
.tip {
  position: fixed; inset: auto; left: 0; top: 0; width: 300px; max-width: calc(100vw - 16px); padding: 14px 16px;
  background: var(--guide-bg); border-radius: var(--guide-radius); box-shadow: 0 12px 32px rgba(17, 24, 39, .22); z-index: 2147482600;
}
.tip h2 { font-size: 15px; margin-bottom: 4px; }
.tip.tt { width: auto; max-width: 280px; padding: 8px 12px; background: var(--guide-fg); color: var(--guide-bg); }
.tip.tt .html a { color: inherit; }
.tip .x { inset-block-start: 8px; translate: none; width: 28px; height: 28px; color: var(--guide-fg); }
.arrow { position: absolute; width: 10px; height: 10px; background: inherit; transform: rotate(45deg); }
.sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

export const MSG_CSS_ALL = BASE_CSS + MSG_CSS;

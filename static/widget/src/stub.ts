/**
 * The loader stub product teams paste inline (built into dist/stub.min.js).
 * Until the bundle arrives, `window.Guide` is an array of `[method, args]`
 * calls; the bundle replays them in order. Keep this tiny and dependency-free:
 * it must stay under 1 KB gzip and may not import anything.
 */

// Duplicated from api.ts on purpose: importing it would drag the API into the stub.
const METHODS = ["init", "identify", "group", "track", "on", "off", "start", "openHelp", "destroy"];

type StubQueue = unknown[][] & { [method: string]: unknown; _stub?: boolean };

export function stub(w: Window & { Guide?: unknown }, d: Document, server: string): void {
  let g = w.Guide as StubQueue | undefined;
  // <div id="Guide"> shows through as window.Guide (named access): our own global shadows it.
  if (g && (g.nodeType || g.namedItem)) g = undefined;
  g = w.Guide = g || ([] as unknown as StubQueue);
  // The real widget is not an array; a stub already set up has `_stub`. Either way, once is enough.
  if (!Array.isArray(g) || g._stub) {
    if (!g.__guide) console.error("[Guide] window.Guide is taken by another script; the widget is not loaded.");
    return;
  }
  g._stub = true;
  METHODS.forEach((m) => {
    g[m] = (...args: unknown[]) => {
      g.push([m, args]);
    };
  });
  const s = d.createElement("script");
  s.async = true;
  s.src = server + "/widget/guide.js";
  (d.head || d.documentElement).appendChild(s);
}

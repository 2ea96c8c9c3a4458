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
  const g = (w.Guide = w.Guide || []) as StubQueue;
  // The real widget is not an array; a stub already set up has `_stub`. Either way, once is enough.
  if (!Array.isArray(g) || g._stub) return;
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

import { LIB, lib } from "./lib";
import type { GuideError } from "./types";

/**
 * Logical bundle name -> its content-hashed file (`tour.js` -> `tour.3fa2c1d9.js`),
 * put here by scripts/build.mjs with esbuild's `define`, so a release's guide.js
 * asks for exactly the bundles built with it and the server can cache those
 * forever. Undefined when not built by build.mjs (vitest): the plain names,
 * which the server also keeps serving.
 */
declare const __GUIDE_BUNDLES__: Record<string, string> | undefined;
const BUNDLES: Record<string, string> = typeof __GUIDE_BUNDLES__ === "undefined" ? {} : __GUIDE_BUNDLES__;

/**
 * Loads a lazily built bundle (dist/tour.js, dist/help.js, dist/author.js, under
 * their hashed names when built by build.mjs) from the Guide server, the same
 * place as guide.js, with a `<script>` tag (so a strict CSP needs nothing more
 * than it already allows for guide.js), and resolves with what the bundle
 * leaves on `window[global]`. A copy already on the page (another widget
 * instance, a test) is reused.
 */
export function loadBundle<T>(win: Window, server: string, file: string, global: string): Promise<T> {
  const g = win as unknown as Record<string, unknown>;
  g[LIB] ??= lib;
  const ready = (): T | null => (typeof g[global] === "function" ? (g[global] as T) : null);
  const have = ready();
  if (have) return Promise.resolve(have);
  return new Promise((resolve, reject) => {
    const doc = win.document;
    const script = doc.createElement("script");
    script.async = true;
    script.src = `${server}/widget/${BUNDLES[file] ?? file}`;
    const fail = (): void =>
      reject({ code: "bundle_unavailable", message: `Could not load ${script.src}; is the widget built and served?` } satisfies GuideError);
    script.onload = () => {
      const value = ready();
      if (value) resolve(value);
      else fail();
    };
    script.onerror = fail;
    (doc.head || doc.documentElement).appendChild(script);
  });
}

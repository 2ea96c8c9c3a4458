import { createApi, METHODS, type GuideApi } from "./api";
import { socketIo } from "./socket";
import { browserStore } from "./storage";
import type { WidgetDeps } from "./parts";

type GuideGlobal = Window & { Guide?: unknown };

/** As the page had it when the bundle loaded: a wrapper installed later does not see our traffic. */
const pageFetch = typeof fetch === "function" ? fetch : undefined;

/** What a widget in this browser talks and stores with. */
export const browserDeps = (win: Window): WidgetDeps => ({
  fetch_: (...args) => (pageFetch ?? fetch)(...args),
  io_: socketIo,
  window_: win,
  store_: browserStore(win),
});

/**
 * Where the server lives when init() is not told: the place the bundle was
 * served from, minus `/widget/guide.js`, so sub-path deployments work too.
 */
export function serverFromScript(src: string | null | undefined, fallback: string): string {
  if (!src) return fallback;
  try {
    const url = new URL(src, fallback);
    return url.origin + url.pathname.replace(/\/widget\/[^/]*$/, "");
  } catch {
    return fallback;
  }
}

function currentScriptSrc(d: Document): string | null {
  const current = d.currentScript as HTMLScriptElement | null;
  if (current?.src) return current.src;
  return d.querySelector<HTMLScriptElement>('script[src*="/widget/guide"]')?.src ?? null;
}

/** An element (or several) whose id or name is "Guide", as window.Guide exposes it. */
function isElementGlobal(value: unknown): boolean {
  const v = value as { nodeType?: unknown; namedItem?: unknown } | null | undefined;
  return !!v && typeof v === "object" && (typeof v.nodeType === "number" || typeof v.namedItem === "function");
}

/**
 * Installs the real `window.Guide` and replays what the stub queued. A second
 * copy of the bundle finds the marker and does nothing; a `window.Guide` that
 * is neither ours nor a stub queue is left alone rather than clobbered.
 */
export function install(w: GuideGlobal): GuideApi | undefined {
  let existing = w.Guide as (GuideApi & unknown[]) | undefined;
  // <div id="Guide"> shows through as window.Guide (named access): not a script's, so ours shadows it.
  if (isElementGlobal(existing)) existing = undefined;
  if (existing && (existing as Partial<GuideApi>).__guide) return existing;
  if (existing !== undefined && !Array.isArray(existing)) {
    console.error("[Guide] window.Guide is already used by another script; the widget was not installed.");
    return undefined;
  }
  const api = createApi(serverFromScript(currentScriptSrc(w.document), w.location.origin), () => browserDeps(w));
  w.Guide = api;
  if (!existing) return api;
  const queue = existing as unknown as Array<[string, unknown[]]> & Record<string, unknown>;
  // Code that kept a reference to the stub keeps working: its methods now forward.
  for (const m of METHODS) queue[m] = api[m];
  for (const [method, args] of queue.splice(0)) {
    if ((METHODS as readonly string[]).includes(method)) {
      (api[method as (typeof METHODS)[number]] as (...a: unknown[]) => void)(...(Array.isArray(args) ? args : []));
    }
  }
  return api;
}

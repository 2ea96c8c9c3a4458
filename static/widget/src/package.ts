/**
 * The npm package's entry (`@guide-server/widget`, built by scripts/package.mjs into
 * an ES module; docs/NPM.md). The same API as the snippet, as functions to import.
 *
 * Safe to import during server-side rendering: nothing here touches `window` or
 * `document` until `init()` runs, and without a DOM every call does nothing (a
 * server process never runs init(), so queueing there would only grow). In the
 * browser, calls made before `init()` wait here; `init()` then runs the snippet's own stub (src/stub.ts:
 * the `window.Guide` queue and the async script tag for `<server>/widget/guide.js`),
 * so guide.js and its lazy bundles load from the Guide server exactly as for the
 * snippet, and the waiting calls are replayed in the order they were made.
 */
import type { GuideApi } from "./api";
import { stub } from "./stub";

export type { GuideApi } from "./api";
export type { GuideError, GuideEventName, GuideEvents } from "./types";

/** What `init()` takes: the snippet's `Guide.init` options. */
export type InitOptions = Parameters<GuideApi["init"]>[0];

type Method = "init" | "identify" | "group" | "track" | "on" | "off" | "start" | "openHelp" | "destroy";
type Call = [Method, unknown[]];
type GuideWindow = Window & { Guide?: Record<string, unknown> };

/** Calls made before init(); emptied into `window.Guide` by init(). Module state on
 * purpose: it stands for `window.Guide`, of which a page has one. */
const waiting: Call[] = [];
let started = false;

function hasDom(): boolean {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

/** Hands one call to `window.Guide` (the stub's queue, or the widget once guide.js ran). Never throws. */
function forward([method, args]: Call): void {
  try {
    const g = (window as GuideWindow).Guide;
    const fn = g?.[method];
    if (typeof fn === "function") fn.apply(g, args);
  } catch (err) {
    console.error("[Guide]", err);
  }
}

function call(method: Method, args: unknown[]): void {
  if (!hasDom()) return;
  if (started) forward([method, args]);
  else waiting.push([method, args]);
}

/**
 * Starts the widget: loads `<server>/widget/guide.js` (once, however often it is
 * called) and replays the calls made before it. Under Node (server-side rendering)
 * it does nothing; call it from client-side code (an effect, `onMounted`, ...).
 */
export function init(options: InitOptions): void {
  if (!hasDom()) return;
  waiting.push(["init", [options]]);
  if (!started) {
    const server = typeof options?.server === "string" ? options.server.replace(/\/+$/, "") : "";
    try {
      stub(window, document, server);
    } catch (err) {
      console.error("[Guide]", err);
    }
    started = true;
  }
  waiting.splice(0).forEach(forward);
}

export const identify: GuideApi["identify"] = (...args) => call("identify", args);
export const group: GuideApi["group"] = (...args) => call("group", args);
export const track: GuideApi["track"] = (...args) => call("track", args);
export const on: GuideApi["on"] = (...args) => call("on", args);
export const off: GuideApi["off"] = (...args) => call("off", args);
export const start: GuideApi["start"] = (...args) => call("start", args);
export const openHelp: GuideApi["openHelp"] = () => call("openHelp", []);
export const destroy: GuideApi["destroy"] = () => call("destroy", []);

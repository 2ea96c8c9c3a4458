import type { GuideError, GuideEventName, GuideEvents } from "./types";
import { usageError } from "./errors";
import type { WidgetDeps } from "./parts";
import { createWidget, type Widget } from "./widget";

export const METHODS = ["init", "identify", "group", "track", "on", "off", "start", "openHelp", "destroy"] as const;
export type MethodName = (typeof METHODS)[number];

/** What `window.Guide` is once the bundle has loaded. */
export interface GuideApi {
  init(options: { appKey: string; server?: string }): void;
  identify(userId: string, traits?: Record<string, unknown>, options?: { token?: string }): void;
  group(accountId: string, traits?: Record<string, unknown>): void;
  track(name: string, props?: Record<string, unknown>): void;
  on<K extends GuideEventName>(event: K, callback: (payload: GuideEvents[K]) => void): void;
  off<K extends GuideEventName>(event: K, callback?: (payload: GuideEvents[K]) => void): void;
  start(guideKey: string): void;
  openHelp(): void;
  destroy(): void;
  /** Optional features this bundle has (the admin's browser tests check them). */
  readonly supports: readonly string[];
  /** Marks the real widget, so the stub and a second copy of the bundle leave it alone. */
  readonly __guide: string;
}

export const VERSION = "0.1.0";

function toGuideError(err: unknown): GuideError {
  if (err && typeof err === "object" && "code" in err && "message" in err) return err as GuideError;
  return { code: "internal_error", message: err instanceof Error ? err.message : String(err) };
}

/**
 * The boundary between the host page and the widget: no method throws, every
 * failure is logged once (by message, so a loop cannot flood the console) and
 * emitted as `error`. The widget instance is created on first use and dropped
 * by destroy(), so a later init starts from a clean slate.
 */
export function createApi(defaultServer: string, deps: () => WidgetDeps): GuideApi {
  let widget: Widget | null = null;
  const logged = new Set<string>();

  function report(err: unknown): void {
    const e = toGuideError(err);
    try {
      if (!logged.has(e.message)) {
        logged.add(e.message);
        console.error(`[Guide] ${e.message}`, e.code);
      }
      widget?.events_.emit_("error", e);
    } catch {
      // Logging itself failed (a hostile console); nothing more we can do safely.
    }
  }

  const instance = (): Widget => (widget ??= createWidget(defaultServer, deps(), report));

  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        report(err);
      }
    };

  return {
    __guide: VERSION,
    supports: Object.freeze(["help", "preview", "pick"]),
    init: guard((options) => instance().init_(options)),
    identify: guard((userId, traits, options) => instance().identify_(userId, traits, options)),
    group: guard((accountId, traits) => instance().group_(accountId, traits)),
    track: guard((name, props) => instance().track_(name, props)),
    on: guard((event: GuideEventName, callback: (payload: any) => void) => {
      if (typeof callback !== "function") throw usageError("invalid_callback", `Guide.on("${String(event)}") needs a function.`);
      instance().events_.on_(event, callback);
    }),
    off: guard((event: GuideEventName, callback?: (payload: any) => void) => widget?.events_.off_(event, callback)),
    start: guard((guideKey) => instance().start_(guideKey)),
    openHelp: guard(() => instance().openHelp_()),
    destroy: guard(() => {
      const w = widget;
      widget = null;
      w?.destroy_();
    }),
  } as GuideApi;
}

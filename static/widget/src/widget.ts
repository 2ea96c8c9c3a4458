import { AUTHOR_GLOBAL } from "./author/contract";
import { createAuthorMode } from "./authormode";
import { formatDate, type PlanView } from "./checklist";
import { createDirector } from "./director";
import { createEmitter, type Emitter } from "./emitter";
import { GuideUsageError } from "./errors";
import { checklists, primaryChecklist } from "./guides";
import { HELP_GLOBAL, type HelpAt } from "./help/contract";
import { createHelp } from "./helphost";
import { loadBundle } from "./lazy";
import { createNudges } from "./nudges";
import { watchPage } from "./page";
import { createSession } from "./session";
import { createStore } from "./store";
import { GLOBAL as TOUR_GLOBAL } from "./tour/contract";
import type { Base, InitOptions, Loader, Parts, WidgetDeps } from "./parts";
import type { Guide, GuideError, GuideEvents } from "./types";
import { createUi } from "./ui";
import { uuid } from "./uuid";

export interface Widget {
  events: Emitter<GuideEvents>;
  // Arguments are `unknown`: they come straight from host pages and are validated here.
  init(options: unknown): void;
  identify(userId: unknown, traits?: unknown, options?: unknown): void;
  group(accountId: unknown, traits?: unknown): void;
  track(name: unknown, props?: unknown): void;
  start(guideKey: unknown): void;
  openHelp(at?: HelpAt): void;
  destroy(): void;
}

/**
 * One widget instance, composed of small parts: the session (identity,
 * bootstrap, outbox), the tour director, the help host, the nudge queue and
 * author mode, over one store and one UI. Methods may throw GuideUsageError
 * on bad input; the API boundary (api.ts) catches.
 */
export function createWidget(defaultServer: string, deps: WidgetDeps, report: (err: GuideError) => void): Widget {
  const win = deps.window;
  const events = createEmitter<GuideEvents>((err) => console.error("[Guide] An event listener threw:", err), "ready");
  const store = createStore();
  const prefix = `guide-${uuid().slice(0, 8)}`;
  const teardown: Array<() => void> = [];
  let server = "";
  let pendingStart: string | null = null;
  let dueTimer: ReturnType<typeof setTimeout> | undefined;
  /** A lazily loaded bundle from the server Guide.init named, unless the deps bring their own. */
  const bundle = <T>(load: Loader<T> | undefined, file: string, global: string) => (): Promise<T> =>
    (load ?? ((w, s) => loadBundle<T>(w, s, file, global)))(win, server);
  /** Calls `fn`, reporting what it throws: the UI's and the nudges' calls into the widget. */
  const guard = <A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): boolean => {
    try {
      return !!fn(...args);
    } catch (err) {
      report(err as GuideError);
      return false;
    }
  };
  const ui = createUi(win.document, prefix, {
    markDone: (guide, step) => session.markDone(guide, step),
    strings: () => session.strings(),
    help: (guide, step, article) => void guard(help.open, guide ? { guide, step, article } : undefined),
    opened: () => help.close(),
    startTour: (key) => void guard(start, key),
    nudge: (open) => nudges.answer(open),
  });
  const base: Base = {
    win, prefix, store, ui, events, report, deps,
    load: {
      tour: bundle(deps.loadTours, "tour.js", TOUR_GLOBAL),
      help: bundle(deps.loadHelp, "help.js", HELP_GLOBAL),
      author: bundle(deps.loadAuthor, "author.js", AUTHOR_GLOBAL),
    },
    start: (guide: string, step?: string) => guard(start, guide, step),
    booted() {
      help.replay();
      if (pendingStart) {
        const key = pendingStart;
        pendingStart = null;
        start(key);
      }
      director.evaluate();
      nudges.pump();
    },
  };
  const parts = base as Parts;
  // Created in this order, each may use those before it at once and the others when called.
  const author = (parts.author = createAuthorMode(parts));
  const session = (parts.session = createSession(parts));
  const nudges = (parts.nudges = createNudges(parts));
  const director = (parts.director = createDirector(parts));
  const help = (parts.help = createHelp(parts));

  function render(): void {
    const data = session.data();
    const lists = checklists(data?.guides);
    const ws = data?.workspace;
    // Called by the UI each time it draws a plan.
    const plan = (g: Guide): PlanView | undefined => {
      if (g.kind !== "plan") return;
      const p = store.get(g.key);
      const due = p?.due ?? {};
      const now = Date.now();
      // Draw again when the next due time passes, so "Overdue" appears while the page is open.
      const next = Math.min(...Object.values(due).map(Date.parse).filter((t) => t > now));
      clearTimeout(dueTimer);
      if (next < Infinity) dueTimer = setTimeout(render, Math.min(next - now + 1000, 2 ** 31 - 1));
      return { org: ws?.name ?? "", due, overdue: p?.overdue ?? [], now, date: (iso) => formatDate(iso, session.data()?.user?.locale) };
    };
    ui.update(data ? { checklists: lists, primary: primaryChecklist(lists, store.state), theme: ws?.theme, help: !!ws?.help_enabled, t: session.strings(), locale: data.user?.locale, isDone: store.isDone, isPending: store.isPending, plan } : null);
  }

  teardown.push(store.subscribe(render));

  /**
   * Guide.start, "Show me" and nudges: a tour runs (from `step`), a checklist
   * or plan opens (at `step`). True when a tour is starting.
   */
  function start(guideKey: unknown, step?: string): boolean {
    if (typeof guideKey !== "string" || !guideKey) throw new GuideUsageError("invalid_guide", "Guide.start needs a guide key.");
    if (!session.data()) {
      pendingStart = guideKey;
      return false;
    }
    if (director.start(guideKey, step)) return true;
    const guide = checklists(session.data()!.guides).find((g) => g.key === guideKey);
    if (!guide) throw new GuideUsageError("unknown_guide", `No checklist or tour "${guideKey}" applies to this user on this page.`);
    if (store.state(guide.key) !== "active" && store.state(guide.key) !== "completed") {
      void session.send("guide:state", { guide: guide.key, state: "active" });
    }
    ui.open(guide.key, step);
    return false;
  }

  return {
    events,
    init(options) {
      if (session.client()) throw new GuideUsageError("already_initialized", "Guide.init was called twice; call Guide.destroy() first to start over.");
      const opts = (isObject(options) ? options : {}) as Partial<InitOptions>;
      if (typeof opts.appKey !== "string" || !opts.appKey) {
        throw new GuideUsageError("invalid_options", 'Guide.init needs {appKey: "<your app key>"}.');
      }
      server = (typeof opts.server === "string" && opts.server ? opts.server : defaultServer).replace(/\/+$/, "");
      author.init();
      session.init(opts.appKey, server);
      // Whatever still waits goes out in a request that outlives the page.
      const flush = (): void => session.client()?.flush();
      const hidden = (): void => void (win.document.visibilityState === "hidden" && flush());
      win.addEventListener("pagehide", flush);
      win.document.addEventListener("visibilitychange", hidden);
      teardown.push(() => {
        win.removeEventListener("pagehide", flush);
        win.document.removeEventListener("visibilitychange", hidden);
      });
      teardown.push(
        watchPage(win, () => {
          if (!session.data()) return;
          session.track("$page");
          director.evaluate();
          nudges.pump(); // a tour may have stopped showing: it waits for another page
        }),
      );
    },
    identify(userId, traits, options) {
      const id = typeof userId === "number" ? String(userId) : userId;
      if (typeof id !== "string" || !id || id.length > 255) {
        throw new GuideUsageError("invalid_user", "Guide.identify needs a user id of 1-255 characters.");
      }
      const token = isObject(options) && typeof options.token === "string" ? options.token : null;
      session.identify({ id, traits: isObject(traits) ? traits : undefined, token });
    },
    group(accountId, traits) {
      const id = typeof accountId === "number" ? String(accountId) : accountId;
      if (typeof id !== "string" || !id) throw new GuideUsageError("invalid_account", "Guide.group needs an account id.");
      session.group({ id, traits: isObject(traits) ? traits : undefined });
    },
    track(name, props) {
      if (typeof name !== "string" || !name) throw new GuideUsageError("invalid_event", "Guide.track needs an event name.");
      session.track(name, isObject(props) ? props : undefined);
      director.event(name);
    },
    start,
    openHelp: () => help.open(),
    destroy() {
      clearTimeout(dueTimer);
      teardown.splice(0).forEach((fn) => fn());
      for (const part of [nudges, director, help, author, session, ui]) part.destroy();
      events.clear();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

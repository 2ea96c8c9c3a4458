import { AUTHOR_GLOBAL } from "./author/contract";
import { createAuthorMode } from "./authormode";
import { CHECKLIST_GLOBAL, formatDate, type PlanView } from "./checklist";
import { createDirector } from "./director";
import { createEmitter, type Emitter } from "./emitter";
import { usageError } from "./errors";
import { checklists, primaryChecklist } from "./guides";
import { HELP_GLOBAL, type HelpAt } from "./help/contract";
import { createHelp } from "./helphost";
import { stepVote } from "./helpful";
import { isObject } from "./json";
import { loadBundle } from "./lazy";
import { MESSAGES_GLOBAL, TARGETING_GLOBAL } from "./messages/contract";
import { createMessages } from "./msghost";
import { createNudges } from "./nudges";
import { watchPage } from "./page";
import { createSession } from "./session";
import { createStore } from "./store";
import { createSurveys, SURVEY_GLOBAL } from "./surveys";
import { GLOBAL as TOUR_GLOBAL } from "./tour/contract";
import type { Base, InitOptions, Loader, Parts, WidgetDeps } from "./parts";
import type { Guide, GuideError, GuideEvents } from "./types";
import { createUi } from "./ui";
import { uuid } from "./uuid";

export interface Widget {
  events_: Emitter<GuideEvents>;
  // Arguments are `unknown`: they come straight from host pages and are validated here.
  init_(options: unknown): void;
  identify_(userId: unknown, traits?: unknown, options?: unknown): void;
  group_(accountId: unknown, traits?: unknown): void;
  track_(name: unknown, props?: unknown): void;
  start_(guideKey: unknown): void;
  openHelp_(at?: HelpAt): void;
  destroy_(): void;
}

/**
 * One widget instance, composed of small parts: the session (identity,
 * bootstrap, outbox), the tour director, the help host, the nudge queue and
 * author mode, over one store and one UI. Methods may throw a usage error
 * (errors.ts) on bad input; the API boundary (api.ts) catches.
 */
export function createWidget(defaultServer: string, deps: WidgetDeps, report: (err: GuideError) => void): Widget {
  const win = deps.window_;
  const events = createEmitter<GuideEvents>((err) => console.error("[Guide] An event listener threw:", err), "ready");
  const store = createStore();
  const prefix = `guide-${uuid().slice(0, 8)}`;
  const teardown: Array<() => void> = [];
  let server = "", pendingStart: string | null = null, dueTimer: ReturnType<typeof setTimeout> | undefined;
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
    markDone_: (guide, step) => session.markDone_(guide, step),
    strings_: () => session.strings_(),
    help_: (guide, step, article) => void guard(help.open_, guide ? { guide, step, article } : undefined),
    opened_: () => help.close_(),
    view_: (name, guide, step) => session.track_(name, { guide, step }, true),
    startTour_: (key) => void guard(start, key),
    nudge_: (open) => nudges.answer_(open),
    helpful_: (...vote) => stepVote(session.send_)(...vote),
    checklist_: () => base.load_.checklist_().catch((err) => Promise.reject(report(err) ?? err)),
  });
  const base: Base = {
    win_: win, prefix_: prefix, store_: store, ui_: ui, events_: events, report_: report, deps_: deps,
    load_: {
      tour_: bundle(deps.loadTours_, "tour.js", TOUR_GLOBAL), help_: bundle(deps.loadHelp_, "help.js", HELP_GLOBAL),
      author_: bundle(deps.loadAuthor_, "author.js", AUTHOR_GLOBAL), survey_: bundle(deps.loadSurvey_, "survey.js", SURVEY_GLOBAL),
      messages_: bundle(deps.loadMessages_, "messages.js", MESSAGES_GLOBAL), targeting_: bundle(deps.loadTargeting_, "tour.js", TARGETING_GLOBAL), checklist_: bundle(deps.loadChecklist_, "checklist.js", CHECKLIST_GLOBAL),
    },
    start_: (guide: string, step?: string) => guard(start, guide, step),
    booted_() {
      help.replay_();
      const key = pendingStart;
      if (key) { pendingStart = null; start(key); }
      director.evaluate_();
      nudges.pump_();
      surveys.evaluate_();
      messages.update_();
    },
  };
  const parts = base as Parts;
  // Created in this order, each may use those before it at once and the others when called.
  const author = (parts.author_ = createAuthorMode(parts));
  const session = (parts.session_ = createSession(parts));
  const nudges = (parts.nudges_ = createNudges(parts));
  const director = (parts.director_ = createDirector(parts));
  const help = (parts.help_ = createHelp(parts));
  const surveys = (parts.surveys_ = createSurveys(parts));
  const messages = (parts.messages_ = createMessages(parts));

  function render(): void {
    const data = session.data_;
    const lists = checklists(data?.guides);
    const ws = data?.workspace;
    // Called by the UI each time it draws a plan.
    const plan = (g: Guide): PlanView | undefined => {
      if (g.kind !== "plan") return;
      const p = store.get_(g.key);
      const due = p?.due ?? {};
      const now = Date.now();
      // Draw again when the next due time passes, so "Overdue" appears while the page is open.
      const next = Math.min(...Object.values(due).map(Date.parse).filter((t) => t > now));
      clearTimeout(dueTimer);
      if (next < Infinity) dueTimer = setTimeout(render, Math.min(next - now + 1000, 2 ** 31 - 1));
      return { org: ws?.name ?? "", due, overdue: p?.overdue ?? [], now, date: (iso) => formatDate(iso, session.data_?.user?.locale) };
    };
    ui.update_(data ? { checklists_: lists, primary_: primaryChecklist(lists, store.state_), theme_: ws?.theme, help_: !!ws?.help_enabled, t_: session.strings_(), locale_: data.user?.locale, isDone_: store.isDone_, isPending_: store.isPending_, plan_: plan } : null);
  }
  teardown.push(store.subscribe_(render));

  /**
   * Guide.start, "Show me" and nudges: a tour runs (from `step`), a checklist
   * or plan opens (at `step`). True when a tour is starting.
   */
  function start(guideKey: unknown, step?: string): boolean {
    if (typeof guideKey !== "string" || !guideKey) throw usageError("invalid_guide", "Guide.start needs a guide key.");
    if (!session.data_) {
      pendingStart = guideKey;
      return false;
    }
    if (director.start_(guideKey, step)) return true;
    if (surveys.start_(guideKey) || messages.start_(guideKey)) return false;
    const guide = checklists(session.data_!.guides).find((g) => g.key === guideKey);
    if (!guide) throw usageError("unknown_guide", `No checklist or tour "${guideKey}" applies to this user on this page.`);
    if (store.state_(guide.key) !== "active" && store.state_(guide.key) !== "completed") {
      void session.send_("guide:state", { guide: guide.key, state: "active" });
    }
    ui.open_(guide.key, step);
    return false;
  }

  return {
    events_: events,
    init_(options) {
      if (session.client_()) throw usageError("already_initialized", "Guide.init was called twice; call Guide.destroy() first to start over.");
      const opts = (isObject(options) ? options : {}) as Partial<InitOptions>;
      if (typeof opts.appKey !== "string" || !opts.appKey) {
        throw usageError("invalid_options", 'Guide.init needs {appKey: "<your app key>"}.');
      }
      server = (typeof opts.server === "string" && opts.server ? opts.server : defaultServer).replace(/\/+$/, "");
      author.init_();
      session.init_(opts.appKey, server);
      // Whatever still waits goes out in a request that outlives the page.
      const flush = (): void => session.client_()?.flush_();
      const hidden = (): void => void (win.document.visibilityState === "hidden" && flush());
      win.addEventListener("pagehide", flush);
      win.document.addEventListener("visibilitychange", hidden);
      teardown.push(() => {
        win.removeEventListener("pagehide", flush);
        win.document.removeEventListener("visibilitychange", hidden);
      });
      teardown.push(
        watchPage(win, (url) => {
          if (!session.data_) return;
          session.track_("$page");
          director.evaluate_();
          messages.route_(url);
          nudges.pump_(); // a tour may have stopped showing: it waits for another page
        }),
      );
    },
    identify_(userId, traits, options) {
      const id = typeof userId === "number" ? String(userId) : userId;
      if (typeof id !== "string" || !id || id.length > 255) {
        throw usageError("invalid_user", "Guide.identify needs a user id of 1-255 characters.");
      }
      const token = isObject(options) && typeof options.token === "string" ? options.token : null;
      session.identify_({ id, traits: isObject(traits) ? traits : undefined, token });
    },
    group_(accountId, traits) {
      const id = typeof accountId === "number" ? String(accountId) : accountId;
      if (typeof id !== "string" || !id) throw usageError("invalid_account", "Guide.group needs an account id.");
      session.group_({ id, traits: isObject(traits) ? traits : undefined });
    },
    track_(name, props) {
      if (typeof name !== "string" || !name) throw usageError("invalid_event", "Guide.track needs an event name.");
      session.track_(name, isObject(props) ? props : undefined);
      director.event_(name);
    },
    start_: start,
    openHelp_: () => help.open_(),
    destroy_() {
      clearTimeout(dueTimer);
      teardown.splice(0).forEach((fn) => fn());
      for (const part of [nudges, director, help, surveys, messages, author, session, ui]) part.destroy_();
      events.clear_();
    },
  };
}

import { AUTHOR_GLOBAL, type AuthorFactory, type AuthorTools, type PreviewInfo } from "./author/contract";
import { authorToken, forgetToken } from "./authoring";
import { safeHref, type PlanView } from "./checklist";
import { createClient, defaultDeps, type Client, type ClientDeps } from "./client";
import { h } from "./h";
import { encode } from "./json";
import { HELP_GLOBAL, type HelpAt, type HelpFactory, type HelpHost, type HelpPanel } from "./help/contract";
import { loadBundle } from "./lazy";
import { createEmitter, type Emitter } from "./emitter";
import { mergeStrings, type Strings } from "./i18n";
import { pageUrl, watchPage } from "./page";
import { createStore, type StoreChanges } from "./store";
import { adoptStyles } from "./styles";
import { themeVars } from "./theme";
import type { TourHost, TourRuntime } from "./tour/contract";
import { loadTourBundle } from "./tourloader";
import { browserStore, type Stored } from "./storage";
import { pickTour, tours } from "./tours";
import type { Ack, BootstrapResponse, EnvelopeType, Guide, GuideError, GuideEvents, Nudge } from "./types";
import { createUi, type Ui } from "./ui";
import { uuid } from "./uuid";

export interface InitOptions {
  appKey: string;
  /** Base URL of the Guide server. @default the origin the bundle was loaded from */
  server?: string;
}

type Traits = Record<string, unknown>;

export interface WidgetDeps extends ClientDeps {
  window: Window;
  /** Where the tour runtime comes from. @default loads dist/tour.js from the server */
  loadTours?: typeof loadTourBundle;
  /** Where the help panel comes from. @default loads dist/help.js from the server */
  loadHelp?: (win: Window, server: string) => Promise<HelpFactory>;
  /** Where the preview badge and picker come from. @default loads dist/author.js from the server */
  loadAuthor?: (win: Window, server: string) => Promise<AuthorFactory>;
}

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

const INACTIVE = new Set(["completed", "dismissed"]);
const ENDED = new Set(["completed", "dismissed", "snoozed"]);

/** The checklist the launcher speaks for: the most urgent one still open. */
export function primaryChecklist(checklists: Guide[], state: (guide: string) => string): Guide | undefined {
  const open = checklists.filter((g) => !INACTIVE.has(state(g.key)));
  return [...open].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))[0] ?? checklists[0];
}

export class GuideUsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * One widget instance: identity, bootstrap, realtime, store and UI. Methods
 * may throw GuideUsageError on bad input; the API boundary (api.ts) catches.
 */
export function createWidget(defaultServer: string, deps: WidgetDeps, report: (err: GuideError) => void): Widget {
  const win = deps.window;
  const events = createEmitter<GuideEvents>((err) => console.error("[Guide] An event listener threw:", err), "ready");
  const store = createStore();
  const prefix = `guide-${uuid().slice(0, 8)}`;
  const ui: Ui = createUi(win.document, prefix, {
    markDone,
    strings: () => strings(),
    help: (guide, step, article) => {
      try {
        openHelp(guide ? { guide, step, article } : undefined);
      } catch (err) {
        report(err as GuideError);
      }
    },
    opened: () => helpPanel?.then((p) => p.close(false)),
    startTour: (key) => safeStart(key),
    nudge: (open) => {
      const n = card!;
      card = null;
      ui.nudge(null);
      track(open ? "$nudge_opened" : "$nudge_dismissed", { nudge: n.id, scenario: n.scenario ?? null });
      // A tour started here: the next nudge waits for it (tour:end).
      if (!(open && safeStart(n.guide!, n.step))) pump();
    },
  });
  // Envelopes sent before there is a server and a user to send them for, in order.
  const early: Array<(client: Client) => void> = [];
  const teardown: Array<() => void> = [];
  let app: { appKey: string; server: string } | null = null;
  let client: Client | null = null;
  let user: { id: string; traits?: Traits; token: string | null } | null = null;
  let account: { id: string; traits?: Traits } | undefined;
  let data: BootstrapResponse | null = null;
  /** Server, app key and user: whose envelopes these are (client.ts never mixes users). */
  let scope = "";
  let booted = "";
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pendingStart: string | null = null;
  let pendingHelp: HelpAt | null = null;
  let helpPanel: Promise<HelpPanel> | null = null;
  // True while the help panel shows: opening it again then is not another "help opened".
  let helpShown = false;
  const nudges = new Set<string>();
  // Nudges wait here while a tour shows or another card is up (one card at a time).
  const waitingNudges: Nudge[] = [];
  let card: Nudge | null = null;
  let dueTimer: ReturnType<typeof setTimeout> | undefined;
  // Preview and pick mode, for authors sent here by the admin (docs/AUTHORING.md).
  let preview: string | null = null;
  let pick: string | null = null;
  let previewGuide: string | null = null;
  let author: Promise<AuthorTools> | null = null;
  let destroyed = false;
  let tourRuntime: Promise<TourRuntime> | null = null;
  let runningTours: TourRuntime | null = null;
  // Tours that ended in this page's lifetime do not start again on their own until a reload.
  const endedTours = new Set<string>();

  const strings = (): Strings => mergeStrings(data?.strings);
  const identity = (): string => encode([user, account]);
  // Success plans show in the same panel as checklists.
  const checklists = (): Guide[] =>
    (data?.guides ?? []).filter((g) => (g.kind === "checklist" || g.kind === "plan") && Array.isArray(g.steps) && g.steps.length > 0);

  function render(): void {
    const lists = checklists();
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
      return { org: ws?.name ?? "", due, overdue: p?.overdue ?? [], now, date: formatDate };
    };
    ui.update(data ? { checklists: lists, primary: primaryChecklist(lists, store.state), theme: ws?.theme, help: !!ws?.help_enabled, t: strings(), locale: data.user?.locale, isDone: store.isDone, isPending: store.isPending, plan } : null);
  }

  /** A date (no time) in the user's locale. */
  function formatDate(iso: string): string {
    const d = new Date(iso);
    try {
      return d.toLocaleDateString(data?.user?.locale || undefined, { dateStyle: "medium" });
    } catch {
      return d.toLocaleDateString(); // a locale tag this browser rejects
    }
  }
  teardown.push(store.subscribe(render));

  function emitChanges(changes: StoreChanges): void {
    for (const guide of changes.changed) {
      const p = store.get(guide);
      const total = p?.total ?? data?.guides.find((g) => g.key === guide)?.steps.length ?? 0;
      if (p) events.emit("progress", { guide, state: p.state, completed: [...p.completed], total });
    }
    changes.completed.forEach((c) => events.emit("step:completed", c));
    changes.guidesCompleted.forEach((guide) => events.emit("guide:completed", { guide }));
    // Ended in another tab or device: stop showing it here too.
    const running = runningTours?.current();
    if (running && changes.changed.includes(running) && ENDED.has(store.state(running))) {
      endedTours.add(running);
      runningTours?.stop();
      pump();
    }
  }

  const tourHost: TourHost = {
    win,
    strings,
    locale: () => data?.user?.locale,
    vars: () => themeVars(data?.workspace?.theme),
    // The outbox sends tour states one at a time, a newer `active` replacing one still waiting.
    state: (guide, state, step) => void send("guide:state", { guide, state, ...(step ? { step } : {}) }),
    track: (name, props) => track(name, props),
    get help() {
      return data?.workspace?.help_enabled ? (guide: string, step: string, article: string) => openHelp({ guide, step, article }) : undefined;
    },
    emit(event, payload) {
      if (event === "tour:end") endedTours.add(payload.guide);
      else if (card) {
        // A tour step showed up: the card steps aside and comes back after the tour.
        waitingNudges.unshift(card);
        card = null;
        ui.nudge(null);
      }
      events.emit(event, payload);
      pump();
    },
  };

  /** Records an event through the durable outbox, as `Guide.track` does. */
  function track(name: string, props?: Record<string, unknown>): void {
    void send("event:track", { name, ...(props ? { props } : {}), url: pageUrl(win.location) });
  }

  function safeStart(key: string, step?: string): boolean {
    try {
      return start(key, step);
    } catch (err) {
      report(err as GuideError);
      return false;
    }
  }

  /** The tour runtime, loading dist/tour.js the first time a tour is about to show. */
  function tourRuntimeReady(): Promise<TourRuntime> {
    if (!tourRuntime) {
      tourRuntime = (deps.loadTours ?? loadTourBundle)(win, app!.server).then((factory) => (runningTours = factory(tourHost)));
      // A failed load (offline, not built) may be retried by the next start.
      tourRuntime.catch(() => (tourRuntime = null));
    }
    return tourRuntime;
  }

  function runTour(key: string, step: string | null, replace: boolean): void {
    tourRuntimeReady().then(
      (rt) => {
        const tour = tours(data?.guides ?? []).find((t) => t.key === key);
        if (destroyed || !tour || rt.current() === key || (rt.current() && !replace)) return;
        rt.run(tour, step);
      },
      (err) => report(err as GuideError),
    );
  }

  /** Route changes, bootstrap and Guide.start all end here: what should the tour do now? */
  function evaluateTours(): void {
    if (!data || destroyed || pick) return; // no tour gets in the way of picking an element
    const here = pageUrl(win.location);
    if (runningTours?.current()) return runningTours.route(here);
    const next = pickTour(tours(data.guides), store.get, here, endedTours);
    if (next) runTour(next.tour.key, next.step, false);
  }

  /** Queues an envelope; resolves with its final acknowledgement (`settled` below applies it). */
  function send(type: EnvelopeType, payload: Record<string, unknown>): Promise<Ack> {
    const envelope = { id: uuid(), ...payload, at: new Date().toISOString() };
    // A previewed draft's progress stays in this page: its steps may not exist in the
    // published version, and a preview must not change the author's real progress.
    if (previewGuide && payload.guide === previewGuide && type !== "event:track") return Promise.resolve({ ok: true });
    if (client && scope) return client.send(type, envelope);
    return new Promise<Ack>((resolve) => early.push((c) => void c.send(type, envelope).then(resolve)));
  }

  /** Every envelope's outcome, this page's and those an earlier page left in storage. */
  function settled(rec: Stored, ack: Ack): void {
    if (destroyed || rec.scope !== scope) return;
    if (ack.ok) {
      // Merge before dropping the optimistic mark, so the step never flickers back.
      const changes = store.apply(ack.progress, ack.completed);
      store.settle(rec.id);
      emitChanges(changes);
      return;
    }
    store.settle(rec.id);
    if (rec.type === "step:complete") ui.setError(String(rec.data.guide), String(rec.data.step), strings().save_failed);
    // Overflow is reported once per burst by the client, not once per envelope.
    if (ack.error.code !== "queue_overflow") report(ack.error);
  }

  /** Steps completed but not yet acknowledged (maybe by a page before a reload) show as done. */
  function optimisticFrom(recs: Stored[]): void {
    for (const r of recs) if (r.type === "step:complete") store.optimistic(r.id, String(r.data.guide), String(r.data.step));
  }

  /** Whose envelopes new sends are; loads what this user's earlier pages left unacknowledged. */
  function useScope(): void {
    if (!client || !app || !user) return;
    const next = encode([app.server, app.appKey, user.id]);
    if (next === scope) return;
    if (scope) {
      // Another user signed in here: the previous user's nudges go with them.
      waitingNudges.length = 0;
      card = null;
      ui.nudge(null);
    }
    scope = next;
    const c = client;
    void c.use(next).then((recs) => scope === next && !destroyed && optimisticFrom(recs));
    early.splice(0).forEach((fn) => fn(c));
  }

  const trackPage = (): void => void send("event:track", { name: "$page", url: pageUrl(win.location) });

  function scheduleBootstrap(): void {
    if (!app || !user || destroyed) return;
    // Coalesces identify + group replayed from the stub queue into one request.
    clearTimeout(timer);
    timer = setTimeout(() => void bootstrap(), 0);
  }

  async function bootstrap(): Promise<void> {
    if (!app || !user || !client) return;
    const mine = ++seq;
    const who = identity();
    const forScope = scope;
    let res: BootstrapResponse;
    try {
      res = await client.bootstrap({
        app: app.appKey,
        user: { id: user.id, traits: user.traits },
        account,
        token: user.token,
        url: pageUrl(win.location),
        locale: win.navigator?.language || "en",
        ...(preview ? { preview } : {}),
      });
    } catch (err) {
      const e = err as GuideError;
      if (mine !== seq || destroyed) return;
      // Over the server's bootstrap limit (PROTOCOL.md section 1): again when it says.
      if (e.code === "rate_limited") timer = setTimeout(scheduleBootstrap, Number(e.retry_after) * 1000 || 1000);
      else report(e);
      return;
    }
    // A newer identify may have started (or scheduled) another bootstrap meanwhile; its answer wins.
    if (mine !== seq || destroyed || who !== identity() || forScope !== scope) return;
    authorMode(res.preview);
    const fresh = who !== booted;
    const switched = fresh && booted !== "";
    booted = who;
    data = { ...res, guides: Array.isArray(res.guides) ? res.guides : [] };
    if (fresh) {
      store.reset(res.progress ?? {});
      optimisticFrom(client.pending());
    } else emitChanges(store.apply(res.progress ?? {}));
    client.connect(res.socket, switched, scope);
    if (fresh) {
      trackPage();
      events.emit("ready", { user: res.user, guides: data.guides.map((g) => g.key) });
    }
    if (pendingHelp) {
      const at = pendingHelp;
      pendingHelp = null;
      openHelp(at);
    }
    if (pendingStart) {
      const key = pendingStart;
      pendingStart = null;
      start(key);
    }
    evaluateTours();
    pump();
  }

  /** Checked at once, and stays checked (across reloads) until the server answers. */
  function markDone(guide: string, step: string): void {
    if (!client || store.isDone(guide, step)) return;
    const id = uuid();
    store.optimistic(id, guide, step);
    void send("step:complete", { id, guide, step });
  }

  /**
   * Guide.start, "Show me" and nudges: a tour runs (from `step`), a checklist
   * or plan opens (at `step`). True when a tour is starting.
   */
  function start(guideKey: unknown, step?: string): boolean {
    if (typeof guideKey !== "string" || !guideKey) throw new GuideUsageError("invalid_guide", "Guide.start needs a guide key.");
    if (!data) {
      pendingStart = guideKey;
      return false;
    }
    if (tours(data.guides).some((t) => t.key === guideKey)) {
      endedTours.delete(guideKey);
      ui.close(true);
      runTour(guideKey, step ?? null, true);
      return true;
    }
    const guide = checklists().find((g) => g.key === guideKey);
    if (!guide) throw new GuideUsageError("unknown_guide", `No checklist or tour "${guideKey}" applies to this user on this page.`);
    if (store.state(guide.key) !== "active" && store.state(guide.key) !== "completed") {
      void send("guide:state", { guide: guide.key, state: "active" });
    }
    ui.open(guide.key, step);
    return false;
  }

  /** Where help is about when the user did not say: the primary checklist's first step not done. */
  function where(): { guide?: string; step?: string } {
    const guide = primaryChecklist(checklists(), store.state);
    const step = guide?.steps.find((st) => !store.isDone(guide.key, st.id));
    return guide ? { guide: guide.key, step: step?.id } : {};
  }

  const helpHost: HelpHost = {
    doc: win.document,
    h,
    prefix,
    root: () => ui.root(),
    style: (css) => void adoptStyles(ui.root(), css),
    t: strings,
    where,
    label: (guide, step) => data?.guides.find((g) => g.key === guide)?.steps.find((st) => st.id === step)?.title,
    list(q, at) {
      const params = new URLSearchParams({ q, url: pageUrl(win.location) });
      if (at.guide) params.set("guide", at.guide);
      if (at.step) params.set("step", at.step);
      return client!.get(`/api/v1/widget/help?${params}`);
    },
    article: (key) => client!.get(`/api/v1/widget/help/${encodeURIComponent(key)}`),
    escalate: (e) => send("help:escalate", { ...e, url: pageUrl(win.location) }),
    safeUrl: (url) => (safeHref(url, "https://x.invalid/") && /^https?:\/\//i.test(String(url)) ? String(url) : null),
    closed: (returnFocus) => {
      helpShown = false;
      if (returnFocus) ui.focusHelp();
    },
  };

  /** Opens the help panel (loading dist/help.js the first time); without help, the support URL. */
  function openHelp(at?: HelpAt): void {
    if (!data) {
      pendingHelp = at ?? {};
      return;
    }
    const ws = data.workspace;
    if (!ws?.help_enabled) return openSupport();
    // Where the user is (the panel suggests articles for the same place): scenarios react to help opened twice on one step.
    const on = at?.guide ? at : { ...at, ...where() };
    if (!helpShown) track("$help_open", { guide: on.guide ?? null, step: on.step ?? null, article: on.article ?? null });
    helpShown = true;
    ui.close(false);
    if (!helpPanel) {
      helpPanel = (deps.loadHelp ?? ((w, s) => loadBundle<HelpFactory>(w, s, "help.js", HELP_GLOBAL)))(win, app!.server).then((f) => f(helpHost));
      helpPanel.catch(() => (helpPanel = null)); // offline: the next click tries again
    }
    helpPanel.then(
      (panel) => !destroyed && panel.open(at ?? {}),
      (err) => {
        report(err as GuideError);
        if (ws.support_url) openSupport();
      },
    );
  }

  function openSupport(): void {
    const url = data?.workspace?.support_url?.split("{reference}").join("").split("{summary}").join("");
    if (!url || !/^https?:\/\//i.test(url)) throw new GuideUsageError("help_unavailable", "Help is not enabled for this workspace.");
    win.open(url, "_blank", "noopener");
  }

  /** The preview badge and pick mode (dist/author.js), when the admin sent an author here. */
  function authorMode(info: PreviewInfo | undefined): void {
    previewGuide = info?.ok ? info.guide ?? null : null;
    if (info && !info.ok) {
      preview = null;
      forgetToken(win, "guide_preview");
    }
    if (!info && !pick && !author) return;
    author ??= (deps.loadAuthor ?? ((w, s) => loadBundle<AuthorFactory>(w, s, "author.js", AUTHOR_GLOBAL)))(win, app!.server).then((f) =>
      f({
        win,
        exitPreview() {
          preview = null;
          forgetToken(win, "guide_preview");
          booted = ""; // the published guides replace the draft, progress included
          scheduleBootstrap();
        },
        pick: (selector) => client!.request("picker:selected", { token: pick, selector, url: pageUrl(win.location) }),
        pickDone() {
          pick = null;
          forgetToken(win, "guide_pick");
          evaluateTours();
        },
      }),
    );
    author.then((tools) => {
      if (destroyed) return;
      tools.preview(info ?? null);
      if (pick) tools.pick();
    }, report);
  }

  /** A nudge arrived: shown once, however many server processes send it. */
  function nudge(n: Nudge): void {
    const key = String(n.id);
    if (destroyed || nudges.has(key)) return;
    nudges.add(key);
    waitingNudges.push(n);
    events.emit("nudge", n);
    pump();
  }

  /**
   * Shows the next waiting nudge, unless a card is up or a tour shows (a nudge
   * never interrupts a tour). `mode: "start"` opens its guide without a card;
   * a guide that does not apply here leaves the message alone, without "Show me".
   */
  function pump(): void {
    // showing?.(): a tour.js cached from an older release lacks it.
    if (card || destroyed || !data || runningTours?.showing?.()) return;
    const n = waitingNudges.shift();
    if (!n) return;
    const known = !!n.guide && data.guides.some((g) => g.key === n.guide);
    if (known && n.mode === "start") {
      if (!safeStart(n.guide!, n.step)) pump();
      return;
    }
    card = n;
    ui.nudge(n, known);
  }

  return {
    events,
    init(options) {
      if (app) throw new GuideUsageError("already_initialized", "Guide.init was called twice; call Guide.destroy() first to start over.");
      const opts = (isObject(options) ? options : {}) as Partial<InitOptions>;
      if (typeof opts.appKey !== "string" || !opts.appKey) {
        throw new GuideUsageError("invalid_options", 'Guide.init needs {appKey: "<your app key>"}.');
      }
      const server = (typeof opts.server === "string" && opts.server ? opts.server : defaultServer).replace(/\/+$/, "");
      app = { appKey: opts.appKey, server };
      preview = authorToken(win, "guide_preview");
      pick = authorToken(win, "guide_pick");
      client = createClient(server, deps, {
        progress: (progress) => emitChanges(store.apply(progress)),
        guidesChanged: scheduleBootstrap,
        tokenExpired: scheduleBootstrap,
        error: report,
        settled,
        nudge,
      });
      useScope();
      // Whatever still waits goes out in a request that outlives the page.
      const flush = (): void => client?.flush();
      const hidden = (): void => void (win.document.visibilityState === "hidden" && flush());
      win.addEventListener("pagehide", flush);
      win.document.addEventListener("visibilitychange", hidden);
      teardown.push(() => {
        win.removeEventListener("pagehide", flush);
        win.document.removeEventListener("visibilitychange", hidden);
      });
      teardown.push(
        watchPage(win, () => {
          if (!data) return;
          trackPage();
          evaluateTours();
          pump(); // a tour may have stopped showing: it waits for another page
        }),
      );
      scheduleBootstrap();
    },
    identify(userId, traits, options) {
      const id = typeof userId === "number" ? String(userId) : userId;
      if (typeof id !== "string" || !id || id.length > 255) {
        throw new GuideUsageError("invalid_user", "Guide.identify needs a user id of 1-255 characters.");
      }
      const token = isObject(options) && typeof options.token === "string" ? options.token : null;
      user = { id, traits: isObject(traits) ? traits : undefined, token };
      useScope();
      if (identity() !== booted) scheduleBootstrap();
    },
    group(accountId, traits) {
      const id = typeof accountId === "number" ? String(accountId) : accountId;
      if (typeof id !== "string" || !id) throw new GuideUsageError("invalid_account", "Guide.group needs an account id.");
      account = { id, traits: isObject(traits) ? traits : undefined };
      if (identity() !== booted) scheduleBootstrap();
    },
    track(name, props) {
      if (typeof name !== "string" || !name) throw new GuideUsageError("invalid_event", "Guide.track needs an event name.");
      track(name, isObject(props) ? props : undefined);
      runningTours?.event(name);
    },
    start,
    openHelp: () => openHelp(),
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      clearTimeout(dueTimer);
      teardown.splice(0).forEach((fn) => fn());
      runningTours?.destroy();
      helpPanel?.then((p) => p.destroy(), () => {});
      author?.then((a) => a.destroy(), () => {});
      client?.destroy();
      ui.destroy();
      events.clear();
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const browserDeps = (win: Window): WidgetDeps => ({ ...defaultDeps(), window: win, store: browserStore(win) });

import { stepVote } from "./helpful";
import { pageUrl } from "./page";
import type { Director, Parts } from "./parts";
import { themeVars } from "./theme";
import type { TourHost, TourRuntime } from "./tour/contract";
import { pickTour, tours } from "./tours";
import type { GuideError } from "./types";

const ENDED = new Set(["completed", "dismissed", "snoozed"]);

/**
 * The tour director: which tour runs when (route changes, bootstraps,
 * Guide.start, progress from elsewhere), over the runtime in dist/tour.js,
 * loaded the first time a tour is about to show.
 */
export function createDirector(w: Pick<Parts, "win_" | "store_" | "ui_" | "events_" | "report_" | "load_" | "session_" | "help_" | "nudges_" | "author_" | "surveys_" | "messages_">): Director {
  const { win_: win, store_: store, session_: session } = w;
  let loading: Promise<TourRuntime> | null = null;
  let runtime: TourRuntime | null = null;
  let destroyed = false;
  // Tours asked to run whose runtime is still loading: a survey or modal waits for them too.
  let starting = 0;
  // Tours that ended in this page's lifetime do not start again on their own until a reload.
  const ended = new Set<string>();
  const tourList = () => tours(session.data_?.guides ?? []);
  const busy = (): boolean => starting > 0 || !!runtime?.showing?.();
  /** No tour on screen: the due survey, banners, an unread modal and beacons, held back for it, show now. */
  const idle = (): void => {
    if (busy() || destroyed) return;
    w.surveys_.evaluate_();
    w.messages_.wake_();
  };

  const host: TourHost = {
    win,
    strings: session.strings_,
    locale: () => session.data_?.user?.locale,
    vars: () => themeVars(session.data_?.workspace?.theme),
    // The outbox sends tour states one at a time, a newer `active` replacing one still waiting.
    state: (guide, state, step) => void session.send_("guide:state", { guide, state, ...(step ? { step } : {}) }),
    track: session.track_,
    get help() {
      return session.data_?.workspace?.help_enabled ? (guide: string, step: string, article: string) => w.help_.open_({ guide, step, article }) : undefined;
    },
    helpful: (...vote) => stepVote(session.send_)(...vote),
    emit(event, payload) {
      if (event === "tour:end") ended.add(payload.guide);
      else w.nudges_.aside_();
      w.events_.emit_(event, payload);
      w.nudges_.pump_();
      if (event === "tour:end") idle();
    },
  };

  /** The tour runtime, loading dist/tour.js the first time a tour is about to show. */
  function ready(): Promise<TourRuntime> {
    if (!loading) {
      loading = w.load_.tour_().then((factory) => (runtime = factory(host)));
      // A failed load (offline, not built) may be retried by the next start.
      loading.catch(() => (loading = null));
    }
    return loading;
  }

  function run(key: string, step: string | null, replace: boolean): void {
    starting++;
    ready().then(
      (rt) => {
        starting--;
        const tour = tourList().find((t) => t.key === key);
        if (!destroyed && tour && rt.current() !== key && !(rt.current() && !replace)) rt.run(tour, step);
        idle();
      },
      (err) => {
        starting--;
        w.report_(err as GuideError);
        idle();
      },
    );
  }

  return {
    evaluate_() {
      // No tour gets in the way of picking an element.
      if (!session.data_ || destroyed || w.author_.picking_()) return;
      const here = pageUrl(win.location);
      if (runtime?.current()) return runtime.route(here);
      const next = pickTour(tourList(), store.get_, here, ended);
      if (next) run(next.tour_.key, next.step_, false);
    },
    start_(key, step) {
      if (!tourList().some((t) => t.key === key)) return false;
      ended.delete(key);
      w.ui_.close_(true);
      run(key, step ?? null, true);
      return true;
    },
    changed_(guides) {
      const running = runtime?.current();
      if (running && guides.includes(running) && ENDED.has(store.state_(running))) {
        ended.add(running);
        runtime?.stop();
        w.nudges_.pump_();
        idle();
      }
    },
    event_: (name) => runtime?.event(name),
    // showing?.(): a tour.js cached from an older release lacks it.
    showing_: () => !!runtime?.showing?.(),
    busy_: busy,
    destroy_() {
      destroyed = true;
      runtime?.destroy();
    },
  };
}

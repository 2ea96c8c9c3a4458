import type { AuthorFactory, PreviewInfo } from "./author/contract";
import type { Emitter } from "./emitter";
import type { HelpAt, HelpFactory } from "./help/contract";
import type { MessagesFactory, Targeting } from "./messages/contract";
import type { Strings } from "./i18n";
import type { RenderChecklist } from "./panel/contract";
import type { Store } from "./store";
import type { SurveyFactory } from "./survey/contract";
import type { TourFactory } from "./tour/contract";
import type { Client, ClientDeps } from "./transport";
import type { Ack, BootstrapResponse, EnvelopeType, GuideError, GuideEvents, Nudge } from "./types";
import type { Ui } from "./ui";

export interface InitOptions {
  appKey: string;
  /** Base URL of the Guide server. @default the origin the bundle was loaded from */
  server?: string;
}

export type Loader<T> = (win: Window, server: string) => Promise<T>;

export interface WidgetDeps extends ClientDeps {
  window_: Window;
  /** Where the tour runtime comes from. @default loads dist/tour.js from the server */
  loadTours_?: Loader<TourFactory>;
  /** Where the help panel comes from. @default loads dist/help.js from the server */
  loadHelp_?: Loader<HelpFactory>;
  /** Where the preview badge and picker come from. @default loads dist/author.js from the server */
  loadAuthor_?: Loader<AuthorFactory>;
  /** Where the survey card comes from. @default loads dist/survey.js from the server */
  loadSurvey_?: Loader<SurveyFactory>;
  /** Where announcements, hotspots and tooltips come from. @default loads dist/messages.js from the server */
  loadMessages_?: Loader<MessagesFactory>;
  /** Where hotspots and tooltips get their anchoring. @default the one dist/tour.js lends */
  loadTargeting_?: Loader<() => Targeting>;
  /** Where the checklist panel's renderer comes from. @default loads dist/checklist.js from the server */
  loadChecklist_?: Loader<RenderChecklist>;
}

/**
 * The parts one widget instance is composed of (widget.ts), and what each
 * offers the others. Types only: every part takes the `Pick<Parts, ...>` it
 * needs, so a part depends on these contracts and never on another part's
 * module, and a test hands it just those.
 *
 * Naming convention: a member that never leaves guide.js ends in `_`
 * (`session_`, `evaluate_()`, here and on the client's, store's and UI's
 * objects), and the build shortens it to a letter or two (scripts/build.mjs,
 * `mangleProps`): a minifier may not rename properties, and these boundaries
 * cost ~0.5 KB gzip without it. Anything that crosses a boundary keeps a plain
 * name: the public API, wire JSON and storage, the contracts of the lazy
 * bundles (test/mangle.test.ts checks).
 */
export interface Parts {
  win_: Window;
  /** Unique per instance: ids in the shadow root. */
  prefix_: string;
  store_: Store;
  ui_: Ui;
  events_: Emitter<GuideEvents>;
  /** Reports an error once, as the API boundary does (api.ts). */
  report_(err: GuideError): void;
  /** Fetch, socket and storage for the client (client.ts). */
  deps_: ClientDeps;
  /** The lazily loaded bundles, from the server Guide.init named. */
  load_: Bundles;
  /** Guide.start for the widget's own callers ("Show me", nudges): reports instead of throwing; true when a tour is starting. */
  start_(guide: string, step?: string): boolean;
  /** A bootstrap answer was applied: calls made before it replay, tours and nudges look again. */
  booted_(): void;
  session_: Session;
  director_: Director;
  help_: Help;
  nudges_: Nudges;
  author_: AuthorMode;
  surveys_: Surveys;
  messages_: Messages;
}

/** The lazily loaded bundles, each loaded on first use. */
export interface Bundles {
  tour_(): Promise<TourFactory>;
  help_(): Promise<HelpFactory>;
  author_(): Promise<AuthorFactory>;
  survey_(): Promise<SurveyFactory>;
  messages_(): Promise<MessagesFactory>;
  targeting_(): Promise<() => Targeting>;
  checklist_(): Promise<RenderChecklist>;
}

/** What the widget has before its parts are made. */
export type Base = Omit<Parts, "session_" | "director_" | "help_" | "nudges_" | "author_" | "surveys_" | "messages_">;

export type User = { id: string; traits?: Record<string, unknown>; token: string | null };
export type Account = { id: string; traits?: Record<string, unknown> };

/** Who the widget speaks for, and the order of bootstraps and envelopes (session.ts). */
export interface Session {
  /** What the last bootstrap answered for this user; null before the first. */
  readonly data_: BootstrapResponse | null;
  strings_(): Strings;
  /** Null before Guide.init. */
  client_(): Client | null;
  init_(appKey: string, server: string): void;
  identify_(user: User): void;
  group_(account: Account): void;
  /** Queues an envelope; resolves with its final acknowledgement. */
  send_(type: EnvelopeType, payload: Record<string, unknown>): Promise<Ack>;
  /**
   * Records an event through the durable outbox, as `Guide.track` does. `view`: an analytics
   * view, sent batched with others (client.ts); `$guide_shown` goes once per guide per page.
   */
  track_(name: string, props?: Record<string, unknown>, view?: boolean): void;
  /** Checked at once, and stays checked (across reloads) until the server answers. */
  markDone_(guide: string, step: string): void;
  /** Bootstraps again; `restart`: as a new session (leaving preview: the published guides replace the draft). */
  refresh_(restart?: boolean): void;
  destroy_(): void;
}

/** Which tour runs when, over the lazily loaded runtime (director.ts). */
export interface Director {
  /** Route changes, bootstraps and the end of picking all end here: what should the tour do now? */
  evaluate_(): void;
  /** Starts `key` (from `step`) if it is a tour, replacing any tour running; false when it is none. */
  start_(key: string, step?: string): boolean;
  /** Server progress changed these guides: a tour ended in another tab or device stops here too. */
  changed_(guides: string[]): void;
  /** `Guide.track(name)`: a step may advance on it. */
  event_(name: string): void;
  /** A tour step is on screen. */
  showing_(): boolean;
  /** A tour step is on screen, or a tour is about to start (its runtime loading): surveys, banners, modals and beacons wait. */
  busy_(): boolean;
  destroy_(): void;
}

/** The lazily loaded help panel and what it needs from the widget (helphost.ts). */
export interface Help {
  /** Opens the help panel (at an article for a step's "Stuck?"); without help, the support URL. */
  open_(at?: HelpAt): void;
  /** The checklist panel opened: the help panel makes way. */
  close_(): void;
  /** The first bootstrap arrived: help asked for before it opens now. */
  replay_(): void;
  destroy_(): void;
}

/** Announcements, hotspots and tooltips over the lazily loaded messages bundle (msghost.ts). */
export interface Messages {
  /** A bootstrap answer was applied: the badge, and what shows. */
  update_(): void;
  /** A route change (SPA): beacons and tooltips follow their `page` rules. */
  route_(url: string): void;
  /** Guide.start for an announcement, hotspot or tooltip; false when `key` is none. */
  start_(key: string): boolean;
  /** The tour that held them back ended: banners, an unread modal and beacons show now. */
  wake_(): void;
  destroy_(): void;
}

/** The nudge queue: one card at a time, never over a tour (nudges.ts). */
export interface Nudges {
  /** A nudge arrived: shown once, however many server processes send it. */
  add_(nudge: Nudge): void;
  /** The user answered the card: "Show me" (true) or dismiss. */
  answer_(open: boolean): void;
  /** A tour step showed: the card steps aside and comes back after the tour. */
  aside_(): void;
  /** Shows the next waiting nudge, unless a card is up or a tour shows. */
  pump_(): void;
  /** Another user signed in here: the previous user's nudges go with them. */
  clear_(): void;
  destroy_(): void;
}

/** Preview and pick mode, for authors the admin sent here (authormode.ts). */
export interface AuthorMode {
  /** Guide.init: takes the admin's tokens out of the page URL (or this tab's storage). */
  init_(): void;
  /** The preview token the bootstrap carries, if any. */
  token_(): string | null;
  /** The draft being previewed: its progress stays in this page. */
  draft_(): string | null;
  /** An author is picking an element: no tour gets in the way. */
  picking_(): boolean;
  /** What a bootstrap said about the preview: the badge shows (or goes), the picker starts. */
  seen_(info: PreviewInfo | undefined): void;
  destroy_(): void;
}

/** The survey loader: the due survey after a bootstrap, any listed one on Guide.start (surveys.ts). */
export interface Surveys {
  /** A bootstrap was applied, or a tour ended: the due survey shows (once per page), unless a tour shows. */
  evaluate_(): void;
  /** Guide.start(key): shows that survey even when not due; false when `key` is no survey. */
  start_(key: string): boolean;
  destroy_(): void;
}

import type { AuthorFactory, PreviewInfo } from "./author/contract";
import type { Emitter } from "./emitter";
import type { HelpAt, HelpFactory } from "./help/contract";
import type { Strings } from "./i18n";
import type { Store } from "./store";
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
  window: Window;
  /** Where the tour runtime comes from. @default loads dist/tour.js from the server */
  loadTours?: Loader<TourFactory>;
  /** Where the help panel comes from. @default loads dist/help.js from the server */
  loadHelp?: Loader<HelpFactory>;
  /** Where the preview badge and picker come from. @default loads dist/author.js from the server */
  loadAuthor?: Loader<AuthorFactory>;
}

/**
 * The parts one widget instance is composed of (widget.ts), and what each
 * offers the others. Types only: every part takes the `Pick<Parts, ...>` it
 * needs, so a part depends on these contracts and never on another part's
 * module, and a test hands it just those.
 */
export interface Parts {
  win: Window;
  /** Unique per instance: ids in the shadow root. */
  prefix: string;
  store: Store;
  ui: Ui;
  events: Emitter<GuideEvents>;
  /** Reports an error once, as the API boundary does (api.ts). */
  report(err: GuideError): void;
  /** Fetch, socket and storage for the client (client.ts). */
  deps: ClientDeps;
  /** The lazily loaded bundles, from the server Guide.init named. */
  load: { tour(): Promise<TourFactory>; help(): Promise<HelpFactory>; author(): Promise<AuthorFactory> };
  /** Guide.start for the widget's own callers ("Show me", nudges): reports instead of throwing; true when a tour is starting. */
  start(guide: string, step?: string): boolean;
  /** A bootstrap answer was applied: calls made before it replay, tours and nudges look again. */
  booted(): void;
  session: Session;
  director: Director;
  help: Help;
  nudges: Nudges;
  author: AuthorMode;
}

/** What the widget has before its parts are made. */
export type Base = Omit<Parts, "session" | "director" | "help" | "nudges" | "author">;

export type User = { id: string; traits?: Record<string, unknown>; token: string | null };
export type Account = { id: string; traits?: Record<string, unknown> };

/** Who the widget speaks for, and the order of bootstraps and envelopes (session.ts). */
export interface Session {
  /** What the last bootstrap answered for this user; null before the first. */
  data(): BootstrapResponse | null;
  strings(): Strings;
  /** Null before Guide.init. */
  client(): Client | null;
  init(appKey: string, server: string): void;
  identify(user: User): void;
  group(account: Account): void;
  /** Queues an envelope; resolves with its final acknowledgement. */
  send(type: EnvelopeType, payload: Record<string, unknown>): Promise<Ack>;
  /** Records an event through the durable outbox, as `Guide.track` does. */
  track(name: string, props?: Record<string, unknown>): void;
  /** Checked at once, and stays checked (across reloads) until the server answers. */
  markDone(guide: string, step: string): void;
  /** Bootstraps again; `restart`: as a new session (leaving preview: the published guides replace the draft). */
  refresh(restart?: boolean): void;
  destroy(): void;
}

/** Which tour runs when, over the lazily loaded runtime (director.ts). */
export interface Director {
  /** Route changes, bootstraps and the end of picking all end here: what should the tour do now? */
  evaluate(): void;
  /** Starts `key` (from `step`) if it is a tour, replacing any tour running; false when it is none. */
  start(key: string, step?: string): boolean;
  /** Server progress changed these guides: a tour ended in another tab or device stops here too. */
  changed(guides: string[]): void;
  /** `Guide.track(name)`: a step may advance on it. */
  event(name: string): void;
  /** A tour step is on screen. */
  showing(): boolean;
  destroy(): void;
}

/** The lazily loaded help panel and what it needs from the widget (helphost.ts). */
export interface Help {
  /** Opens the help panel (at an article for a step's "Stuck?"); without help, the support URL. */
  open(at?: HelpAt): void;
  /** The checklist panel opened: the help panel makes way. */
  close(): void;
  /** The first bootstrap arrived: help asked for before it opens now. */
  replay(): void;
  destroy(): void;
}

/** The nudge queue: one card at a time, never over a tour (nudges.ts). */
export interface Nudges {
  /** A nudge arrived: shown once, however many server processes send it. */
  add(nudge: Nudge): void;
  /** The user answered the card: "Show me" (true) or dismiss. */
  answer(open: boolean): void;
  /** A tour step showed: the card steps aside and comes back after the tour. */
  aside(): void;
  /** Shows the next waiting nudge, unless a card is up or a tour shows. */
  pump(): void;
  /** Another user signed in here: the previous user's nudges go with them. */
  clear(): void;
  destroy(): void;
}

/** Preview and pick mode, for authors the admin sent here (authormode.ts). */
export interface AuthorMode {
  /** Guide.init: takes the admin's tokens out of the page URL (or this tab's storage). */
  init(): void;
  /** The preview token the bootstrap carries, if any. */
  token(): string | null;
  /** The draft being previewed: its progress stays in this page. */
  draft(): string | null;
  /** An author is picking an element: no tour gets in the way. */
  picking(): boolean;
  /** What a bootstrap said about the preview: the badge shows (or goes), the picker starts. */
  seen(info: PreviewInfo | undefined): void;
  destroy(): void;
}

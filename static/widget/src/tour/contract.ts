import type { Strings } from "../i18n";
import type { GuideEvents, Tour } from "../types";

/**
 * The seam between the main bundle and the lazily loaded tour bundle
 * (dist/tour.js). Types only, so nothing here is bundled twice.
 */
export type EndState = "completed" | "dismissed" | "snoozed";

export interface TourHost {
  win: Window;
  strings(): Strings;
  /** The user's locale: the tour's `lang` and `dir`. Optional: an older guide.js may lack it. */
  locale?(): string | undefined;
  /** Validated theme custom properties (see theme.ts) for the tour's own host element. */
  vars(): Record<string, string>;
  /** Sends `guide:state` (the caller sends only real changes). */
  state(guide: string, state: "active" | EndState, step?: string): void;
  /** Through the durable outbox; `view`: an analytics view, sent batched with others (docs/PROTOCOL.md). */
  track(name: string, props: Record<string, unknown>, view?: boolean): void;
  emit<K extends "tour:step" | "tour:end">(event: K, payload: GuideEvents[K]): void;
  /** A step's "Stuck?" opens its help article; absent when the workspace has no help. */
  help?: (guide: string, step: string, article: string) => void;
  /** "Was this helpful?" answered at the tour's end (`feedback:helpful`). Absent in a guide.js older than it. */
  helpful?(guide: string, step: string, yes: boolean, comment?: string): void;
}

export interface TourRuntime {
  /** Starts (or resumes at `step`) a tour; replaces any tour running. */
  run(tour: Tour, step: string | null): void;
  /** The key of the tour running, or null. */
  current(): string | null;
  /** A step is on screen (or about to be: its target is awaited on this page); false while the tour waits for another page. */
  showing(): boolean;
  /** A route change (SPA navigation): page rules and `advance_on: {url}`. */
  route(url: string): void;
  /** `Guide.track(name)` was called: `advance_on: {event}`. */
  event(name: string): void;
  /** Hides the running tour without telling the server (it changed elsewhere). */
  stop(): void;
  destroy(): void;
}

export type TourFactory = (host: TourHost) => TourRuntime;

/** Where dist/tour.js leaves its factory. */
export const GLOBAL = "__guideTour";

import type { Strings } from "../i18n";
import type { anchor } from "../tour/position";
import type { waitForTarget } from "../tour/target";

/**
 * The seam between the main bundle and the lazily loaded messages bundle
 * (dist/messages.js: announcements, hotspots, tooltips; docs/SURVEYS.md).
 * Types only, so nothing here is bundled twice.
 */
export interface Cta {
  label: string;
  url?: string;
  guide?: string;
  /** true: the help panel; a string: that article. */
  help?: boolean | string;
}

export interface MessageStep {
  id: string;
  title: string | null;
  body_html: string;
  cta?: Cta | null;
  /** Hotspots and tooltips. */
  target?: string;
  placement?: string;
  page?: string | null;
  on_missing?: "skip" | "center";
  /** Hotspots: the beacon was opened (it no longer pulses). */
  seen?: boolean;
}

export interface Message {
  key: string;
  kind: "announcement" | "hotspot" | "tooltip";
  title: string | null;
  priority?: number;
  state?: string;
  /** Announcements. */
  style?: "banner" | "modal";
  position?: "top" | "bottom" | null;
  mode?: "overlay" | "inline" | null;
  unread?: boolean;
  steps: MessageStep[];
}

export interface MessageLists {
  announcements: Message[];
  hotspots: Message[];
  tooltips: Message[];
}

/** What the tour bundle lends for anchoring (dist/tour.js carries @floating-ui/dom once). */
export interface Targeting {
  anchor: typeof anchor;
  waitForTarget: typeof waitForTarget;
}

export interface MessagesHost {
  win: Window;
  strings(): Strings;
  locale(): string | undefined;
  /** Validated theme custom properties (theme.ts). */
  vars(): Record<string, string>;
  /** `$announcement_*`, `$hotspot_*`, `$tooltip_shown`, `$target_missing`, through the durable outbox; `view`: batched. */
  track(name: string, props: Record<string, unknown>, view?: boolean): void;
  /** A cta `guide`: Guide.start. */
  start(guide: string): void;
  /** A cta `help`: the help panel, at an article. */
  help(article?: string): void;
  /** http(s) or same-site relative URLs only; null otherwise. */
  safeUrl(url: unknown): string | null;
  /** The tour bundle's targeting, loaded on first use. */
  targeting(): Promise<Targeting>;
  /** A tour is on screen (or starting): new banners, an unread modal and beacons wait for `wake`. Absent in an older guide.js. */
  busy?(): boolean;
}

export interface MessagesRuntime {
  /** What bootstrap lists now; shows what is due (banners, an unread modal, beacons, tooltips). */
  update(lists: MessageLists): void;
  /** A route change (SPA): beacons and tooltips follow their `page` rules. */
  route(url: string): void;
  /** Guide.start(key): shows that announcement, hotspot tip or tooltip; false when it is none of ours. */
  start(key: string): boolean;
  /** The tour that held banners, an unread modal or beacons back ended: they show now. */
  wake?(): void;
  destroy(): void;
}

export type MessagesFactory = (host: MessagesHost) => MessagesRuntime;

/** Where dist/messages.js leaves its factory. */
export const MESSAGES_GLOBAL = "__guideMessages";
/** Where dist/tour.js leaves its targeting (a function returning it: loadBundle waits for a function). */
export const TARGETING_GLOBAL = "__guideTargeting";

import type { h } from "../h";
import type { Strings } from "../i18n";
import type { Ack } from "../types";

/**
 * The seam between the main bundle and the lazily loaded help panel
 * (dist/help.js). Types only, so nothing here is bundled twice; the panel
 * borrows `h` and the stylesheet helpers from the host instead of carrying
 * its own copies.
 */
export interface HelpAt {
  guide?: string;
  step?: string;
  /** Open this article straight away ("Stuck?"). */
  article?: string;
}

export interface ArticleSummary {
  key: string;
  title: string;
  excerpt?: string;
  suggested?: boolean;
}

export interface Article {
  key: string;
  title: string;
  body_html: string;
}

export interface Escalation {
  message: string;
  severity: "blocked" | "question";
  guide?: string;
  step?: string;
  article?: string;
}

export interface HelpHost {
  doc: Document;
  h: typeof h;
  prefix: string;
  /** The widget's shadow root (mounted on demand). */
  root(): ShadowRoot;
  /** Adds a stylesheet to the shadow root. */
  style(css: string): void;
  t(): Strings;
  /** Where the user is: the guide and step help is about when not told. */
  where(): { guide?: string; step?: string };
  /** Step title for the "About" line of a pre-filled escalation. */
  label(guide?: string, step?: string): string | undefined;
  list(q: string, at: HelpAt): Promise<{ articles: ArticleSummary[] }>;
  /** `at`: where the reader came from (`$article_view`). */
  article(key: string, at?: HelpAt): Promise<Article>;
  /** Sends `help:escalate` through the durable outbox; resolves with its final ack. */
  escalate(e: Escalation): Promise<Ack>;
  /** "Was this helpful?" on an article: a `feedback:helpful` envelope through the outbox. Absent in a guide.js older than it. */
  helpful?(article: string, helpful: boolean, comment?: string): void;
  /** http(s) URLs only. */
  safeUrl(url: unknown): string | null;
  /** The panel closed; `returnFocus`: the user closed it (Esc, Close, Done). */
  closed(returnFocus: boolean): void;
}

export interface HelpPanel {
  open(at: HelpAt): void;
  close(returnFocus: boolean): void;
  destroy(): void;
}

export type HelpFactory = (host: HelpHost) => HelpPanel;

/** Where dist/help.js leaves its factory. */
export const HELP_GLOBAL = "__guideHelp";

import type { h } from "../h";
import type { Strings } from "../i18n";
import type { Ack } from "../types";

/**
 * The seam between guide.js and the lazily loaded survey card (dist/survey.js):
 * bootstrap's survey shapes (docs/SURVEYS.md section 2) and what the card needs
 * from the widget. Types only, so nothing here is bundled twice.
 */
export interface Question {
  id: string;
  type: "nps" | "csat" | "rating" | "single" | "multiple" | "text";
  title: string;
  body_html?: string;
  required: boolean;
  /** nps, csat, rating: the scale and the words at its ends (null: none). */
  min?: number;
  max?: number;
  labels?: { low: string | null; high: string | null };
  options?: Array<{ id: string; label: string }>;
  /** multiple: the most choices one answer may pick. */
  max_choices?: number | null;
  /** Shown only when the answer to `question` is one of `scores`. */
  show_if?: { question: string; scores: number[] };
}

export interface Survey {
  key: string;
  kind: "survey";
  version: number;
  title: string;
  display?: "card" | "panel";
  /** The widget shows it on its own now (the server decided: frequency, visit, cap). */
  due: boolean;
  questions: Question[];
}

export type Answer = number | string | string[];

export interface SurveyHost {
  doc: Document;
  h: typeof h;
  prefix: string;
  root(): ShadowRoot;
  style(css: string): void;
  t(): Strings;
  /** `$survey_shown`, `$survey_dismissed` through the outbox. */
  track(name: string, props: Record<string, unknown>): void;
  /** Sends `survey:answer` through the durable outbox (offline: later, once). */
  answer(payload: { survey: string; version: number; answers: Record<string, Answer> }): Promise<Ack>;
  /**
   * `display: panel`: puts `el` in the checklist panel (null takes it out); `shown` runs once the
   * user sees it; `open`: the panel opens at it. False when there is no panel. Absent in an older guide.js.
   */
  section?(el: HTMLElement | null, shown?: () => void, open?: boolean): boolean;
}

export interface SurveyCard {
  /** `focus`: the host asked for it (Guide.start): focus moves to the card. */
  show(survey: Survey, focus: boolean): void;
  destroy(): void;
}

export type SurveyFactory = (host: SurveyHost) => SurveyCard;

/** Where dist/survey.js leaves its factory. */
export const SURVEY_GLOBAL = "__guideSurvey";

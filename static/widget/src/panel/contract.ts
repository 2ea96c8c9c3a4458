import type { Strings } from "../i18n";
import type { Guide } from "../types";

/**
 * The seam between guide.js and the lazily loaded checklist panel
 * (dist/checklist.js): what the panel draws from and what its controls call.
 * guide.js fetches the bundle right after a bootstrap that lists a checklist,
 * so opening the panel rarely waits for it (src/ui.ts). Types only (and the
 * global's name), so nothing here is bundled twice; names keep their spelling
 * across the boundary (no `_` suffix: test/mangle.test.ts).
 */

/** What a success plan (`kind: "plan"`) shows beside each step. */
export interface PlanView {
  /** The workspace's name: vendor steps are "{name} team". */
  org: string;
  /** Due times (ISO 8601) and the server's overdue steps, from the plan's progress. */
  due: Record<string, string>;
  overdue: string[];
  now: number;
  /** An ISO time as a date in the user's locale. */
  date(iso: string): string;
}

export interface ChecklistView {
  checklists: Guide[];
  guide: Guide;
  /** Present for plans. */
  plan?: PlanView;
  isDone(step: string): boolean;
  /** Done here but not yet acknowledged by the server (offline, or a page before a reload). */
  isPending?(step: string): boolean;
  isExpanded(step: string): boolean;
  error(step: string): string | undefined;
  /** "Was this helpful?" for a step with `helpful: true` (one node per step, kept across redraws). */
  helpful(step: string): Node;
  help: boolean;
  t: Strings;
}

export interface ChecklistHandlers {
  close(): void;
  select(guide: string): void;
  toggle(step: string): void;
  markDone(step: string): void;
  help(): void;
  /** A step's "Stuck?": its help article. */
  stuck(step: string, article: string): void;
  startTour(key: string): void;
  /** A step's action (its link or tour button) was clicked. */
  act(step: string): void;
}

/** Builds the panel's content; the caller owns the dialog element and replaces its children. */
export type RenderChecklist = (doc: Document, prefix: string, view: ChecklistView, on: ChecklistHandlers) => Node[];

/** Where dist/checklist.js leaves its RenderChecklist. */
export const CHECKLIST_GLOBAL = "__guideChecklist";

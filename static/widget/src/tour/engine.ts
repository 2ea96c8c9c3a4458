import type { TourStep } from "../types";
import { urlMatches } from "../url";

/**
 * The step state machine, pure: no DOM, no timers, no server. The runtime
 * (tour/runtime.ts) feeds it actions and renders what it says.
 *
 * `dir` remembers which way the user was going, so a step whose target never
 * appeared is skipped in that direction (Back over a missing step keeps going
 * back; at the first step it turns around rather than getting stuck).
 */
export type TourStatus = "running" | "completed" | "dismissed" | "snoozed";

export interface TourState {
  index_: number;
  dir_: 1 | -1;
  status_: TourStatus;
}

export type TourAction =
  | { type: "next" }
  | { type: "back" }
  /** The current step's target never appeared and it is set to skip. */
  | { type: "missing" }
  | { type: "dismiss" }
  | { type: "snooze" }
  | { type: "goto"; step: string };

/** Where a tour starts: the step the server says the user is on, else the first. */
export function initialState(steps: TourStep[], resumeAt?: string | null): TourState {
  const at = resumeAt ? steps.findIndex((s) => s.id === resumeAt) : -1;
  return { index_: Math.max(0, at), dir_: 1, status_: "running" };
}

export function reduce(steps: TourStep[], state: TourState, action: TourAction): TourState {
  if (state.status_ !== "running") return state;
  const last = steps.length - 1;
  switch (action.type) {
    case "next":
      return state.index_ >= last ? { ...state, status_: "completed" } : { index_: state.index_ + 1, dir_: 1, status_: "running" };
    case "back":
      return state.index_ > 0 ? { index_: state.index_ - 1, dir_: -1, status_: "running" } : state;
    case "missing": {
      const to = state.index_ + state.dir_;
      if (to > last) return { ...state, status_: "completed" };
      // Backing into a missing first step: turn around instead of ending the tour.
      if (to < 0) return state.index_ >= last ? { ...state, status_: "completed" } : { index_: state.index_ + 1, dir_: 1, status_: "running" };
      return { ...state, index_: to };
    }
    case "dismiss":
      return { ...state, status_: "dismissed" };
    case "snooze":
      return { ...state, status_: "snoozed" };
    case "goto": {
      const at = steps.findIndex((s) => s.id === action.step);
      return at < 0 ? state : { index_: at, dir_: at >= state.index_ ? 1 : -1, status_: "running" };
    }
  }
}

/** Which buttons a step shows, in order. "next" reads "Done" on the last step. */
export function visibleButtons(step: TourStep, index: number): string[] {
  const wanted = Array.isArray(step.buttons) ? step.buttons : ["back", "next", "dismiss"];
  return ["back", "next", "dismiss", "later"].filter(
    (b) =>
      wanted.includes(b) &&
      !(b === "back" && index === 0) &&
      // A step that moves on by itself (a click, a page, an event) has no Next:
      // pressing it would leave the user ahead of what the page shows.
      !(b === "next" && step.advance_on?.type !== "next" && step.advance_on?.type !== undefined),
  );
}

/** The user interacts with the target itself (so it stays clickable and focusable). */
export const interactive = (step: TourStep): boolean => ["click", "input", "url"].includes(step.advance_on?.type);

/** Whether the step belongs on this page (`page` glob; none means any page). */
export const onPage = (step: TourStep, url: string): boolean => !step.page || urlMatches(step.page, url);

/** Whether this page view completes the step (`advance_on: {url}`). */
export const reachedUrl = (step: TourStep, url: string): boolean => step.advance_on?.type === "url" && urlMatches(step.advance_on.url, url);

/**
 * Where to pick the tour up when its current step does not belong on this
 * page but the user has already done what a later step asks (reached the page
 * its `advance_on: {url}` waits for): the step after that one. Covers a user
 * who clicked through faster than the last state reached the server, and one
 * who went there on their own. Forward only; null when nothing fits.
 */
export function catchUp(steps: TourStep[], index: number, url: string): number | null {
  for (let i = index; i < steps.length - 1; i++) if (reachedUrl(steps[i], url)) return i + 1;
  return null;
}

export type KeyIntent = "next" | "back" | "dismiss" | null;

/**
 * Keys inside a step: Esc dismisses, ArrowRight/ArrowLeft move, Enter moves
 * next unless it would also activate a control (a button, link or field).
 */
export function keyIntent(key: string, focusTag: string, canNext: boolean, canBack: boolean): KeyIntent {
  const control = /^(BUTTON|A|INPUT|TEXTAREA|SELECT)$/.test(focusTag);
  if (key === "Escape") return "dismiss";
  if (control && focusTag !== "BUTTON" && focusTag !== "A") return null;
  if (key === "ArrowRight" && canNext) return "next";
  if (key === "ArrowLeft" && canBack) return "back";
  if (key === "Enter" && !control && canNext) return "next";
  return null;
}

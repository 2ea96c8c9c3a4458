import type { Guide, Progress, Tour } from "./types";
import { urlMatches } from "./url";

export interface TourPick {
  tour_: Tour;
  /** The step to resume at (the server's `progress.step`), or null to start at the first. */
  step_: string | null;
}

export const tours = (guides: Guide[]): Tour[] =>
  guides.filter((g) => g.kind === "tour" && Array.isArray(g.steps) && g.steps.length > 0) as unknown as Tour[];

const byPriority = (a: Tour, b: Tour): number => (a.priority ?? 0) - (b.priority ?? 0);

/**
 * Which tour (if any) should run on this page, without the user asking:
 * 1. one the server has `active` resumes at its step, wherever `start` points
 *    (its steps' `page` rules decide where it shows);
 * 2. else one whose `start.url` matches this page and that may start on its
 *    own (`autostart`; no progress yet counts as yes), most urgent first.
 * `ended` holds tours that ended in this page's lifetime: they stay ended
 * until a reload even when `repeat` would allow another run.
 */
export function pickTour(all: Tour[], progress: (key: string) => Progress | undefined, url: string, ended: Set<string>): TourPick | null {
  const open = all.filter((t) => !ended.has(t.key));
  const active = open
    .filter((t) => progress(t.key)?.state === "active")
    .sort((a, b) => String(progress(b.key)?.updated_at ?? "").localeCompare(String(progress(a.key)?.updated_at ?? "")) || byPriority(a, b))[0];
  if (active) return { tour_: active, step_: progress(active.key)?.step ?? null };
  const fresh = open
    .filter((t) => {
      const p = progress(t.key);
      const may = p ? (p.autostart ?? p.state === "not_started") : true;
      return may && !!t.start && urlMatches(t.start.url, url);
    })
    .sort(byPriority)[0];
  return fresh ? { tour_: fresh, step_: null } : null;
}

import type { Guide } from "./types";

const INACTIVE = new Set(["completed", "dismissed"]);

/** What the checklist panel shows: checklists and success plans (same panel), each with steps. */
export const checklists = (guides: Guide[] = []): Guide[] =>
  guides.filter((g) => (g.kind === "checklist" || g.kind === "plan") && Array.isArray(g.steps) && g.steps.length > 0);

/** The checklist the launcher speaks for: the most urgent one still open. */
export function primaryChecklist(checklists: Guide[], state: (guide: string) => string): Guide | undefined {
  const open = checklists.filter((g) => !INACTIVE.has(state(g.key)));
  return [...open].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))[0] ?? checklists[0];
}

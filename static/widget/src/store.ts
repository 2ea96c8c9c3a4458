import { encode, isArray } from "./json";
import type { Completion, GuideState, Progress, ProgressMap } from "./types";

export interface StoreChanges {
  /** Steps that became done in the server's view of progress. */
  completed: Completion[];
  /** Guides whose state became `completed`. */
  guidesCompleted: string[];
  /** Guides whose server-side progress changed at all. */
  changed: string[];
}

export interface Store {
  /** Server-confirmed progress for a guide (never includes optimistic steps). */
  get(guide: string): Progress | undefined;
  state(guide: string): GuideState;
  /** What the user should see: confirmed steps plus pending optimistic ones. */
  isDone(guide: string, step: string): boolean;
  isPending(guide: string, step: string): boolean;
  reset(progress: ProgressMap): void;
  /** Merges server progress; `extra` are completions the server reported explicitly (an ack's `completed`). */
  apply(progress: ProgressMap | undefined, extra?: Completion[]): StoreChanges;
  /** Marks a step done before the server confirms it; settle with `settle(id)`. */
  optimistic(id: string, guide: string, step: string): void;
  /** Forgets an optimistic entry. After an ok ack the merged progress keeps the step; after a nack it reverts. */
  settle(id: string): void;
  subscribe(fn: () => void): () => void;
}

const key = (guide: string, step: string): string => `${guide}\u0000${step}`;

/**
 * The view is derived (confirmed ∪ pending) instead of mutated in place, so a
 * nack reverts exactly the optimistic step and a push or ack arriving in any
 * order cannot leave stale state behind.
 */
export function createStore(initial: ProgressMap = {}): Store {
  let confirmed: ProgressMap = { ...initial };
  const pending = new Map<string, Completion>();
  const subscribers = new Set<() => void>();
  const notify = (): void => subscribers.forEach((fn) => fn());

  const pendingHas = (guide: string, step: string): boolean => {
    const k = key(guide, step);
    for (const c of pending.values()) if (key(c.guide, c.step) === k) return true;
    return false;
  };

  return {
    get: (guide) => confirmed[guide],
    state: (guide) => confirmed[guide]?.state ?? "not_started",
    isDone: (guide, step) => !!confirmed[guide]?.completed.includes(step) || pendingHas(guide, step),
    isPending: (guide, step) => pendingHas(guide, step) && !confirmed[guide]?.completed.includes(step),
    reset(progress) {
      confirmed = { ...progress };
      pending.clear();
      notify();
    },
    apply(progress, extra = []) {
      const changes: StoreChanges = { completed: [], guidesCompleted: [], changed: [] };
      const seen = new Set<string>();
      const before = confirmed;
      confirmed = { ...confirmed };
      for (const [guide, next] of Object.entries(progress ?? {})) {
        if (!next || !isArray(next.completed)) continue;
        const prev = before[guide];
        confirmed[guide] = next;
        // A re-bootstrap resends every guide; only real changes are news.
        if (encode(prev) !== encode(next)) changes.changed.push(guide);
        for (const step of next.completed) {
          if (prev?.completed.includes(step)) continue;
          seen.add(key(guide, step));
          changes.completed.push({ guide, step });
        }
        if (next.state === "completed" && prev?.state !== "completed") changes.guidesCompleted.push(guide);
      }
      for (const c of extra) {
        if (seen.has(key(c.guide, c.step)) || before[c.guide]?.completed.includes(c.step)) continue;
        seen.add(key(c.guide, c.step));
        changes.completed.push(c);
      }
      notify();
      return changes;
    },
    optimistic(id, guide, step) {
      pending.set(id, { guide, step });
      notify();
    },
    settle(id) {
      if (pending.delete(id)) notify();
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}

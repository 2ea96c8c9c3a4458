import { encode, isArray } from "./json";
import type { Completion, GuideState, Progress, ProgressMap } from "./types";

export interface StoreChanges {
  /** Steps that became done in the server's view of progress. */
  completed_: Completion[];
  /** Guides whose state became `completed`. */
  guidesCompleted_: string[];
  /** Guides whose server-side progress changed at all. */
  changed_: string[];
}

export interface Store {
  /** Server-confirmed progress for a guide (never includes optimistic steps). */
  get_(guide: string): Progress | undefined;
  state_(guide: string): GuideState;
  /** What the user should see: confirmed steps plus pending optimistic ones. */
  isDone_(guide: string, step: string): boolean;
  isPending_(guide: string, step: string): boolean;
  reset_(progress: ProgressMap): void;
  /** Merges server progress; `extra` are completions the server reported explicitly (an ack's `completed`). */
  apply_(progress: ProgressMap | undefined, extra?: Completion[]): StoreChanges;
  /** Marks a step done before the server confirms it; settle with `settle(id)`. */
  optimistic_(id: string, guide: string, step: string): void;
  /** Forgets an optimistic entry. After an ok ack the merged progress keeps the step; after a nack it reverts. */
  settle_(id: string): void;
  subscribe_(fn: () => void): () => void;
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
    get_: (guide) => confirmed[guide],
    state_: (guide) => confirmed[guide]?.state ?? "not_started",
    isDone_: (guide, step) => !!confirmed[guide]?.completed.includes(step) || pendingHas(guide, step),
    isPending_: (guide, step) => pendingHas(guide, step) && !confirmed[guide]?.completed.includes(step),
    reset_(progress) {
      confirmed = { ...progress };
      pending.clear();
      notify();
    },
    apply_(progress, extra = []) {
      const changes: StoreChanges = { completed_: [], guidesCompleted_: [], changed_: [] };
      const seen = new Set<string>();
      const before = confirmed;
      confirmed = { ...confirmed };
      for (const [guide, next] of Object.entries(progress ?? {})) {
        if (!next || !isArray(next.completed)) continue;
        const prev = before[guide];
        confirmed[guide] = next;
        // A re-bootstrap resends every guide; only real changes are news.
        if (encode(prev) !== encode(next)) changes.changed_.push(guide);
        for (const step of next.completed) {
          if (prev?.completed.includes(step)) continue;
          seen.add(key(guide, step));
          changes.completed_.push({ guide, step });
        }
        if (next.state === "completed" && prev?.state !== "completed") changes.guidesCompleted_.push(guide);
      }
      for (const c of extra) {
        if (seen.has(key(c.guide, c.step)) || before[c.guide]?.completed.includes(c.step)) continue;
        seen.add(key(c.guide, c.step));
        changes.completed_.push(c);
      }
      notify();
      return changes;
    },
    optimistic_(id, guide, step) {
      pending.set(id, { guide, step });
      notify();
    },
    settle_(id) {
      if (pending.delete(id)) notify();
    },
    subscribe_(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}

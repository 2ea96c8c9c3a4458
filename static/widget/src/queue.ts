import type { Ack, Envelope } from "./types";

export interface Pending {
  envelope: Envelope;
  resolve: (ack: Ack) => void;
  attempts: number;
}

export interface Outbox {
  readonly size: number;
  /** Adds at the back; returns the entry dropped to stay within the bound, if any. */
  push(item: Pending): Pending | undefined;
  /** Puts entries back at the front, in their original order (a failed flush). */
  unshift(items: Pending[]): Pending[];
  take(max: number): Pending[];
}

/**
 * In memory only for now; a persisted (IndexedDB) queue will replace this
 * module behind the same interface so envelopes survive reloads.
 */
export function createOutbox(limit = 200): Outbox {
  const items: Pending[] = [];
  return {
    get size() {
      return items.length;
    },
    push(item) {
      items.push(item);
      return items.length > limit ? items.shift() : undefined;
    },
    unshift(batch) {
      items.unshift(...batch);
      // Over the bound the oldest go, like push(); the caller settles them.
      return items.length > limit ? items.splice(0, items.length - limit) : [];
    },
    take: (max) => items.splice(0, max),
  };
}

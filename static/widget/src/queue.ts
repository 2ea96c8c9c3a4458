import { encode } from "./json";
import type { QueueStore, Stored } from "./storage";
import type { Ack } from "./types";

export interface Item {
  rec_: Stored;
  bytes_: number;
  /** Persisted (or known unpersistable): may be sent. Envelopes are written before they are sent. */
  ready_: boolean;
  /** Non-zero while sent and awaiting its acknowledgement (the attempt number). */
  busy_: number;
  /** Socket acknowledgements this envelope missed (client.ts moves it to HTTP after a few). */
  strikes_?: number;
  /** Settles the `send()` promise of this page; absent for envelopes restored from storage. */
  resolve_?: (ack: Ack) => void;
  /** The write to storage; a removal waits for it, so a removed envelope never comes back. */
  saved_?: Promise<void>;
}

export interface Limits {
  count_: number;
  bytes_: number;
}

export const LIMITS: Limits = { count_: 500, bytes_: 256 * 1024 };

/** What `add_` did: the new item, its write to storage, and the items it removed. */
export interface Added {
  item_: Item;
  saved_: Promise<void>;
  dropped_: Item[];
  replaced_: Item[];
}

export interface Outbox {
  /** Loads what an earlier page of this scope left unacknowledged (once per scope); resolves with what it added. */
  restore_(scope: string): Promise<Item[]>;
  /**
   * Adds an envelope and persists it; `ready` flips once it is stored. Returns
   * the items that were removed to make room (`dropped`, counted) or because
   * the new one supersedes them (`replaced`: a tour's waiting `active` step).
   */
  add_(rec: Stored, resolve?: (ack: Ack) => void): Added;
  /** Forgets an envelope for good (acknowledged, or refused for good). */
  remove_(id: string): Item | undefined;
  /** This scope's envelopes, oldest first. */
  of_(scope: string): Item[];
}

/**
 * What goes first when the queue is full: page views and other `$` events,
 * then tracked events, then tour states; step completions and escalations
 * only when nothing else is left.
 */
export function rank(rec: Stored): number {
  if (rec.type === "event:track") return String(rec.data.name).startsWith("$") ? 0 : 1;
  return rec.type === "guide:state" ? 2 : 3;
}

/** The item to drop from a full queue: the lowest rank, oldest first, one not in flight if possible. */
export function victim(items: Item[]): Item | undefined {
  let best: Item | undefined;
  const score = (i: Item): number => rank(i.rec_) * 2 + (i.busy_ ? 1 : 0);
  for (const i of items) if (!best || score(i) < score(best)) best = i;
  return best;
}

/**
 * The persisted, bounded queue of envelopes. Pure bookkeeping: the client
 * (client.ts) decides when to send and what an acknowledgement means.
 */
export function createOutbox(store: QueueStore, limits: Limits = LIMITS): Outbox {
  const items: Item[] = [];
  const restored = new Map<string, Promise<Item[]>>();
  const of = (scope: string): Item[] => items.filter((i) => i.rec_.scope === scope);
  const forget = (item: Item): void => {
    items.splice(items.indexOf(item), 1);
    void (item.saved_ ?? Promise.resolve()).then(() => store.remove_(item.rec_.scope, item.rec_.id)).catch(() => {});
  };

  return {
    restore_(scope) {
      let p = restored.get(scope);
      if (!p) {
        p = store.load_(scope).then(
          (rows) => {
            const known = new Set(items.map((i) => i.rec_.id));
            const added = rows
              .filter((r) => r && r.id && r.type && r.data && !known.has(r.id))
              .map((rec): Item => ({ rec_: rec, bytes_: encode(rec).length, ready_: true, busy_: 0 }));
            // Restored envelopes are older than anything this page added: they go first.
            items.unshift(...added);
            return added;
          },
          () => [],
        );
        restored.set(scope, p);
      }
      return p;
    },

    add_(rec, resolve) {
      const item: Item = { rec_: rec, bytes_: encode(rec).length, ready_: false, busy_: 0, resolve_: resolve };
      const mine = of(rec.scope);
      const replaced: Item[] = [];
      const last = mine.filter((i) => i.rec_.type === "guide:state").pop();
      if (
        rec.type === "guide:state" && last && !last.busy_ && last.rec_.data.guide === rec.data.guide &&
        last.rec_.data.state === "active" && rec.data.state === "active"
      ) {
        replaced.push(last);
        forget(last);
        mine.splice(mine.indexOf(last), 1);
      }
      const dropped: Item[] = [];
      let bytes = mine.reduce((sum, i) => sum + i.bytes_, item.bytes_);
      while (mine.length && (mine.length + 1 > limits.count_ || bytes > limits.bytes_)) {
        const out = victim(mine)!;
        // A new low-rank envelope does not push out older, more important ones: it is dropped itself.
        if (rank(out.rec_) > rank(rec)) {
          dropped.push(item);
          return { item_: item, saved_: Promise.resolve(), dropped_: dropped, replaced_: replaced };
        }
        mine.splice(mine.indexOf(out), 1);
        bytes -= out.bytes_;
        dropped.push(out);
        forget(out);
      }
      items.push(item);
      const saved = (item.saved_ = store.put_(rec).then(
        () => void (item.ready_ = true),
        // Storage refused (quota, private mode): still send it, from memory only.
        () => void (item.ready_ = true),
      ));
      return { item_: item, saved_: saved, dropped_: dropped, replaced_: replaced };
    },

    remove_(id) {
      const item = items.find((i) => i.rec_.id === id);
      if (item) forget(item);
      return item;
    },

    of_: of,
  };
}

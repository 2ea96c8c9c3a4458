import { decode, encode } from "./json";
import type { Envelope, EnvelopeType } from "./types";

/**
 * One envelope as persisted in the browser. `scope` is the server, app key
 * and user it belongs to (JSON of the three), so an envelope is only ever
 * sent with its own user's token; `n` keeps the send order across reloads.
 */
export interface Stored {
  scope: string;
  id: string;
  n: number;
  type: EnvelopeType;
  data: Envelope["data"];
}

/** Where the outbox persists envelopes. Every method may reject; the outbox then carries on in memory. */
export interface QueueStore {
  load_(scope: string): Promise<Stored[]>;
  put_(item: Stored): Promise<void>;
  remove_(scope: string, id: string): Promise<void>;
}

const byOrder = (a: Stored, b: Stored): number => a.n - b.n;

/** Tests, and the last resort when the browser stores nothing (some private modes). */
export function memoryStore(): QueueStore {
  const rows = new Map<string, Stored>();
  const k = (scope: string, id: string): string => encode([scope, id]);
  return {
    load_: async (scope) => [...rows.values()].filter((r) => r.scope === scope).map((r) => ({ ...r })).sort(byOrder),
    put_: async (item) => void rows.set(k(item.scope, item.id), { ...item }),
    remove_: async (scope, id) => void rows.delete(k(scope, id)),
  };
}

/** One key per envelope, so two tabs of the same user never overwrite each other's queue. */
export function localStore(ls: Storage): QueueStore {
  const prefix = (scope: string): string => `guide.q.${scope}\u0001`;
  return {
    async load_(scope) {
      const p = prefix(scope);
      const out: Stored[] = [];
      for (let i = 0; i < ls.length; i++) {
        const key = ls.key(i);
        if (!key?.startsWith(p)) continue;
        try {
          out.push(decode(ls.getItem(key) || ""));
        } catch {
          ls.removeItem(key); // unreadable: another script wrote it
        }
      }
      return out.sort(byOrder);
    },
    put_: async (item) => ls.setItem(prefix(item.scope) + item.id, encode(item)),
    remove_: async (scope, id) => ls.removeItem(prefix(scope) + id),
  };
}

/** IndexedDB: asynchronous, so large queues never block the host page's main thread. */
export function idbStore(idb: IDBFactory, range: typeof IDBKeyRange): QueueStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> =>
    (db ??= new Promise((resolve, reject) => {
      const req = idb.open("guide-outbox", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("q", { keyPath: ["scope", "id"] });
      req.onsuccess = () => resolve(req.result);
      req.onerror = req.onblocked = () => reject(req.error);
    }));
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest | void): Promise<T> =>
    open().then(
      (d) =>
        new Promise<T>((resolve, reject) => {
          const tx = d.transaction("q", mode);
          const req = fn(tx.objectStore("q"));
          tx.oncomplete = () => resolve(req?.result as T);
          tx.onerror = tx.onabort = () => reject(tx.error);
        }),
    );
  return {
    load_: (scope) => run<Stored[]>("readonly", (s) => s.getAll(range.bound([scope, ""], [scope, "\uffff"]))).then((rows) => rows.sort(byOrder)),
    put_: (item) => run("readwrite", (s) => void s.put(item)),
    remove_: (scope, id) => run("readwrite", (s) => void s.delete([scope, id])),
  };
}

/** Uses `primary` until it fails once, then `fallback` for good (IndexedDB refused in a private window, say). */
export function withFallback(primary: QueueStore, fallback: QueueStore): QueueStore {
  let current = primary;
  const call =
    <A extends unknown[], R>(pick: (s: QueueStore) => (...a: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      pick(current)(...args).catch(() => {
        current = fallback;
        return pick(current)(...args);
      });
  return { load_: call((s) => s.load_), put_: call((s) => s.put_), remove_: call((s) => s.remove_) };
}

/** IndexedDB, else localStorage, else memory: whatever this browser (and its privacy mode) allows. */
export function browserStore(win: Window): QueueStore {
  let local: QueueStore = memoryStore();
  try {
    if (win.localStorage) local = withFallback(localStore(win.localStorage), memoryStore());
  } catch {
    // Reading window.localStorage throws when storage is blocked.
  }
  try {
    const { indexedDB, IDBKeyRange } = win as Window & typeof globalThis;
    if (indexedDB && IDBKeyRange) return withFallback(idbStore(indexedDB, IDBKeyRange), local);
  } catch {
    // Same for indexedDB in some sandboxed iframes.
  }
  return local;
}

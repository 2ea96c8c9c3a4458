import { decode, encode } from "./json";
import { createOutbox, type Item } from "./queue";
import { socketIo } from "./socket";
import { memoryStore, type QueueStore, type Stored } from "./storage";
import type {
  Ack, BootstrapRequest, BootstrapResponse, Envelope, EnvelopeType, GuideError, Nudge, ProgressMap, SocketInfo,
} from "./types";
import { uuid } from "./uuid";

/** The part of a Socket.IO client socket we use (socket.ts implements it); tests pass a fake. */
export interface SocketLike {
  connected: boolean;
  active?: boolean;
  on(event: string, fn: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

export type IoFactory = (uri: string, opts: Record<string, unknown>) => SocketLike;

export interface ClientDeps {
  fetch: typeof fetch;
  io: IoFactory;
  /** Where envelopes wait for their acknowledgement. @default memory (the widget passes the browser's storage) */
  store?: QueueStore;
  /** For the backoff's jitter. @default Math.random */
  random?: () => number;
}

export interface ClientHandlers {
  progress(progress: ProgressMap): void;
  guidesChanged(): void;
  tokenExpired(): void;
  error(err: GuideError): void;
  /** The final outcome of every envelope, including those restored from an earlier page. */
  settled(rec: Stored, ack: Ack): void;
  nudge(nudge: Nudge): void;
}

export interface Client {
  bootstrap(req: BootstrapRequest): Promise<BootstrapResponse>;
  /** The user new envelopes belong to; resolves with what an earlier page left unacknowledged for them. */
  use(scope: string): Promise<Stored[]>;
  /** `restart` forces a fresh handshake (a different user must not keep the old socket's rooms). */
  connect(info: SocketInfo, restart: boolean, scope: string): void;
  /** Persists, then sends; resolves on the final outcome (an ok or a definitive negative ack). */
  send(type: EnvelopeType, data: Envelope["data"]): Promise<Ack>;
  /** This user's envelopes still waiting, oldest first. */
  pending(): Stored[];
  /** The page is being hidden or unloaded: send what waits in one request that outlives the page. */
  flush(): void;
  /** A one-off socket event with an acknowledgement, not queued (the element picker). */
  request(event: string, data: Record<string, unknown>): Promise<Ack>;
  /** GET a widget endpoint with the socket token (help). */
  get<T>(path: string): Promise<T>;
  destroy(): void;
}

/** How long the socket gets before queued envelopes go over HTTP instead. */
export const SOCKET_GRACE_MS = 3000;
/** How often a widget without a socket asks for waiting nudges. */
export const NUDGE_CHECK_MS = 60000;
export const ACK_TIMEOUT_MS = 10000;
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 30000;
/** Socket acknowledgements missed in a row before an envelope goes over HTTP, whose answer is definitive. */
export const SOCKET_STRIKES = 2;
const BATCH = 100;
const MAX_BATCH_BYTES = 60000;

/**
 * Negative acks worth sending the envelope again (PROTOCOL.md section 2). Every other code is final:
 * the envelope is removed and reported, never retried, whatever new refusal a server adds.
 */
export const RETRIED = new Set(["rate_limited", "internal_error", "invalid_ack", "socket_token_expired", "socket_token_invalid"]);

/** As the page had it when the bundle loaded: a wrapper installed later does not see our traffic. */
const pageFetch = typeof fetch === "function" ? fetch : undefined;

export const defaultDeps = (): ClientDeps => ({
  fetch: (...args) => (pageFetch ?? fetch)(...args),
  io: socketIo,
});

const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });
const isFinal = (ack: Ack): boolean => ack.ok || !RETRIED.has(ack.error?.code);
const wire = (i: Item) => ({ type: i.rec.type, data: i.rec.data });
/** Sent over HTTP even while the socket is up: it went unanswered there too often. */
const overHttp = (i: Item): boolean => (i.strikes ?? 0) >= SOCKET_STRIKES;

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function asAck(value: unknown): Ack {
  return value && typeof value === "object" && own(value, "ok") ? (value as Ack) : fail("invalid_ack", "The server sent an unreadable acknowledgement.");
}

/** Reads a JSON body with the JSON.parse the page had at load time. */
const readJson = async <T>(res: Response): Promise<T> => decode(await res.text()) as T;

async function errorFrom(res: Response): Promise<GuideError> {
  try {
    const body = await readJson<{ error?: GuideError }>(res);
    if (body?.error?.code) return body.error;
  } catch {
    // Not JSON (a proxy's error page): fall through to the status.
  }
  return { code: `http_${res.status}`, message: `The Guide server answered ${res.status}.` };
}

/** At most 100 envelopes and ~60 KB: what one batch request may carry (PROTOCOL.md section 3). */
function batchOf(items: Item[]): Item[] {
  let bytes = 0;
  return items.slice(0, BATCH).filter((i, n) => (bytes += i.bytes) <= MAX_BATCH_BYTES || n === 0);
}

/**
 * Transport for envelopes: a persisted outbox (queue.ts) drained over the
 * socket, or over the HTTP batch endpoint when the socket cannot connect.
 * Envelopes are only ever sent with the token of the user they belong to.
 * Failures back off exponentially with full jitter (and a `rate_limited`
 * nack's `retry_after`), so a struggling server never sees a resend storm.
 */
export function createClient(server: string, deps: ClientDeps, handlers: ClientHandlers): Client {
  const outbox = createOutbox(deps.store ?? memoryStore());
  const random = deps.random ?? Math.random;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inflight = new Set<Item>();
  const onConnect: Array<() => void> = [];
  let socket: SocketLike | null = null;
  let socketKey = "";
  let token: string | null = null;
  let scope = "";
  let tokenScope = "";
  let useHttp = false;
  /** The page's CSP refused the WebSocket: never try again (each try logs a violation). */
  let wsBlocked = false;
  let checking = false;
  let httpBusy = false;
  let destroyed = false;
  let tries = 0;
  let failures = 0;
  let blockedUntil = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let dropped = 0;
  let seq = 0;

  const later = (fn: () => void, ms: number): ReturnType<typeof setTimeout> => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!destroyed) fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: ReturnType<typeof setTimeout> | undefined): void => {
    clearTimeout(t);
    timers.delete(t!);
  };

  function onNudge(n: Nudge): void {
    if (n && typeof n.message === "string") handlers.nudge(n);
  }

  function retryIn(ms: number): void {
    cancel(retryTimer);
    retryTimer = later(() => {
      retryTimer = undefined;
      drain();
    }, ms);
  }

  /** Waits before the next attempt: random(0, min(cap, base * 2^failures)) ("full jitter"). */
  function backoff(): void {
    if (retryTimer === undefined) retryIn(random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures++, 15)));
  }

  /** The server said when to come back (`retry_after`, Retry-After): nothing is sent before. */
  function pause(seconds: number): void {
    const until = Date.now() + (seconds * 1000 || RETRY_BASE_MS);
    if (until <= blockedUntil) return;
    blockedUntil = until;
    retryIn(until - Date.now());
  }

  function finish(item: Item, ack: Ack): void {
    if (!outbox.remove(item.rec.id)) return; // already settled (a beacon and the socket both answered)
    item.resolve?.(ack);
    handlers.settled(item.rec, ack);
  }

  /** Applies one acknowledgement; false when the envelope must be sent again later. */
  function acknowledge(item: Item, ack: Ack): boolean {
    if (isFinal(ack)) {
      failures = 0;
      finish(item, ack);
      return true;
    }
    const { error } = ack as { error: GuideError }; // one of RETRIED
    if (error.code === "rate_limited") pause(Number(error.retry_after));
    else backoff();
    // The token expired, or its user is gone: a new bootstrap, then a resend.
    if (error.code.startsWith("socket_token")) handlers.tokenExpired();
    return false;
  }

  function drain(): void {
    if (destroyed || !token || retryTimer !== undefined || Date.now() < blockedUntil) return;
    const mine = outbox.of(tokenScope);
    const ready = mine.filter((i) => i.ready && !i.busy);
    if (!ready.length) return reportDropped();
    if (socket?.connected) {
      // Tour states go one at a time: the server may handle socket events concurrently.
      let stateBusy = mine.some((i) => i.busy && i.rec.type === "guide:state");
      if (ready.some(overHttp)) void flushHttp();
      for (const item of ready) {
        if (overHttp(item)) continue;
        if (item.rec.type === "guide:state") {
          if (stateBusy) continue;
          stateBusy = true;
        }
        emitWithAck(socket, item);
      }
    } else if (useHttp) void flushHttp();
  }

  function emitWithAck(s: SocketLike, item: Item): void {
    const attempt = (item.busy = ++tries);
    inflight.add(item);
    const done = (): boolean => {
      inflight.delete(item);
      const mine = item.busy === attempt;
      if (mine) item.busy = 0;
      return mine && !destroyed;
    };
    // Same id again is safe: the server answers a duplicate with the original result.
    // A socket that stays up but never answers one envelope (a proxy that mangles frames,
    // a server that cannot route it) must not hold it forever: HTTP answers definitively.
    const t = later(() => {
      if (!done()) return;
      item.strikes = (item.strikes ?? 0) + 1;
      backoff();
    }, ACK_TIMEOUT_MS);
    s.emit(item.rec.type, item.rec.data, (ack: unknown) => {
      cancel(t);
      if (done() && acknowledge(item, asAck(ack))) drain();
    });
  }

  /** `check`: send even an empty batch, to ask for waiting nudges (no socket brings them). */
  async function flushHttp(check = false): Promise<void> {
    if (httpBusy || !token) return;
    const viaSocket = !!socket?.connected;
    const batch = batchOf(outbox.of(tokenScope).filter((i) => i.ready && !i.busy && (!viaSocket || overHttp(i))));
    if (!batch.length && !check) return;
    httpBusy = true;
    const attempt = ++tries;
    batch.forEach((i) => (i.busy = attempt));
    const release = (): void => batch.forEach((i) => i.busy === attempt && (i.busy = 0));
    let next = false;
    try {
      const res = await deps.fetch(`${server}/api/v1/widget/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        // Without a socket, nudges come with the answer (a beacon never asks: nobody reads it).
        body: encode({ envelopes: batch.map(wire), ...(viaSocket ? {} : { nudges: true }) }),
        credentials: "omit",
      });
      if (destroyed) return;
      if (res.ok) {
        const { results = [], nudges = [] } = await readJson<{ results?: unknown[]; nudges?: Nudge[] }>(res);
        nudges.forEach(onNudge);
        release();
        next = batch.map((item, i) => acknowledge(item, i < results.length ? asAck(results[i]) : fail("invalid_ack", "Missing result."))).every(Boolean);
      } else if (res.status === 401) {
        release();
        handlers.tokenExpired(); // the next connect() drains with the fresh token
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        // The server will never accept this batch as it is; retrying would loop forever.
        const error = await errorFrom(res);
        batch.forEach((item) => finish(item, { ok: false, error }));
        next = true;
      } else {
        release();
        const after = Number(res.headers?.get?.("Retry-After"));
        if (after > 0) pause(after);
        else backoff();
      }
    } catch {
      release();
      if (!destroyed) backoff();
    } finally {
      httpBusy = false;
    }
    if (next) drain();
  }

  function onDropped(items: Item[]): void {
    if (!items.length) return;
    for (const item of items) {
      const ack = fail("queue_overflow", "Too many events were waiting to be sent; this one was dropped.");
      item.resolve?.(ack);
      handlers.settled(item.rec, ack);
    }
    // One error per burst, however many envelopes it dropped.
    if (!dropped) later(() => dropped && handlers.error({ code: "queue_overflow", message: `${dropped} waiting events were dropped: the queue was full.`, count: dropped }), 0);
    dropped += items.length;
  }

  /** Once there is room again, the server hears how many events were lost. */
  function reportDropped(): void {
    if (!dropped || outbox.of(tokenScope).length) return;
    const count = dropped;
    dropped = 0;
    void send("event:track", { id: uuid(), name: "$queue_dropped", props: { count }, at: new Date().toISOString() });
  }

  function send(type: EnvelopeType, data: Envelope["data"]): Promise<Ack> {
    return new Promise<Ack>((resolve) => {
      const rec: Stored = { scope, id: data.id, n: Date.now() * 1000 + (seq++ % 1000), type, data };
      const added = outbox.add(rec, resolve);
      added.replaced.forEach((i) => i.resolve?.({ ok: true, id: i.rec.id }));
      onDropped(added.dropped);
      void added.saved.then(drain);
    });
  }

  function armFallback(): void {
    later(() => {
      if (socket?.connected) return;
      useHttp = true;
      drain();
      checkIn();
    }, SOCKET_GRACE_MS);
  }

  /** While only HTTP works, ask for waiting nudges now and then (a socket would push them). */
  function checkIn(): void {
    if (checking) return;
    checking = true;
    later(() => {
      checking = false;
      if (socket?.connected || !useHttp) return;
      if (globalThis.document?.visibilityState !== "hidden") void flushHttp(true);
      checkIn();
    }, NUDGE_CHECK_MS);
  }

  function open(info: SocketInfo): SocketLike {
    const s = deps.io(new URL(info.namespace || "/widget", server).href, {
      path: info.path || "/socket.io",
      transports: ["websocket"],
      reconnection: true,
      // Our own Manager, so destroy() closes the connection and two widgets never share one.
      forceNew: true,
      // A function, so automatic reconnects use the latest token after a re-bootstrap.
      auth: (cb: (auth: { token: string | null }) => void) => cb({ token }),
    });
    s.on("connect", () => {
      useHttp = false;
      // Back online: no reason to sit out the rest of a backoff (a rate limit still holds).
      if (Date.now() >= blockedUntil) {
        cancel(retryTimer);
        retryTimer = undefined;
      }
      onConnect.splice(0).forEach((fn) => fn());
      drain();
    });
    s.on("disconnect", () => {
      // Their acks will never come: free them for the HTTP fallback or the next connection.
      inflight.forEach((i) => (i.busy = 0));
      inflight.clear();
      armFallback();
    });
    s.on("connect_error", (err: { message?: string; data?: { code?: string; message?: string } }) => {
      const code = err?.data?.code;
      if (code === "socket_token_expired") return handlers.tokenExpired();
      useHttp = true;
      wsBlocked ||= code === "websocket_blocked";
      drain();
      checkIn();
      // Plain network failures repeat on every reconnect attempt; only refusals are worth reporting.
      // A page whose CSP forbids WebSockets is not an error: HTTP carries everything quietly.
      if (code && code !== "websocket_blocked") handlers.error({ code, message: err.data?.message || err.message || "Realtime connection refused." });
    });
    s.on("progress", (payload: { progress?: ProgressMap }) => payload?.progress && handlers.progress(payload.progress));
    s.on("guides:changed", () => handlers.guidesChanged());
    s.on("nudge", onNudge);
    return s;
  }

  return {
    async bootstrap(req) {
      let res: Response;
      try {
        res = await deps.fetch(`${server}/api/v1/widget/bootstrap`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: encode(req),
          credentials: "omit",
        });
      } catch {
        throw { code: "network_error", message: `Could not reach the Guide server at ${server}.` } satisfies GuideError;
      }
      if (!res.ok) throw await errorFrom(res);
      return readJson<BootstrapResponse>(res);
    },

    use(next) {
      scope = next;
      return outbox.restore(next).then((added) => {
        drain();
        return added.map((i) => i.rec);
      });
    },

    connect(info, restart, forScope) {
      token = info.token;
      tokenScope = forScope;
      const key = `${info.namespace}|${info.path}`;
      if (!socket || key !== socketKey) {
        socket?.disconnect();
        socketKey = key;
        socket = open(info);
      } else if (restart && !wsBlocked) {
        socket.disconnect();
        socket.connect();
      } else if (!socket.connected && !socket.active && !wsBlocked) {
        socket.connect();
      }
      if (!socket.connected) armFallback();
      drain();
    },

    send,

    pending: () => outbox.of(scope).map((i) => i.rec),

    flush() {
      const batch = token ? batchOf(outbox.of(tokenScope).filter((i) => i.ready)) : [];
      if (!batch.length || destroyed) return;
      const url = `${server}/api/v1/widget/events`;
      // Token in the body (PROTOCOL.md section 3): what a beacon can carry. If the page
      // survives (a hidden tab), the answers settle the envelopes like any other.
      const body = encode({ token, envelopes: batch.map(wire) });
      try {
        deps
          .fetch(url, { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body, credentials: "omit" })
          .then((res) => (res.ok ? readJson<{ results?: unknown[] }>(res) : { results: [] }))
          .then(({ results = [] }: { results?: unknown[] }) => results.forEach((r, i) => isFinal(asAck(r)) && batch[i] && finish(batch[i], asAck(r))))
          .catch(() => {});
      } catch {
        globalThis.navigator?.sendBeacon?.(url, new Blob([body], { type: "application/json" }));
      }
    },

    request(event, data) {
      return new Promise<Ack>((resolve) => {
        const t = later(() => resolve(fail("timeout", "The Guide server did not answer; check your connection.")), ACK_TIMEOUT_MS);
        const go = (): void =>
          void socket?.emit(event, data, (ack: unknown) => {
            cancel(t);
            resolve(asAck(ack));
          });
        if (socket?.connected) go();
        else onConnect.push(go);
      });
    },

    async get<T>(path: string): Promise<T> {
      let res: Response;
      try {
        res = await deps.fetch(server + path, { headers: { Authorization: `Bearer ${token}` }, credentials: "omit" });
      } catch {
        throw { code: "network_error", message: `Could not reach the Guide server at ${server}.` } satisfies GuideError;
      }
      if (res.status === 401) handlers.tokenExpired();
      if (!res.ok) throw await errorFrom(res);
      return readJson<T>(res);
    },

    destroy() {
      destroyed = true;
      timers.forEach(clearTimeout);
      timers.clear();
      socket?.disconnect();
      socket = null;
    },
  };
}

import { batchOf, createHttp, errorFrom, readJson, wire } from "./http";
import { encode, isArray } from "./json";
import { createLink } from "./link";
import { createOutbox, rank, type Item } from "./queue";
import { memoryStore, type Stored } from "./storage";
import { ACK_TIMEOUT_MS, asAck, fail, isFinal, overHttp, VIEW_DELAY_MS, type Client, type ClientDeps, type ClientHandlers, type SocketLike, type Timer } from "./transport";
import type { Ack, Envelope, EnvelopeType, GuideError, Nudge } from "./types";
import { uuid } from "./uuid";

export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 30000;
const EVENTS = "/api/v1/widget/events";

/**
 * Transport for envelopes: a persisted outbox (queue.ts) drained over the
 * socket (link.ts), or over the HTTP batch endpoint (http.ts) when the socket
 * cannot connect. Envelopes are only ever sent with the token of the user
 * they belong to. Failures back off exponentially with full jitter (and a
 * `rate_limited` nack's `retry_after`), so a struggling server never sees a
 * resend storm.
 */
export function createClient(server: string, deps: ClientDeps, handlers: ClientHandlers): Client {
  const outbox = createOutbox(deps.store_ ?? memoryStore());
  const http = createHttp(server, deps.fetch_);
  const random = deps.random_ ?? Math.random;
  const timers = new Set<Timer>();
  const inflight = new Set<Item>();
  let token: string | null = null;
  let scope = "";
  let tokenScope = "";
  let httpBusy = false;
  let destroyed = false;
  let tries = 0;
  let failures = 0;
  let blockedUntil = 0;
  let retryTimer: Timer | undefined;
  let viewTimer: Timer | undefined;
  let dropped = 0;
  let seq = 0;

  const later = (fn: () => void, ms: number): Timer => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!destroyed) fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: Timer | undefined): void => {
    clearTimeout(t);
    timers.delete(t!);
  };

  function onNudge(n: Nudge): void {
    if (n && typeof n.message === "string") handlers.nudge_(n);
  }

  const link = createLink({
    server_: server,
    io_: deps.io_,
    token_: () => token,
    handlers_: handlers,
    later_: later,
    cancel_: cancel,
    up_() {
      // Back online: no reason to sit out the rest of a backoff (a rate limit still holds).
      if (Date.now() >= blockedUntil) {
        cancel(retryTimer);
        retryTimer = undefined;
      }
    },
    down_() {
      // Their acks will never come: free them for the HTTP fallback or the next connection.
      inflight.forEach((i) => (i.busy_ = 0));
      inflight.clear();
    },
    drain_: () => drain(),
    check_: () => void flushHttp(true),
    nudge_: onNudge,
  });

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
    if (!outbox.remove_(item.rec_.id)) return; // already settled (a beacon and the socket both answered)
    item.resolve_?.(ack);
    handlers.settled_(item.rec_, ack);
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
    if (error.code.startsWith("socket_token")) handlers.tokenExpired_();
    return false;
  }

  function drain(): void {
    if (destroyed || !token || retryTimer !== undefined || Date.now() < blockedUntil) return;
    const mine = outbox.of_(tokenScope);
    const ready = mine.filter((i) => i.ready_ && !i.busy_);
    if (!ready.length) return reportDropped();
    const socket = link.live_();
    if (socket) {
      // Tour states go one at a time: the server may handle socket events concurrently.
      let stateBusy = mine.some((i) => i.busy_ && i.rec_.type === "guide:state");
      if (ready.some(overHttp)) void flushHttp();
      // System events (`$`) ready together go in one emit: views wait for each other (send below).
      const views = batchOf(ready.filter((i) => !overHttp(i) && !rank(i.rec_)));
      for (const item of ready) {
        if (overHttp(item) || item.busy_) continue;
        const state = item.rec_.type === "guide:state";
        if (views.includes(item)) emitWithAck(socket, views);
        else if (!(state && stateBusy)) {
          stateBusy ||= state;
          emitWithAck(socket, [item]);
        }
      }
    } else if (link.http_()) void flushHttp();
  }

  /** One envelope as its own event, or several in one `envelopes` event (views): one ack each, in order. */
  function emitWithAck(s: SocketLike, items: Item[]): void {
    const attempt = ++tries;
    const done = (item: Item): boolean => {
      inflight.delete(item);
      const mine = item.busy_ === attempt;
      if (mine) item.busy_ = 0;
      return mine && !destroyed;
    };
    items.forEach((i) => inflight.add(i) && (i.busy_ = attempt));
    // Same id again is safe: the server answers a duplicate with the original result.
    // A socket that stays up but never answers one envelope (a proxy that mangles frames,
    // a server that cannot route it) must not hold it forever: HTTP answers definitively.
    const t = later(() => {
      items.forEach((i) => done(i) && (i.strikes_ = (i.strikes_ ?? 0) + 1));
      backoff();
    }, ACK_TIMEOUT_MS);
    const [one] = items;
    const many = items.length > 1;
    s.emit_(many ? "envelopes" : one.rec_.type, many ? { envelopes: items.map(wire) } : one.rec_.data, (ack: any) => {
      cancel(t);
      // A batch refused as a whole (an expired token, a bad payload) refuses each of its envelopes.
      const results = many && isArray(ack?.results) ? ack.results : null;
      if (items.map((item, n) => done(item) && acknowledge(item, asAck(results ? results[n] : ack))).every(Boolean)) drain();
    });
  }

  /** `check`: send even an empty batch, to ask for waiting nudges (no socket brings them). */
  async function flushHttp(check = false): Promise<void> {
    if (httpBusy || !token) return;
    const viaSocket = !!link.live_();
    const batch = batchOf(outbox.of_(tokenScope).filter((i) => i.ready_ && !i.busy_ && (!viaSocket || overHttp(i))));
    if (!batch.length && !check) return;
    httpBusy = true;
    const attempt = ++tries;
    batch.forEach((i) => (i.busy_ = attempt));
    const release = (): void => batch.forEach((i) => i.busy_ === attempt && (i.busy_ = 0));
    let next = false;
    try {
      const res = await http.call_(EVENTS, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        // Without a socket, nudges come with the answer (a beacon never asks: nobody reads it).
        body: encode({ envelopes: batch.map(wire), ...(viaSocket ? {} : { nudges: true }) }),
      });
      if (destroyed) return;
      if (res.ok) {
        const { results = [], nudges = [] } = await readJson<{ results?: unknown[]; nudges?: Nudge[] }>(res);
        nudges.forEach(onNudge);
        release();
        next = batch.map((item, i) => acknowledge(item, i < results.length ? asAck(results[i]) : fail("invalid_ack", "Missing result."))).every(Boolean);
      } else if (res.status === 401) {
        release();
        handlers.tokenExpired_(); // the next connect() drains with the fresh token
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
      item.resolve_?.(ack);
      handlers.settled_(item.rec_, ack);
    }
    // One error per burst, however many envelopes it dropped.
    if (!dropped) later(() => dropped && handlers.error_({ code: "queue_overflow", message: `${dropped} waiting events were dropped: the queue was full.`, count: dropped }), 0);
    dropped += items.length;
  }

  /** Once there is room again, the server hears how many events were lost. */
  function reportDropped(): void {
    if (!dropped || outbox.of_(tokenScope).length) return;
    const count = dropped;
    dropped = 0;
    void send("event:track", { id: uuid(), name: "$queue_dropped", props: { count }, at: new Date().toISOString() });
  }

  function send(type: EnvelopeType, data: Envelope["data"], view?: boolean): Promise<Ack> {
    return new Promise<Ack>((resolve) => {
      const rec: Stored = { scope, id: data.id, n: Date.now() * 1000 + (seq++ % 1000), type, data };
      const added = outbox.add_(rec, resolve);
      added.replaced_.forEach((i) => i.resolve_?.({ ok: true, id: i.rec_.id }));
      onDropped(added.dropped_);
      void added.saved_.then(() =>
        // A view waits for the next envelope or the view timer; anything else goes now, views with it.
        view ? (viewTimer ??= later(() => ((viewTimer = undefined), drain()), VIEW_DELAY_MS)) : drain(),
      );
    });
  }

  return {
    bootstrap_: http.bootstrap_,

    use_(next) {
      scope = next;
      return outbox.restore_(next).then((added) => {
        drain();
        return added.map((i) => i.rec_);
      });
    },

    connect_(info, restart, forScope) {
      token = info.token;
      tokenScope = forScope;
      link.connect_(info, restart);
      drain();
    },

    send_: send,

    pending_: () => outbox.of_(scope).map((i) => i.rec_),

    flush_() {
      // Saved or not: a save in flight when the page goes dies with it (replays are dropped by id).
      const batch = token ? batchOf(outbox.of_(tokenScope)) : [];
      if (!batch.length || destroyed) return;
      // Token in the body (PROTOCOL.md section 3): what a beacon can carry. If the page
      // survives (a hidden tab), the answers settle the envelopes like any other.
      http
        .beacon_(EVENTS, encode({ token, envelopes: batch.map(wire) }))
        .then((results) => results.forEach((r, i) => isFinal(asAck(r)) && batch[i] && finish(batch[i], asAck(r))))
        .catch(() => {});
    },

    request_: link.request_,

    get_: (path) => http.get_(path, token, handlers.tokenExpired_),

    destroy_() {
      destroyed = true;
      timers.forEach(clearTimeout);
      timers.clear();
      link.destroy_();
    },
  };
}

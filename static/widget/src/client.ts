import { createOutbox, type Pending } from "./queue";
import { socketIo } from "./socket";
import type {
  Ack, BootstrapRequest, BootstrapResponse, Envelope, EnvelopeType, GuideError, ProgressMap, SocketInfo,
} from "./types";

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
}

export interface ClientHandlers {
  progress(progress: ProgressMap): void;
  guidesChanged(): void;
  tokenExpired(): void;
  error(err: GuideError): void;
}

export interface Client {
  bootstrap(req: BootstrapRequest): Promise<BootstrapResponse>;
  /** `restart` forces a fresh handshake (a different user must not keep the old socket's rooms). */
  connect(info: SocketInfo, restart: boolean): void;
  send(type: EnvelopeType, data: Envelope["data"]): Promise<Ack>;
  destroy(): void;
}

/** How long the socket gets before queued envelopes go over HTTP instead. */
export const SOCKET_GRACE_MS = 3000;
const ACK_TIMEOUT_MS = 10000;
const HTTP_RETRY_MS = 5000;
const MAX_ATTEMPTS = 3;
const BATCH = 100;
const MAX_BATCH_BYTES = 60000;

export const defaultDeps = (): ClientDeps => ({
  fetch: (...args) => fetch(...args),
  io: socketIo,
});

const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

function asAck(value: unknown): Ack {
  return value && typeof value === "object" && "ok" in value ? (value as Ack) : fail("invalid_ack", "The server sent an unreadable acknowledgement.");
}

async function errorFrom(res: Response): Promise<GuideError> {
  try {
    const body = (await res.json()) as { error?: GuideError };
    if (body?.error?.code) return body.error;
  } catch {
    // Not JSON (a proxy's error page): fall through to the status.
  }
  return { code: `http_${res.status}`, message: `The Guide server answered ${res.status}.` };
}

export function createClient(server: string, deps: ClientDeps, handlers: ClientHandlers): Client {
  const outbox = createOutbox();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let socket: SocketLike | null = null;
  let socketKey = "";
  let token: string | null = null;
  let useHttp = false;
  let httpBusy = false;
  let destroyed = false;

  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!destroyed) fn();
    }, ms);
    timers.add(t);
  };

  const settleDropped = (dropped: Pending[]): void =>
    dropped.forEach((p) => p.resolve(fail("queue_full", "Too many events were waiting to be sent; the oldest was dropped.")));

  function drain(): void {
    if (socket?.connected) {
      for (const item of outbox.take(outbox.size)) emitWithAck(socket, item);
    } else if (useHttp && token && outbox.size) {
      void flushHttp();
    }
  }

  function retry(item: Pending): void {
    if (++item.attempts >= MAX_ATTEMPTS) {
      item.resolve(fail("timeout", "The Guide server did not acknowledge the event."));
      return;
    }
    settleDropped(outbox.unshift([item]));
    drain();
  }

  function emitWithAck(s: SocketLike, item: Pending): void {
    let answered = false;
    const t = setTimeout(() => {
      timers.delete(t);
      answered = true;
      // Same id again is safe: the server answers a duplicate with the original result.
      if (!destroyed) retry(item);
    }, ACK_TIMEOUT_MS);
    timers.add(t);
    s.emit(item.envelope.type, item.envelope.data, (ack: unknown) => {
      if (answered || destroyed) return;
      answered = true;
      clearTimeout(t);
      timers.delete(t);
      item.resolve(asAck(ack));
    });
  }

  /** Takes what fits one request: at most 100 envelopes and 64 KB (PROTOCOL.md section 3). */
  function takeBatch(): Pending[] {
    const batch = outbox.take(BATCH);
    while (batch.length > 1 && JSON.stringify(batch.map((p) => p.envelope)).length > MAX_BATCH_BYTES) {
      settleDropped(outbox.unshift(batch.splice(Math.ceil(batch.length / 2))));
    }
    return batch;
  }

  async function flushHttp(): Promise<void> {
    if (httpBusy || !token) return;
    httpBusy = true;
    const batch = takeBatch();
    let retryLater = false;
    try {
      const res = await deps.fetch(`${server}/api/v1/widget/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ envelopes: batch.map((p) => p.envelope) }),
        credentials: "omit",
      });
      if (destroyed) return;
      if (res.ok) {
        const { results = [] } = (await res.json()) as { results?: unknown[] };
        batch.forEach((p, i) => (i < results.length ? p.resolve(asAck(results[i])) : settleDropped(outbox.unshift([p]))));
      } else if (res.status === 401) {
        settleDropped(outbox.unshift(batch));
        handlers.tokenExpired();
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        // The server will never accept this batch as it is; retrying would loop forever.
        const error = await errorFrom(res);
        batch.forEach((p) => p.resolve({ ok: false, error }));
      } else {
        settleDropped(outbox.unshift(batch));
        retryLater = true;
      }
    } catch {
      if (destroyed) return;
      settleDropped(outbox.unshift(batch));
      retryLater = true;
    } finally {
      httpBusy = false;
    }
    if (retryLater) later(drain, HTTP_RETRY_MS);
    else drain();
  }

  function armFallback(): void {
    later(() => {
      if (socket?.connected) return;
      useHttp = true;
      drain();
    }, SOCKET_GRACE_MS);
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
      drain();
    });
    s.on("disconnect", armFallback);
    s.on("connect_error", (err: { message?: string; data?: { code?: string; message?: string } }) => {
      const code = err?.data?.code;
      if (code === "socket_token_expired") return handlers.tokenExpired();
      useHttp = true;
      drain();
      // Plain network failures repeat on every reconnect attempt; only refusals are worth reporting.
      if (code) handlers.error({ code, message: err.data?.message || err.message || "Realtime connection refused." });
    });
    s.on("progress", (payload: { progress?: ProgressMap }) => payload?.progress && handlers.progress(payload.progress));
    s.on("guides:changed", () => handlers.guidesChanged());
    return s;
  }

  return {
    async bootstrap(req) {
      let res: Response;
      try {
        res = await deps.fetch(`${server}/api/v1/widget/bootstrap`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(req),
          credentials: "omit",
        });
      } catch {
        throw { code: "network_error", message: `Could not reach the Guide server at ${server}.` } satisfies GuideError;
      }
      if (!res.ok) throw await errorFrom(res);
      return (await res.json()) as BootstrapResponse;
    },

    connect(info, restart) {
      token = info.token;
      const key = `${info.namespace}|${info.path}`;
      if (!socket || key !== socketKey) {
        socket?.disconnect();
        socketKey = key;
        socket = open(info);
      } else if (restart) {
        socket.disconnect();
        socket.connect();
      } else if (!socket.connected && !socket.active) {
        socket.connect();
      }
      if (!socket.connected) armFallback();
      drain();
    },

    send(type, data) {
      return new Promise<Ack>((resolve) => {
        settleDropped([outbox.push({ envelope: { type, data }, resolve, attempts: 0 })].filter((p): p is Pending => !!p));
        drain();
      });
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

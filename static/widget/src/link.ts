import { ACK_TIMEOUT_MS, asAck, fail, type ClientHandlers, type IoFactory, type SocketLike, type Timer } from "./transport";
import type { Ack, Nudge, ProgressMap, SocketInfo } from "./types";

/** How long the socket gets before queued envelopes go over HTTP instead. */
export const SOCKET_GRACE_MS = 3000;
/** How often a widget without a socket asks for waiting nudges. */
export const NUDGE_CHECK_MS = 60000;

export interface LinkDeps {
  server: string;
  io: IoFactory;
  /** The socket token, read at every (re)connect: reconnects use the one from the latest bootstrap. */
  token(): string | null;
  handlers: ClientHandlers;
  /** Runs `fn` after `ms` unless the client is destroyed first; `cancel` stops it. */
  later(fn: () => void, ms: number): Timer;
  cancel(t: Timer | undefined): void;
  /** The socket connected: no reason to sit out the rest of a backoff. */
  up(): void;
  /** The socket went down: acks in flight will never come. */
  down(): void;
  /** Envelopes may move now (over the socket, or over HTTP). */
  drain(): void;
  /** Asks over HTTP for waiting nudges (no socket brings them). */
  check(): void;
  /** A pushed nudge, as yet unchecked. */
  nudge(nudge: Nudge): void;
}

export interface Link {
  /** The socket, while it is connected. */
  live(): SocketLike | null;
  /** The socket could not connect (in time, or at all): HTTP carries envelopes. */
  http(): boolean;
  /** `restart` forces a fresh handshake (a different user must not keep the old socket's rooms). */
  connect(info: SocketInfo, restart: boolean): void;
  /** A one-off socket event with an acknowledgement, not queued (the element picker). */
  request(event: string, data: Record<string, unknown>): Promise<Ack>;
  destroy(): void;
}

/** The client's one Socket.IO connection: opened, reopened for another user, replaced by HTTP when it cannot connect. */
export function createLink(deps: LinkDeps): Link {
  const { handlers, later, drain } = deps;
  const onConnect: Array<() => void> = [];
  let socket: SocketLike | null = null;
  let socketKey = "";
  let useHttp = false;
  /** The page's CSP refused the WebSocket: never try again (each try logs a violation). */
  let wsBlocked = false;
  let checking = false;

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
      if (globalThis.document?.visibilityState !== "hidden") deps.check();
      checkIn();
    }, NUDGE_CHECK_MS);
  }

  function open(info: SocketInfo): SocketLike {
    const s = deps.io(new URL(info.namespace || "/widget", deps.server).href, {
      path: info.path || "/socket.io",
      transports: ["websocket"],
      reconnection: true,
      // Our own Manager, so destroy() closes the connection and two widgets never share one.
      forceNew: true,
      // A function, so automatic reconnects use the latest token after a re-bootstrap.
      auth: (cb: (auth: { token: string | null }) => void) => cb({ token: deps.token() }),
    });
    s.on("connect", () => {
      useHttp = false;
      deps.up();
      onConnect.splice(0).forEach((fn) => fn());
      drain();
    });
    s.on("disconnect", () => {
      deps.down();
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
    s.on("nudge", deps.nudge);
    return s;
  }

  return {
    live: () => (socket?.connected ? socket : null),
    http: () => useHttp,
    connect(info, restart) {
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
    },
    request(event, data) {
      return new Promise<Ack>((resolve) => {
        const t = later(() => resolve(fail("timeout", "The Guide server did not answer; check your connection.")), ACK_TIMEOUT_MS);
        const go = (): void =>
          void socket?.emit(event, data, (ack: unknown) => {
            deps.cancel(t);
            resolve(asAck(ack));
          });
        if (socket?.connected) go();
        else onConnect.push(go);
      });
    },
    destroy() {
      socket?.disconnect();
      socket = null;
    },
  };
}

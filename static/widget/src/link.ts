import { ACK_TIMEOUT_MS, asAck, fail, type ClientHandlers, type IoFactory, type SocketLike, type Timer } from "./transport";
import type { Ack, Nudge, ProgressMap, SocketInfo } from "./types";

/** How long the socket gets before queued envelopes go over HTTP instead. */
export const SOCKET_GRACE_MS = 3000;
/** How often a widget without a socket asks for waiting nudges. */
export const NUDGE_CHECK_MS = 60000;

export interface LinkDeps {
  server_: string;
  io_: IoFactory;
  /** The socket token, read at every (re)connect: reconnects use the one from the latest bootstrap. */
  token_(): string | null;
  handlers_: ClientHandlers;
  /** Runs `fn` after `ms` unless the client is destroyed first; `cancel` stops it. */
  later_(fn: () => void, ms: number): Timer;
  cancel_(t: Timer | undefined): void;
  /** The socket connected: no reason to sit out the rest of a backoff. */
  up_(): void;
  /** The socket went down: acks in flight will never come. */
  down_(): void;
  /** Envelopes may move now (over the socket, or over HTTP). */
  drain_(): void;
  /** Asks over HTTP for waiting nudges (no socket brings them). */
  check_(): void;
  /** A pushed nudge, as yet unchecked. */
  nudge_(nudge: Nudge): void;
}

export interface Link {
  /** The socket, while it is connected. */
  live_(): SocketLike | null;
  /** The socket could not connect (in time, or at all): HTTP carries envelopes. */
  http_(): boolean;
  /** `restart` forces a fresh handshake (a different user must not keep the old socket's rooms). */
  connect_(info: SocketInfo, restart: boolean): void;
  /** A one-off socket event with an acknowledgement, not queued (the element picker). */
  request_(event: string, data: Record<string, unknown>): Promise<Ack>;
  destroy_(): void;
}

/** The client's one Socket.IO connection: opened, reopened for another user, replaced by HTTP when it cannot connect. */
export function createLink(deps: LinkDeps): Link {
  const { handlers_: handlers, later_: later, drain_: drain } = deps;
  const onConnect: Array<() => void> = [];
  let socket: SocketLike | null = null;
  let socketKey = "";
  let useHttp = false;
  /** The page's CSP refused the WebSocket: never try again (each try logs a violation). */
  let wsBlocked = false;
  let checking = false;

  function armFallback(): void {
    later(() => {
      if (socket?.connected_) return;
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
      if (socket?.connected_ || !useHttp) return;
      if (globalThis.document?.visibilityState !== "hidden") deps.check_();
      checkIn();
    }, NUDGE_CHECK_MS);
  }

  function open(info: SocketInfo): SocketLike {
    const s = deps.io_(new URL(info.namespace || "/widget", deps.server_).href, {
      path: info.path || "/socket.io",
      transports: ["websocket"],
      reconnection: true,
      // Our own Manager, so destroy() closes the connection and two widgets never share one.
      forceNew: true,
      // A function, so automatic reconnects use the latest token after a re-bootstrap.
      auth: (cb: (auth: { token: string | null }) => void) => cb({ token: deps.token_() }),
    });
    s.on_("connect", () => {
      useHttp = false;
      deps.up_();
      onConnect.splice(0).forEach((fn) => fn());
      drain();
    });
    s.on_("disconnect", () => {
      deps.down_();
      armFallback();
    });
    s.on_("connect_error", (err: { message?: string; data?: { code?: string; message?: string } }) => {
      const code = err?.data?.code;
      if (code === "socket_token_expired") return handlers.tokenExpired_();
      useHttp = true;
      wsBlocked ||= code === "websocket_blocked";
      drain();
      checkIn();
      // Plain network failures repeat on every reconnect attempt; only refusals are worth reporting.
      // A page whose CSP forbids WebSockets is not an error: HTTP carries everything quietly.
      if (code && code !== "websocket_blocked") handlers.error_({ code, message: err.data?.message || err.message || "Realtime connection refused." });
    });
    s.on_("progress", (payload: { progress?: ProgressMap }) => payload?.progress && handlers.progress_(payload.progress));
    s.on_("guides:changed", () => handlers.guidesChanged_());
    s.on_("nudge", deps.nudge_);
    return s;
  }

  return {
    live_: () => (socket?.connected_ ? socket : null),
    http_: () => useHttp,
    connect_(info, restart) {
      const key = `${info.namespace}|${info.path}`;
      if (!socket || key !== socketKey) {
        socket?.disconnect_();
        socketKey = key;
        socket = open(info);
      } else if (restart && !wsBlocked) {
        socket.disconnect_();
        socket.connect_();
      } else if (!socket.connected_ && !socket.active_ && !wsBlocked) {
        socket.connect_();
      }
      if (!socket.connected_) armFallback();
    },
    request_(event, data) {
      return new Promise<Ack>((resolve) => {
        const t = later(() => resolve(fail("timeout", "The Guide server did not answer; check your connection.")), ACK_TIMEOUT_MS);
        const go = (): void =>
          void socket?.emit_(event, data, (ack: unknown) => {
            deps.cancel_(t);
            resolve(asAck(ack));
          });
        if (socket?.connected_) go();
        else onConnect.push(go);
      });
    },
    destroy_() {
      socket?.disconnect_();
      socket = null;
    },
  };
}

import type { IoFactory, SocketLike } from "./transport";
import { decode, encode, isArray } from "./json";

/**
 * A Socket.IO v4 client for exactly what the widget uses (PROTOCOL.md
 * section 2): one namespace, WebSocket transport only, text packets, events
 * with acknowledgements, server pushes, automatic reconnection with backoff.
 * socket.io-client does all this and much more (polling, binary, multiplexing)
 * for ~15 KB gzip, half the widget's whole budget; this is ~1.3 KB.
 *
 * Wire format: Engine.IO packets `0` open (JSON handshake), `2` ping -> `3`
 * pong, `1` close, `4` message; the message is a Socket.IO packet
 * `<type>[/<nsp>,][<ack id>][<JSON>]` with type 0 connect, 1 disconnect,
 * 2 event, 3 ack, 4 connect error.
 */
type Handler = (...args: any[]) => void;
type Auth = Record<string, unknown> | ((cb: (auth: Record<string, unknown>) => void) => void);

export interface SocketOptions {
  path?: string;
  auth?: Auth;
  reconnection?: boolean;
}

const RETRY_MIN_MS = 1000;
/** A proxy may accept the upgrade and then say nothing: give up and retry after this long. */
const HANDSHAKE_MS = 10000;
const RETRY_MAX_MS = 5000;
/** As the page had it when the bundle loaded: an analytics wrapper installed later cannot intercept us. */
const PageWebSocket = typeof WebSocket === "function" ? WebSocket : undefined;

export function createSocket(uri: string, opts: SocketOptions, WS: typeof WebSocket | undefined = PageWebSocket): SocketLike {
  const url = new URL(uri);
  const nsp = url.pathname || "/";
  const prefix = nsp === "/" ? "" : `${nsp},`;
  const path = (opts.path || "/socket.io").replace(/\/?$/, "/");
  const endpoint = `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}${path}?EIO=4&transport=websocket`;
  const handlers = new Map<string, Handler[]>();
  const acks = new Map<number, Handler>();
  let ws: WebSocket | null = null;
  let nextAck = 0;
  let attempts = 0;
  let pingMs = 45000;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let unwatch = (): void => {};
  const BLOCKED = "WebSockets are blocked on this page (Content-Security-Policy connect-src); using HTTP.";
  const blocked = (): void => refuse(BLOCKED, { code: "websocket_blocked", message: BLOCKED });

  /**
   * Chromium does not throw when the page's CSP refuses a WebSocket: it fires
   * `securitypolicyviolation` and an error, and never `close`. Retrying would log
   * a new violation every few seconds, forever.
   */
  function watchCsp(): void {
    const doc = typeof document === "object" ? document : null;
    if (!doc) return;
    const onViolation = (e: SecurityPolicyViolationEvent): void => {
      if (e.disposition !== "report" && e.blockedURI && endpoint.startsWith(e.blockedURI)) blocked();
    };
    doc.addEventListener("securitypolicyviolation", onViolation);
    unwatch = () => doc.removeEventListener("securitypolicyviolation", onViolation);
  }

  const fire = (event: string, ...args: unknown[]): void => (handlers.get(event) ?? []).forEach((fn) => fn(...args));
  const raw = (packet: string): void => {
    if (ws?.readyState === 1) ws.send(packet);
  };

  function drop(): void {
    clearTimeout(pingTimer);
    unwatch();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close();
    } catch {
      // Closing a socket that never opened may throw in old engines.
    }
    ws = null;
  }

  function heartbeat(): void {
    clearTimeout(pingTimer);
    // The server pings every pingInterval; silence past pingInterval + pingTimeout is a dead link.
    pingTimer = setTimeout(() => lost("ping timeout"), pingMs);
  }

  function lost(reason: string): void {
    const was = socket.connected_;
    socket.connected_ = false;
    acks.clear(); // the widget's own ack timeout resends them (same envelope id, deduplicated)
    drop();
    if (was) fire("disconnect", reason);
    else fire("connect_error", new Error(`Realtime connection failed (${reason}).`));
    if (!socket.active_ || opts.reconnection === false) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempts++) * (0.5 + Math.random());
    retryTimer = setTimeout(open, delay);
  }

  /** No automatic retry: the server (a bad token, an origin) or the page refused us. */
  function refuse(message: string, data?: { code?: string; message?: string }): void {
    socket.active_ = socket.connected_ = false;
    drop();
    fire("connect_error", Object.assign(new Error(message), { data }));
  }

  function onSocketPacket(packet: string): void {
    const type = packet[0];
    let rest = packet.slice(1);
    if (rest[0] === "/") {
      const comma = rest.indexOf(",");
      if ((comma < 0 ? rest : rest.slice(0, comma)) !== nsp) return;
      rest = comma < 0 ? "" : rest.slice(comma + 1);
    } else if (nsp !== "/") return;
    const [, id, json] = /^(\d*)([\s\S]*)$/.exec(rest)!;
    const data = json ? decode(json) : undefined;
    if (type === "0") {
      socket.connected_ = true;
      attempts = 0;
      fire("connect");
    } else if (type === "2" && isArray(data)) {
      fire(String(data[0]), ...data.slice(1));
    } else if (type === "3") {
      const ack = acks.get(Number(id));
      acks.delete(Number(id));
      ack?.(...(isArray(data) ? data : []));
    } else if (type === "1") {
      // Disconnected by the server: no automatic retry.
      socket.active_ = socket.connected_ = false;
      drop();
      fire("disconnect", "io server disconnect");
    } else if (type === "4") {
      refuse(data?.message || "Connection refused.", data?.data);
    }
  }

  function onMessage(event: MessageEvent): void {
    const packet = String(event.data);
    try {
      if (packet[0] === "0") {
        const handshake = decode(packet.slice(1));
        pingMs = (handshake.pingInterval || 25000) + (handshake.pingTimeout || 20000);
        heartbeat();
        const join = (auth: unknown): void => raw(`40${prefix}${auth ? encode(auth) : ""}`);
        if (typeof opts.auth === "function") opts.auth(join);
        else join(opts.auth);
      } else if (packet[0] === "2") {
        heartbeat();
        raw("3");
      } else if (packet[0] === "1") {
        lost("transport close");
      } else if (packet[0] === "4") {
        onSocketPacket(packet.slice(1));
      }
    } catch {
      // A malformed packet: ignore it rather than break the page.
    }
  }

  function open(): void {
    clearTimeout(retryTimer);
    drop();
    try {
      if (!WS) throw new Error("no WebSocket");
      watchCsp();
      ws = new WS(endpoint);
    } catch (err) {
      // The page's Content-Security-Policy refuses ws:/wss: (connect-src), or there is no
      // WebSocket at all. Reported on the next tick: the caller has not subscribed yet.
      // (Firefox throws SecurityError.)
      const refused = (err as Error)?.name === "SecurityError" || !WS;
      retryTimer = setTimeout(() => (refused ? blocked() : lost("transport error")), 0);
      return;
    }
    ws.onmessage = onMessage;
    ws.onclose = () => lost("transport close");
    pingTimer = setTimeout(() => lost("handshake timeout"), HANDSHAKE_MS);
  }

  const socket: SocketLike = {
    connected_: false,
    active_: false,
    on_(event, fn) {
      handlers.set(event, [...(handlers.get(event) ?? []), fn]);
      return socket;
    },
    emit_(event, data, ack) {
      if (!socket.connected_) return socket;
      const id = nextAck++;
      if (typeof ack === "function") acks.set(id, ack as Handler);
      raw(`42${prefix}${id}${encode([event, data])}`);
      return socket;
    },
    connect_() {
      if (socket.active_ && ws) return socket;
      socket.active_ = true;
      attempts = 0;
      open();
      return socket;
    },
    disconnect_() {
      const was = socket.connected_;
      if (was) raw(`41${prefix}`);
      socket.active_ = socket.connected_ = false;
      clearTimeout(retryTimer);
      acks.clear();
      drop();
      if (was) fire("disconnect", "io client disconnect");
      return socket;
    },
  };
  return socket;
}

/** `deps.io` for browsers: the same call shape as socket.io-client's `io()`, connecting at once. */
export const socketIo: IoFactory = (uri, opts) => createSocket(uri, opts as SocketOptions).connect_() as SocketLike;

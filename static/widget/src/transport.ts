import type { QueueStore, Stored } from "./storage";
import type { Ack, BootstrapRequest, BootstrapResponse, Envelope, EnvelopeType, GuideError, Nudge, ProgressMap, SocketInfo } from "./types";

/**
 * What the client's parts share (client.ts: the outbox drain; link.ts: the
 * socket's lifecycle; socket.ts: the Socket.IO wire), so none imports another
 * for a type.
 */

/** The part of a Socket.IO client socket we use (socket.ts implements it); tests pass a fake. */
export interface SocketLike {
  connected_: boolean;
  active_?: boolean;
  on_(event: string, fn: (...args: any[]) => void): unknown;
  emit_(event: string, ...args: unknown[]): unknown;
  connect_(): unknown;
  disconnect_(): unknown;
}

export type IoFactory = (uri: string, opts: Record<string, unknown>) => SocketLike;

export interface ClientDeps {
  fetch_: typeof fetch;
  io_: IoFactory;
  /** Where envelopes wait for their acknowledgement. @default memory (the widget passes the browser's storage) */
  store_?: QueueStore;
  /** For the backoff's jitter. @default Math.random */
  random_?: () => number;
}

export interface ClientHandlers {
  progress_(progress: ProgressMap): void;
  guidesChanged_(): void;
  tokenExpired_(): void;
  error_(err: GuideError): void;
  /** The final outcome of every envelope, including those restored from an earlier page. */
  settled_(rec: Stored, ack: Ack): void;
  nudge_(nudge: Nudge): void;
}

/** What the widget uses of the client (client.ts). */
export interface Client {
  bootstrap_(req: BootstrapRequest): Promise<BootstrapResponse>;
  /** The user new envelopes belong to; resolves with what an earlier page left unacknowledged for them. */
  use_(scope: string): Promise<Stored[]>;
  /** `restart` forces a fresh handshake (a different user must not keep the old socket's rooms). */
  connect_(info: SocketInfo, restart: boolean, scope: string): void;
  /**
   * Persists, then sends; resolves on the final outcome (an ok or a definitive negative ack).
   * `view`: waits (VIEW_DELAY_MS) to go in one emit with other views or the next envelope.
   */
  send_(type: EnvelopeType, data: Envelope["data"], view?: boolean): Promise<Ack>;
  /** This user's envelopes still waiting, oldest first. */
  pending_(): Stored[];
  /** The page is being hidden or unloaded: send what waits in one request that outlives the page. */
  flush_(): void;
  /** A one-off socket event with an acknowledgement, not queued (the element picker). */
  request_(event: string, data: Record<string, unknown>): Promise<Ack>;
  /** GET a widget endpoint with the socket token (help). */
  get_<T>(path: string): Promise<T>;
  destroy_(): void;
}

export type Timer = ReturnType<typeof setTimeout>;

export const ACK_TIMEOUT_MS = 10000;

export const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

export function asAck(value: unknown): Ack {
  return value && typeof value === "object" && own(value, "ok") ? (value as Ack) : fail("invalid_ack", "The server sent an unreadable acknowledgement.");
}

/** Socket acknowledgements missed in a row before an envelope goes over HTTP, whose answer is definitive. */
export const SOCKET_STRIKES = 2;
/**
 * How long a view (`send_(..., true)`: a guide, step, article or nudge shown) waits for company:
 * views go with the next envelope sent, or after this, never one round trip each.
 */
export const VIEW_DELAY_MS = 2000;

/**
 * Negative acks worth sending the envelope again (PROTOCOL.md section 2). Every other code is final:
 * the envelope is removed and reported, never retried, whatever new refusal a server adds.
 */
export const RETRIED = new Set(["rate_limited", "internal_error", "invalid_ack", "socket_token_expired", "socket_token_invalid"]);

export const isFinal = (ack: Ack): boolean => ack.ok || !RETRIED.has(ack.error?.code);
/** Sent over HTTP even while the socket is up: it went unanswered there too often. */
export const overHttp = (i: { strikes_?: number }): boolean => (i.strikes_ ?? 0) >= SOCKET_STRIKES;

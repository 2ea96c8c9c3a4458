import type { QueueStore, Stored } from "./storage";
import type { Ack, BootstrapRequest, BootstrapResponse, Envelope, EnvelopeType, GuideError, Nudge, ProgressMap, SocketInfo } from "./types";

/**
 * What the client's parts share (client.ts: the outbox drain; link.ts: the
 * socket's lifecycle; socket.ts: the Socket.IO wire), so none imports another
 * for a type.
 */

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

/** What the widget uses of the client (client.ts). */
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

export type Timer = ReturnType<typeof setTimeout>;

export const ACK_TIMEOUT_MS = 10000;

export const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } });

const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

export function asAck(value: unknown): Ack {
  return value && typeof value === "object" && own(value, "ok") ? (value as Ack) : fail("invalid_ack", "The server sent an unreadable acknowledgement.");
}

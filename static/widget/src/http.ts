import { decode, encode } from "./json";
import type { Item } from "./queue";
import type { BootstrapRequest, BootstrapResponse, GuideError } from "./types";

export interface Http {
  /** Fetches `path` from the server without cookies; rejects with `network_error` when it cannot be reached. */
  call_(path: string, init: RequestInit): Promise<Response>;
  /** POST /api/v1/widget/bootstrap (PROTOCOL.md section 1). */
  bootstrap_(req: BootstrapRequest): Promise<BootstrapResponse>;
  /**
   * POSTs `body` in a request that outlives the page (keepalive), or as a beacon where
   * fetch throws at once; resolves with the answer's `results` (none from a beacon).
   */
  beacon_(path: string, body: string): Promise<unknown[]>;
  /** GETs a widget endpoint with the socket token; a 401 is also told to `expired`. */
  get_<T>(path: string, token: string | null, expired: () => void): Promise<T>;
}

const BATCH = 100;
const MAX_BATCH_BYTES = 60000;

/** At most 100 envelopes and ~60 KB: what one batch request may carry (PROTOCOL.md section 3). */
export function batchOf(items: Item[]): Item[] {
  let bytes = 0;
  return items.slice(0, BATCH).filter((i, n) => (bytes += i.bytes_) <= MAX_BATCH_BYTES || n === 0);
}

/** An envelope as the batch endpoint takes it. */
export const wire = (i: Item) => ({ type: i.rec_.type, data: i.rec_.data });

/** Reads a JSON body with the JSON.parse the page had at load time. */
export const readJson = async <T>(res: Response): Promise<T> => decode(await res.text()) as T;

export async function errorFrom(res: Response): Promise<GuideError> {
  try {
    const body = await readJson<{ error?: GuideError }>(res);
    if (body?.error?.code) return body.error;
  } catch {
    // Not JSON (a proxy's error page): fall through to the status.
  }
  return { code: `http_${res.status}`, message: `The Guide server answered ${res.status}.` };
}

/** The body of a successful answer; otherwise throws the server's error (or one naming the status). */
async function answer<T>(res: Response): Promise<T> {
  if (!res.ok) throw await errorFrom(res);
  return readJson<T>(res);
}

/** The widget's plain HTTP requests to the Guide server (the outbox's batches go through `call` too). */
export function createHttp(server: string, fetch: typeof globalThis.fetch): Http {
  async function call(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(server + path, { ...init, credentials: "omit" });
    } catch {
      throw { code: "network_error", message: `Could not reach the Guide server at ${server}.` } satisfies GuideError;
    }
  }
  return {
    call_: call,
    bootstrap_: async (req) =>
      answer(await call("/api/v1/widget/bootstrap", { method: "POST", headers: { "Content-Type": "application/json" }, body: encode(req) })),
    beacon_(path, body) {
      const url = server + path;
      try {
        return fetch(url, { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body, credentials: "omit" })
          .then((res) => (res.ok ? readJson<{ results?: unknown[] }>(res) : { results: [] }))
          .then(({ results = [] }: { results?: unknown[] }) => results);
      } catch {
        globalThis.navigator?.sendBeacon?.(url, new Blob([body], { type: "application/json" }));
        return Promise.resolve([]);
      }
    },
    async get_(path, token, expired) {
      const res = await call(path, { headers: { Authorization: `Bearer ${token}` } });
      if (res.status === 401) expired();
      return answer(res);
    },
  };
}

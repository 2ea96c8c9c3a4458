import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, RETRY_BASE_MS, RETRY_MAX_MS } from "../src/client";
import { NUDGE_CHECK_MS, SOCKET_GRACE_MS } from "../src/link";
import { ACK_TIMEOUT_MS, type Client, type ClientHandlers } from "../src/transport";
import { createOutbox, rank, type Item } from "../src/queue";
import { localStore, memoryStore, withFallback, type QueueStore, type Stored } from "../src/storage";
import { fakeIo, FakeSocket, harness, jsonResponse, settle } from "./helpers";

const INFO = (token = "tok-a") => ({ namespace: "/widget", path: "/socket.io", token });
const A = JSON.stringify(["https://guide.test", "demo", "ada"]);
const B = JSON.stringify(["https://guide.test", "demo", "bob"]);

let clients: Client[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  clients.forEach((c) => c.destroy_());
  clients = [];
  vi.useRealTimers();
});

function handlers(): ClientHandlers & { [K in keyof ClientHandlers]: ReturnType<typeof vi.fn> } {
  return { progress_: vi.fn(), guidesChanged_: vi.fn(), tokenExpired_: vi.fn(), error_: vi.fn(), settled_: vi.fn(), nudge_: vi.fn() };
}

/** A client on a fake socket; `random` fixed at 1 makes every backoff its ceiling. */
function setup(store: QueueStore = memoryStore(), fetch = vi.fn(async () => jsonResponse({ results: [] }))) {
  const { io, sockets } = fakeIo();
  const on = handlers();
  const client = createClient("https://guide.test", { fetch_: fetch as never, io_: io, store_: store, random_: () => 1 }, on);
  clients.push(client);
  return { client, sockets, on, fetch, store, socket: (): FakeSocket => sockets[sockets.length - 1] };
}

const ok = (id: string) => ({ ok: true, id, duplicate: false, progress: {}, completed: [] });
const env = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: "clicked", at: "2026-01-01T00:00:00Z", ...extra });
const ids = (s: FakeSocket) => s.emitted.map((e) => e.data.id);
/** A batch endpoint that accepts every envelope. */
const accepting = () =>
  vi.fn(async (_url: string, init?: RequestInit) => {
    const { envelopes } = JSON.parse(String(init?.body));
    return jsonResponse({ results: envelopes.map((e: { data: { id: string } }) => ok(e.data.id)) });
  });
/** What socket.ts reports when the page's CSP refuses the WebSocket. */
function refuseWebSocket(s: FakeSocket): void {
  const message = "WebSockets are blocked on this page.";
  s.fire("connect_error", Object.assign(new Error(message), { data: { code: "websocket_blocked", message } }));
}

describe("durable outbox", () => {
  it("persists an envelope before sending it and forgets it only once acknowledged", async () => {
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    const acked = t.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    expect(t.socket().emitted).toEqual([]); // not before it is stored
    await vi.advanceTimersByTimeAsync(0);
    expect((await t.store.load_(A)).map((r) => r.id)).toEqual(["s1"]);
    expect(ids(t.socket())).toEqual(["s1"]);
    t.socket().emitted[0].ack(ok("s1"));
    await expect(acked).resolves.toMatchObject({ ok: true, id: "s1" });
    await vi.advanceTimersByTimeAsync(0);
    expect(await t.store.load_(A)).toEqual([]);
    expect(t.on.settled_).toHaveBeenCalledWith(expect.objectContaining({ id: "s1", scope: A, type: "step:complete" }), ok("s1"));
  });

  it("drops an envelope on a definitive negative ack, keeps and retries it on a transient one", async () => {
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    void t.client.send_("step:complete", { id: "bad", guide: "g", step: "x" });
    void t.client.send_("event:track", env("e1"));
    await vi.advanceTimersByTimeAsync(0);
    const [bad, e1] = t.socket().emitted;
    bad.ack({ ok: false, error: { code: "unknown_step", message: "No." } });
    e1.ack({ ok: false, error: { code: "internal_error", message: "Oops." } });
    await vi.advanceTimersByTimeAsync(0);
    expect((await t.store.load_(A)).map((r) => r.id)).toEqual(["e1"]);
    await vi.advanceTimersByTimeAsync(RETRY_BASE_MS - 1);
    expect(ids(t.socket())).toEqual(["bad", "e1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids(t.socket())).toEqual(["bad", "e1", "e1"]); // same id: the server answers a duplicate with the original result
  });

  it("drops and reports any refusal it does not know (a server's newer codes), retries only the transient ones", async () => {
    // Issue 12: `not_in_audience` and `envelope_failed` were unknown to the widget and resent forever.
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    const sent = ["a", "b", "c", "d"].map((id) => t.client.send_("event:track", env(id)));
    await vi.advanceTimersByTimeAsync(0);
    const nack = (code: string) => ({ ok: false, error: { code, message: code } });
    const [a, b, c, d] = t.socket().emitted;
    a.ack(nack("not_in_audience"));
    b.ack(nack("envelope_failed"));
    c.ack(nack("internal_error"));
    d.ack(nack("socket_token_invalid")); // its user is gone: bootstrap again, then resend
    await expect(sent[0]).resolves.toEqual(nack("not_in_audience"));
    await expect(sent[1]).resolves.toEqual(nack("envelope_failed"));
    await vi.advanceTimersByTimeAsync(0);
    expect((await t.store.load_(A)).map((r) => r.id)).toEqual(["c", "d"]);
    expect(t.on.settled_).toHaveBeenCalledTimes(2);
    expect(t.on.tokenExpired_).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(RETRY_MAX_MS);
    expect(new Set(ids(t.socket()).slice(4))).toEqual(new Set(["c", "d"])); // a and b never again
  });

  it("sends an envelope the socket keeps leaving unanswered over HTTP, and drops it when HTTP refuses it", async () => {
    const refused = { error: { code: "invalid_payload", message: "envelopes must be a list." } };
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => jsonResponse(refused, 400));
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    const result = t.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(0);
    expect(ids(t.socket())).toEqual(["s1"]);
    // No acknowledgement, twice (ACK_TIMEOUT_MS, then the backoff): the socket is not trusted with it any more.
    for (let i = 0; i < 3 && !fetch.mock.calls.length; i++) await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS + RETRY_MAX_MS);
    expect(ids(t.socket())).toEqual(["s1", "s1"]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String(fetch.mock.calls[0][0])).toBe("https://guide.test/api/v1/widget/events");
    await expect(result).resolves.toEqual({ ok: false, error: refused.error });
    expect(t.on.settled_).toHaveBeenCalledWith(expect.objectContaining({ id: "s1" }), { ok: false, error: refused.error });
    expect(await t.store.load_(A)).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * RETRY_MAX_MS);
    expect(ids(t.socket())).toEqual(["s1", "s1"]); // not retried forever
  });

  it("uses HTTP quietly when the page's CSP blocks WebSockets", async () => {
    const fetch = accepting();
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    refuseWebSocket(t.socket());
    t.socket().active_ = false; // what socket.ts does on a refusal
    await expect(t.client.send_("event:track", env("e1"))).resolves.toMatchObject({ ok: true, id: "e1" });
    expect(t.on.error_).not.toHaveBeenCalled();
    // A fresh token (a re-bootstrap) does not try the WebSocket again: that would log another violation.
    t.client.connect_(INFO("tok-b"), false, A);
    t.client.connect_(INFO("tok-c"), true, A);
    expect(t.socket().connects).toBe(0);
    await expect(t.client.send_("event:track", env("e2"))).resolves.toMatchObject({ ok: true, id: "e2" });
    expect(String((fetch.mock.calls[fetch.mock.calls.length - 1][1]!.headers as Record<string, string>).Authorization)).toBe("Bearer tok-c");
  });

  it("without a socket, asks for waiting nudges with its batches and checks in while idle", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let waiting = [{ id: 7, message: "Want a hand connecting your data?" }];
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body));
      bodies.push(body);
      const nudges = waiting;
      waiting = [];
      return jsonResponse({ results: body.envelopes.map((e: { data: { id: string } }) => ok(e.data.id)), nudges });
    });
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    refuseWebSocket(t.socket());
    await expect(t.client.send_("event:track", env("e1"))).resolves.toMatchObject({ ok: true });
    expect(bodies[0]).toMatchObject({ nudges: true });
    expect(t.on.nudge_).toHaveBeenCalledExactlyOnceWith({ id: 7, message: "Want a hand connecting your data?" });
    // Nothing to send for a while: the widget checks in with an empty batch.
    waiting = [{ id: 8, message: "Your request ESC-1 has been resolved." }];
    await vi.advanceTimersByTimeAsync(NUDGE_CHECK_MS);
    expect(bodies[bodies.length - 1]).toEqual({ envelopes: [], nudges: true });
    expect(t.on.nudge_).toHaveBeenLastCalledWith({ id: 8, message: "Your request ESC-1 has been resolved." });
  });

  it("does not ask for nudges over HTTP while the socket is up (it brings them)", async () => {
    const fetch = accepting();
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    void t.client.send_("event:track", env("e1"));
    for (let i = 0; i < 3 && !fetch.mock.calls.length; i++) await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS + RETRY_MAX_MS);
    expect(JSON.parse(String(fetch.mock.calls[0][1]!.body))).not.toHaveProperty("nudges");
    await vi.advanceTimersByTimeAsync(3 * NUDGE_CHECK_MS);
    expect(fetch).toHaveBeenCalledTimes(1); // no idle check-ins with a socket
  });

  it("waits out a rate_limited nack's retry_after: no resend storm", async () => {
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    for (let i = 0; i < 5; i++) void t.client.send_("event:track", env(`e${i}`));
    await vi.advanceTimersByTimeAsync(0);
    const limited = { ok: false, error: { code: "rate_limited", message: "Slow down.", retry_after: 7 } };
    t.socket().emitted.forEach((e) => e.ack(limited));
    void t.client.send_("event:track", env("late"));
    await vi.advanceTimersByTimeAsync(6999);
    expect(t.socket().emitted).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids(t.socket()).slice(5)).toEqual(["e0", "e1", "e2", "e3", "e4", "late"]);
  });

  it("backs off exponentially (full jitter) while the network is down", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().fire("connect_error", new Error("websocket error"));
    void t.client.send_("event:track", env("e1"));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    const calls: number[] = [];
    for (const wait of [1000, 2000, 4000, 8000]) {
      await vi.advanceTimersByTimeAsync(wait);
      calls.push(fetch.mock.calls.length);
    }
    expect(calls).toEqual([2, 3, 4, 5]);
  });

  it("re-sends what an earlier page left, with the same ids, after a reload", async () => {
    const store = memoryStore();
    const first = setup(store);
    await first.client.use_(A);
    void first.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    void first.client.send_("event:track", env("e1"));
    await vi.advanceTimersByTimeAsync(0);
    first.client.destroy_(); // the page goes away before any ack

    const second = setup(store);
    expect((await second.client.use_(A)).map((r) => r.id)).toEqual(["s1", "e1"]);
    expect(second.client.pending_().map((r) => r.id)).toEqual(["s1", "e1"]);
    second.client.connect_(INFO(), false, A);
    second.socket().accept();
    expect(ids(second.socket())).toEqual(["s1", "e1"]);
    second.socket().emitted.forEach((e) => e.ack({ ...ok(e.data.id), duplicate: false }));
    await vi.advanceTimersByTimeAsync(0);
    expect(await store.load_(A)).toEqual([]);
    expect(second.on.settled_).toHaveBeenCalledTimes(2);
  });

  it("never sends one user's envelopes with another user's token", async () => {
    const store = memoryStore();
    const t = setup(store);
    await t.client.use_(A);
    t.client.connect_(INFO("tok-a"), false, A);
    void t.client.send_("step:complete", { id: "a1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(0);
    // Ada signs out, Bob signs in before anything was sent.
    await t.client.use_(B);
    void t.client.send_("step:complete", { id: "b1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(0);
    t.client.connect_(INFO("tok-b"), true, B);
    t.socket().accept();
    expect(t.socket().token()).toEqual({ token: "tok-b" });
    expect(ids(t.socket())).toEqual(["b1"]);
    await vi.advanceTimersByTimeAsync(SOCKET_GRACE_MS * 3);
    expect(ids(t.socket())).toEqual(["b1"]);
    expect(t.fetch).not.toHaveBeenCalled();
    expect((await store.load_(A)).map((r) => r.id)).toEqual(["a1"]); // kept for Ada's next visit
  });

  it("flushes over the HTTP batch endpoint when the socket cannot connect", async () => {
    const fetch = accepting();
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    void t.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(SOCKET_GRACE_MS);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe("https://guide.test/api/v1/widget/events");
    expect((init!.headers as Record<string, string>).Authorization).toBe("Bearer tok-a");
    expect(JSON.parse(String(init!.body)).envelopes).toEqual([{ type: "step:complete", data: { id: "s1", guide: "g", step: "x" } }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await t.store.load_(A)).toEqual([]);
  });

  it("a socket token expiring mid-connection: the nacked envelope waits, the 401 asks for a new token, which delivers it", async () => {
    // The server answers socket_token_expired and disconnects (guide/realtime/expiry.py);
    // the HTTP batch endpoint refuses the old token with 401 and takes the new one.
    const accept = accepting();
    const fetch = vi.fn(async (url: string, init?: RequestInit) =>
      (init!.headers as Record<string, string>).Authorization === "Bearer tok-a"
        ? jsonResponse({ error: { code: "socket_token_expired", message: "Bootstrap again." } }, 401)
        : accept(url, init));
    const t = setup(memoryStore(), fetch as never);
    await t.client.use_(A);
    t.client.connect_(INFO("tok-a"), false, A);
    t.socket().accept();
    void t.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(0);
    t.socket().emitted[0].ack({ ok: false, error: { code: "socket_token_expired", message: "Expired." } });
    Object.assign(t.socket(), { connected: false, active: false }).fire("disconnect", "io server disconnect");
    await vi.advanceTimersByTimeAsync(SOCKET_GRACE_MS + RETRY_BASE_MS);
    expect(t.on.tokenExpired_).toHaveBeenCalled();
    expect((await t.store.load_(A)).map((r) => r.id)).toEqual(["s1"]);
    t.client.connect_(INFO("tok-b"), false, A); // what the widget's new bootstrap does
    expect(t.socket().token()).toEqual({ token: "tok-b" });
    t.socket().accept();
    await vi.advanceTimersByTimeAsync(RETRY_MAX_MS);
    t.socket().emitted.filter((e) => e.data.id === "s1").slice(1).forEach((e) => e.ack(ok("s1")));
    await vi.advanceTimersByTimeAsync(0);
    expect(await t.store.load_(A)).toEqual([]);
  });

  it("on page hide, sends what waits in a keepalive request with the token in the body", async () => {
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    void t.client.send_("step:complete", { id: "s1", guide: "g", step: "x" });
    await vi.advanceTimersByTimeAsync(0);
    t.fetch.mockResolvedValueOnce(jsonResponse({ results: [ok("s1")] }));
    t.client.flush_();
    const [url, init] = t.fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://guide.test/api/v1/widget/events");
    expect(init.keepalive).toBe(true);
    expect(JSON.parse(String(init.body))).toEqual({ token: "tok-a", envelopes: [{ type: "step:complete", data: { id: "s1", guide: "g", step: "x" } }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(await t.store.load_(A)).toEqual([]); // the page survived (a hidden tab): the answer settles it
  });

  it("on page hide, also sends an envelope whose local save has not finished (the page's end aborts it)", async () => {
    let release!: () => void;
    const slow: QueueStore = { ...memoryStore(), put_: () => new Promise<void>((r) => (release = r)) };
    const t = setup(slow);
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    void t.client.send_("event:track", { id: "v1", name: "$item_clicked", props: { guide: "g", step: "x" } }, true);
    await vi.advanceTimersByTimeAsync(0);
    t.client.flush_(); // pagehide: the IndexedDB write is still pending
    const [, init] = t.fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body)).envelopes.map((e: { data: { id: string } }) => e.data.id)).toEqual(["v1"]);
    release();
  });

  it("sends tour states one at a time over the socket", async () => {
    const t = setup();
    await t.client.use_(A);
    t.client.connect_(INFO(), false, A);
    t.socket().accept();
    void t.client.send_("guide:state", { id: "g1", guide: "tour", state: "active", step: "a" });
    void t.client.send_("guide:state", { id: "g2", guide: "tour", state: "dismissed" });
    await vi.advanceTimersByTimeAsync(0);
    expect(ids(t.socket())).toEqual(["g1"]);
    t.socket().emitted[0].ack(ok("g1"));
    expect(ids(t.socket())).toEqual(["g1", "g2"]);
  });
});

describe("queue bound", () => {
  const rec = (id: string, type: Stored["type"], data: Record<string, unknown> = {}): Stored => ({ scope: A, id, n: 0, type, data: { id, ...data } });

  it("drops page views first, then tracked events, step completions last", () => {
    const q = createOutbox(memoryStore(), { count_: 3, bytes_: 1e6 });
    q.add_(rec("s1", "step:complete", { guide: "g", step: "x" }));
    q.add_(rec("p1", "event:track", { name: "$page" }));
    q.add_(rec("t1", "event:track", { name: "clicked" }));
    expect(q.add_(rec("s2", "step:complete")).dropped_.map((i: Item) => i.rec_.id)).toEqual(["p1"]);
    expect(q.add_(rec("s3", "step:complete")).dropped_.map((i: Item) => i.rec_.id)).toEqual(["t1"]);
    // A new page view does not push out a step completion: it is the one dropped.
    expect(q.add_(rec("p2", "event:track", { name: "$page" })).dropped_.map((i: Item) => i.rec_.id)).toEqual(["p2"]);
    expect(q.of_(A).map((i) => i.rec_.id)).toEqual(["s1", "s2", "s3"]);
    expect([rank(rec("x", "help:escalate")), rank(rec("x", "guide:state"))]).toEqual([3, 2]);
  });

  it("bounds bytes too", () => {
    const q = createOutbox(memoryStore(), { count_: 100, bytes_: 400 });
    for (let i = 0; i < 5; i++) q.add_(rec(`t${i}`, "event:track", { name: "clicked", props: { pad: "x".repeat(60) } }));
    expect(q.of_(A).reduce((n, i) => n + i.bytes_, 0)).toBeLessThanOrEqual(400);
    expect(q.of_(A).map((i) => i.rec_.id)).toContain("t4");
  });

  it("reports an overflow once per burst, then tells the server how many were lost", async () => {
    const { io, sockets } = fakeIo();
    const on = handlers();
    const client = createClient("https://guide.test", { fetch_: vi.fn() as never, io_: io, store_: memoryStore() }, on);
    clients.push(client);
    await client.use_(A);
    for (let i = 0; i < 503; i++) void client.send_("event:track", env(`e${i}`, { name: "$page" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(on.error_).toHaveBeenCalledTimes(1);
    expect(on.error_).toHaveBeenCalledWith(expect.objectContaining({ code: "queue_overflow", count: 3 }));
    client.connect_(INFO(), false, A);
    sockets[0].accept();
    sockets[0].emitted.forEach((e) => e.ack(ok(e.data.id)));
    await vi.advanceTimersByTimeAsync(0);
    const report = sockets[0].emitted.find((e) => e.data.name === "$queue_dropped");
    expect(report?.data.props).toEqual({ count: 3 });
  });
});

describe("storage adapters", () => {
  it("localStorage keeps one key per envelope, per user", async () => {
    localStorage.clear();
    const s = localStore(localStorage);
    await s.put_({ scope: A, id: "2", n: 2, type: "event:track", data: { id: "2" } });
    await s.put_({ scope: A, id: "1", n: 1, type: "event:track", data: { id: "1" } });
    await s.put_({ scope: B, id: "3", n: 3, type: "event:track", data: { id: "3" } });
    expect((await s.load_(A)).map((r) => r.id)).toEqual(["1", "2"]);
    await s.remove_(A, "1");
    expect((await s.load_(A)).map((r) => r.id)).toEqual(["2"]);
    expect((await s.load_(B)).map((r) => r.id)).toEqual(["3"]);
  });

  it("falls back for good when the primary store fails", async () => {
    const broken: QueueStore = { load_: () => Promise.reject(new Error("no")), put_: () => Promise.reject(new Error("no")), remove_: () => Promise.reject(new Error("no")) };
    const s = withFallback(broken, memoryStore());
    await s.put_({ scope: A, id: "1", n: 1, type: "event:track", data: { id: "1" } });
    expect((await s.load_(A)).map((r) => r.id)).toEqual(["1"]);
  });
});

describe("optimistic state across reloads", () => {
  afterEach(() => document.body.replaceChildren());

  it("a step completed offline stays checked after a reload, and is sent again with the same id", async () => {
    vi.useRealTimers();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const store = memoryStore();
    const first = harness(undefined, store);
    first.api.init({ appKey: "demo", server: "https://guide.test" });
    first.api.identify("user-123");
    await settle();
    first.$('[data-testid="guide-launcher"]')!.click();
    first.$('li[data-step="read-docs"] [data-testid="step-done"]')!.click();
    await settle();
    expect(first.socket().emitted).toEqual([]); // never connected: nothing went out
    first.api.destroy();
    document.body.replaceChildren();

    // Another user on the same browser does not see (or send) it.
    const third = harness(undefined, store);
    third.api.init({ appKey: "demo", server: "https://guide.test" });
    third.api.identify("user-456");
    await settle();
    expect(third.$('[data-testid="guide-progress"]')!.textContent).toBe("2/5");
    third.api.destroy();
    document.body.replaceChildren();

    const second = harness(undefined, store);
    second.api.init({ appKey: "demo", server: "https://guide.test" });
    second.api.identify("user-123");
    await settle();
    expect(second.$('[data-testid="guide-progress"]')!.textContent).toBe("3/5");
    second.socket().accept();
    const resent = second.socket().emitted.filter((e) => e.event === "step:complete");
    expect(resent.map((e) => e.data.step)).toEqual(["read-docs"]);
    resent[0].ack({ ...ok(resent[0].data.id), progress: { "getting-started": { state: "active", completed: ["welcome", "profile", "read-docs"], total: 5 } } });
    await settle();
    expect(second.$('[data-testid="guide-progress"]')!.textContent).toBe("3/5");
    expect(await store.load_(JSON.stringify(["https://guide.test", "demo", "user-123"]))).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ type: "step:complete" })]),
    );
  });
});

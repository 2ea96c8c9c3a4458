import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSocket } from "../src/socket";

/** A WebSocket stand-in; the test plays the Socket.IO server by hand. */
class FakeWs {
  static all: FakeWs[] = [];
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWs.all.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  /** The server's side. */
  recv(packet: string): void {
    this.readyState = 1;
    this.onmessage?.({ data: packet });
  }
  open(): void {
    this.recv('0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

const last = (): FakeWs => FakeWs.all[FakeWs.all.length - 1];

function connected() {
  const events: unknown[][] = [];
  const s = createSocket("https://guide.test/widget", { path: "/socket.io", auth: (cb) => cb({ token: "t1" }) }, FakeWs as unknown as typeof WebSocket);
  for (const name of ["connect", "disconnect", "connect_error", "progress"]) s.on_(name, (...args: unknown[]) => events.push([name, ...args]));
  s.connect_();
  last().open();
  last().recv('40/widget,{"sid":"n1"}');
  return { s, events, ws: last() };
}

beforeEach(() => {
  FakeWs.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("Socket.IO client (WebSocket only)", () => {
  it("opens the Engine.IO WebSocket and joins the namespace with the auth payload", () => {
    const { s, events, ws } = connected();
    expect(ws.url).toBe("wss://guide.test/socket.io/?EIO=4&transport=websocket");
    expect(ws.sent[0]).toBe('40/widget,{"token":"t1"}');
    expect(s.connected_).toBe(true);
    expect(s.active_).toBe(true);
    expect(events).toEqual([["connect"]]);
  });

  it("emits events with ack ids and resolves acks; receives pushes", () => {
    const { s, events, ws } = connected();
    const acks: unknown[] = [];
    s.emit_("step:complete", { id: "e1" }, (ack: unknown) => acks.push(ack));
    s.emit_("event:track", { id: "e2" }, (ack: unknown) => acks.push(ack));
    expect(ws.sent.slice(1)).toEqual(['42/widget,0["step:complete",{"id":"e1"}]', '42/widget,1["event:track",{"id":"e2"}]']);
    ws.recv('43/widget,1[{"ok":true,"id":"e2"}]');
    ws.recv('43/widget,0[{"ok":false,"id":"e1"}]');
    expect(acks).toEqual([{ ok: true, id: "e2" }, { ok: false, id: "e1" }]);
    ws.recv('42/widget,["progress",{"progress":{"g":{}}}]');
    ws.recv('42/other,["progress",{"wrong":"namespace"}]');
    expect(events.slice(1)).toEqual([["progress", { progress: { g: {} } }]]);
  });

  it("answers pings and treats silence as a dead link", () => {
    const { events, ws } = connected();
    ws.recv("2");
    expect(ws.sent[ws.sent.length - 1]).toBe("3");
    vi.advanceTimersByTime(45001);
    expect(events).toContainEqual(["disconnect", "ping timeout"]);
    expect(ws.closed).toBe(true);
  });

  it("reconnects with backoff after the connection drops, with a fresh auth", () => {
    const { s, events, ws } = connected();
    ws.drop();
    expect(events).toContainEqual(["disconnect", "transport close"]);
    expect(s.connected_).toBe(false);
    expect(s.active_).toBe(true);
    vi.advanceTimersByTime(1600);
    expect(FakeWs.all.length).toBe(2);
    last().open();
    last().recv('40/widget,{"sid":"n2"}');
    expect(s.connected_).toBe(true);
    expect(last().sent[0]).toBe('40/widget,{"token":"t1"}');
  });

  it("reports a refused connect with its reason and does not retry", () => {
    const events: unknown[][] = [];
    const s = createSocket("http://guide.test/widget", { auth: { token: "bad" } }, FakeWs as unknown as typeof WebSocket);
    s.on_("connect_error", (err: Error & { data?: unknown }) => events.push([err.message, err.data]));
    s.connect_();
    expect(last().url).toBe("ws://guide.test/socket.io/?EIO=4&transport=websocket");
    last().open();
    last().recv('44/widget,{"message":"Token expired.","data":{"code":"socket_token_expired","message":"Token expired."}}');
    expect(events).toEqual([["Token expired.", { code: "socket_token_expired", message: "Token expired." }]]);
    expect(s.active_).toBe(false);
    vi.advanceTimersByTime(60000);
    expect(FakeWs.all.length).toBe(1);
    s.connect_(); // the widget re-bootstraps, then connects again
    expect(FakeWs.all.length).toBe(2);
  });

  it("disconnect() leaves the namespace, closes and stays closed", () => {
    const { s, events, ws } = connected();
    s.disconnect_();
    expect(ws.sent[ws.sent.length - 1]).toBe("41/widget,");
    expect(ws.closed).toBe(true);
    expect(events).toContainEqual(["disconnect", "io client disconnect"]);
    vi.advanceTimersByTime(60000);
    expect(FakeWs.all.length).toBe(1);
  });

  it("a failed attempt is a connect_error, then it retries", () => {
    const errors: string[] = [];
    const s = createSocket("https://guide.test/widget", {}, FakeWs as unknown as typeof WebSocket);
    s.on_("connect_error", (err: Error) => errors.push(err.message));
    s.connect_();
    last().drop();
    expect(errors.length).toBe(1);
    vi.advanceTimersByTime(1600);
    expect(FakeWs.all.length).toBe(2);
  });
});

describe("a page whose CSP forbids WebSockets", () => {
  it("gives up after the first refusal and says so once, instead of retrying forever", () => {
    let attempts = 0;
    const Refused = function () {
      attempts++;
      throw new DOMException("Refused to connect: Content-Security-Policy connect-src", "SecurityError");
    } as unknown as typeof WebSocket;
    const errors: Array<{ data?: { code?: string } }> = [];
    const s = createSocket("https://guide.test/widget", { auth: { token: "t" } }, Refused);
    s.on_("connect_error", (err: { data?: { code?: string } }) => errors.push(err));
    s.connect_();
    vi.advanceTimersByTime(60_000);
    expect(attempts).toBe(1);
    expect(errors.map((e) => e.data?.code)).toEqual(["websocket_blocked"]);
    expect(s.active_).toBe(false);
  });

  it("still retries a plain transport failure", () => {
    let attempts = 0;
    const Failing = function () {
      attempts++;
      throw new TypeError("network down");
    } as unknown as typeof WebSocket;
    const s = createSocket("https://guide.test/widget", { auth: { token: "t" } }, Failing);
    s.connect_();
    vi.advanceTimersByTime(60_000);
    expect(attempts).toBeGreaterThan(3);
    s.disconnect_();
  });
});

describe("a page with Prototype.js-style built-ins", () => {
  it("still sends the event as an array, with its ack id", () => {
    const stringify = JSON.stringify;
    Object.defineProperty(Array.prototype, "toJSON", {
      configurable: true,
      value(this: unknown[]) {
        return `[${this.map((x) => stringify(x)).join(", ")}]`;
      },
    });
    try {
      const { s, ws } = connected();
      s.emit_("step:complete", { id: "e1", guide: "g", step: "a", tags: ["x"] }, () => {});
      const frame = ws.sent[ws.sent.length - 1];
      const m = /^42\/widget,(\d+)(.*)$/.exec(frame)!;
      expect(m[1]).toBe("0");
      expect(JSON.parse(m[2], (_k, v) => v)).toEqual(["step:complete", { id: "e1", guide: "g", step: "a", tags: ["x"] }]);
    } finally {
      delete (Array.prototype as { toJSON?: unknown }).toJSON;
    }
  });
});

describe("Chromium's way of refusing a WebSocket under CSP", () => {
  it("notices the securitypolicyviolation for its own endpoint and stops trying", () => {
    const events: unknown[][] = [];
    const s = createSocket("https://guide.test/widget", { auth: { token: "t" } }, FakeWs as unknown as typeof WebSocket);
    s.on_("connect_error", (err: { data?: { code?: string } }) => events.push(["connect_error", err.data?.code]));
    s.connect_();
    const violation = (uri: string, disposition = "enforce") =>
      document.dispatchEvent(Object.assign(new Event("securitypolicyviolation"), { blockedURI: uri, disposition }));
    violation("wss://other.example/socket.io/"); // someone else's
    violation("wss://guide.test/socket.io/", "report"); // report-only: not blocked
    expect(events).toEqual([]);
    violation("wss://guide.test/socket.io/");
    expect(events).toEqual([["connect_error", "websocket_blocked"]]);
    vi.advanceTimersByTime(60_000);
    expect(FakeWs.all).toHaveLength(1); // never tried again
    expect(s.active_).toBe(false);
  });
});

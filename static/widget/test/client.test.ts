import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/client";
import { SOCKET_GRACE_MS } from "../src/link";
import { bootstrapBodies, bootstrapPayload, fakeIo, harness, jsonResponse, settle, type Harness } from "./helpers";

let h: Harness | undefined;
beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  history.replaceState(null, "", "/app/dashboard?tab=1");
});
afterEach(() => {
  h?.api.destroy();
  h = undefined;
  vi.useRealTimers();
  document.body.replaceChildren();
});

const tracks = (s: { emitted: Array<{ event: string; data: any }> }) => s.emitted.filter((e) => e.event === "event:track").map((e) => e.data);

describe("bootstrap and realtime", () => {
  it("bootstraps once for queued identify + group, as PROTOCOL.md section 1 says", async () => {
    h = harness();
    h.api.init({ appKey: "demo", server: "https://guide.test/" });
    h.api.identify("user-123", { name: "Ada" }, { token: "jwt" });
    h.api.group("acme", { plan: "pro" });
    await settle();
    expect(h.fetch).toHaveBeenCalledTimes(1);
    expect(h.fetch.mock.calls[0][0]).toBe("https://guide.test/api/v1/widget/bootstrap");
    expect(bootstrapBodies(h.fetch)).toEqual([
      {
        app: "demo",
        user: { id: "user-123", traits: { name: "Ada" } },
        account: { id: "acme", traits: { plan: "pro" } },
        token: "jwt",
        url: "/app/dashboard?tab=1",
        locale: navigator.language,
      },
    ]);
  });

  it("connects Socket.IO to the /widget namespace over WebSocket only, with the socket token", async () => {
    h = harness();
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    await settle();
    const s = h.socket();
    expect(s.uri).toBe("https://guide.test/widget");
    expect(s.opts).toMatchObject({ path: "/socket.io", transports: ["websocket"], reconnection: true });
    expect(s.token()).toEqual({ token: "sock-1" });
  });

  it("sends $page after bootstrap and on SPA navigation; track() carries name, props, at, url", async () => {
    h = harness();
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    h.api.track("integration_connected", { source: "postgres" });
    await settle();
    const s = h.socket();
    expect(tracks(s)).toEqual([]); // not connected yet: queued
    s.accept();
    history.pushState({}, "", "/app/integrations");
    await settle();
    expect(tracks(s)).toEqual([
      { id: expect.any(String), name: "integration_connected", props: { source: "postgres" }, at: expect.any(String), url: "/app/dashboard?tab=1" },
      { id: expect.any(String), name: "$page", url: "/app/dashboard?tab=1", at: expect.any(String) },
      { id: expect.any(String), name: "$page", url: "/app/integrations", at: expect.any(String) },
    ]);
    const ids = tracks(s).map((t) => t.id);
    expect(new Set(ids).size).toBe(3);
  });

  it("re-bootstraps and reconnects when another user is identified", async () => {
    h = harness();
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    h.socket().accept();
    h.api.identify("user-123"); // same user: nothing to do
    await settle();
    expect(bootstrapBodies(h.fetch)).toHaveLength(1);
    h.api.identify("user-456");
    await settle();
    expect(bootstrapBodies(h.fetch).map((b) => b.user.id)).toEqual(["user-123", "user-456"]);
    expect(h.sockets).toHaveLength(1);
    expect(h.socket().disconnects).toBe(1);
    expect(h.socket().connects).toBe(1);
  });

  it("bootstraps again on socket_token_expired and reconnects with the new token", async () => {
    let n = 0;
    h = harness(() => bootstrapPayload({ socket: { namespace: "/widget", path: "/socket.io", token: `sock-${++n}` } }));
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    const s = h.socket();
    s.active_ = false; // a refused handshake does not retry by itself
    s.fire("connect_error", Object.assign(new Error("expired"), { data: { code: "socket_token_expired", message: "Expired." } }));
    await settle();
    expect(bootstrapBodies(h.fetch)).toHaveLength(2);
    expect(s.connects).toBe(1);
    expect(s.token()).toEqual({ token: "sock-2" });
  });

  it("bootstraps again when guides change", async () => {
    h = harness();
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    h.socket().fire("guides:changed", {});
    await settle();
    expect(bootstrapBodies(h.fetch)).toHaveLength(2);
    expect(h.sockets).toHaveLength(1);
  });

  it("falls back to the HTTP batch endpoint when the socket has not connected in time", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    h = harness();
    h.fetch.mockImplementation(async (url: string, init?: RequestInit) => {
      if (url.endsWith("/bootstrap")) return jsonResponse(bootstrapPayload());
      const body = JSON.parse(String(init?.body));
      return jsonResponse({
        results: body.envelopes.map((e: { data: { id: string } }) => ({ ok: true, id: e.data.id, duplicate: false, progress: {}, completed: [] })),
      });
    });
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    h.api.track("clicked");
    await vi.advanceTimersByTimeAsync(10);
    expect(h.fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(SOCKET_GRACE_MS);
    const [url, init] = h.fetch.mock.calls[1];
    expect(url).toBe("https://guide.test/api/v1/widget/events");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer sock-1");
    const { envelopes } = JSON.parse(String(init.body));
    expect(envelopes.map((e: { type: string; data: { name: string } }) => [e.type, e.data.name])).toEqual([
      ["event:track", "clicked"],
      ["event:track", "$page"],
    ]);
    expect(h.socket().emitted).toEqual([]);
  });
});

describe("client connection errors", () => {
  const info = { namespace: "/widget", path: "/socket.io", token: "t" };
  const handlers = { progress_: vi.fn(), guidesChanged_: vi.fn(), tokenExpired_: vi.fn(), error_: vi.fn(), settled_: vi.fn(), nudge_: vi.fn() };

  it("reports refused connections but not plain network failures", () => {
    const { io, sockets } = fakeIo();
    const error = vi.fn();
    const client = createClient("https://guide.test", { fetch_: vi.fn() as never, io_: io }, { ...handlers, error_: error });
    client.connect_(info, false, "s");
    sockets[0].fire("connect_error", new Error("xhr poll error"));
    expect(error).not.toHaveBeenCalled();
    sockets[0].fire("connect_error", Object.assign(new Error("no"), { data: { code: "origin_not_allowed", message: "Origin not allowed." } }));
    expect(error).toHaveBeenCalledWith({ code: "origin_not_allowed", message: "Origin not allowed." });
    client.destroy_();
  });
});

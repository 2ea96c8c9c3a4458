import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../src/client";
import { SEARCH_SETTLE_MS } from "../src/helphost";
import { memoryStore } from "../src/storage";
import { VIEW_DELAY_MS, type Client, type ClientHandlers } from "../src/transport";
import { fakeIo, harness, jsonResponse, settle, type Harness } from "./helpers";

/** Analytics views (docs/PROTOCOL.md): batched, never one socket round trip each, and deduplicated. */

const INFO = { namespace: "/widget", path: "/socket.io", token: "tok-a" };
const A = JSON.stringify(["https://guide.test", "demo", "ada"]);
const ok = (id: string) => ({ ok: true, id, duplicate: false, progress: {}, completed: [] });
const view = (id: string, name = "$step_shown") => ({ id, name, props: { guide: "g", step: id }, at: "2026-01-01T00:00:00Z" });

describe("view batching (client)", () => {
  let client: Client;
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] }));
  afterEach(() => {
    client?.destroy_();
    vi.useRealTimers();
  });

  async function connected() {
    const { io, sockets } = fakeIo();
    const on: ClientHandlers = { progress_: vi.fn(), guidesChanged_: vi.fn(), tokenExpired_: vi.fn(), error_: vi.fn(), settled_: vi.fn(), nudge_: vi.fn() };
    client = createClient("https://guide.test", { fetch_: vi.fn() as never, io_: io, store_: memoryStore(), random_: () => 1 }, on);
    await client.use_(A);
    client.connect_(INFO, false, A);
    sockets[0].accept();
    return { s: sockets[0], on };
  }

  it("holds views for VIEW_DELAY_MS, then sends them all in one envelopes emit, each settled by its own result", async () => {
    const { s, on } = await connected();
    const acks = ["v1", "v2", "v3"].map((id) => client.send_("event:track", view(id), true));
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS - 1);
    expect(s.emitted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.batches.map((b) => b.envelopes.map((e) => e.data.id))).toEqual([["v1", "v2", "v3"]]);
    expect(s.batches[0].envelopes.every((e) => e.type === "event:track")).toBe(true);
    s.emitted.forEach((e) => e.ack(ok(e.data.id)));
    expect(await Promise.all(acks)).toEqual(["v1", "v2", "v3"].map(ok));
    expect(on.settled_).toHaveBeenCalledTimes(3);
    expect(client.pending_()).toEqual([]);
  });

  it("views go at once with the next envelope that is not a view, in one emit", async () => {
    const { s } = await connected();
    void client.send_("event:track", view("v1"), true);
    void client.send_("event:track", view("v2"), true);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.emitted).toEqual([]);
    void client.send_("event:track", { id: "p1", name: "$page", url: "/x" });
    await vi.advanceTimersByTimeAsync(0);
    // Three envelopes, one round trip.
    expect(s.batches.map((b) => b.envelopes.map((e) => e.data.id))).toEqual([["v1", "v2", "p1"]]);
    // The timer finds nothing left to send.
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS);
    expect(s.batches.length).toBe(1);
    expect(s.emitted.length).toBe(3);
  });

  it("a batch refused as a whole (expired token) keeps every view for a resend with the same ids", async () => {
    const { s, on } = await connected();
    void client.send_("event:track", view("v1"), true);
    void client.send_("event:track", view("v2"), true);
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS);
    // The server answers a batch refused as a whole with one error (guide/realtime/widget.py).
    s.batches[0].ack({ ok: false, error: { code: "socket_token_expired", message: "x" } });
    expect(on.tokenExpired_).toHaveBeenCalled();
    expect(client.pending_().map((r) => r.id)).toEqual(["v1", "v2"]);
  });

  it("a single view goes as a plain event:track (an older server knows no envelopes event)", async () => {
    const { s } = await connected();
    void client.send_("event:track", view("v1"), true);
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS);
    expect(s.batches).toEqual([]);
    expect(s.emitted.map((e) => [e.event, e.data.id])).toEqual([["event:track", "v1"]]);
  });
});

describe("views the widget records", () => {
  let h: Harness;
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    history.replaceState(null, "", "/app/dashboard");
  });
  afterEach(() => {
    h?.api.destroy();
    vi.useRealTimers();
    document.body.replaceChildren();
  });

  const tracked = (name: string) =>
    h
      .socket()
      .emitted.filter((e) => e.event === "event:track" && e.data.name === name)
      .map((e) => e.data.props);

  async function boot(): Promise<void> {
    h = harness();
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    h.socket().accept();
    await settle();
  }
  const flushViews = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, VIEW_DELAY_MS + 50));
    await settle();
  };

  it("checklist: opened, shown once per guide per page, an item expanded and its button clicked", async () => {
    await boot();
    const launcher = () => h.root().querySelector<HTMLElement>('[data-testid="guide-launcher"]')!;
    launcher().click();
    await settle();
    launcher().click(); // closed
    launcher().click(); // opened again: a second opening, not a second showing
    await settle();
    h.$('li[data-step="read-docs"] [data-testid="step-toggle"]')!.click();
    h.$('li[data-step="connect-data"] [data-testid="step-action"]')!.addEventListener("click", (e) => e.preventDefault());
    h.$('li[data-step="connect-data"] [data-testid="step-action"]')!.click();
    await flushViews();
    expect(tracked("$checklist_open")).toEqual([{ guide: "getting-started" }, { guide: "getting-started" }]);
    expect(tracked("$guide_shown")).toEqual([{ guide: "getting-started" }]);
    expect(tracked("$item_expanded")).toEqual([{ guide: "getting-started", step: "read-docs" }]);
    expect(tracked("$item_clicked")).toEqual([{ guide: "getting-started", step: "connect-data" }]);
    // All of it in batches: fewer emits than views.
    expect(h.socket().batches.length).toBeGreaterThan(0);
  }, 10000);

  it("help: an article read and the search the user settled on, not each keystroke's", async () => {
    await boot();
    h.fetch.mockImplementation(async (url: string) =>
      String(url).includes("/help/")
        ? jsonResponse({ key: "a1", title: "A1", body_html: "<p>x</p>" })
        : jsonResponse({ articles: String(url).includes("q=zz") ? [] : [{ key: "a1", title: "A1" }] }),
    );
    h.root().querySelector<HTMLElement>('[data-testid="guide-help-button"]')!.click();
    await settle();
    const input = h.root().querySelector<HTMLInputElement>('[data-testid="help-search"]')!;
    for (const q of ["z", "zz"]) {
      input.value = q;
      input.dispatchEvent(new Event("input"));
      await new Promise((r) => setTimeout(r, 300)); // past the panel's debounce, not the settle time
    }
    await new Promise((r) => setTimeout(r, SEARCH_SETTLE_MS));
    await flushViews();
    expect(tracked("$help_search")).toEqual([{ query: "zz", results: 0 }]);
    input.value = "";
    input.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 300));
    h.root().querySelector<HTMLElement>('[data-testid="help-article"]')!.click();
    await flushViews();
    expect(tracked("$article_view")).toEqual([{ article: "a1", guide: "getting-started", step: "connect-data" }]);
  }, 15000);
});

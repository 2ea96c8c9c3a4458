import { afterEach, describe, expect, it, vi } from "vitest";
import type { Parts } from "../src/parts";
import { createSession } from "../src/session";
import { createStore } from "../src/store";
import { VIEW_DELAY_MS } from "../src/transport";
import { bootstrapBodies, bootstrapPayload, type Fake, fakeIo, jsonResponse, settle } from "./helpers";
import { EN } from "./strings";

/** A session over fake parts, with fetch and the socket faked; `answer` is the next bootstrap's. */
function setup() {
  const { io, sockets } = fakeIo();
  const answers: Array<() => Promise<Response>> = [];
  const fetch = vi.fn(async (url: string) => {
    if (url.endsWith("/bootstrap")) return (answers.shift() ?? (async () => jsonResponse(bootstrapPayload())))();
    return jsonResponse({ results: [] });
  });
  const w = {
    win_: window,
    store_: createStore(),
    ui_: { setError_: vi.fn() },
    events_: { emit_: vi.fn() },
    report_: vi.fn(),
    deps_: { fetch_: fetch as unknown as typeof globalThis.fetch, io_: io },
    booted_: vi.fn(),
    author_: { token_: vi.fn(() => null), draft_: vi.fn(() => null), seen_: vi.fn() },
    nudges_: { add_: vi.fn(), clear_: vi.fn() },
    director_: { changed_: vi.fn() },
  } satisfies Fake<Parts>;
  const session = createSession(w as unknown as Parts);
  const events = (name: string) => w.events_.emit_.mock.calls.filter(([e]) => e === name).map(([, p]) => p);
  return { w, session, fetch, sockets, answers, events };
}

describe("createSession", () => {
  let destroy = (): void => {};
  afterEach(() => {
    destroy();
    vi.useRealTimers();
  });

  it("coalesces identify and group into one bootstrap, then is ready once with the guides", async () => {
    const { w, session, fetch, events } = setup();
    destroy = session.destroy_;
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", traits: { plan: "pro" }, token: "jwt" });
    session.group_({ id: "acme" });
    await settle();
    expect(bootstrapBodies(fetch)).toEqual([
      expect.objectContaining({ app: "demo", user: { id: "u1", traits: { plan: "pro" } }, account: { id: "acme" }, token: "jwt", url: "/" }),
    ]);
    expect(events("ready")).toEqual([{ user: { id: "user-123", locale: "en" }, guides: ["getting-started"] }]);
    expect(session.data_?.guides.map((g) => g.key)).toEqual(["getting-started"]);
    expect(w.store_.isDone_("getting-started", "welcome")).toBe(true);
    expect(w.author_.seen_).toHaveBeenCalledWith(undefined);
    expect(w.booted_).toHaveBeenCalledTimes(1);
    session.group_({ id: "acme" });
    await settle();
    expect(bootstrapBodies(fetch)).toHaveLength(1);
  });

  it("sends what was tracked before there was a server and a user, in order, after the first bootstrap", async () => {
    const { session, sockets } = setup();
    destroy = session.destroy_;
    session.track_("first");
    session.track_("second", { n: 2 });
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", token: null });
    await settle();
    sockets[0].accept();
    await settle();
    const tracked = sockets[0].emitted.filter((e) => e.event === "event:track").map((e) => [e.data.name, e.data.props]);
    expect(tracked).toEqual([["first", undefined], ["second", { n: 2 }], ["$page", undefined]]);
  });

  it("a newer identify's answer wins over an older one still in flight", async () => {
    const { session, answers, events } = setup();
    destroy = session.destroy_;
    let release: (r: Response) => void = () => {};
    answers.push(() => new Promise<Response>((r) => (release = r)));
    answers.push(async () => jsonResponse(bootstrapPayload({ user: { id: "u2", locale: "fr" } })));
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", token: null });
    await settle();
    session.identify_({ id: "u2", token: null });
    await settle();
    release(jsonResponse(bootstrapPayload({ user: { id: "u1", locale: "en" } })));
    await settle();
    expect(events("ready")).toEqual([{ user: { id: "u2", locale: "fr" }, guides: ["getting-started"] }]);
  });

  it("another user signing in clears the nudges and connects afresh", async () => {
    const { w, session, sockets } = setup();
    destroy = session.destroy_;
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", token: null });
    await settle();
    session.identify_({ id: "u2", token: null });
    await settle();
    expect(w.nudges_.clear_).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].disconnects).toBe(1);
  });

  it("a previewed draft's progress stays in the page; its tracked events still go out", async () => {
    const { w, session, sockets } = setup();
    destroy = session.destroy_;
    w.author_.draft_.mockReturnValue("draft-guide" as never);
    await expect(session.send_("guide:state", { guide: "draft-guide", state: "active" })).resolves.toEqual({ ok: true });
    void session.send_("event:track", { guide: "draft-guide", name: "x" });
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", token: null });
    await settle();
    sockets[0].accept();
    await settle();
    expect(sockets[0].emitted.map((e) => [e.event, e.data.name])).toEqual([["event:track", "x"], ["event:track", "$page"]]);
  });

  /** A session connected for u1 while an author previews `draft`, on fake timers. */
  async function previewing(draft: string): Promise<ReturnType<typeof setup>> {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const made = setup();
    destroy = made.session.destroy_;
    made.w.author_.draft_.mockReturnValue(draft as never);
    made.session.init_("demo", "https://guide.test");
    made.session.identify_({ id: "u1", token: null });
    await vi.advanceTimersByTimeAsync(0);
    made.sockets[0].accept();
    return made;
  }

  it("views count once per guide per page, and never for a previewed draft; a view naming no guide still goes", async () => {
    const { session, sockets } = await previewing("draft-guide");
    for (let i = 0; i < 3; i++) session.track_("$guide_shown", { guide: "published" }, true);
    session.track_("$guide_shown", { guide: "draft-guide" }, true);
    session.track_("$step_shown", { guide: "draft-guide", step: "a" }, true);
    session.track_("$article_view", { article: "a1", guide: null, step: null }, true);
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS);
    const views = sockets[0].emitted.filter((e) => e.data.name !== "$page").map((e) => [e.data.name, e.data.props.guide]);
    expect(views).toEqual([["$guide_shown", "published"], ["$article_view", null]]);
  });

  it("a previewed draft message or survey: its views, seen, clicks and answers stay in the page; others' go", async () => {
    const { session, sockets } = await previewing("draft-msg");
    session.track_("$announcement_seen", { announcement: "draft-msg" });
    session.track_("$announcement_clicked", { announcement: "draft-msg", step: "main" });
    session.track_("$hotspot_seen", { hotspot: "draft-msg", step: "a" }, true);
    session.track_("$tooltip_shown", { tooltip: "draft-msg", step: "a" });
    session.track_("$survey_shown", { survey: "draft-msg" });
    await expect(session.send_("survey:answer", { survey: "draft-msg", version: 2, answers: { score: 3 } })).resolves.toEqual({ ok: true });
    session.track_("$announcement_seen", { announcement: "published" });
    session.track_("$target_missing", { guide: "draft-msg", step: "a", selector: "#x" });
    await vi.advanceTimersByTimeAsync(VIEW_DELAY_MS);
    const sent = sockets[0].emitted.filter((e) => e.data.name !== "$page").map((e) => [e.event, e.data.name]);
    expect(sent).toEqual([["event:track", "$announcement_seen"]]);
    expect(sockets[0].emitted.find((e) => e.data.name === "$announcement_seen")!.data.props).toEqual({ announcement: "published" });
  });

  it("waits as long as a rate-limited bootstrap is told to, then asks again", async () => {
    vi.useFakeTimers();
    try {
      const { session, fetch, answers, w } = setup();
      destroy = session.destroy_;
      answers.push(async () => jsonResponse({ error: { code: "rate_limited", message: "slow down", retry_after: 2 } }, 429));
      session.init_("demo", "https://guide.test");
      session.identify_({ id: "u1", token: null });
      await vi.advanceTimersByTimeAsync(1);
      expect(bootstrapBodies(fetch)).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1500);
      expect(bootstrapBodies(fetch)).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(600);
      expect(bootstrapBodies(fetch)).toHaveLength(2);
      expect(w.report_).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it("marks a step done at once, and shows the error when the server refuses it", async () => {
    const { w, session, sockets } = setup();
    destroy = session.destroy_;
    session.init_("demo", "https://guide.test");
    session.identify_({ id: "u1", token: null });
    await settle();
    sockets[0].accept();
    await settle();
    session.markDone_("getting-started", "invite");
    expect(w.store_.isDone_("getting-started", "invite")).toBe(true);
    await settle();
    const sent = sockets[0].emitted.find((e) => e.event === "step:complete")!;
    sent.ack({ ok: false, error: { code: "unknown_step", message: "No such step." } });
    await settle();
    expect(w.store_.isDone_("getting-started", "invite")).toBe(false);
    expect(w.ui_.setError_).toHaveBeenCalledWith("getting-started", "invite", EN.save_failed);
    expect(w.report_).toHaveBeenCalledWith({ code: "unknown_step", message: "No such step." });
  });
});

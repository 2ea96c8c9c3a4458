import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthorHost, AuthorTools } from "../src/author/contract";
import { createAuthorMode } from "../src/authormode";
import type { Parts } from "../src/parts";
import { type Fake, settle } from "./helpers";

/** Author mode over fake parts and fake tools; `host` is what dist/author.js was given. */
function setup() {
  const tools = { preview: vi.fn(), pick: vi.fn(), destroy: vi.fn() } satisfies AuthorTools;
  const made = { host: null as AuthorHost | null };
  const request = vi.fn(async () => ({ ok: true as const }));
  const w = {
    win_: window,
    report_: vi.fn(),
    load_: { author_: vi.fn(async () => (host: AuthorHost) => ((made.host = host), tools)) },
    session_: { refresh_: vi.fn(), client_: () => ({ request_: request }) },
    director_: { evaluate_: vi.fn() },
  } satisfies Fake<Parts>;
  return { w, tools, made, request, author: createAuthorMode(w as unknown as Parts) };
}

describe("createAuthorMode", () => {
  afterEach(() => {
    sessionStorage.clear();
    window.history.replaceState(null, "", "/");
  });

  it("takes the preview token out of the URL at init and keeps it for the tab", () => {
    window.history.replaceState(null, "", "/app?x=1&guide_preview=tok-1");
    const { author } = setup();
    expect(author.token_()).toBeNull();
    author.init_();
    expect(author.token_()).toBe("tok-1");
    expect(window.location.search).toBe("?x=1");
    const again = setup().author;
    again.init_();
    expect(again.token_()).toBe("tok-1");
  });

  it("loads nothing for an end user (no token, no preview)", () => {
    const { w, author } = setup();
    author.init_();
    author.seen_(undefined);
    expect(w.load_.author_).not.toHaveBeenCalled();
    expect(author.draft_()).toBeNull();
  });

  it("a refused preview forgets its token; an accepted one shows the badge and names the draft", async () => {
    window.history.replaceState(null, "", "/?guide_preview=tok-1");
    const { tools, author } = setup();
    author.init_();
    author.seen_({ ok: true, guide: "onboarding", version: 2 });
    await settle();
    expect(author.draft_()).toBe("onboarding");
    expect(tools.preview).toHaveBeenCalledWith({ ok: true, guide: "onboarding", version: 2 });
    author.seen_({ ok: false, error: { code: "preview_expired", message: "expired" } });
    await settle();
    expect(author.token_()).toBeNull();
    expect(author.draft_()).toBeNull();
    expect(sessionStorage.getItem("guide.guide_preview")).toBeNull();
  });

  it("leaving preview forgets the token and bootstraps again as a new session", async () => {
    window.history.replaceState(null, "", "/?guide_preview=tok-1");
    const { w, made, author } = setup();
    author.init_();
    author.seen_({ ok: true, guide: "onboarding" });
    await settle();
    made.host!.exitPreview();
    expect(author.token_()).toBeNull();
    expect(w.session_.refresh_).toHaveBeenCalledWith(true);
  });

  it("pick mode holds tours until the author picked, sending the selector with the pick token", async () => {
    window.history.replaceState(null, "", "/#guide_pick=pick-1");
    const { w, tools, made, request, author } = setup();
    author.init_();
    expect(author.picking_()).toBe(true);
    author.seen_(undefined);
    await settle();
    expect(tools.pick).toHaveBeenCalled();
    await made.host!.pick("#save");
    expect(request).toHaveBeenCalledWith("picker:selected", { token: "pick-1", selector: "#save", url: "/" });
    made.host!.pickDone();
    expect(author.picking_()).toBe(false);
    expect(w.director_.evaluate_).toHaveBeenCalled();
    author.destroy_();
    await settle();
    expect(tools.destroy).toHaveBeenCalled();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthorHost, AuthorTools } from "../src/author/contract";
import { createAuthorMode } from "../src/authormode";
import type { Parts } from "../src/parts";
import { settle } from "./helpers";

/** Author mode over fake parts and fake tools; `host` is what dist/author.js was given. */
function setup() {
  const tools = { preview: vi.fn(), pick: vi.fn(), destroy: vi.fn() } satisfies AuthorTools;
  const made = { host: null as AuthorHost | null };
  const request = vi.fn(async () => ({ ok: true as const }));
  const w = {
    win: window,
    report: vi.fn(),
    load: { author: vi.fn(async () => (host: AuthorHost) => ((made.host = host), tools)) },
    session: { refresh: vi.fn(), client: () => ({ request }) },
    director: { evaluate: vi.fn() },
  };
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
    expect(author.token()).toBeNull();
    author.init();
    expect(author.token()).toBe("tok-1");
    expect(window.location.search).toBe("?x=1");
    const again = setup().author;
    again.init();
    expect(again.token()).toBe("tok-1");
  });

  it("loads nothing for an end user (no token, no preview)", () => {
    const { w, author } = setup();
    author.init();
    author.seen(undefined);
    expect(w.load.author).not.toHaveBeenCalled();
    expect(author.draft()).toBeNull();
  });

  it("a refused preview forgets its token; an accepted one shows the badge and names the draft", async () => {
    window.history.replaceState(null, "", "/?guide_preview=tok-1");
    const { tools, author } = setup();
    author.init();
    author.seen({ ok: true, guide: "onboarding", version: 2 });
    await settle();
    expect(author.draft()).toBe("onboarding");
    expect(tools.preview).toHaveBeenCalledWith({ ok: true, guide: "onboarding", version: 2 });
    author.seen({ ok: false, error: { code: "preview_expired", message: "expired" } });
    await settle();
    expect(author.token()).toBeNull();
    expect(author.draft()).toBeNull();
    expect(sessionStorage.getItem("guide.guide_preview")).toBeNull();
  });

  it("leaving preview forgets the token and bootstraps again as a new session", async () => {
    window.history.replaceState(null, "", "/?guide_preview=tok-1");
    const { w, made, author } = setup();
    author.init();
    author.seen({ ok: true, guide: "onboarding" });
    await settle();
    made.host!.exitPreview();
    expect(author.token()).toBeNull();
    expect(w.session.refresh).toHaveBeenCalledWith(true);
  });

  it("pick mode holds tours until the author picked, sending the selector with the pick token", async () => {
    window.history.replaceState(null, "", "/#guide_pick=pick-1");
    const { w, tools, made, request, author } = setup();
    author.init();
    expect(author.picking()).toBe(true);
    author.seen(undefined);
    await settle();
    expect(tools.pick).toHaveBeenCalled();
    await made.host!.pick("#save");
    expect(request).toHaveBeenCalledWith("picker:selected", { token: "pick-1", selector: "#save", url: "/" });
    made.host!.pickDone();
    expect(author.picking()).toBe(false);
    expect(w.director.evaluate).toHaveBeenCalled();
    author.destroy();
    await settle();
    expect(tools.destroy).toHaveBeenCalled();
  });
});

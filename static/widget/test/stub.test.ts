import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { install, serverFromScript } from "../src/install";
import { stub } from "../src/stub";

type G = Window & { Guide?: any };
const w = window as G;

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});

afterEach(() => {
  try {
    w.Guide?.destroy?.();
  } catch {
    /* a test may leave a non-widget value behind */
  }
  delete w.Guide;
  document.head.querySelectorAll("script").forEach((s) => s.remove());
  document.body.replaceChildren();
});

describe("loader stub", () => {
  it("queues calls as [method, args] and inserts one async script from the server", () => {
    stub(w, document, "https://guide.example.com");
    w.Guide.init({ appKey: "demo" });
    w.Guide.identify("u1", { plan: "trial" });
    expect(Array.isArray(w.Guide)).toBe(true);
    expect([...w.Guide]).toEqual([
      ["init", [{ appKey: "demo" }]],
      ["identify", ["u1", { plan: "trial" }]],
    ]);
    const scripts = document.querySelectorAll<HTMLScriptElement>("script");
    expect(scripts).toHaveLength(1);
    expect(scripts[0].src).toBe("https://guide.example.com/widget/guide.js");
    expect(scripts[0].async).toBe(true);
  });

  it("does nothing when included twice", () => {
    stub(w, document, "https://guide.example.com");
    w.Guide.track("a");
    const first = w.Guide;
    stub(w, document, "https://guide.example.com");
    expect(w.Guide).toBe(first);
    expect(first).toHaveLength(1);
    expect(document.querySelectorAll("script")).toHaveLength(1);
  });

  it("does nothing when the real widget is already there", () => {
    install(w);
    const real = w.Guide;
    stub(w, document, "https://guide.example.com");
    expect(w.Guide).toBe(real);
    expect(document.querySelectorAll("script")).toHaveLength(0);
  });
});

describe("bundle install", () => {
  it("replays queued calls in order, then replaces the queue with the real API", async () => {
    stub(w, document, "");
    const seen: string[] = [];
    w.Guide.on("error", (e: { code: string }) => seen.push(e.code));
    w.Guide.identify(""); // invalid: must surface as an error event, in order, after on()
    w.Guide.init({ appKey: "demo", server: "https://guide.test" });
    const queue = w.Guide;
    const api = install(w);
    expect(w.Guide).toBe(api);
    expect(w.Guide.__guide).toBeTruthy();
    expect(queue).toHaveLength(0);
    expect(seen).toEqual(["invalid_user"]);
    // A second init proves the first one was replayed.
    w.Guide.init({ appKey: "demo" });
    expect(seen).toEqual(["invalid_user", "already_initialized"]);
  });

  it("keeps references to the old stub working", () => {
    stub(w, document, "");
    const old = w.Guide;
    install(w);
    const cb = vi.fn();
    old.on("error", cb);
    old.track(42);
    expect(cb).toHaveBeenCalledWith(expect.objectContaining({ code: "invalid_event" }));
  });

  it("is safe to load twice: the second copy keeps the first instance", () => {
    const first = install(w);
    const second = install(w);
    expect(second).toBe(first);
    expect(w.Guide).toBe(first);
  });

  it("leaves an unrelated window.Guide alone", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    w.Guide = { somethingElse: true };
    expect(install(w)).toBeUndefined();
    expect(w.Guide).toEqual({ somethingElse: true });
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("[Guide]"));
  });

  it("shadows an element named Guide (window.Guide by named access) instead of giving up", () => {
    const el = document.createElement("div");
    el.id = "Guide";
    document.body.append(el);
    // What a browser's named access shows (jsdom does not implement it).
    w.Guide = el;
    stub(w, document, "https://guide.example.com");
    expect(() => w.Guide.init({ appKey: "demo" })).not.toThrow();
    expect([...w.Guide]).toEqual([["init", [{ appKey: "demo" }]]]);
    const api = install(w);
    expect(api).toBeDefined();
    expect(w.Guide).toBe(api);
    expect(document.getElementById("Guide")).toBe(el); // the host's element is untouched
  });

  it("installs over an element named Guide when the bundle is loaded without the stub", () => {
    const el = document.createElement("div");
    el.id = "Guide";
    w.Guide = el;
    expect(install(w)?.__guide).toBeTruthy();
  });

  it("says why once when window.Guide belongs to another script", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    w.Guide = { somethingElse: true };
    stub(w, document, "https://guide.example.com");
    expect(w.Guide).toEqual({ somethingElse: true });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("[Guide] window.Guide is taken"));
    expect(document.querySelectorAll("script")).toHaveLength(0);
  });

  it("derives the default server from the script URL, sub-paths included", () => {
    expect(serverFromScript("https://g.example.com/widget/guide.js", "https://host.test")).toBe("https://g.example.com");
    expect(serverFromScript("https://ex.com/guide/widget/guide.js?v=1", "https://host.test")).toBe("https://ex.com/guide");
    expect(serverFromScript(null, "https://host.test")).toBe("https://host.test");
  });
});

/** A fresh copy of the package entry (its waiting queue is module state). */
async function load() {
  vi.resetModules();
  return import("../src/package");
}

describe("npm package entry", () => {
  it("touches nothing before init, then hands the waiting calls to the snippet's queue in order", async () => {
    const guide = await load();
    guide.identify("u1", { plan: "trial" });
    guide.group("acme");
    expect(w.Guide).toBeUndefined();
    expect(document.querySelectorAll("script")).toHaveLength(0);

    guide.init({ appKey: "demo", server: "https://guide.example.com/" });
    guide.track("signed_up");
    expect([...w.Guide]).toEqual([
      ["identify", ["u1", { plan: "trial" }]],
      ["group", ["acme"]],
      ["init", [{ appKey: "demo", server: "https://guide.example.com/" }]],
      ["track", ["signed_up"]],
    ]);
    const scripts = document.querySelectorAll<HTMLScriptElement>("script");
    expect(scripts).toHaveLength(1);
    expect(scripts[0].src).toBe("https://guide.example.com/widget/guide.js");
    expect(scripts[0].async).toBe(true);
  });

  it("forwards to the real widget once guide.js has installed it", async () => {
    const guide = await load();
    const seen: string[] = [];
    guide.on("error", (e) => seen.push(e.code));
    guide.init({ appKey: "demo", server: "https://guide.test" });
    install(w);
    guide.track(42 as unknown as string);
    guide.init({ appKey: "demo" });
    expect(seen).toEqual(["invalid_event", "already_initialized"]);
    expect(document.querySelectorAll("script")).toHaveLength(1);
  });

  it("never throws when window.Guide belongs to another script", async () => {
    const guide = await load();
    w.Guide = { somethingElse: true };
    expect(() => {
      guide.init({ appKey: "demo" });
      guide.identify("u1");
      guide.openHelp();
    }).not.toThrow();
    expect(w.Guide).toEqual({ somethingElse: true });
  });
});

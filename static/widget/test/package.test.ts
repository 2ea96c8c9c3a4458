import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { install } from "../src/install";

type G = Window & { Guide?: any };
const w = window as G;

/** A fresh copy of the package entry (its waiting queue is module state). */
async function load() {
  vi.resetModules();
  return import("../src/package");
}

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
});

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

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApi, METHODS } from "../src/api";
import { bootstrapBodies, bootstrapPayload, harness, jsonResponse, settle } from "./helpers";

let errorLog: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  document.body.replaceChildren();
});

const BAD_ARGS: unknown[][] = [[], [undefined], [null], [42], [{}], ["x", "not-an-object", 7], [Symbol("s")], [{ toString: () => { throw new Error("x"); } }]];

describe("public API", () => {
  it("never throws, before init, with bad arguments", () => {
    const api = createApi("https://guide.test", () => {
      throw new Error("deps exploded");
    });
    for (const method of METHODS) {
      for (const args of BAD_ARGS) {
        expect(() => (api[method] as (...a: unknown[]) => void)(...args)).not.toThrow();
      }
    }
  });

  it("never throws after init either, and reports bad input as `error` events", async () => {
    const h = harness();
    const errors: string[] = [];
    h.api.on("error", (e) => errors.push(e.code));
    h.api.init({ appKey: "demo", server: "https://guide.test" });
    h.api.identify("user-123");
    await settle();
    for (const method of METHODS.filter((m) => m !== "destroy")) {
      for (const args of BAD_ARGS) {
        expect(() => (h.api[method] as (...a: unknown[]) => void)(...args)).not.toThrow();
      }
    }
    expect(errors).toContain("invalid_user");
    expect(errors).toContain("invalid_event");
    expect(errors).toContain("already_initialized");
    h.api.destroy();
  });

  it("logs each distinct problem once, with the [Guide] prefix", () => {
    const api = createApi("https://guide.test", () => harnessDeps());
    api.track("");
    api.track("");
    api.track("");
    const lines = errorLog.mock.calls.map((c) => String(c[0]));
    expect(lines).toEqual(["[Guide] Guide.track needs an event name."]);
  });

  it("contains a listener that throws", async () => {
    const h = harness();
    const after = vi.fn();
    h.api.on("ready", () => {
      throw new Error("host bug");
    });
    h.api.on("ready", after);
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    expect(after).toHaveBeenCalledOnce();
    h.api.destroy();
  });

  it("turns a failed bootstrap into an error event with the server's code", async () => {
    const h = harness();
    h.fetch.mockImplementation(async () => jsonResponse({ error: { code: "identity_required", message: "Sign the user." } }, 401));
    const onError = vi.fn();
    h.api.on("error", onError);
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    expect(onError).toHaveBeenCalledWith({ code: "identity_required", message: "Sign the user." });
    expect(document.querySelector("#guide-root")).toBeNull();
  });

  it("bootstraps again when the server's rate limit says, without reporting an error", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const h = harness(bootstrapPayload());
      const limited = { error: { code: "rate_limited", message: "Too many requests.", retry_after: 3 } };
      const answer = h.fetch.getMockImplementation()!;
      h.fetch.mockImplementationOnce(async () => jsonResponse(limited, 429));
      const onError = vi.fn();
      const ready = vi.fn();
      h.api.on("error", onError);
      h.api.on("ready", ready);
      h.api.init({ appKey: "demo" });
      h.api.identify("user-123");
      await vi.advanceTimersByTimeAsync(2999);
      expect(h.fetch).toHaveBeenCalledOnce();
      h.fetch.mockImplementation(answer);
      await vi.advanceTimersByTimeAsync(100);
      expect(bootstrapBodies(h.fetch)).toHaveLength(2);
      expect(ready).toHaveBeenCalledOnce();
      expect(onError).not.toHaveBeenCalled();
      h.api.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports a refused Guide.group once and does not retry the bootstrap", async () => {
    const h = harness();
    const refusal = { code: "group_not_trusted", message: "Sign the account into the identity token." };
    h.fetch.mockImplementation(async () => jsonResponse({ error: refusal }, 403));
    const onError = vi.fn();
    h.api.on("error", onError);
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123", {}, { token: "t" });
    h.api.group("victim-co");
    await settle();
    await settle();
    expect(onError).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(refusal);
    expect(h.fetch).toHaveBeenCalledOnce();
    h.api.destroy();
  });

  it("off() removes a listener; destroy() removes everything the widget added", async () => {
    const h = harness(bootstrapPayload());
    const ready = vi.fn();
    h.api.on("ready", ready);
    h.api.off("ready", ready);
    const push = vi.spyOn(history, "pushState");
    h.api.init({ appKey: "demo" });
    h.api.identify("user-123");
    await settle();
    expect(ready).not.toHaveBeenCalled();
    expect(document.querySelector("#guide-root")).not.toBeNull();
    const patched = history.pushState;
    expect(patched).not.toBe(push);
    h.api.destroy();
    expect(document.querySelector("#guide-root")).toBeNull();
    expect(history.pushState).toBe(push);
    expect(h.socket().disconnects).toBeGreaterThan(0);
    // After destroy the API is inert but still safe, and can start over.
    expect(() => h.api.track("x")).not.toThrow();
  });
});

function harnessDeps() {
  return { fetch_: vi.fn() as unknown as typeof fetch, io_: vi.fn() as never, window_: window };
}

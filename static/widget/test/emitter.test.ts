import { describe, expect, it, vi } from "vitest";
import { createEmitter } from "../src/emitter";

type Events = { ready: { user: string }; progress: number };

describe("emitter", () => {
  it("gives a listener added after the sticky event its latest payload at once", () => {
    const events = createEmitter<Events>(() => {}, "ready");
    events.emit_("ready", { user: "ada" });
    events.emit_("ready", { user: "grace" }); // another user signed in: the latest counts
    const late = vi.fn();
    events.on_("ready", late);
    expect(late).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledWith({ user: "grace" });
  });

  it("replays nothing for other events, before the sticky event, or after clear()", () => {
    const events = createEmitter<Events>(() => {}, "ready");
    const early = vi.fn();
    events.on_("ready", early);
    expect(early).not.toHaveBeenCalled();
    events.emit_("progress", 1);
    const progress = vi.fn();
    events.on_("progress", progress);
    expect(progress).not.toHaveBeenCalled();
    events.emit_("ready", { user: "ada" });
    events.clear_();
    const afterClear = vi.fn();
    events.on_("ready", afterClear);
    expect(afterClear).not.toHaveBeenCalled();
  });

  it("reports a late listener that throws instead of throwing into the caller", () => {
    const errors: unknown[] = [];
    const events = createEmitter<Events>((err) => errors.push(err), "ready");
    events.emit_("ready", { user: "ada" });
    expect(() => events.on_("ready", () => { throw new Error("host bug"); })).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

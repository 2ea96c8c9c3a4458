import { describe, expect, it, vi } from "vitest";
import { createStore } from "../src/store";

const base = () => ({ g: { state: "active" as const, completed: ["a"], total: 3 } });

describe("progress store", () => {
  it("shows an optimistic step as done before the server confirms it", () => {
    const store = createStore(base());
    const changed = vi.fn();
    store.subscribe_(changed);
    store.optimistic_("env-1", "g", "b");
    expect(store.isDone_("g", "b")).toBe(true);
    expect(store.isPending_("g", "b")).toBe(true);
    expect(store.get_("g")?.completed).toEqual(["a"]);
    expect(changed).toHaveBeenCalled();
  });

  it("reconciles an ok ack with the ack's progress", () => {
    const store = createStore(base());
    store.optimistic_("env-1", "g", "b");
    const changes = store.apply_(
      { g: { state: "completed", completed: ["a", "b", "c"], total: 3 } },
      [{ guide: "g", step: "b" }],
    );
    store.settle_("env-1");
    expect(store.isDone_("g", "b")).toBe(true);
    expect(store.isPending_("g", "b")).toBe(false);
    // c was completed server-side by the same envelope (e.g. a teammate's account step).
    expect(changes.completed_).toEqual([
      { guide: "g", step: "b" },
      { guide: "g", step: "c" },
    ]);
    expect(changes.guidesCompleted_).toEqual(["g"]);
  });

  it("reverts exactly the optimistic step on a nack", () => {
    const store = createStore(base());
    store.optimistic_("env-1", "g", "b");
    store.optimistic_("env-2", "g", "c");
    store.settle_("env-1");
    expect(store.isDone_("g", "b")).toBe(false);
    expect(store.isDone_("g", "c")).toBe(true);
    expect(store.isDone_("g", "a")).toBe(true);
  });

  it("applies a remote progress push and reports only what is new", () => {
    const store = createStore(base());
    const changes = store.apply_({ g: { state: "active", completed: ["a", "c"], total: 3 } });
    expect(store.isDone_("g", "c")).toBe(true);
    expect(changes.completed_).toEqual([{ guide: "g", step: "c" }]);
    expect(changes.guidesCompleted_).toEqual([]);
    expect(changes.changed_).toEqual(["g"]);
  });

  it("keeps a pending step done when a push without it arrives first", () => {
    const store = createStore(base());
    store.optimistic_("env-1", "g", "b");
    store.apply_({ g: { state: "active", completed: ["a"], total: 3 } });
    expect(store.isDone_("g", "b")).toBe(true);
  });

  it("reports nothing when the same progress comes again", () => {
    const store = createStore(base());
    expect(store.apply_(base())).toEqual({ completed_: [], guidesCompleted_: [], changed_: [] });
  });

  it("does not report ack completions the store already knew", () => {
    const store = createStore(base());
    const changes = store.apply_(undefined, [{ guide: "g", step: "a" }]);
    expect(changes.completed_).toEqual([]);
  });

  it("treats guides without progress as not started", () => {
    const store = createStore();
    expect(store.state_("nope")).toBe("not_started");
    expect(store.isDone_("nope", "x")).toBe(false);
  });
});

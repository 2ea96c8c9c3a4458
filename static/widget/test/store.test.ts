import { describe, expect, it, vi } from "vitest";
import { createStore } from "../src/store";

const base = () => ({ g: { state: "active" as const, completed: ["a"], total: 3 } });

describe("progress store", () => {
  it("shows an optimistic step as done before the server confirms it", () => {
    const store = createStore(base());
    const changed = vi.fn();
    store.subscribe(changed);
    store.optimistic("env-1", "g", "b");
    expect(store.isDone("g", "b")).toBe(true);
    expect(store.isPending("g", "b")).toBe(true);
    expect(store.get("g")?.completed).toEqual(["a"]);
    expect(changed).toHaveBeenCalled();
  });

  it("reconciles an ok ack with the ack's progress", () => {
    const store = createStore(base());
    store.optimistic("env-1", "g", "b");
    const changes = store.apply(
      { g: { state: "completed", completed: ["a", "b", "c"], total: 3 } },
      [{ guide: "g", step: "b" }],
    );
    store.settle("env-1");
    expect(store.isDone("g", "b")).toBe(true);
    expect(store.isPending("g", "b")).toBe(false);
    // c was completed server-side by the same envelope (e.g. a teammate's account step).
    expect(changes.completed).toEqual([
      { guide: "g", step: "b" },
      { guide: "g", step: "c" },
    ]);
    expect(changes.guidesCompleted).toEqual(["g"]);
  });

  it("reverts exactly the optimistic step on a nack", () => {
    const store = createStore(base());
    store.optimistic("env-1", "g", "b");
    store.optimistic("env-2", "g", "c");
    store.settle("env-1");
    expect(store.isDone("g", "b")).toBe(false);
    expect(store.isDone("g", "c")).toBe(true);
    expect(store.isDone("g", "a")).toBe(true);
  });

  it("applies a remote progress push and reports only what is new", () => {
    const store = createStore(base());
    const changes = store.apply({ g: { state: "active", completed: ["a", "c"], total: 3 } });
    expect(store.isDone("g", "c")).toBe(true);
    expect(changes.completed).toEqual([{ guide: "g", step: "c" }]);
    expect(changes.guidesCompleted).toEqual([]);
    expect(changes.changed).toEqual(["g"]);
  });

  it("keeps a pending step done when a push without it arrives first", () => {
    const store = createStore(base());
    store.optimistic("env-1", "g", "b");
    store.apply({ g: { state: "active", completed: ["a"], total: 3 } });
    expect(store.isDone("g", "b")).toBe(true);
  });

  it("reports nothing when the same progress comes again", () => {
    const store = createStore(base());
    expect(store.apply(base())).toEqual({ completed: [], guidesCompleted: [], changed: [] });
  });

  it("does not report ack completions the store already knew", () => {
    const store = createStore(base());
    const changes = store.apply(undefined, [{ guide: "g", step: "a" }]);
    expect(changes.completed).toEqual([]);
  });

  it("treats guides without progress as not started", () => {
    const store = createStore();
    expect(store.state("nope")).toBe("not_started");
    expect(store.isDone("nope", "x")).toBe(false);
  });
});

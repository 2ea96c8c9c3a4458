import { describe, expect, it } from "vitest";
import { pickTour, tours } from "../src/tours";
import type { Guide, Progress, Tour } from "../src/types";
import { tourStep } from "./helpers";

function tour(key: string, extra: Partial<Tour> = {}): Tour {
  return { key, kind: "tour", title: key, priority: 0, start: { url: "/demo/dashboard" }, steps: [tourStep("a"), tourStep("b")], ...extra };
}

const none = (): Progress | undefined => undefined;
const from = (map: Record<string, Partial<Progress>>) => (key: string) => map[key] as Progress | undefined;

describe("which tour starts", () => {
  it("keeps only tours with steps", () => {
    const guides = [tour("t"), tour("empty", { steps: [] }), { key: "c", kind: "checklist", title: "c", steps: [] }] as unknown as Guide[];
    expect(tours(guides).map((t) => t.key)).toEqual(["t"]);
  });

  it("starts a tour on its own on a matching page when the user never saw it", () => {
    expect(pickTour([tour("t")], none, "/demo/dashboard?x=1", new Set())).toEqual({ tour_: tour("t"), step_: null });
    expect(pickTour([tour("t")], none, "/demo/settings", new Set())).toBeNull();
    expect(pickTour([tour("t", { start: null })], none, "/demo/dashboard", new Set())).toBeNull();
  });

  it("honours the server's autostart (repeat, dismiss, snooze)", () => {
    const t = [tour("t")];
    expect(pickTour(t, from({ t: { state: "dismissed", completed: [], autostart: false } }), "/demo/dashboard", new Set())).toBeNull();
    expect(pickTour(t, from({ t: { state: "snoozed", completed: [], autostart: false } }), "/demo/dashboard", new Set())).toBeNull();
    expect(pickTour(t, from({ t: { state: "completed", completed: [], autostart: true } }), "/demo/dashboard", new Set())?.tour_.key).toBe("t");
    // An older server without autostart: only a tour never started starts on its own.
    expect(pickTour(t, from({ t: { state: "not_started", completed: [] } }), "/demo/dashboard", new Set())?.tour_.key).toBe("t");
    expect(pickTour(t, from({ t: { state: "completed", completed: [] } }), "/demo/dashboard", new Set())).toBeNull();
  });

  it("resumes an active tour at its step on any page, without autostart", () => {
    const p = from({ t: { state: "active", step: "b", completed: [], autostart: false } });
    expect(pickTour([tour("t")], p, "/demo/integrations", new Set())).toEqual({ tour_: tour("t"), step_: "b" });
  });

  it("prefers the most recently active tour, then the most urgent one", () => {
    const p = from({
      old: { state: "active", step: "a", completed: [], updated_at: "2026-01-01T00:00:00+00:00" },
      recent: { state: "active", step: "b", completed: [], updated_at: "2026-02-01T00:00:00+00:00" },
    });
    expect(pickTour([tour("old"), tour("recent")], p, "/", new Set())?.tour_.key).toBe("recent");
    expect(pickTour([tour("later", { priority: 9 }), tour("first", { priority: 1 })], none, "/demo/dashboard", new Set())?.tour_.key).toBe("first");
  });

  it("does not start again a tour that ended on this page", () => {
    expect(pickTour([tour("t")], none, "/demo/dashboard", new Set(["t"]))).toBeNull();
  });
});

import { describe, expect, it, vi } from "vitest";
import { createNudges } from "../src/nudges";
import type { Parts } from "../src/parts";
import type { Fake } from "./helpers";
import type { BootstrapResponse, Guide, Nudge } from "../src/types";

/** The nudge queue over fake parts: what the card shows, what starts, what is tracked. */
function setup(guides: string[] = ["onboarding"]) {
  const shown: Array<[string | number | null, boolean | undefined]> = [];
  const w = {
    ui_: { nudge_: vi.fn((n: Nudge | null, open?: boolean) => shown.push([n ? n.id : null, open])) },
    events_: { emit_: vi.fn() },
    session_: { data_: { guides: guides.map((key) => ({ key }) as Guide) } as BootstrapResponse | null, track_: vi.fn() },
    director_: { showing_: vi.fn(() => false) },
    start_: vi.fn(() => false),
  } satisfies Fake<Parts>;
  const nudges = createNudges(w as unknown as Parts);
  return { w, nudges, shown };
}

describe("createNudges", () => {
  it("shows one card at a time, each id once, and the next after the first is answered", () => {
    const { w, nudges, shown } = setup();
    nudges.add_({ id: 1, message: "one", guide: "onboarding" });
    nudges.add_({ id: 2, message: "two" });
    nudges.add_({ id: 1, message: "one again" });
    expect(shown).toEqual([[1, true]]);
    expect(w.events_.emit_.mock.calls.map(([, n]) => n.id)).toEqual([1, 2]);
    nudges.answer_(false);
    expect(w.session_.track_).toHaveBeenCalledWith("$nudge_dismissed", { nudge: 1, scenario: null });
    expect(shown).toEqual([[1, true], [null, undefined], [2, false]]);
  });

  it("waits for the first bootstrap and for a tour step to go before showing anything", () => {
    const { w, nudges, shown } = setup();
    w.session_.data_ = null;
    nudges.add_({ id: 1, message: "hi" });
    expect(shown).toEqual([]);
    w.session_.data_ = { guides: [] } as unknown as BootstrapResponse;
    w.director_.showing_.mockReturnValue(true);
    nudges.pump_();
    expect(shown).toEqual([]);
    w.director_.showing_.mockReturnValue(false);
    nudges.pump_();
    expect(shown).toEqual([[1, false]]);
  });

  it('"Show me" starts the guide; a tour starting holds the next card back', () => {
    const { w, nudges, shown } = setup();
    w.start_.mockReturnValue(true);
    nudges.add_({ id: 1, message: "tour?", guide: "onboarding", step: "s2", scenario: "stuck" });
    nudges.add_({ id: 2, message: "later" });
    nudges.answer_(true);
    expect(w.session_.track_).toHaveBeenCalledWith("$nudge_opened", { nudge: 1, scenario: "stuck" });
    expect(w.start_).toHaveBeenCalledWith("onboarding", "s2");
    expect(shown[shown.length - 1]).toEqual([null, undefined]);
  });

  it('opens a `mode: "start"` nudge without a card, and goes on when nothing started', () => {
    const { w, nudges, shown } = setup();
    nudges.add_({ id: 1, message: "go", guide: "onboarding", mode: "start" });
    expect(w.start_).toHaveBeenCalledWith("onboarding", undefined);
    expect(shown).toEqual([]);
    nudges.add_({ id: 2, message: "unknown guide", guide: "gone", mode: "start" });
    expect(shown).toEqual([[2, false]]);
  });

  it("a card steps aside for a tour step and comes back first", () => {
    const { nudges, shown } = setup();
    nudges.add_({ id: 1, message: "one" });
    nudges.add_({ id: 2, message: "two" });
    nudges.aside_();
    expect(shown[shown.length - 1]).toEqual([null, undefined]);
    nudges.pump_();
    expect(shown[shown.length - 1]).toEqual([1, false]);
  });

  it("clear() drops the previous user's nudges; after destroy() nothing new is taken", () => {
    const { nudges, shown } = setup();
    nudges.add_({ id: 1, message: "one" });
    nudges.add_({ id: 2, message: "two" });
    nudges.clear_();
    nudges.pump_();
    expect(shown).toEqual([[1, false], [null, undefined]]);
    nudges.destroy_();
    nudges.add_({ id: 3, message: "three" });
    expect(shown).toHaveLength(2);
  });
});

import { describe, expect, it, vi } from "vitest";
import { createNudges } from "../src/nudges";
import type { Parts } from "../src/parts";
import type { Guide, Nudge } from "../src/types";

/** The nudge queue over fake parts: what the card shows, what starts, what is tracked. */
function setup(guides: string[] = ["onboarding"]) {
  const shown: Array<[string | number | null, boolean | undefined]> = [];
  const w = {
    ui: { nudge: vi.fn((n: Nudge | null, open?: boolean) => shown.push([n ? n.id : null, open])) },
    events: { emit: vi.fn() },
    session: { data: vi.fn(() => ({ guides: guides.map((key) => ({ key }) as Guide) })), track: vi.fn() },
    director: { showing: vi.fn(() => false) },
    start: vi.fn(() => false),
  };
  const nudges = createNudges(w as unknown as Parts);
  return { w, nudges, shown };
}

describe("createNudges", () => {
  it("shows one card at a time, each id once, and the next after the first is answered", () => {
    const { w, nudges, shown } = setup();
    nudges.add({ id: 1, message: "one", guide: "onboarding" });
    nudges.add({ id: 2, message: "two" });
    nudges.add({ id: 1, message: "one again" });
    expect(shown).toEqual([[1, true]]);
    expect(w.events.emit.mock.calls.map(([, n]) => n.id)).toEqual([1, 2]);
    nudges.answer(false);
    expect(w.session.track).toHaveBeenCalledWith("$nudge_dismissed", { nudge: 1, scenario: null });
    expect(shown).toEqual([[1, true], [null, undefined], [2, false]]);
  });

  it("waits for the first bootstrap and for a tour step to go before showing anything", () => {
    const { w, nudges, shown } = setup();
    w.session.data.mockReturnValue(null as never);
    nudges.add({ id: 1, message: "hi" });
    expect(shown).toEqual([]);
    w.session.data.mockReturnValue({ guides: [] } as never);
    w.director.showing.mockReturnValue(true);
    nudges.pump();
    expect(shown).toEqual([]);
    w.director.showing.mockReturnValue(false);
    nudges.pump();
    expect(shown).toEqual([[1, false]]);
  });

  it('"Show me" starts the guide; a tour starting holds the next card back', () => {
    const { w, nudges, shown } = setup();
    w.start.mockReturnValue(true);
    nudges.add({ id: 1, message: "tour?", guide: "onboarding", step: "s2", scenario: "stuck" });
    nudges.add({ id: 2, message: "later" });
    nudges.answer(true);
    expect(w.session.track).toHaveBeenCalledWith("$nudge_opened", { nudge: 1, scenario: "stuck" });
    expect(w.start).toHaveBeenCalledWith("onboarding", "s2");
    expect(shown[shown.length - 1]).toEqual([null, undefined]);
  });

  it('opens a `mode: "start"` nudge without a card, and goes on when nothing started', () => {
    const { w, nudges, shown } = setup();
    nudges.add({ id: 1, message: "go", guide: "onboarding", mode: "start" });
    expect(w.start).toHaveBeenCalledWith("onboarding", undefined);
    expect(shown).toEqual([]);
    nudges.add({ id: 2, message: "unknown guide", guide: "gone", mode: "start" });
    expect(shown).toEqual([[2, false]]);
  });

  it("a card steps aside for a tour step and comes back first", () => {
    const { nudges, shown } = setup();
    nudges.add({ id: 1, message: "one" });
    nudges.add({ id: 2, message: "two" });
    nudges.aside();
    expect(shown[shown.length - 1]).toEqual([null, undefined]);
    nudges.pump();
    expect(shown[shown.length - 1]).toEqual([1, false]);
  });

  it("clear() drops the previous user's nudges; after destroy() nothing new is taken", () => {
    const { nudges, shown } = setup();
    nudges.add({ id: 1, message: "one" });
    nudges.add({ id: 2, message: "two" });
    nudges.clear();
    nudges.pump();
    expect(shown).toEqual([[1, false], [null, undefined]]);
    nudges.destroy();
    nudges.add({ id: 3, message: "three" });
    expect(shown).toHaveLength(2);
  });
});

import { describe, expect, it } from "vitest";
import { catchUp, initialState, keyIntent, reduce, visibleButtons, type TourState } from "../src/tour/engine";
import { tourStep } from "./helpers";

const steps = ["a", "b", "c", "d"].map((id) => tourStep(id));
const at = (index: number, dir: 1 | -1 = 1): TourState => ({ index_: index, dir_: dir, status_: "running" });

describe("tour state machine", () => {
  it("starts at the first step, or resumes at the server's step", () => {
    expect(initialState(steps)).toEqual(at(0));
    expect(initialState(steps, "c")).toEqual(at(2));
    expect(initialState(steps, "gone")).toEqual(at(0)); // a step removed by a new version
  });

  it("moves next and back, and finishes after the last step", () => {
    let s = initialState(steps);
    s = reduce(steps, s, { type: "next" });
    expect(s).toEqual(at(1));
    s = reduce(steps, s, { type: "back" });
    expect(s).toEqual(at(0, -1));
    expect(reduce(steps, s, { type: "back" })).toEqual(at(0, -1)); // nothing before the first
    expect(reduce(steps, at(3), { type: "next" }).status_).toBe("completed");
  });

  it("skips a missing step in the direction the user was going", () => {
    expect(reduce(steps, at(1), { type: "missing" })).toEqual(at(2));
    expect(reduce(steps, at(2, -1), { type: "missing" })).toEqual(at(1, -1));
    // Backing into a missing first step turns around instead of ending the tour.
    expect(reduce(steps, at(0, -1), { type: "missing" })).toEqual(at(1));
    // A missing last step still finishes the tour.
    expect(reduce(steps, at(3), { type: "missing" }).status_).toBe("completed");
  });

  it("dismisses and snoozes; an ended tour ignores everything", () => {
    const dismissed = reduce(steps, at(1), { type: "dismiss" });
    expect(dismissed.status_).toBe("dismissed");
    expect(reduce(steps, dismissed, { type: "next" })).toBe(dismissed);
    expect(reduce(steps, at(1), { type: "snooze" }).status_).toBe("snoozed");
  });

  it("jumps to a step by id", () => {
    expect(reduce(steps, at(0), { type: "goto", step: "c" })).toEqual(at(2));
    expect(reduce(steps, at(3), { type: "goto", step: "b" })).toEqual(at(1, -1));
    expect(reduce(steps, at(3), { type: "goto", step: "nope" })).toEqual(at(3));
  });
});

describe("catching up with the page", () => {
  const flow = [
    tourStep("tab", { page: "/dash", advance_on: { type: "url", url: "/dash/reports" } }),
    tourStep("reports", { page: "/dash/reports" }),
    tourStep("link", { advance_on: { type: "url", url: "/integrations" } }),
    tourStep("there", { page: "/integrations" }),
    tourStep("end", { target: null }),
  ];

  it("moves past the last step whose advance_on url the user already reached", () => {
    expect(catchUp(flow, 1, "/integrations")).toBe(3); // the state for "link" never reached the server
    expect(catchUp(flow, 0, "/dash/reports")).toBe(1);
    expect(catchUp(flow, 3, "/integrations")).toBeNull(); // forward only
    expect(catchUp(flow, 0, "/settings")).toBeNull();
  });
});

describe("step buttons", () => {
  it("has no Back on the first step and no Next on a step that moves on by itself", () => {
    expect(visibleButtons(steps[0], 0)).toEqual(["next", "dismiss"]);
    expect(visibleButtons(steps[1], 1)).toEqual(["back", "next", "dismiss"]);
    const click = tourStep("x", { advance_on: { type: "click" }, buttons: ["back", "next", "dismiss", "later"] });
    expect(visibleButtons(click, 2)).toEqual(["back", "dismiss", "later"]);
    expect(visibleButtons(tourStep("y", { buttons: ["next"] }), 1)).toEqual(["next"]);
  });
});

describe("keys in a step", () => {
  it("Esc dismisses anywhere; arrows move; Enter moves next unless it activates a control", () => {
    expect(keyIntent("Escape", "DIV", true, true)).toBe("dismiss");
    expect(keyIntent("Escape", "INPUT", true, true)).toBe("dismiss");
    expect(keyIntent("ArrowRight", "DIV", true, true)).toBe("next");
    expect(keyIntent("ArrowLeft", "BUTTON", true, true)).toBe("back");
    expect(keyIntent("Enter", "DIV", true, true)).toBe("next");
    expect(keyIntent("Enter", "BUTTON", true, true)).toBeNull(); // the button's own click
    expect(keyIntent("Enter", "A", true, true)).toBeNull();
    expect(keyIntent("ArrowLeft", "INPUT", true, true)).toBeNull(); // moving the caret
    expect(keyIntent("ArrowRight", "DIV", false, true)).toBeNull(); // no Next on this step
    expect(keyIntent("ArrowLeft", "DIV", true, false)).toBeNull();
    expect(keyIntent("x", "DIV", true, true)).toBeNull();
  });
});

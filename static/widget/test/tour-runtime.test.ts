import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EN } from "./strings";
import type { TourHost, TourRuntime } from "../src/tour/contract";
import { createTourRuntime } from "../src/tour/runtime";
import type { Tour, TourStep } from "../src/types";
import { layout, tourStep } from "./helpers";

let rt: TourRuntime;
let calls: { state: unknown[][]; track: unknown[][]; emit: unknown[][]; votes: unknown[][] };

function host(): TourHost {
  calls = { state: [], track: [], emit: [], votes: [] };
  return {
    win: window,
    strings: () => EN,
    vars: () => ({ "--guide-accent": "#123456" }),
    state: (...a) => void calls.state.push(a),
    track: (...a) => void calls.track.push(a),
    emit: (...a) => void calls.emit.push(a),
    helpful: (...a) => void calls.votes.push(a),
  };
}

function tour(steps: TourStep[]): Tour {
  return { key: "t", kind: "tour", title: "T", start: null, steps };
}

function target(id: string, tag = "div"): HTMLElement {
  const el = document.createElement(tag);
  el.id = id;
  document.body.appendChild(el);
  return el;
}

const shadow = (): ShadowRoot => document.querySelector("#guide-tour-root")!.shadowRoot!;
const stepEl = (): HTMLElement => shadow().querySelector<HTMLElement>('[data-testid="tour-step"]')!;
const button = (name: string): HTMLButtonElement | null => shadow().querySelector(`[data-testid="tour-${name}"]`);
const mounted = (): boolean => !!document.querySelector("#guide-tour-root");
const shownStep = (): string | null => (mounted() && !stepEl().hidden ? stepEl().getAttribute("data-step") : null);
const key = (k: string, init: KeyboardEventInit = {}, on: Element = stepEl()): boolean =>
  on.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, composed: true, cancelable: true, ...init }));

beforeEach(() => {
  layout();
  history.replaceState(null, "", "/demo/dashboard");
  rt = createTourRuntime(host());
});
afterEach(() => {
  rt.destroy();
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("tour runtime", () => {
  it("shows a labelled, described dialog, focuses it and tells the server once", () => {
    target("a");
    target("b");
    rt.run(tour([tourStep("a"), tourStep("b")]), null);
    const el = stepEl();
    expect(shownStep()).toBe("a");
    expect(el.getAttribute("role")).toBe("dialog");
    expect(shadow().getElementById(el.getAttribute("aria-labelledby")!)!.textContent).toBe("Step a");
    expect(shadow().getElementById(el.getAttribute("aria-describedby")!)!.innerHTML).toBe("<p>About a</p>");
    expect(shadow().activeElement).toBe(el);
    expect(shadow().querySelector('[data-testid="tour-count"]')!.textContent).toBe("1 of 2");
    expect(button("back")).toBeNull();
    expect(calls.state).toEqual([["t", "active", "a"]]);
    expect(calls.emit).toEqual([["tour:step", { guide: "t", step: "a", index: 0, total: 2 }]]);
    expect((document.querySelector("#guide-tour-root") as HTMLElement).style.getPropertyValue("--guide-accent")).toBe("#123456");
  });

  it("goes next, back and done; finishing completes the tour and returns focus", () => {
    target("a");
    target("b");
    const before = target("field", "input") as HTMLInputElement;
    before.focus();
    rt.run(tour([tourStep("a"), tourStep("b")]), null);
    button("next")!.click();
    expect(shownStep()).toBe("b");
    expect(button("next")!.textContent).toBe("Done");
    button("back")!.click();
    expect(shownStep()).toBe("a");
    button("next")!.click();
    button("next")!.click();
    expect(rt.current()).toBeNull();
    expect(stepEl().hidden).toBe(true);
    expect(calls.state).toEqual([["t", "active", "a"], ["t", "active", "b"], ["t", "active", "a"], ["t", "active", "b"], ["t", "completed"]]);
    expect(calls.emit[calls.emit.length - 1]).toEqual(["tour:end", { guide: "t", state: "completed" }]);
    expect(document.activeElement).toBe(before);
  });

  it("resumes at the server's step without resending it", () => {
    target("a");
    target("b");
    rt.run(tour([tourStep("a"), tourStep("b")]), "b");
    expect(shownStep()).toBe("b");
    expect(calls.state).toEqual([]);
  });

  it("waits for a late target and shows the step as soon as it appears", async () => {
    vi.useFakeTimers();
    target("a");
    rt.run(tour([tourStep("late", { wait_ms: 5000 }), tourStep("a")]), null);
    expect(shownStep()).toBeNull();
    vi.advanceTimersByTime(2000);
    target("late");
    await Promise.resolve(); // MutationObserver callbacks are microtasks
    expect(shownStep()).toBe("late");
    vi.advanceTimersByTime(10000);
    expect(shownStep()).toBe("late");
    // Shown once, as a view (batched), however long it stays up.
    expect(calls.track).toEqual([
      ["$guide_shown", { guide: "t" }, true],
      ["$step_shown", { guide: "t", step: "late" }, true],
    ]);
  });

  it("skips a target that never appears and records $target_missing once", () => {
    vi.useFakeTimers();
    target("b");
    rt.run(tour([tourStep("gone", { wait_ms: 1000 }), tourStep("b")]), null);
    vi.advanceTimersByTime(999);
    expect(shownStep()).toBeNull();
    vi.advanceTimersByTime(1);
    expect(shownStep()).toBe("b");
    expect(calls.track.filter((c) => c[0] === "$target_missing")).toEqual([["$target_missing", { guide: "t", step: "gone", selector: "#gone" }]]);
    // The skipped step was never shown.
    expect(calls.track.filter((c) => c[0] === "$step_shown")).toEqual([["$step_shown", { guide: "t", step: "b" }, true]]);
    expect(calls.state).toEqual([["t", "active", "b"]]);
  });

  it("shows a missing target's step centred when on_missing is center", () => {
    vi.useFakeTimers();
    rt.run(tour([tourStep("gone", { wait_ms: 300, on_missing: "center" })]), null);
    vi.advanceTimersByTime(300);
    expect(shownStep()).toBe("gone");
    expect(stepEl().classList.contains("centered")).toBe(true);
    expect(calls.track.filter((c) => c[0] === "$target_missing").length).toBe(1);
  });

  it("keys: Enter and ArrowRight next, ArrowLeft back, Esc dismisses", () => {
    ["a", "b", "c"].forEach((id) => target(id));
    rt.run(tour(["a", "b", "c"].map((id) => tourStep(id))), null);
    key("Enter");
    expect(shownStep()).toBe("b");
    key("ArrowRight");
    expect(shownStep()).toBe("c");
    key("ArrowLeft");
    expect(shownStep()).toBe("b");
    button("back")!.focus();
    key("Enter", {}, button("back")!); // the button's own activation, not ours
    expect(shownStep()).toBe("b");
    const notCancelled = key("Escape");
    expect(notCancelled).toBe(false);
    expect(rt.current()).toBeNull();
    expect(calls.state[calls.state.length - 1]).toEqual(["t", "dismissed"]);
  });

  it("counts each display of a step once (Back shows one again), and a resumed tour's first step", () => {
    ["a", "b"].forEach((id) => target(id));
    rt.run(tour([tourStep("a"), tourStep("b")]), "b"); // resumed where the server says
    key("ArrowLeft");
    key("ArrowRight");
    // $guide_shown with each: the session keeps one per guide per page (session.test.ts).
    const views = calls.track.filter((c) => c[2] === true).map((c) => [c[0], (c[1] as { step?: string }).step]);
    expect(views).toEqual([
      ["$guide_shown", undefined], ["$step_shown", "b"],
      ["$guide_shown", undefined], ["$step_shown", "a"],
      ["$guide_shown", undefined], ["$step_shown", "b"],
    ]);
  });

  it("keeps Tab within the step's buttons", () => {
    target("a");
    target("b");
    rt.run(tour([tourStep("a"), tourStep("b")]), "b");
    const [dismiss, back, next] = ["dismiss", "back", "next"].map((n) => button(n)!);
    key("Tab");
    expect(shadow().activeElement).toBe(dismiss);
    key("Tab", {}, dismiss);
    expect(shadow().activeElement).toBe(back);
    key("Tab", {}, back);
    key("Tab", {}, next);
    expect(shadow().activeElement).toBe(dismiss); // wrapped around
    key("Tab", { shiftKey: true }, dismiss);
    expect(shadow().activeElement).toBe(next);
  });

  it("lets the user Tab to the target when the step waits for a click on it", () => {
    const t = target("a", "button");
    target("b");
    rt.run(tour([tourStep("a", { advance_on: { type: "click" } }), tourStep("b")]), null);
    expect(button("next")).toBeNull();
    key("Tab");
    expect(document.activeElement).toBe(t);
    key("Tab", {}, t);
    expect(shadow().activeElement).toBe(button("dismiss"));
    t.focus();
    t.click();
    expect(shownStep()).toBe("b");
  });

  it("moves on when the user types in the target", () => {
    const input = target("a", "input");
    target("b");
    rt.run(tour([tourStep("a", { advance_on: { type: "input" } }), tourStep("b")]), null);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    expect(shownStep()).toBe("b");
  });

  it("moves on when Guide.track sends the step's event", () => {
    target("a");
    target("b");
    rt.run(tour([tourStep("a", { advance_on: { type: "event", event: "report_opened" } }), tourStep("b")]), null);
    rt.event("something_else");
    expect(shownStep()).toBe("a");
    rt.event("report_opened");
    expect(shownStep()).toBe("b");
  });

  it("follows route changes: page rules hide and show a step, advance_on url moves on", () => {
    target("tab");
    target("reports");
    rt.run(
      tour([
        tourStep("tab", { page: "/demo/dashboard", advance_on: { type: "url", url: "/demo/dashboard/reports" } }),
        tourStep("reports", { page: "/demo/dashboard/reports" }),
      ]),
      null,
    );
    expect(shownStep()).toBe("tab");
    history.pushState(null, "", "/demo/dashboard/reports");
    rt.route("/demo/dashboard/reports");
    expect(shownStep()).toBe("reports");
    expect(button("back")).toBeNull(); // Back would lead to a step of another page
    history.pushState(null, "", "/demo/settings");
    rt.route("/demo/settings");
    expect(shownStep()).toBeNull(); // waits for its page
    expect(rt.current()).toBe("t");
    history.pushState(null, "", "/demo/dashboard/reports");
    rt.route("/demo/dashboard/reports");
    expect(shownStep()).toBe("reports");
  });

  it("resuming on the page a url step points to moves on at once", () => {
    target("link");
    target("there");
    history.replaceState(null, "", "/demo/integrations");
    rt.run(tour([tourStep("link", { advance_on: { type: "url", url: "/demo/integrations" } }), tourStep("there")]), "link");
    expect(shownStep()).toBe("there");
  });

  it("catches up when the server's step is behind the page the user is on", () => {
    ["link", "there"].forEach((id) => target(id));
    history.replaceState(null, "", "/demo/integrations");
    rt.run(
      tour([
        tourStep("reports", { page: "/demo/dashboard/reports" }),
        tourStep("link", { advance_on: { type: "url", url: "/demo/integrations" } }),
        tourStep("there", { page: "/demo/integrations" }),
      ]),
      "reports",
    );
    expect(shownStep()).toBe("there");
    expect(calls.state).toEqual([["t", "active", "there"]]);
  });

  it("snoozes with Later and stops quietly when told the tour ended elsewhere", () => {
    target("a");
    rt.run(tour([tourStep("a", { buttons: ["next", "dismiss", "later"] })]), null);
    expect(button("later")!.textContent).toBe("Later");
    expect(button("dismiss")!.textContent).toBe("Skip tour");
    button("later")!.click();
    expect(calls.state[calls.state.length - 1]).toEqual(["t", "snoozed"]);
    rt.run(tour([tourStep("a")]), null);
    const sent = calls.state.length;
    rt.stop();
    expect(rt.current()).toBeNull();
    expect(calls.state.length).toBe(sent);
  });

  it("finds a target inside an open shadow root with >>>", () => {
    const component = target("app-card");
    const inner = document.createElement("button");
    inner.className = "inner";
    component.attachShadow({ mode: "open" }).append(inner);
    rt.run(tour([tourStep("x", { target: "#app-card >>> .inner", advance_on: { type: "click" } }), tourStep("b", { target: null })]), null);
    expect(shownStep()).toBe("x");
    inner.click();
    expect(shownStep()).toBe("b");
    expect(stepEl().classList.contains("centered")).toBe(true); // no target: centred
  });

  it("renders the step in the top layer where popovers exist", () => {
    const show = vi.fn();
    const proto = HTMLElement.prototype as unknown as Record<string, unknown>;
    proto.showPopover = show;
    proto.hidePopover = vi.fn();
    try {
      rt.destroy();
      rt = createTourRuntime(host());
      target("a");
      rt.run(tour([tourStep("a")]), null);
      expect(stepEl().getAttribute("popover")).toBe("manual");
      expect(show).toHaveBeenCalledTimes(2); // the overlay, then the step above it
    } finally {
      delete proto.showPopover;
      delete proto.hidePopover;
    }
  });

  describe("was this helpful? at the tour's end", () => {
    it("asks on the last step only, without taking focus from the step, and sends a No with its comment", () => {
      target("a");
      target("b");
      rt.run(tour([tourStep("a", { helpful: true }), tourStep("b", { helpful: true })]), null);
      expect(shadow().querySelector('[data-testid="helpful"]')).toBeNull(); // not the end yet
      button("next")!.click();
      const box = shadow().querySelector<HTMLElement>('[data-testid="helpful"]')!;
      expect(shadow().getElementById(box.getAttribute("aria-labelledby")!)!.textContent).toBe("Was this helpful?");
      expect(shadow().activeElement).toBe(stepEl()); // the step has focus, as any step does
      shadow().querySelector<HTMLElement>('[data-testid="helpful-no"]')!.click();
      const text = shadow().querySelector<HTMLTextAreaElement>('[data-testid="helpful-comment"]')!;
      expect(shadow().activeElement).toBe(text);
      // Typing in the comment is not a tour key (Enter, arrows); Tab reaches the Send button.
      expect(key("ArrowRight", {}, text)).toBe(true);
      expect(shownStep()).toBe("b");
      key("Tab", {}, text);
      expect(shadow().activeElement).toBe(shadow().querySelector('[data-testid="helpful-send"]'));
      text.value = " Too long ";
      shadow().querySelector<HTMLFormElement>('[data-testid="helpful"] form')!.requestSubmit();
      expect(calls.votes).toEqual([["t", "b", false, "Too long"]]);
      expect(shadow().querySelector('[data-testid="helpful-thanks"]')).not.toBeNull();
      expect(calls.state[calls.state.length - 1]).toEqual(["t", "active", "b"]); // the vote does not end the tour
    });

    it("keeps the answer when the step draws again, and a Yes sends no comment", () => {
      const a = target("a");
      rt.run(tour([tourStep("a", { helpful: true })]), null);
      shadow().querySelector<HTMLElement>('[data-testid="helpful-yes"]')!.click();
      a.remove(); // the app renders its target anew: the step draws again
      target("a");
      rt.route("/demo/dashboard");
      expect(shownStep()).toBe("a");
      expect(shadow().querySelector('[data-testid="helpful-thanks"]')).not.toBeNull();
      expect(calls.votes).toEqual([["t", "a", true, undefined]]);
    });

    it("asks nothing when the guide.js hosting the tour cannot send the vote", () => {
      target("a");
      const { helpful: _, ...old } = host();
      rt.destroy();
      rt = createTourRuntime(old);
      rt.run(tour([tourStep("a", { helpful: true })]), null);
      expect(shadow().querySelector('[data-testid="helpful"]')).toBeNull();
    });
  });
});

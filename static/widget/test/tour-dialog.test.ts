import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EN } from "./strings";
import type { TourHost, TourRuntime } from "../src/tour/contract";
import { modalAround } from "../src/tour/dialog";
import { createTourRuntime } from "../src/tour/runtime";
import type { Tour, TourStep } from "../src/types";
import { layout, tourStep } from "./helpers";

// jsdom has no showModal(): these dialogs are "modal" by answering :modal.
const modals = new Set<Element>();
const matches = Element.prototype.matches;

function dialog(parent: Element | ShadowRoot = document.body, modal = true): HTMLDialogElement {
  const d = document.createElement("dialog");
  d.open = true;
  if (modal) modals.add(d);
  parent.appendChild(d);
  return d;
}

function child<K extends keyof HTMLElementTagNameMap>(parent: Element, tag: K, id = ""): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (id) el.id = id;
  parent.appendChild(el);
  return el;
}

const host = (): HTMLElement => document.querySelector("#guide-tour-root")!;
const stepEl = (): HTMLElement => host().shadowRoot!.querySelector('[data-testid="tour-step"]')!;
const shown = (): string | null => (host() && !stepEl().hidden ? stepEl().getAttribute("data-step") : null);

beforeEach(() => {
  layout();
  vi.spyOn(Element.prototype, "matches").mockImplementation(function (this: Element, s: string) {
    return s === ":modal" ? modals.has(this) : matches.call(this, s);
  });
});
afterEach(() => {
  modals.clear();
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe("modalAround", () => {
  it("finds the modal dialog around an element, through shadow roots", () => {
    const d = dialog();
    const component = child(child(d, "form"), "div");
    const inner = child(component.attachShadow({ mode: "open" }) as unknown as Element, "button");
    expect(modalAround(inner, document)).toBe(d);
  });

  it("ignores a dialog shown without showModal() and an element outside any dialog", () => {
    const d = dialog(document.body, false);
    expect(modalAround(child(d, "button"), document)).toBeNull();
    expect(modalAround(child(document.body, "button"), document)).toBeNull();
  });
});

describe("a tour step for a target inside a host's modal dialog", () => {
  let rt: TourRuntime;
  let d: HTMLDialogElement;
  const calls: unknown[][] = [];

  beforeEach(() => {
    const tourHost: TourHost = {
      win: window,
      strings: () => EN,
      locale: () => "en",
      vars: () => ({}),
      state: (...a) => void calls.push(a),
      track: () => {},
      emit: () => {},
    };
    rt = createTourRuntime(tourHost);
    d = dialog();
    child(child(d, "form"), "input", "name");
    child(document.body, "div", "page");
  });
  afterEach(() => {
    rt.destroy();
    vi.useRealTimers();
  });

  const tour = (steps: TourStep[]): Tour => ({ key: "t", kind: "tour", title: "T", start: null, steps });

  it("shows inside the dialog, as its direct child (outside its form), with its language", () => {
    rt.run(tour([tourStep("name", { target: "#name" })]), null);
    expect(shown()).toBe("name");
    expect(host().parentNode).toBe(d);
    expect([host().lang, host().dir]).toEqual(["en", "ltr"]);
  });

  it("comes back under body when the dialog closes, and the step looks for its target again", () => {
    vi.useFakeTimers();
    rt.run(tour([tourStep("name", { target: "#name", wait_ms: 500 }), tourStep("page", { target: "#page" })]), null);
    d.open = false;
    d.querySelector("form")!.remove(); // closed: its target is not on screen any more
    d.dispatchEvent(new Event("close"));
    expect(host().parentNode).toBe(document.body);
    expect(shown()).toBeNull(); // waiting for its target: nothing stranded on screen
    vi.advanceTimersByTime(500);
    expect(shown()).toBe("page"); // on_missing: skip
    expect(host().parentNode).toBe(document.body);
  });

  it("comes back under body when the page removes the open dialog", () => {
    rt.run(tour([tourStep("name", { target: "#name", wait_ms: 0, on_missing: "center" })]), null);
    d.remove();
    window.dispatchEvent(new Event("resize")); // what autoUpdate reports after such a change
    expect(host().parentNode).toBe(document.body);
  });

  it("stays under body for a target outside any dialog", () => {
    rt.run(tour([tourStep("page", { target: "#page" })]), null);
    expect(host().parentNode).toBe(document.body);
  });
});

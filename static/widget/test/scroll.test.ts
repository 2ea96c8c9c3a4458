import { afterEach, describe, expect, it, vi } from "vitest";
import { delta, reveal, rootScrolls } from "../src/tour/scroll";

/** jsdom lays nothing out: gives `el` a box, a scroll size and a scroll position. */
function box(el: Element, rect: { left: number; top: number; width: number; height: number }, scroll: Record<string, number> = {}): void {
  const r = { ...rect, right: rect.left + rect.width, bottom: rect.top + rect.height, x: rect.left, y: rect.top };
  el.getBoundingClientRect = () => ({ ...r, toJSON: () => r }) as DOMRect;
  const sizes = { clientLeft: 0, clientTop: 0, clientWidth: rect.width, clientHeight: rect.height, scrollWidth: rect.width, scrollHeight: rect.height, scrollLeft: 0, scrollTop: 0, ...scroll };
  for (const [k, v] of Object.entries(sizes)) Object.defineProperty(el, k, { value: v, configurable: true });
}

function div(parent: Element | ShadowRoot, style = ""): HTMLDivElement {
  const el = document.createElement("div");
  el.setAttribute("style", style);
  parent.appendChild(el);
  return el;
}

// jsdom neither expands the `overflow` shorthand nor defaults overflow-x/y to
// `visible` in computed styles: the tests set the longhands they mean.

/** A 375x667 viewport over a page 2000 px tall; the viewport scrolls as the scrolling element (html). */
function viewport(): ReturnType<typeof vi.fn> {
  box(document.documentElement, { left: 0, top: 0, width: 375, height: 667 }, { scrollHeight: 2000 });
  const scrollBy = vi.fn();
  document.documentElement.scrollBy = scrollBy as unknown as typeof window.scrollBy;
  return scrollBy;
}

afterEach(() => {
  document.documentElement.removeAttribute("style");
  document.body.removeAttribute("style");
  document.body.replaceChildren();
});

describe("delta", () => {
  it("is 0 for a box already in view", () => expect(delta(10, 50, 0, 100, [-500, 500])).toBe(0));
  it("centres a box below the view", () => expect(delta(300, 340, 0, 100, [-500, 500])).toBe(270));
  it("centres a box above the view", () => expect(delta(-200, -160, 0, 100, [-500, 500])).toBe(-230));
  it("stops where the box can scroll no further", () => expect(delta(300, 340, 0, 100, [0, 120])).toBe(120));
  it("never scrolls an axis with no room", () => expect(delta(300, 340, 0, 100, [0, 0])).toBe(0));
});

describe("rootScrolls", () => {
  it("is the root's overflow", () => {
    document.documentElement.style.overflowY = "hidden";
    document.documentElement.style.overflowX = "auto";
    expect(rootScrolls(window)).toEqual([true, false, false]);
  });

  it("is body's overflow when the root's is visible (it propagates to the viewport)", () => {
    document.documentElement.setAttribute("style", "overflow-x: visible; overflow-y: visible");
    document.body.style.overflowX = "clip";
    document.body.style.overflowY = "clip";
    expect(rootScrolls(window)).toEqual([false, false, true]);
  });

  it("scrolls when neither says otherwise", () => {
    document.documentElement.setAttribute("style", "overflow-x: visible; overflow-y: visible");
    expect(rootScrolls(window)).toEqual([true, true, true]);
  });
});

describe("reveal", () => {
  it("scrolls the target's scroll container, not a root the user cannot scroll", () => {
    const rootScroll = viewport();
    document.documentElement.style.overflowY = "hidden";
    document.documentElement.style.overflowX = "hidden";
    // body has its own overflow here (the root's is not visible): a real scroll container.
    document.body.setAttribute("style", "overflow-y: auto; transform: translateZ(0)");
    box(document.body, { left: 0, top: 0, width: 375, height: 667 }, { scrollHeight: 3000, scrollTop: 100 });
    const target = div(div(document.body));
    box(target, { left: 10, top: 1500, width: 300, height: 40 });
    const bodyScroll = vi.fn();
    document.body.scrollBy = bodyScroll as unknown as typeof document.body.scrollBy;

    reveal(target, false);

    expect(bodyScroll).toHaveBeenCalledWith({ left: 0, top: 1520 - 333.5, behavior: "auto" });
    expect(rootScroll).not.toHaveBeenCalled();
  });

  it("scrolls containers innermost first, through a shadow root, then the viewport for what is left", () => {
    const rootScroll = viewport();
    const outer = div(document.body, "overflow-y: auto");
    box(outer, { left: 0, top: 900, width: 375, height: 400 }, { scrollHeight: 1200 });
    const component = div(outer);
    const inner = div(component.attachShadow({ mode: "open" }), "overflow-x: hidden; overflow-y: scroll");
    box(inner, { left: 0, top: 1000, width: 375, height: 200 }, { scrollHeight: 600 });
    const hidden = div(inner, "overflow-x: hidden; overflow-y: hidden");
    box(hidden, { left: 0, top: 1000, width: 375, height: 600 }, { scrollHeight: 5000 });
    const target = div(hidden);
    box(target, { left: 0, top: 1300, width: 100, height: 20 });
    const calls: Array<[string, unknown]> = [];
    for (const [name, el] of Object.entries({ outer, inner, hidden })) el.scrollBy = ((o: unknown) => calls.push([name, o])) as never;
    rootScroll.mockImplementation((o: unknown) => calls.push(["root", o]));

    reveal(target, true);

    // inner centres it (1310 -> 1100), outer has it in view already, the viewport brings it up.
    expect(calls).toEqual([
      ["inner", { left: 0, top: 210, behavior: "smooth" }],
      ["root", { left: 0, top: 1100 - 333.5, behavior: "smooth" }],
    ]);
  });

  it("moves nothing for a target in view", () => {
    const rootScroll = viewport();
    const target = div(document.body);
    box(target, { left: 10, top: 100, width: 50, height: 50 });
    reveal(target, false);
    expect(rootScroll).not.toHaveBeenCalled();
  });
});

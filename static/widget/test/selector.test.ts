import { afterEach, describe, expect, it } from "vitest";
import { looksGenerated, pickable, selectorFor } from "../src/author/selector";

afterEach(() => document.body.replaceChildren());

function page(html: string): void {
  document.body.innerHTML = html;
}
const $ = (s: string): Element => document.querySelector(s)!;

/** The generated selector must match exactly the element it was made for. */
function pick(el: Element): string {
  const sel = selectorFor(el);
  expect(sel).not.toBeNull();
  const found = document.querySelectorAll(sel!);
  expect(found.length).toBe(1);
  expect(found[0]).toBe(el);
  return sel!;
}

describe("generated-looking tokens", () => {
  it.each([
    "ember1234", "css-1x2y3z", "sc-bdVaJa", "Button_primary__3xYz1", ":r1:", "react-select-12-input",
    "a9f3c2e1", "x".repeat(41), "1st", "jsx-2864921",
  ])("%s is generated", (token) => expect(looksGenerated(token)).toBe(true));

  it.each(["kpis", "new-dashboard", "nav-item", "primary", "btn-lg", "data-source", "h2", "col-6", "grid-2"])(
    "%s is stable",
    (token) => expect(looksGenerated(token)).toBe(false),
  );
});

describe("selectorFor", () => {
  it("prefers a stable id", () => {
    page('<div id="kpis" class="card" data-testid="kpi-card"><span>1</span></div>');
    expect(pick($("#kpis"))).toBe("#kpis");
  });

  it("skips a generated id for a test attribute", () => {
    page('<button id="ember482" data-testid="save" class="btn">Save</button><button class="btn">Cancel</button>');
    expect(pick($("button"))).toBe('[data-testid="save"]');
  });

  it("uses data-* attributes teams add for tours, then other data attributes", () => {
    page('<section data-guide="reports"></section><a data-nav="billing" class="link">Billing</a><a class="link">Other</a>');
    expect(pick($("section"))).toBe('[data-guide="reports"]');
    expect(pick($("a"))).toBe('a[data-nav="billing"]');
  });

  it("ignores state attributes and state classes", () => {
    page('<li data-state="open" class="item is-active"><a>1</a></li><li class="item"><a>2</a></li><li class="item special"><a>3</a></li>');
    expect(selectorFor($("li.special"))).toBe("li.special");
    expect(selectorFor($("li"))).not.toContain("data-state");
    expect(selectorFor($("li"))).not.toContain("is-active");
  });

  it("uses stable classes and skips hashed ones", () => {
    page('<div class="css-1q2w3e toolbar"><button class="sc-bdVaJa primary">Go</button><button class="sc-htoDjs secondary">No</button></div>');
    expect(pick($("button"))).toBe("button.primary");
  });

  it("combines two classes when one is not enough", () => {
    page('<i class="icon large"></i><i class="icon small"></i><b class="large"></b><i class="large other"></i>');
    expect(pick($("i.icon.large"))).toBe("i.icon.large");
  });

  it("anchors on a unique ancestor when the element has nothing of its own", () => {
    page('<nav id="main-nav"><ul><li><a>Home</a></li></ul></nav><footer><a>Home</a></footer>');
    expect(pick($("#main-nav a"))).toBe("#main-nav a");
  });

  it("uses at most one :nth-of-type, under an anchor, as a last resort", () => {
    page('<ul id="menu"><li>One</li><li>Two</li><li>Three</li></ul>');
    const sel = pick($("#menu li:nth-child(2)"));
    expect(sel).toBe("#menu > li:nth-of-type(2)");
    expect(sel.match(/nth-/g)).toHaveLength(1);
  });

  it("uses name on form fields", () => {
    page('<form><input name="email"><input name="password" type="password"></form>');
    expect(pick($("input"))).toBe('input[name="email"]');
  });

  it("escapes what it quotes", () => {
    page('<div data-testid="say &quot;hi&quot;"></div><div id="a.b"></div>');
    pick($("div"));
    expect(pick(document.querySelectorAll("div")[1])).toBe("#a\\.b");
  });

  it("returns null rather than a fragile chain when nothing identifies the element", () => {
    page("<div><div><div><div><div><div><span>deep</span><span>deep</span></div></div></div></div></div></div><div><div><div><div><div><div><span>x</span></div></div></div></div></div></div>");
    const sel = selectorFor($("span"));
    if (sel !== null) {
      expect(document.querySelectorAll(sel)).toHaveLength(1);
      expect((sel.match(/nth-/g) ?? []).length).toBeLessThanOrEqual(1);
    }
  });
});

describe("pickable", () => {
  it("a click on a named card's text picks the card; other elements are picked as they are", () => {
    page('<section id="insights"><h2>Weekly</h2><p class="muted">Text <b>bold</b></p></section><ul class="kpis"><li class="kpi"><span>1</span></li></ul>');
    expect(pickable($("#insights p"))).toBe($("#insights"));
    expect(pickable($("#insights b"))).toBe($("#insights"));
    expect(pickable($("li.kpi span"))).toBe($("li.kpi span"));
    expect(pickable($("li.kpi"))).toBe($("li.kpi"));
  });
});

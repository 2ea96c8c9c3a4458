import { afterEach, describe, expect, it, vi } from "vitest";
import { applyTheme, color, followScheme, font, label, radius, themeVars } from "../src/theme";
import { uuid } from "../src/uuid";

describe("theme validation", () => {
  it("accepts hex and numeric rgb/hsl colors only", () => {
    for (const ok of ["#fff", "#4f46e5", "#4f46e5cc", "rgb(10, 20, 30)", "hsla(200 50% 40% / .5)"]) expect(color(ok)).toBe(ok);
    for (const bad of ["red", "#12", "url(x)", "#fff; color: red", "rgb(1,2,3) !important", "var(--x)", 12, null]) expect(color(bad)).toBeNull();
  });

  it("accepts a px radius within bounds", () => {
    expect(radius(8)).toBe("8px");
    expect(radius("12px")).toBe("12px");
    expect(radius("12em")).toBeNull();
    expect(radius(-1)).toBeNull();
    expect(radius(1e6)).toBeNull();
  });

  it("accepts plain font-family lists", () => {
    expect(font('Inter, "Segoe UI", sans-serif')).toBe('Inter, "Segoe UI", sans-serif');
    expect(font("x; background: url(evil)")).toBeNull();
    expect(font("a}b")).toBeNull();
  });

  it("maps workspace theme keys to custom properties", () => {
    expect(themeVars({ accent: "#000", background: "#fff", text: "#111", radius: 4, font: "Inter" })).toEqual({
      "--guide-accent": "#000",
      "--guide-bg": "#fff",
      "--guide-fg": "#111",
      "--guide-radius": "4px",
      "--guide-font": "Inter",
    });
    expect(themeVars(null)).toEqual({});
  });
});

describe("light and dark", () => {
  const theme = { accent: "#000", background: "#fff", text: "#111", radius: 4, dark: { accent: "#818cf8", background: "#0b0f19" } };
  const prefersDark = (dark: boolean): void => {
    vi.stubGlobal("matchMedia", (q: string) => ({ matches: dark && q === "(prefers-color-scheme: dark)" }));
  };
  afterEach(() => vi.unstubAllGlobals());

  it("auto follows the system's preference when the theme has a dark palette", () => {
    prefersDark(false);
    expect(themeVars(theme)["--guide-bg"]).toBe("#fff");
    prefersDark(true);
    // The dark palette's own colours, the built-in dark text for the one left out, the rest kept.
    expect(themeVars(theme)).toEqual({
      "--guide-accent": "#818cf8", "--guide-bg": "#0b0f19", "--guide-fg": "#f3f4f6", "--guide-radius": "4px",
    });
  });

  it("a theme without a dark palette stays light in auto mode", () => {
    prefersDark(true);
    expect(themeVars({ background: "#fff" })["--guide-bg"]).toBe("#fff");
  });

  it("mode forces either palette whatever the system prefers", () => {
    prefersDark(true);
    expect(themeVars({ ...theme, mode: "light" })["--guide-bg"]).toBe("#fff");
    prefersDark(false);
    expect(themeVars({ ...theme, mode: "dark" })["--guide-bg"]).toBe("#0b0f19");
    expect(themeVars({ background: "#fff", mode: "dark" })["--guide-bg"]).toBe("#111827");
  });

  it("dark colours go through the same grammar", () => {
    expect(themeVars({ mode: "dark", dark: { accent: "red; x: url(evil)" } })["--guide-accent"]).toBeUndefined();
  });

  it("works where there is no matchMedia", () => {
    vi.stubGlobal("matchMedia", undefined);
    expect(themeVars(theme)["--guide-bg"]).toBe("#fff");
    expect(() => followScheme(() => {})()).not.toThrow();
  });

  it("redraws when the system switches, until undone", () => {
    const query = { matches: false, onchange: null as null | (() => void) };
    vi.stubGlobal("matchMedia", (q: string) => (q === "(prefers-color-scheme: dark)" ? query : { matches: false }));
    const redraw = vi.fn();
    const undo = followScheme(redraw);
    query.matches = true;
    query.onchange?.();
    expect(redraw).toHaveBeenCalledTimes(1);
    undo();
    expect(query.onchange).toBeNull();
  });
});

describe("launcher", () => {
  it("takes its label from the theme when it has one", () => {
    expect(label({ launcher: { label: "Get going" } })).toBe("Get going");
    expect(label({ launcher: { label: 3 } })).toBeNull();
    expect(label({})).toBeNull();
  });

  it("puts its corner on the host for the stylesheet", () => {
    const host = document.createElement("div");
    applyTheme(host, { accent: "#123456", launcher: { position: "top-left" } });
    expect(host.getAttribute("data-pos")).toBe("top-left");
    expect(host.style.getPropertyValue("--guide-accent")).toBe("#123456");
    applyTheme(host, {});
    expect(host.getAttribute("data-pos")).toBe("");
    expect(host.style.getPropertyValue("--guide-accent")).toBe("");
  });
});

describe("uuid", () => {
  it("produces v4 UUIDs, also without crypto.randomUUID", () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(uuid()).toMatch(re);
    const original = crypto.randomUUID;
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      expect(uuid()).toMatch(re);
      expect(uuid()).not.toBe(uuid());
    } finally {
      Object.defineProperty(crypto, "randomUUID", { value: original, configurable: true });
    }
  });
});

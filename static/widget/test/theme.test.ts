import { describe, expect, it } from "vitest";
import { color, font, radius, themeVars } from "../src/theme";
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

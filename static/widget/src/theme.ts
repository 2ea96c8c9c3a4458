import type { Theme } from "./types";

// Server data ends up in CSS, so every value is checked against a grammar that
// cannot close a declaration or open a url(): hex colors or rgb()/hsl() with
// digits only, a px radius, a font-family list of plain names.
const COLOR = /^(?:#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|(?:rgb|hsl)a?\([\d\s.,%/]+\))$/i;
const FONT = /^[\w\s,'"-]{1,200}$/;

export function color(value: unknown): string | null {
  return typeof value === "string" && COLOR.test(value.trim()) ? value.trim() : null;
}

export function radius(value: unknown): string | null {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim().replace(/px$/, "")) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 48 ? `${n}px` : null;
}

export function font(value: unknown): string | null {
  return typeof value === "string" && FONT.test(value) ? value : null;
}

const VARS: Array<[string, keyof Theme, (value: unknown) => string | null]> = [
  ["--guide-accent", "accent", color],
  ["--guide-bg", "background", color],
  ["--guide-fg", "text", color],
  ["--guide-radius", "radius", radius],
  ["--guide-font", "font", font],
];

/** The custom properties to set on the host; invalid values are left out so the stylesheet defaults apply. */
export function themeVars(theme: Theme | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key, valid] of VARS) {
    const v = valid(theme?.[key]);
    if (v) out[name] = v;
  }
  return out;
}

/** CSSOM setProperty is allowed under a strict CSP, unlike a style attribute. */
export function applyTheme(host: HTMLElement, theme: Theme | null | undefined): void {
  for (const [name] of VARS) host.style.removeProperty(name);
  for (const [k, v] of Object.entries(themeVars(theme))) host.style.setProperty(k, v);
}

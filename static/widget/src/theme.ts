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

/** The system's light/dark preference (none without matchMedia). */
export const darkQuery = (): MediaQueryList | undefined => globalThis.matchMedia?.("(prefers-color-scheme: dark)");
// The dark palette's colours left out of `dark:` (guide/schemas/theme.py checks the same).
const DARK: Theme = { accent: "#5e5ce6", background: "#111827", text: "#f3f4f6" };

/**
 * The colours in use: `mode: dark` forces the dark palette, `auto` (the default) follows
 * the system's preference when the theme has a `dark:` palette, `light` never does.
 */
export function palette(theme: Theme | null | undefined): Theme | null | undefined {
  const mode = theme?.mode;
  const dark = mode == "dark" || (mode != "light" && theme?.dark && darkQuery()?.matches);
  return dark ? { ...theme, ...DARK, ...(theme!.dark as Theme) } : theme;
}

/** `mode: auto` follows a live switch of the system's setting: `redraw` runs on each; returns the undo. */
export function followScheme(redraw: () => void): () => void {
  const query = darkQuery();
  if (query) query.onchange = redraw;
  return () => void (query && (query.onchange = null));
}

/** The custom properties to set on the host; invalid values are left out so the stylesheet defaults apply. */
export function themeVars(theme: Theme | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const used = palette(theme);
  for (const [name, key, valid] of VARS) {
    const v = valid(used?.[key]);
    if (v) out[name] = v;
  }
  return out;
}

/** The launcher's own label, instead of the checklist's title (the server caps its length). */
export function label(theme: Theme | null | undefined): string | null {
  const l = theme?.launcher?.label;
  return typeof l == "string" ? l : null;
}

/** CSSOM setProperty is allowed under a strict CSP, unlike a style attribute. */
export function applyTheme(host: HTMLElement, theme: Theme | null | undefined): void {
  for (const [name] of VARS) host.style.removeProperty(name);
  for (const [k, v] of Object.entries(themeVars(theme))) host.style.setProperty(k, v);
  // The launcher's corner: the stylesheet matches only "top-*" and "*-left" (bottom-right is the default).
  host.setAttribute("data-pos", String(theme?.launcher?.position ?? ""));
}

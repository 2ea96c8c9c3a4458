/**
 * JSON that a host page's built-ins cannot bend. Legacy libraries patch
 * prototypes: Prototype defines `Array.prototype.toJSON` returning a string,
 * so `JSON.stringify([event, data])` became `"[\"step:complete\", …]"` and
 * the server saw a string where the protocol wants an array. Every byte the
 * widget sends or stores goes through `encode`.
 *
 * JSON.stringify (as the page had it when the bundle loaded) calls a value's
 * toJSON before the replacer, but hands the replacer its holder: the replacer
 * takes the original object back, and what a replacer returns is written as
 * is, without another toJSON. Dates are written as toISOString does; a toJSON
 * a value's own class defines (a date library's, say) is kept.
 */

const stringify = JSON.stringify;
const parse = JSON.parse;
const iso = Date.prototype.toISOString;
const { isArray } = Array;
const builtins: unknown[] = [Object.prototype, Array.prototype, Date.prototype, String.prototype, Number.prototype, Boolean.prototype];

function original(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw === null || typeof raw !== "object") return value;
  if (raw instanceof Date) return isNaN(raw.getTime()) ? null : iso.call(raw);
  const own = (raw as { toJSON?: unknown }).toJSON;
  return typeof own === "function" && !isArray(raw) && builtins.every((p) => (p as { toJSON?: unknown }).toJSON !== own) ? value : raw;
}

/** JSON text of `value`, as `JSON.stringify` writes it on a page nobody patched. */
export const encode = (value: unknown): string => stringify(value, original) ?? "null";

/** `JSON.parse` as it was when the bundle loaded. */
export const decode = (text: string): any => parse(text);

export { isArray };

/** A plain object (what the public API accepts for traits, props and options). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !isArray(value);

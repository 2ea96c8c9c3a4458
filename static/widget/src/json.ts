/**
 * JSON that a host page's built-ins cannot bend. Legacy libraries patch
 * prototypes: Prototype defines `Array.prototype.toJSON` returning a string,
 * so `JSON.stringify([event, data])` becomes `"[\"step:complete\", …]"` and
 * the server sees a string where the protocol wants an array; json2-style
 * shims replace `JSON.stringify` itself. Every byte the widget sends or
 * stores goes through `encode`, which never consults a built-in prototype's
 * `toJSON` and takes what it relies on as it was when the bundle loaded.
 */

const { keys } = Object;
const { isArray } = Array;
const { isFinite: finite } = Number;
const parse = JSON.parse;
const iso = Date.prototype.toISOString;
const protos: unknown[] = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype, Date.prototype];

// Lone surrogates are escaped (as well-formed JSON.stringify does); valid pairs pass through.
const SPECIAL = /[\\"\u0000-\u001f]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g;
// Control characters as \u00XX rather than JSON.stringify's \n-style short forms: the same JSON, fewer bytes here.
const escape = (c: string): string => (c.length > 1 ? c : `\\u${(c.charCodeAt(0) + 0x10000).toString(16).slice(1)}`);
const str = (s: string): string => `"${s.replace(SPECIAL, escape)}"`;

/** A toJSON the value's own class gave it (a date library's, say), not one patched onto a built-in prototype. */
function ownToJSON(value: object): ((key: string) => unknown) | null {
  const fn = (value as { toJSON?: unknown }).toJSON;
  if (typeof fn !== "function") return null;
  for (const p of protos) if ((p as { toJSON?: unknown }).toJSON === fn) return null;
  return fn as (key: string) => unknown;
}

function write(value: unknown, key: string, seen: unknown[]): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return str(value);
    case "number":
      return finite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return undefined; // undefined, functions and symbols are left out, as JSON.stringify does
  }
  if (value instanceof Date) return finite(value.getTime()) ? str(iso.call(value)) : "null";
  const custom = isArray(value) ? null : ownToJSON(value);
  if (custom) return write(custom.call(value, key), key, seen);
  if (seen.indexOf(value) >= 0) throw new TypeError("Converting circular structure to JSON");
  seen.push(value);
  let out = "";
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) out += `${i ? "," : ""}${write(value[i], String(i), seen) ?? "null"}`;
    out = `[${out}]`;
  } else {
    const names = keys(value);
    for (let i = 0; i < names.length; i++) {
      const v = write((value as Record<string, unknown>)[names[i]], names[i], seen);
      if (v !== undefined) out += `${out ? "," : ""}${str(names[i])}:${v}`;
    }
    out = `{${out}}`;
  }
  seen.pop();
  return out;
}

/** JSON text of `value`, as `JSON.stringify` would write it on a page nobody patched. */
export function encode(value: unknown): string {
  return write(value, "", []) ?? "null";
}

/** `JSON.parse` as it was when the bundle loaded. */
export const decode = (text: string): any => parse(text);

export { isArray };

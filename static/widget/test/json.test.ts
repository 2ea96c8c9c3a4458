import { afterEach, describe, expect, it } from "vitest";
import { decode, encode } from "../src/json";

const SAMPLES: unknown[] = [
  null,
  0,
  -0,
  1.5,
  1e21,
  NaN,
  Infinity,
  true,
  "",
  'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007',
  "emoji \ud83d\ude00 and accents éà",
  [],
  [1, "a", null, undefined, () => 1, [2, [3]]],
  {},
  { id: "5d0c", guide: "getting-started", step: "connect-data", at: "2026-12-04T10:00:00.000Z" },
  { nested: { list: [{ a: 1 }, { b: [true, false] }] }, skip: undefined, fn: () => 1 },
  new Date(Date.UTC(2026, 11, 4, 10, 0, 0)),
  new Date(NaN),
];

type Patched = { toJSON?: unknown; polluted?: unknown };
const restore: Array<() => void> = [];
function patch(proto: object, key: string, value: unknown, enumerable = false): void {
  const had = Object.getOwnPropertyDescriptor(proto, key);
  Object.defineProperty(proto, key, { value, configurable: true, writable: true, enumerable });
  restore.push(() => (had ? Object.defineProperty(proto, key, had) : delete (proto as Record<string, unknown>)[key]));
}

afterEach(() => restore.splice(0).reverse().forEach((fn) => fn()));

describe("encode", () => {
  it("writes what JSON.stringify writes on an unpatched page", () => {
    for (const value of SAMPLES) expect(decode(encode(value))).toEqual(JSON.parse(JSON.stringify(value) ?? "null"));
    // Byte for byte where no character needs escaping (scope keys stored by earlier releases stay valid).
    expect(encode(["https://guide.example.com", "demo", "user-123"])).toBe(JSON.stringify(["https://guide.example.com", "demo", "user-123"]));
  });

  it("escapes lone surrogates and keeps pairs, like well-formed JSON.stringify", () => {
    const value = ["\ud800", "x\udfffy", "\ud83d\ude00", "\u2028\u2029"];
    expect(decode(encode(value))).toEqual(value);
    expect(encode("\ud800")).toBe('"\\ud800"');
  });

  it("ignores toJSON patched onto built-in prototypes (Prototype.js)", () => {
    const stringify = JSON.stringify;
    patch(Array.prototype, "toJSON", function (this: unknown[]) {
      return `[${this.map((x) => stringify(x)).join(", ")}]`;
    });
    patch(String.prototype, "toJSON", function (this: string) {
      return `"${this}"`;
    });
    patch(Object.prototype, "toJSON", () => "object!");
    patch(Date.prototype, "toJSON", () => "date!");
    const packet = ["step:complete", { id: "1", steps: ["a", "b"], at: new Date(0), label: new String("x") }];
    // The page's own JSON.stringify is broken now...
    expect(typeof JSON.parse(JSON.stringify(packet))).toBe("string");
    // ...ours is not.
    expect(decode(encode(packet))).toEqual(["step:complete", { id: "1", steps: ["a", "b"], at: "1970-01-01T00:00:00.000Z", label: "x" }]);
  });

  it("leaves out enumerable properties added to Object.prototype and Array.prototype", () => {
    patch(Object.prototype, "polluted", "yes", true);
    patch(Array.prototype, "each", function each() {}, true);
    expect(encode({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(({} as Patched).polluted).toBe("yes");
  });

  it("does not use a replaced JSON.stringify", () => {
    const original = JSON.stringify;
    JSON.stringify = (() => '"broken"') as typeof JSON.stringify;
    restore.push(() => (JSON.stringify = original));
    expect(encode({ a: ["b"] })).toBe('{"a":["b"]}');
  });

  it("honours a toJSON that a value's own class defines", () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): string {
        return `${this.cents / 100} EUR`;
      }
    }
    expect(encode({ price: new Money(250) })).toBe('{"price":"2.5 EUR"}');
  });

  it("refuses cycles like JSON.stringify, but allows shared references", () => {
    const shared = { x: 1 };
    expect(encode([shared, shared])).toBe('[{"x":1},{"x":1}]');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encode(loop)).toThrow(TypeError);
  });
});

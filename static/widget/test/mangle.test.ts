import { describe, expect, it } from "vitest";
import ts from "typescript";

/**
 * scripts/build.mjs shortens every property whose name follows the internal
 * convention (`session_`, `evaluate_()`: see src/parts.ts), in each bundle on its
 * own. A name that crosses a boundary must never follow it: the lazy bundles'
 * contracts and the helpers they share from guide.js, the public API, and what
 * goes over the wire or into storage. This fails if one does.
 */

declare global {
  interface ImportMeta {
    /** Vite's, expanded when the test is collected (tsconfig has no Vite types). */
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

const BUILD = Object.values(import.meta.glob("../scripts/build.mjs", { query: "?raw", import: "default", eager: true }))[0];
const SOURCES = new Map(
  Object.entries(import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true })).map(([path, text]) => [
    path.slice("../src/".length),
    text,
  ]),
);

/** The regex build.mjs hands esbuild's `mangleProps`, read from build.mjs itself. */
const MANGLED = new RegExp(/const MANGLED = \/(.+)\/;/.exec(BUILD)![1]);

/** The modules the lazy bundles take from guide.js at run time (build.mjs `SHARED`). */
const SHARED = [.../const SHARED = \{([^}]*)\}/.exec(BUILD)![1].matchAll(/(\w+): \[/g)].map((m) => `${m[1]}.ts`);

/** Whole files that are boundaries: every name in them keeps its spelling. */
const BOUNDARY_FILES = ["tour/contract.ts", "help/contract.ts", "author/contract.ts", "panel/contract.ts", "types.ts", "lib.ts", ...SHARED];

/** Boundaries inside files that also hold internal code: [file, interface or type]. */
const BOUNDARY_TYPES: Array<[string, string]> = [
  ["api.ts", "GuideApi"], // window.Guide
  ["parts.ts", "InitOptions"], // Guide.init's options
  ["parts.ts", "User"], // sent with the bootstrap
  ["parts.ts", "Account"], // sent with the bootstrap
  ["storage.ts", "Stored"], // persisted in localStorage / IndexedDB
];

/** Identifiers (not comments, not strings) in `text` that follow the convention. */
function conventionNames(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const found: string[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier && MANGLED.test(scanner.getTokenValue())) found.push(scanner.getTokenValue());
  }
  return found;
}

/** The text of the interface or type alias `name` declared in `text`. */
function declaration(text: string, name: string): string {
  const source = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, true);
  const found = source.statements.find((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === name);
  if (!found) throw new Error(`no interface or type ${name}`);
  return found.getText(source);
}

describe("the internal naming convention (`name_`, shortened by build.mjs)", () => {
  it("is what build.mjs mangles: internal names, not __dunder__ ones", () => {
    expect(["session_", "evaluate_", "t_"].every((n) => MANGLED.test(n))).toBe(true);
    expect(["session", "retry_after", "__guideLib", "__GUIDE_BUNDLES__", "_private"].some((n) => MANGLED.test(n))).toBe(false);
  });

  it("reads the shared modules and the boundaries", () => {
    expect(SHARED).toEqual(expect.arrayContaining(["h.ts", "i18n.ts", "styles.ts"]));
    for (const file of [...BOUNDARY_FILES, ...BOUNDARY_TYPES.map(([f]) => f)]) expect(SOURCES.has(file), file).toBe(true);
  });

  it.each(BOUNDARY_FILES)("is not used in %s, which crosses a boundary", (file) => {
    expect(conventionNames(SOURCES.get(file)!)).toEqual([]);
  });

  it.each(BOUNDARY_TYPES)("is not used in %s %s, which crosses a boundary", (file, name) => {
    expect(conventionNames(declaration(SOURCES.get(file)!, name))).toEqual([]);
  });

  it("would catch a wire field named by the convention, and not one in a comment or a string", () => {
    expect(conventionNames('export interface Ack { ok: boolean; /* retry_ */ code_: string; m: "x_" }')).toEqual(["code_"]);
  });
});

import { describe, expect, it } from "vitest";

/**
 * The widget stays a composer of small parts (issue 13, point 5): no source
 * module over 300 lines, widget.ts itself at most 200, and no import cycle
 * among src modules (type-only imports count too: a cycle is a layering bug).
 */
const MAX_LINES = 300;
const MAX_WIDGET_LINES = 200;

declare global {
  interface ImportMeta {
    /** Vite's, expanded when the test is collected (tsconfig has no Vite types). */
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

/** Every src module's text, by its path under src/. */
const SOURCES = new Map(
  Object.entries(import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true })).map(([path, text]) => [
    path.slice("../src/".length),
    text,
  ]),
);

/** Lines as `wc -l` counts them: newline characters. */
const lineCount = (text: string): number => (text.match(/\n/g) ?? []).length;

/** `spec` imported from the module at `from` (both under src/), as a path under src/. */
function resolve(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  const path = parts.join("/");
  return path.endsWith(".ts") ? path : `${path}.ts`;
}

/** The src modules a module imports or re-exports from (type-only imports too). */
function localImports(from: string, text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => resolve(from, m[1]));
}

/** One import cycle, as a list of modules starting and ending with the same one, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe("the widget's module structure", () => {
  it("reads the source modules", () => {
    expect([...SOURCES.keys()]).toEqual(expect.arrayContaining(["widget.ts", "client.ts", "session.ts", "director.ts", "tour/runtime.ts"]));
  });

  it(`has no module over ${MAX_LINES} lines`, () => {
    const long = [...SOURCES].filter(([, text]) => lineCount(text) > MAX_LINES).map(([path, text]) => `${path}: ${lineCount(text)}`);
    expect(long).toEqual([]);
  });

  it(`keeps widget.ts a composer: at most ${MAX_WIDGET_LINES} lines`, () => {
    expect(lineCount(SOURCES.get("widget.ts")!)).toBeLessThanOrEqual(MAX_WIDGET_LINES);
  });

  it("has no import cycle among src modules", () => {
    const graph = new Map([...SOURCES].map(([path, text]) => [path, localImports(path, text).filter((to) => SOURCES.has(to))]));
    expect(findCycle(graph)).toBeNull();
  });

  it("sees a cycle, type-only imports and re-exports included, when there is one", () => {
    expect(localImports("tour/a.ts", 'import type { B } from "./b";\nexport { c } from "../c";\nimport {\n  d,\n} from "./d";')).toEqual(["tour/b.ts", "c.ts", "tour/d.ts"]);
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycle(cyclic)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
    expect(findCycle(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toBeNull();
  });
});

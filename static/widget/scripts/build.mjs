// Builds dist/guide.js (the widget), dist/tour.js (the tour runtime, loaded by
// guide.js only when a tour is about to show) and dist/stub.min.js (the loader
// stub), and regenerates snippet.html from the minified stub so the documented
// snippet can never drift from the code.
import { build, transform } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
// ES2020 syntax (optional chaining, ??) ships as is: every target here has it, and
// transpiling it away cost ~0.3 KB gzip of the 30 KB budget.
const target = ["es2020", "chrome80", "firefox78", "safari13.1"];
// esbuild lowers every `?.` for Chrome 80-90 (~0.6 KB gzip) because of one V8 bug there:
// a call in an optional chain with a spread argument before another argument,
// `a?.b(...x, y)`, throws (https://crbug.com/42201552). We ship `?.` as is and
// noBuggyOptionalCall() below fails the build if the output ever has that shape.
const supported = { "optional-chain": true };
const EXAMPLE_SERVER = "https://guide.example.com";

await mkdir(dist, { recursive: true });

// The lazily loaded bundles take these helpers from guide.js at run time
// (src/lib.ts) instead of bundling their own copies.
const SHARED = { h: ["h"], i18n: ["fmt"], page: ["pageUrl"], styles: ["adoptStyles"], url: ["urlMatches"] };
const shared = {
  name: "shared",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/(h|i18n|page|styles|url)$/ }, (args) => ({ path: args.path.slice(3), namespace: "shared" }));
    b.onLoad({ filter: /.*/, namespace: "shared" }, (args) => ({
      contents: SHARED[args.path].map((n) => `export const ${n} = (...a) => window.__guideLib.${n}(...a);`).join("\n"),
      loader: "js",
    }));
  },
};

// The stylesheets are CSS in template literals (`const CSS = \`...\``), which esbuild's
// JS minifier leaves as written; this runs them through its CSS minifier (comments,
// whitespace, shorthands): ~0.4 KB gzip of the 30 KB budget. No target: nothing is lowered.
const minifyCss = {
  name: "minify-css",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      let source = await readFile(args.path, "utf8");
      const found = [...source.matchAll(/(\b\w*CSS = `)([^`$]*)`/g)];
      for (const m of found) {
        const css = (await transform(m[2], { loader: "css", minify: true })).code.trim();
        source = source.replace(m[0], `${m[1]}${css}\``);
      }
      return { contents: source, loader: "ts" };
    });
  },
};

const bundle = (entry, outfile, lazy = false) =>
  build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, outfile),
    bundle: true,
    format: "iife",
    platform: "browser",
    target,
    minify: true,
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
    plugins: lazy ? [shared, minifyCss] : [minifyCss],
    supported,
  });

/** Fails on a call inside an optional chain whose spread argument is not the last (see `supported`). */
async function noBuggyOptionalCall(file) {
  const path = join(dist, file);
  const source = ts.createSourceFile(path, await readFile(path, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isOptionalChain(node) && node.arguments.slice(0, -1).some(ts.isSpreadElement)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      throw new Error(`${file}:${line + 1}: a spread before the last argument of a call in an optional chain breaks Chrome 80-90; rewrite it`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

for (const [entry, file, lazy] of [
  ["src/index.ts", "guide.js"],
  ["src/tour/index.ts", "tour.js", true],
  ["src/help/index.ts", "help.js", true],
  ["src/author/index.ts", "author.js", true],
]) {
  await bundle(entry, file, lazy);
  await noBuggyOptionalCall(file);
}

/** The stub as one statement; `server` is the argument a product team edits. */
async function stub(server) {
  const result = await build({
    stdin: {
      contents: `import { stub } from "./src/stub.ts"; stub(window, document, ${JSON.stringify(server)});`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    platform: "browser",
    target,
    minify: true,
    write: false,
    legalComments: "none",
  });
  return result.outputFiles[0].text.trim();
}

// The default stub loads from the page's own origin (empty server prefix).
await writeFile(join(dist, "stub.min.js"), (await stub("")) + "\n");

const snippet = `<!-- Guide: paste before </body> (or in <head>). Replace the server URL,
     the app key and the user; sign the identity token on your backend. -->
<script>
${await stub(EXAMPLE_SERVER)}
Guide.init({appKey: "demo", server: "${EXAMPLE_SERVER}"});
Guide.identify("user-123", {name: "Ada", plan: "trial"}, {token: "<identity JWT from your backend>"});
</script>
`;
const snippetPath = join(root, "snippet.html");
const previous = await readFile(snippetPath, "utf8").catch(() => "");
if (previous !== snippet) await writeFile(snippetPath, snippet);

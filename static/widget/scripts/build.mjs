// Builds dist/guide.js (the widget), the lazily loaded bundles it fetches when
// needed (dist/tour.js: the tour runtime, dist/help.js: the help panel,
// dist/author.js: preview and picker for authors, dist/survey.js: the survey card,
// dist/messages.js, dist/checklist.js: the checklist panel) and dist/stub.min.js (the
// loader stub), and regenerates snippet.html from the minified stub so the
// documented snippet can never drift from the code.
//
// For the server (guide/widget_assets.py, docs/DEPLOY.md):
// - each lazy bundle is also written under a content-hashed name
//   (tour.3fa2c1d9.js, cached forever), and guide.js is built after them with
//   that name map compiled in (esbuild `define`, read by src/lazy.ts); the plain
//   names stay, for a guide.js cached from an earlier release;
// - dist/manifest.json maps every servable logical name to the file to serve
//   (the server serves nothing else);
// - every served file gets precompressed siblings, .gz (gzip by Zopfli) and .br
//   (Brotli quality 11), so no request compresses anything.
import { build, transform } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { brotli, gzip } from "./wire.mjs";

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
// Members internal to one bundle end in an underscore (`session_`, `evaluate_()`: the
// objects guide.js's parts hand each other, src/parts.ts; the tour runtime's own state),
// and esbuild shortens them to a letter or two: a minifier may not rename a property, and
// without this the boundaries between the small parts cost ~0.45 KB gzip of the 30 KB budget. `[^_]_$`, not `_$`: leaves
// `__x__` names alone. Nothing that crosses a boundary may use the convention (public API,
// wire JSON, storage, the contracts of the lazy bundles and the helpers they share from
// guide.js, DOM): test/mangle.test.ts fails if one does. So each bundle is mangled on its
// own, with no mangleCache: no mangled name ever has to mean the same in two bundles.
const MANGLED = /[^_]_$/;
const EXAMPLE_SERVER = "https://guide.example.com";

await mkdir(dist, { recursive: true });

// The lazily loaded bundles take these helpers (and the base stylesheet) from
// guide.js at run time (src/lib.ts) instead of bundling their own copies.
const SHARED = {
  h: ["h"], helpful: ["helpful"], i18n: ["fmt"], locale: ["setLocale"], page: ["pageUrl"], styles: ["adoptStyles", "BASE_CSS"], toplayer: ["layer", "unzoom"], url: ["urlMatches"],
};
// Read once, when the bundle runs: lazy.ts sets window.__guideLib before it loads one.
const sharedExport = (n) => `export const ${n} = window.__guideLib.${n};`;
const shared = {
  name: "shared",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\.\\./(${Object.keys(SHARED).join("|")})$`) }, (args) => ({ path: args.path.slice(3), namespace: "shared" }));
    b.onLoad({ filter: /.*/, namespace: "shared" }, (args) => ({
      contents: SHARED[args.path].map(sharedExport).join("\n"),
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

/** Builds one bundle in memory: its code (ending with a sourceMappingURL to `${outfile}.map`) and map. */
async function bundle(entry, outfile, { lazy = false, define } = {}) {
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, outfile),
    write: false,
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
    define,
    mangleProps: MANGLED,
  });
  const output = (suffix) => result.outputFiles.find((f) => f.path.endsWith(suffix)).text;
  return { code: output(".js"), map: output(".js.map") };
}

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

/** Logical name -> the file served for it, written to dist/manifest.json at the end. */
const manifest = {};
/** Every file the server may send: each gets .gz and .br siblings. */
const served = [];

async function emit(name, text) {
  await writeFile(join(dist, name), text);
  served.push(name);
}

// Hashed names from earlier builds: nothing refers to them any more. The manifest
// goes too, until this build is complete.
const HASHED = /\.[0-9a-f]{8}\.js(\.map)?(\.gz|\.br)?$/;
for (const name of await readdir(dist)) if (HASHED.test(name) || name === "manifest.json") await rm(join(dist, name));

// The lazy bundles first: guide.js is built with their hashed names.
const bundles = {};
for (const [entry, file] of [
  ["src/tour/index.ts", "tour.js"],
  ["src/help/index.ts", "help.js"],
  ["src/author/index.ts", "author.js"],
  ["src/survey/index.ts", "survey.js"],
  ["src/messages/index.ts", "messages.js"],
  ["src/panel/index.ts", "checklist.js"],
]) {
  const { code, map } = await bundle(entry, file, { lazy: true });
  // The hash of the bundle's bytes and its map; the hashed copy differs only in naming its own map.
  const hash = createHash("sha256").update(code).update(map).digest("hex").slice(0, 8);
  const hashed = file.replace(/\.js$/, `.${hash}.js`);
  const pointer = `//# sourceMappingURL=${file}.map`;
  if (!code.includes(pointer)) throw new Error(`${file}: no ${pointer} at its end`);
  await emit(hashed, code.slice(0, code.lastIndexOf(pointer)) + `//# sourceMappingURL=${hashed}.map\n`);
  await emit(`${hashed}.map`, map);
  // The plain name is only for a guide.js from an earlier release (a tab opened before
  // a deploy asks for tour.js): its shared helpers may lack what this build takes from
  // guide.js, so this copy carries its own and needs nothing from window.__guideLib.
  const legacy = await bundle(entry, file);
  await emit(file, legacy.code);
  await emit(`${file}.map`, legacy.map);
  await noBuggyOptionalCall(file);
  await noBuggyOptionalCall(hashed);
  bundles[file] = hashed;
  manifest[file] = hashed;
  manifest[`${file}.map`] = `${hashed}.map`;
}
const main = await bundle("src/index.ts", "guide.js", { define: { __GUIDE_BUNDLES__: JSON.stringify(bundles) } });
await emit("guide.js", main.code);
await emit("guide.js.map", main.map);
manifest["guide.js"] = "guide.js";
manifest["guide.js.map"] = "guide.js.map";
await noBuggyOptionalCall("guide.js");

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
await emit("stub.min.js", (await stub("")) + "\n");
manifest["stub.min.js"] = "stub.min.js";

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

// Precompressed siblings of every served file, then the manifest (last: its
// presence says the build is complete).
for (const name of served) {
  const raw = await readFile(join(dist, name));
  await writeFile(join(dist, `${name}.gz`), await gzip(raw));
  await writeFile(join(dist, `${name}.br`), brotli(raw));
}
await writeFile(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

// Builds dist/guide.js (the widget), dist/tour.js (the tour runtime, loaded by
// guide.js only when a tour is about to show) and dist/stub.min.js (the loader
// stub), and regenerates snippet.html from the minified stub so the documented
// snippet can never drift from the code.
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
// ES2020 syntax (optional chaining, ??) ships as is: every target here has it, and
// transpiling it away cost ~0.3 KB gzip of the 30 KB budget.
const target = ["es2020", "chrome80", "firefox78", "safari13.1"];
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
    plugins: lazy ? [shared] : [],
  });

await bundle("src/index.ts", "guide.js");
await bundle("src/tour/index.ts", "tour.js", true);
await bundle("src/help/index.ts", "help.js", true);
await bundle("src/author/index.ts", "author.js", true);

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

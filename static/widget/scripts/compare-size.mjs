// Our widget's wire size (gzip and Brotli) next to the published bundles of
// driver.js, shepherd.js and intro.js, written to docs/BENCHMARKS.md (between
// the bench:widget markers, leaving the rest of the file alone) and printed.
//
//   npm run build && node scripts/compare-size.mjs [--no-write]
//
// The other libraries are installed with `npm install --no-save` into a
// temporary directory (never into static/widget); each is measured as its
// browser dist JS plus its CSS, compressed separately (gzip by Zopfli, Brotli
// quality 11: scripts/wire.mjs) and summed. Ours are the .gz / .br files the
// server sends.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wireSizes } from "./wire.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const docs = join(root, "..", "..", "docs", "BENCHMARKS.md");
const START = "<!-- bench:widget:start -->";
const END = "<!-- bench:widget:end -->";

const OTHERS = [
  { name: "driver.js", license: "MIT", js: "dist/driver.js.iife.js", css: "dist/driver.css" },
  { name: "shepherd.js", license: "AGPL-3.0", js: "dist/js/shepherd.mjs", css: "dist/css/shepherd.css" },
  { name: "intro.js", license: "AGPL-3.0", js: "minified/intro.min.js", css: "minified/introjs.min.css" },
];

const n = (bytes) => bytes.toLocaleString("en-US");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, br: a.br + b.br });
/** "gzip / br" cells of a size. */
const wire = (size) => `${n(size.gzip)} / ${n(size.br)}`;

const dist = join(root, "dist");
const manifest = JSON.parse(await readFile(join(dist, "manifest.json"), "utf8"));
const ours = {
  main: await wireSizes(join(dist, manifest["guide.js"])),
  tour: await wireSizes(join(dist, manifest["tour.js"])),
  help: await wireSizes(join(dist, manifest["help.js"])),
};
const version = JSON.parse(await readFile(join(root, "package.json"), "utf8")).version;

const temp = await mkdtemp(join(tmpdir(), "guide-compare-"));
const rows = [];
try {
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", temp, ...OTHERS.map((o) => o.name)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const o of OTHERS) {
    const dir = join(temp, "node_modules", o.name);
    const v = JSON.parse(await readFile(join(dir, "package.json"), "utf8")).version;
    const js = await wireSizes(join(dir, o.js));
    const css = await wireSizes(join(dir, o.css));
    rows.push({ ...o, version: v, js, css, total: add(js, css) });
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

const total = add(add(ours.main, ours.tour), ours.help);
const date = new Date().toISOString().slice(0, 10);
const lines = [
  START,
  "## Widget size (`node static/widget/scripts/compare-size.mjs`)",
  "",
  `Measured ${date} with \`npm run build && node scripts/compare-size.mjs\` in static/widget: the bytes on the wire, ` +
    "gzip (Zopfli) / Brotli (quality 11), as the server sends the precompressed files `npm run build` writes " +
    "(raw bytes in parentheses for ours). The other libraries are their published npm packages (installed with " +
    "`npm install --no-save` into a temporary directory), measured as their browser dist JS plus their CSS, " +
    "compressed the same way. Our CSS is inside the JS (constructable stylesheets). The budget is on gzip.",
  "",
  "| bundle | version | JS gzip / br | CSS gzip / br | total gzip / br | vs our total (gzip) |",
  "|---|---|---:|---:|---:|---:|",
  `| **Guide** guide.js: first load (checklist, launcher, realtime client, durable outbox, HTTP fallback, tour start rules) | ${version} | ${wire(ours.main)} (${n(ours.main.raw)} raw) | in JS | ${wire(ours.main)} | |`,
  `| **Guide** tour.js: loaded when a tour is about to show (tour runtime + Floating UI) | ${version} | ${wire(ours.tour)} (${n(ours.tour.raw)} raw) | in JS | ${wire(ours.tour)} | |`,
  `| **Guide** help.js: loaded when help first opens (articles, search, Contact support) | ${version} | ${wire(ours.help)} (${n(ours.help.raw)} raw) | in JS | ${wire(ours.help)} | |`,
  `| **Guide, whole widget** (budget 31 KB gzip: 30 KB + 1 KB for analytics views, issue #14) | ${version} | ${wire(total)} (${n(total.raw)} raw) | in JS | **${wire(total)} (${kb(total.gzip)} / ${kb(total.br)})** | 1.00x |`,
  ...rows.map(
    (r) => `| ${r.name} (${r.license}), tours only, no server | ${r.version} | ${wire(r.js)} | ${wire(r.css)} | ${wire(r.total)} (${kb(r.total.gzip)} / ${kb(r.total.br)}) | ${(r.total.gzip / total.gzip).toFixed(2)}x |`,
  ),
  "",
  "driver.js, shepherd.js and intro.js are client-side tour libraries: no checklist, no progress sync, no server. " +
    "A fair comparison for the tour part alone is their total against our tour.js.",
  END,
];
const block = lines.join("\n");
console.log(block);

if (!process.argv.includes("--no-write")) {
  const current = await readFile(docs, "utf8").catch(() => "# Benchmarks\n");
  const at = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    at >= 0 && end > at ? current.slice(0, at) + block + current.slice(end + END.length) : `${current.replace(/\s*$/, "")}\n\n${block}\n`;
  await writeFile(docs, next);
  console.log(`\nwritten to ${docs}`);
}

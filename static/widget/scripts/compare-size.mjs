// Our widget's gzip size next to the published bundles of driver.js,
// shepherd.js and intro.js, written to docs/BENCHMARKS.md (between the
// bench:widget markers, leaving the rest of the file alone) and printed.
//
//   npm run build && node scripts/compare-size.mjs [--no-write]
//
// The other libraries are installed with `npm install --no-save` into a
// temporary directory (never into static/widget); each is measured as its
// browser dist JS plus its CSS, gzipped separately at level 9 and summed.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const docs = join(root, "..", "..", "docs", "BENCHMARKS.md");
const START = "<!-- bench:widget:start -->";
const END = "<!-- bench:widget:end -->";

const OTHERS = [
  { name: "driver.js", license: "MIT", js: "dist/driver.js.iife.js", css: "dist/driver.css" },
  { name: "shepherd.js", license: "AGPL-3.0", js: "dist/js/shepherd.mjs", css: "dist/css/shepherd.css" },
  { name: "intro.js", license: "AGPL-3.0", js: "minified/intro.min.js", css: "minified/introjs.min.css" },
];

const gz = async (path) => gzipSync(await readFile(path), { level: 9 }).length;
const n = (bytes) => bytes.toLocaleString("en-US");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const ours = {
  main: await gz(join(root, "dist", "guide.js")),
  tour: await gz(join(root, "dist", "tour.js")),
  help: await gz(join(root, "dist", "help.js")),
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
    const js = await gz(join(dir, o.js));
    const css = await gz(join(dir, o.css));
    rows.push({ ...o, version: v, js, css, total: js + css });
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

const total = ours.main + ours.tour + ours.help;
const date = new Date().toISOString().slice(0, 10);
const lines = [
  START,
  "## Widget size (`node static/widget/scripts/compare-size.mjs`)",
  "",
  `Measured ${date} with \`npm run build && node scripts/compare-size.mjs\` in static/widget: gzip level 9 of the built files. ` +
    "The other libraries are their published npm packages (installed with `npm install --no-save` into a temporary directory), " +
    "measured as their browser dist JS plus their CSS. Our CSS is inside the JS (constructable stylesheets).",
  "",
  "| bundle | version | JS gzip | CSS gzip | total gzip | vs our total |",
  "|---|---|---:|---:|---:|---:|",
  `| **Guide** guide.js: first load (checklist, launcher, realtime client, durable outbox, HTTP fallback, tour start rules) | ${version} | ${n(ours.main)} | in JS | ${n(ours.main)} (${kb(ours.main)}) | |`,
  `| **Guide** tour.js: loaded when a tour is about to show (tour runtime + Floating UI) | ${version} | ${n(ours.tour)} | in JS | ${n(ours.tour)} (${kb(ours.tour)}) | |`,
  `| **Guide** help.js: loaded when help first opens (articles, search, Contact support) | ${version} | ${n(ours.help)} | in JS | ${n(ours.help)} (${kb(ours.help)}) | |`,
  `| **Guide, whole widget** (budget 30 KB) | ${version} | ${n(total)} | in JS | **${n(total)} (${kb(total)})** | 1.00x |`,
  ...rows.map(
    (r) => `| ${r.name} (${r.license}), tours only, no server | ${r.version} | ${n(r.js)} | ${n(r.css)} | ${n(r.total)} (${kb(r.total)}) | ${(r.total / total).toFixed(2)}x |`,
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

// Prints the raw, gzip and Brotli bytes of the built files (what crosses the wire:
// the server sends the precompressed .gz / .br siblings that build.mjs writes) and
// fails over budget (DESIGN.md section 8: the whole widget <= 30 KB gzip, stub < 1 KB gzip,
// plus 1 KB for recording analytics views, issue #14).
// The whole widget is guide.js plus its lazily loaded tour runtime (tour.js), help panel
// (help.js) and checklist panel (checklist.js).
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wireSizes } from "./wire.mjs";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
// Issue #14 ("guide analytics"): recording what users see (guides, steps, items, articles,
// searches, nudges) may add at most 1 KB gzip, to guide.js and to the whole widget. Before it:
// guide.js 17,277 B, the whole widget 30,718 B of 30,720.
const ANALYTICS = 1024;
// Issue #15 (surveys, announcements, hotspots, tooltips): guide.js may grow by at most
// 1.5 KB gzip in all (the loaders and the unread badge); before it guide.js was 17,703 B.
// Each new kind is its own lazy bundle of at most 6 KB gzip, loaded only when one shows.
const KINDS = 1536;
// Issue #16 (theme): launcher position and label, the dark palette and light/dark mode, and
// theming before the first paint may add at most 200 B gzip, to guide.js and the whole widget.
const THEME = 200;
// Issue #16 (translations): right to left, the launcher's corner and its panels mirror
// (one CSS rule shared with the theme's left positions).
const RTL = 16;
// Issue #17 (first load): the checklist panel's rendering moved out of guide.js into the lazy
// checklist.js, fetched right after a bootstrap that lists a checklist; guide.js went from
// 19,441 B to 18,477 B gzip and its budget follows it (+40 B of room). Two bundles compress
// apart: the panel costs 629 B more in all than it did inside guide.js (SPLIT).
const SPLIT = 640;
// Issue #15 (preview): an author's preview keeps every envelope naming the draft in the page
// (the message kinds' views and a draft survey's answer, not only a guide's state). It must
// live in guide.js, as the author bundle may load after the first events: +12 B (18,502 ->
// 18,514 B); the room it leaves is 40 B again. Issue #15's own growth of guide.js: +1,493 B
// (17,695 B at f9e3986^ -> 19,188 B at cd34cf4) + 12 B = 1,505 B of the 1,536 B it allows.
const PREVIEW = 40;
const WHOLE = 30 * 1024 + ANALYTICS + KINDS + THEME + RTL + SPLIT;
const FIRST_LOAD = 18477 + 40 + PREVIEW;
const budgets = [
  ["guide.js", FIRST_LOAD, "<="],
  ["tour.js", WHOLE, "<="],
  ["help.js", WHOLE, "<="],
  // Authors only (preview badge, element picker): not part of what end users load.
  ["author.js", 4 * 1024, "<="],
  ["survey.js", 6 * 1024, "<="],
  // Announcements, hotspots, tooltips: loaded only when bootstrap lists one (their anchoring is tour.js's).
  ["messages.js", 6 * 1024, "<="],
  // The checklist panel (steps, progress, plan details): loaded after a bootstrap that lists a checklist.
  ["checklist.js", 2 * 1024, "<="],
  ["stub.min.js", 1024, "<"],
];

const manifest = JSON.parse(await readFile(join(dist, "manifest.json"), "utf8").catch(() => "{}"));
const col = (n, width) => String(n).padStart(width);
let failed = false;
const sizes = {};
console.log(`${"file".padEnd(32)} ${col("raw", 7)}   ${col("gzip", 6)}   ${col("br", 6)}`);
for (const [file, limit, op] of budgets) {
  const served = manifest[file] ?? file;
  let size;
  try {
    size = await wireSizes(join(dist, served));
  } catch {
    console.error(`${file}: missing, run \`npm run build\` first`);
    failed = true;
    continue;
  }
  sizes[file] = size;
  const ok = op === "<=" ? size.gzip <= limit : size.gzip < limit;
  failed ||= !ok;
  const name = served === file ? file : `${file} (${served})`;
  console.log(`${name.padEnd(32)} ${col(size.raw, 7)} B ${col(size.gzip, 6)} B ${col(size.br, 6)} B  (gzip budget ${op} ${limit} B) ${ok ? "ok" : "OVER BUDGET"}`);
}
const WHOLE_FILES = ["guide.js", "tour.js", "help.js", "checklist.js"];
const sum = (key) => WHOLE_FILES.reduce((total, f) => total + (sizes[f]?.[key] ?? 0), 0);
const ok = sum("gzip") <= WHOLE;
failed ||= !ok;
console.log(`${"whole widget".padEnd(32)} ${col(sum("raw"), 7)} B ${col(sum("gzip"), 6)} B ${col(sum("br"), 6)} B  (${WHOLE_FILES.join(" + ")}, gzip budget <= ${WHOLE} B) ${ok ? "ok" : "OVER BUDGET"}`);
process.exit(failed ? 1 : 0);

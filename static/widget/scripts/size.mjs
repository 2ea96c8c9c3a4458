// Prints raw and gzip sizes of the built files and fails over budget
// (DESIGN.md section 8: the whole widget <= 30 KB gzip, stub < 1 KB gzip).
// The whole widget is guide.js plus its lazily loaded tour runtime (tour.js) and help panel (help.js).
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const WHOLE = 30 * 1024;
const budgets = [
  ["guide.js", WHOLE, "<="],
  ["tour.js", WHOLE, "<="],
  ["help.js", WHOLE, "<="],
  // Authors only (preview badge, element picker): not part of what end users load.
  ["author.js", 4 * 1024, "<="],
  ["stub.min.js", 1024, "<"],
];

let failed = false;
const gzipped = {};
for (const [file, limit, op] of budgets) {
  let raw;
  try {
    raw = await readFile(join(dist, file));
  } catch {
    console.error(`${file}: missing, run \`npm run build\` first`);
    failed = true;
    continue;
  }
  const gz = gzipSync(raw, { level: 9 }).length;
  gzipped[file] = gz;
  const ok = op === "<=" ? gz <= limit : gz < limit;
  failed ||= !ok;
  console.log(`${file.padEnd(12)} ${String(raw.length).padStart(7)} B raw  ${String(gz).padStart(6)} B gzip  (budget ${op} ${limit} B) ${ok ? "ok" : "OVER BUDGET"}`);
}
const whole = (gzipped["guide.js"] ?? 0) + (gzipped["tour.js"] ?? 0) + (gzipped["help.js"] ?? 0);
const ok = whole <= WHOLE;
failed ||= !ok;
console.log(`${"whole widget".padEnd(12)} ${"".padStart(13)}  ${String(whole).padStart(6)} B gzip  (guide.js + tour.js + help.js, budget <= ${WHOLE} B) ${ok ? "ok" : "OVER BUDGET"}`);
process.exit(failed ? 1 : 0);

// Prints raw and gzip sizes of the built files and fails over budget
// (DESIGN.md section 8: bundle <= 30 KB gzip, stub < 1 KB gzip).
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const budgets = [
  ["guide.js", 30 * 1024, "<="],
  ["stub.min.js", 1024, "<"],
];

let failed = false;
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
  const ok = op === "<=" ? gz <= limit : gz < limit;
  failed ||= !ok;
  console.log(`${file.padEnd(12)} ${String(raw.length).padStart(7)} B raw  ${String(gz).padStart(6)} B gzip  (budget ${op} ${limit} B) ${ok ? "ok" : "OVER BUDGET"}`);
}
process.exit(failed ? 1 : 0);

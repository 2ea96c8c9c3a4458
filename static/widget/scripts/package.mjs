// Builds the npm package (docs/NPM.md) into build/package/ and packs it with
// `npm pack` into build/guide-server-widget-<version>.tgz (not published):
// - dist/index.mjs: src/package.ts as one ES module (it bundles only src/stub.ts;
//   guide.js and its lazy bundles still load from the Guide server at init());
// - types/: declarations from tsc --emitDeclarationOnly, types/package.d.ts the entry's;
// - package.json (exports: import + types) and README.md (npm/README.md).
// guide.js is not touched: the package is a separate output, outside the size budgets.
// GUIDE_PACKAGE_OUT=<dir> builds into <dir>/package and packs into <dir> instead.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = process.env.GUIDE_PACKAGE_OUT ? resolve(process.env.GUIDE_PACKAGE_OUT) : join(root, "build");
const pkg = join(out, "package");
const meta = JSON.parse(await readFile(join(root, "package.json"), "utf8"));

await rm(pkg, { recursive: true, force: true });
await mkdir(pkg, { recursive: true });

await build({
  entryPoints: [join(root, "src/package.ts")],
  outfile: join(pkg, "dist/index.mjs"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: ["es2020"],
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
});

const tsc = join(root, "node_modules/typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.package.json", "--outDir", join(pkg, "types")], { cwd: root, stdio: "inherit" });
// Our sources import without extensions (moduleResolution "Bundler"); a consumer on
// "NodeNext" needs them in ES module declarations: `./api` -> `./api.js` (resolves to api.d.ts).
for (const file of await readdir(join(pkg, "types"), { recursive: true })) {
  if (!file.endsWith(".d.ts")) continue;
  const path = join(pkg, "types", file);
  const text = await readFile(path, "utf8");
  await writeFile(path, text.replace(/((?:from\s*|import\()["'])(\.{1,2}\/[^"']+?)(["'])/g, "$1$2.js$3"));
}

const manifest = {
  name: meta.name,
  version: meta.version,
  description: "The Guide onboarding widget as an ES module: init, identify, group, track, start, openHelp, on.",
  license: meta.license,
  type: "module",
  exports: { ".": { types: "./types/package.d.ts", import: "./dist/index.mjs" } },
  module: "./dist/index.mjs",
  types: "./types/package.d.ts",
  sideEffects: false,
  files: ["dist", "types", "README.md"],
};
await writeFile(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
await copyFile(join(root, "npm/README.md"), join(pkg, "README.md"));

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const packed = execFileSync(npm, ["pack", pkg, "--pack-destination", out, "--silent"], { cwd: root, encoding: "utf8" }).trim();
console.log(join(out, packed.split("\n").pop()));

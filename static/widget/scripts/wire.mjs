// Compression as the server sends the widget (one place for the settings): build.mjs
// writes these next to every served file, size.mjs and compare-size.mjs measure them.
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants } from "node:zlib";

/**
 * gzip by Zopfli, what a `.gz` sibling holds: the same format every gzip client
 * decodes, about 3% smaller than zlib's level 9 on our bundles, at a cost paid
 * once at build time (the precompressed files are served as they are).
 */
export async function gzip(raw) {
  // Imported here, not at the top: its Emscripten runtime hooks the process's error
  // handlers on load, which would print its whole source with any build error.
  const { gzipAsync } = await import("@gfx/zopfli");
  return Buffer.from(await gzipAsync(raw, { numiterations: 15 }));
}

/** Brotli at quality 11 (the maximum), what a `.br` sibling holds. */
export const brotli = (raw) =>
  brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });

/**
 * Raw, gzip and Brotli bytes of a file: the sizes of its precompressed siblings
 * when build.mjs wrote them (what the server sends), else compressed here with
 * the same settings (another library's published file).
 */
export async function wireSizes(path) {
  const raw = await readFile(path);
  const sibling = async (ext, compress) => (await readFile(`${path}${ext}`).catch(async () => compress(raw))).length;
  return { raw: raw.length, gzip: await sibling(".gz", gzip), br: await sibling(".br", brotli) };
}

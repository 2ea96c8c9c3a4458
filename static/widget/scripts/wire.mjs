// Compression as the server sends the widget (one place for the settings): build.mjs
// writes these next to every served file, size.mjs and compare-size.mjs measure them.
import { readFile } from "node:fs/promises";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** gzip at level 9, what a `.gz` sibling holds. */
export const gzip = (raw) => gzipSync(raw, { level: 9 });

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
  const sibling = async (ext, compress) => (await readFile(`${path}${ext}`).catch(() => compress(raw))).length;
  return { raw: raw.length, gzip: await sibling(".gz", gzip), br: await sibling(".br", brotli) };
}

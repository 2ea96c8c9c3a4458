import { h } from "./h";
import { helpful } from "./helpful";
import { fmt } from "./i18n";
import { setLocale } from "./locale";
import { pageUrl } from "./page";
import { adoptStyles, BASE_CSS } from "./styles";
import { layer, unzoom } from "./toplayer";
import { urlMatches } from "./url";

/**
 * Helpers the lazily loaded bundles share with guide.js instead of carrying
 * their own copies: scripts/build.mjs resolves their imports of these modules
 * to `window[LIB]` (set by lazy.ts before a bundle loads), which keeps ~0.6 KB
 * gzip out of the 30 KB budget. Tests import the real modules.
 */
export const LIB = "__guideLib";
export const lib = { h, helpful, fmt, setLocale, pageUrl, adoptStyles, BASE_CSS, layer, unzoom, urlMatches };
export type Lib = typeof lib;

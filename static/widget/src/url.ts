/**
 * URL globs, the same semantics as the server's `url_matches`
 * (guide/services/audience.py): `*` matches within one path segment, `**`
 * across segments (`/a/**` also matches `/a`), a trailing slash makes no other
 * page, the query is ignored unless the pattern has one (then every pattern
 * parameter must be present, `*` allowed in values), the fragment always is.
 */
const TOKENS: Record<string, string> = { "/**/": "/(?:.*/)?", "/**": "(?:/.*)?", "**": ".*", "*": "[^/]*" };
const cache = new Map<string, RegExp>();

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const trim = (path: string): string => path.replace(/\/+$/, "") || "/";

function pathRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const source = pattern
      .split(/(\/\*\*\/|\/\*\*$|\*\*|\*)/)
      .map((part) => TOKENS[part] ?? escape(part))
      .join("");
    re = new RegExp(`^${source}$`);
    if (cache.size > 200) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

function queryMatches(patternQuery: string, query: string): boolean {
  const actual = [...new URLSearchParams(query)];
  for (const [key, glob] of new URLSearchParams(patternQuery)) {
    const re = new RegExp(`^${glob.split("*").map(escape).join(".*")}$`);
    if (!actual.some(([k, v]) => k === key && re.test(v))) return false;
  }
  return true;
}

export function urlMatches(pattern: unknown, url: unknown): boolean {
  if (typeof pattern !== "string" || typeof url !== "string") return false;
  const cut = pattern.indexOf("?");
  const patternPath = (cut < 0 ? pattern : pattern.slice(0, cut)).split("#")[0];
  const patternQuery = cut < 0 ? "" : pattern.slice(cut + 1).split("#")[0];
  let parsed: URL;
  try {
    parsed = new URL(url.trim(), "http://x");
  } catch {
    return false;
  }
  if (!pathRegex(trim(patternPath)).test(trim(parsed.pathname || "/"))) return false;
  return !patternQuery || queryMatches(patternQuery, parsed.search.slice(1));
}

import { describe, expect, it } from "vitest";
import { urlMatches } from "../src/url";

// The same table as tests/unit/test_audience.py::test_url_matches: both sides must agree.
const CASES: Array<[string, string, boolean]> = [
  ["/demo/settings", "/demo/settings", true],
  ["/demo/settings", "/demo/settings/", true],
  ["/demo/settings", "/demo/settings?tab=team#x", true],
  ["/demo/settings", "https://app.example.com/demo/settings", true],
  ["/demo/settings", "/demo/settings/team", false],
  ["/app/*", "/app/reports", true],
  ["/app/*", "/app/reports/1", false],
  ["/app/*/edit", "/app/42/edit", true],
  ["/app/**", "/app/reports/1", true],
  ["/app/**", "/app", true],
  ["/app/**", "/application", false],
  ["/a/**/z", "/a/z", true],
  ["/a/**/z", "/a/b/c/z", true],
  ["/reports/*.pdf", "/reports/q1.pdf", true],
  ["/reports/*.pdf", "/reports/q1xpdf", false],
  ["/search?tab=team", "/search?q=x&tab=team", true],
  ["/search?tab=team", "/search?tab=billing", false],
  ["/search?tab=*", "/search?tab=anything", true],
  ["/search?tab=*", "/search", false],
  ["/", "/", true],
  ["/**", "/anything/at/all", true],
  ["/demo/dashboard", "/demo/dashboard/reports", false],
];

describe("URL globs (same semantics as the server's url_matches)", () => {
  it.each(CASES)("%s vs %s -> %s", (pattern, url, expected) => {
    expect(urlMatches(pattern, url)).toBe(expected);
  });

  it("tolerates non-strings", () => {
    expect(urlMatches("/a", null)).toBe(false);
    expect(urlMatches(undefined, "/a")).toBe(false);
  });
});

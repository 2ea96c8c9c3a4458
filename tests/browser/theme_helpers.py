"""Browser helpers for the theme tests: a bootstrap answer rewritten with a given theme,
and what the widget's launcher looked like the moment its host entered the page."""

from __future__ import annotations

import json
from typing import Any

# Records the launcher's computed background when our host element enters the page:
# `sync` right after the appendChild call returns (nothing of ours has run since),
# `observed` when a MutationObserver on the document sees it.
FIRST_PAINT = """(() => {
  const seen = window.__firstPaint = { sync: [], observed: [] };
  const colour = (node) => {
    if (!(node instanceof Element) || !node.hasAttribute('data-guide-widget') || !node.shadowRoot) return null;
    const launcher = node.shadowRoot.querySelector('.launcher');
    return launcher ? getComputedStyle(launcher).backgroundColor : null;
  };
  const append = Node.prototype.appendChild;
  Node.prototype.appendChild = function (node) {
    const result = append.call(this, node);
    const c = colour(node);
    if (c) seen.sync.push(c);
    return result;
  };
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
    const c = colour(n);
    if (c) seen.observed.push(c);
  }))).observe(document, { childList: true, subtree: true });
})();"""

LAUNCHER_BG = ("() => { const h = document.querySelector('#guide-root');"
               " return h && getComputedStyle(h.shadowRoot.querySelector('.launcher')).backgroundColor; }")


def rgb(hex_colour: str) -> str:
    """``#1d4ed8`` -> ``rgb(29, 78, 216)``, as getComputedStyle reports it."""
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def serve_theme(page: Any, theme: dict[str, Any]) -> None:
    """The server's bootstrap answers, with ``theme`` as the workspace's theme."""
    def handle(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["workspace"]["theme"] = theme
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length")}
        route.fulfill(status=response.status, headers=headers, body=json.dumps(body))

    page.route("**/api/v1/widget/bootstrap", handle)


def assert_follows_a_live_scheme_switch(page: Any, theme: dict[str, Any]) -> None:
    """The launcher shows in ``theme``'s light accent; the system switches to dark and back
    and the launcher follows each time in the same document (no reload)."""
    assert page.evaluate(LAUNCHER_BG) == rgb(theme["accent"])
    page.evaluate("() => { window.__sameDocument = true; }")
    page.emulate_media(color_scheme="dark")
    page.wait_for_function(f"() => ({LAUNCHER_BG})() === '{rgb(theme['dark']['accent'])}'")
    page.emulate_media(color_scheme="light")
    page.wait_for_function(f"() => ({LAUNCHER_BG})() === '{rgb(theme['accent'])}'")
    assert page.evaluate("() => window.__sameDocument") is True

"""Issue 11, point 6 on Borealis: the widget's JavaScript crosses the wire compressed,
the bundle a page loads first and the lazily loaded tour and help bundles alike."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.browser.hostile.helpers import HELP_PANEL, TOUR_STEP, open_host

pytestmark = pytest.mark.browser

BUNDLE = re.compile(r"/widget/(guide|tour|help)(\.[0-9a-f]+)?\.js$")


def load_every_bundle(page: Any, host: Any, user: str) -> dict[str, Any]:
    """guide.js, then tour.js (the dashboard tour starts) and help.js (help opens);
    the first response of each, as the host page's context received it."""
    responses: dict[str, Any] = {}

    def keep(response: Any) -> None:
        match = BUNDLE.search(response.url.split("?")[0])
        if match:
            responses.setdefault(match.group(1), response)

    page.on("response", keep)
    open_host(page, host, "/demo/dashboard", user)
    page.locator(TOUR_STEP).wait_for(state="visible")
    page.evaluate("() => Guide.openHelp()")
    page.locator(HELP_PANEL).wait_for(state="visible")
    assert sorted(responses) == ["guide", "help", "tour"], sorted(responses)
    return responses


def test_the_bundles_arrive_compressed_and_vary_on_accept_encoding(page, host, guide, user):
    for name, response in load_every_bundle(page, host, user).items():
        asked = response.request.all_headers().get("accept-encoding", "")
        assert "gzip" in asked, f"precondition: Chromium asked for {name} with Accept-Encoding {asked!r}"
        headers = response.all_headers()
        assert headers.get("content-encoding") in ("br", "gzip"), \
            f"{name} came uncompressed ({response.url}): {headers}"
        assert "accept-encoding" in headers.get("vary", "").lower(), f"{name}: Vary is {headers.get('vary')!r}"


def test_lazy_bundles_are_content_hashed_and_immutable_and_guide_js_revalidates(page, host, guide, user):
    responses = load_every_bundle(page, host, user)
    for name in ("tour", "help"):
        response = responses[name]
        assert re.search(rf"/widget/{name}\.[0-9a-f]{{8}}\.js$", response.url), \
            f"{name} is not loaded by a content-hashed name: {response.url}"
        assert "immutable" in response.all_headers().get("cache-control", ""), response.all_headers()
    etag = responses["guide"].all_headers().get("etag")
    assert etag, f"guide.js has no ETag: {responses['guide'].all_headers()}"
    request = urllib.request.Request(responses["guide"].url, headers={
        "If-None-Match": etag, "Accept-Encoding": responses["guide"].request.all_headers()["accept-encoding"]})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 304, f"guide.js revalidated with its ETag answered {status}"

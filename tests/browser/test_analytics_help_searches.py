"""The admin's Help searches page in real Chromium, under the admin's CSP: reached from the
Analytics nav, a hostile query shown as text, and axe finds no violations."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests import live
from tests.browser.test_analytics import analytics_page, no_violations, send
from tests.browser.test_authoring import admin_context, admin_server  # noqa: F401

pytestmark = pytest.mark.browser
HOSTILE = "<script>window.pwned = 1</script>"


def searched(server: live.LiveServer, user: str, *found: tuple[str, int]) -> None:
    """``user``'s help searches, as the widget batches them: ``(query, results)`` each."""
    send(server, live.bootstrap(server, user), [{"type": "event:track", "data": {
        "id": str(uuid.uuid4()), "name": "$help_search",
        "props": {"query": query, "results": results}}} for query, results in found])


def test_the_help_searches_page_lists_what_to_write_and_passes_axe(
        admin_context, admin_server, tmp_path: Path):  # noqa: F811
    searched(admin_server, f"searcher-{uuid.uuid4().hex[:8]}",
             ("invite teammates", 3), ("sso setup", 0), (HOSTILE, 0))
    page, blocked = analytics_page(admin_context)
    page.click('[data-testid="analytics-nav"] a:text-is("Help searches")')
    page.wait_for_url("**/admin/w/demo/analytics/help-searches")
    zero = page.locator('[data-testid="zero-result-queries"] tbody th')
    assert "sso setup" in zero.all_inner_texts()
    # The query is text on the page: shown as typed (lower case), never run.
    assert HOSTILE.lower() in zero.all_inner_texts()
    assert page.evaluate("window.pwned") is None
    assert "invite teammates" in page.locator(
        '[data-testid="top-queries"] tbody th').all_inner_texts()
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-help-searches.png"),
                    full_page=True)
    assert blocked == []

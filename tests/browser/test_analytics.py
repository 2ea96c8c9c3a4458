"""The admin's Analytics pages in real Chromium, under the admin's CSP: a user's progress
shows up in the list and the guide's report, and axe finds no violations on either page."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests import live
from tests.browser.conftest import csp_reports
from tests.browser.test_authoring import admin_context, admin_login, admin_server  # noqa: F401

pytestmark = pytest.mark.browser

AXE = live.ROOT / "static" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
VIOLATIONS = ("async () => (await axe.run(document)).violations"
              ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))")


def progress(server: live.LiveServer, user: str, guide: str) -> str:
    """``user`` opens ``guide`` and completes its first step, through the widget's HTTP API."""
    answer = live.bootstrap(server, user)
    step = next(g for g in answer["guides"] if g["key"] == guide)["steps"][0]["id"]
    send(server, answer, [{"type": "guide:state", "data": {"id": str(uuid.uuid4()),
                                                           "guide": guide, "state": "active"}},
                          {"type": "step:complete", "data": {"id": str(uuid.uuid4()),
                                                             "guide": guide, "step": step}}])
    return step


def send(server: live.LiveServer, answer: dict[str, Any], envelopes: list[Any]) -> None:
    """``envelopes`` as the widget batches them, for the user ``answer`` bootstrapped."""
    request = urllib.request.Request(
        f"{server.url}/api/v1/widget/events", data=json.dumps({"envelopes": envelopes}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {answer['socket']['token']}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        results = json.loads(response.read())["results"]
    assert all(result["ok"] for result in results), results


def no_violations(page: Any) -> None:
    if not AXE.is_file():
        pytest.skip(f"axe-core missing at {AXE}: run `make widget`")
    # Through DevTools, not a <script> tag: the page keeps its CSP, which refuses inline scripts.
    page.evaluate(AXE.read_text() + "\n;undefined")
    assert page.evaluate(VIOLATIONS) == []


def analytics_page(context: Any) -> tuple[Any, list[str]]:
    """A signed-in page on the Analytics list, and the CSP reports its console gets."""
    page = context.new_page()
    blocked = csp_reports(page)
    admin_login(page)
    page.click('nav.mainnav a:text-is("Analytics")')
    page.wait_for_url("**/admin/w/demo/analytics")
    return page, blocked


def test_the_analytics_pages_show_progress_and_pass_axe(admin_context, admin_server,  # noqa: F811
                                                       tmp_path: Path):
    step = progress(admin_server, f"analytics-{uuid.uuid4().hex[:8]}", "getting-started")
    page, blocked = analytics_page(admin_context)
    row = page.locator('[data-testid="analytics-list"] tr[data-guide="getting-started"]')
    assert row.locator('td[data-metric="started"]').inner_text() == "1"
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics.png"), full_page=True)

    row.locator("a").click()
    page.wait_for_url("**/admin/w/demo/analytics/guides/getting-started?days=30")
    funnel = page.locator(f'[data-testid="funnel"] tr[data-step="{step}"]')
    assert funnel.locator('td[data-metric="completed"]').inner_text() == "1"
    assert page.locator('svg[data-testid="trend-chart"] polyline').count() == 3
    assert page.locator('svg[data-testid="funnel-chart"] rect').count() >= 2
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-guide.png"), full_page=True)

    page.click('[data-testid="range-presets"] a:text-is("Last 7 days")')
    page.wait_for_url("**?days=7")
    assert page.locator('[data-testid="trend"] tbody tr').count() == 7
    assert blocked == []

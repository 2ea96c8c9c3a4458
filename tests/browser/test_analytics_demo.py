"""The demo's generated 90-day history (``flask guide demo history``, run by ``make demo``)
read through every Analytics page in real Chromium, under the admin's CSP: each page answers
its question with the picture the generator draws (a tour step lost to a missing target, a
reactive share that falls, a stall nudge that beats its holdout, accounts behind), passes axe,
and is the screenshot docs/ANALYTICS.md and the README show (``make screenshots``)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import live
from tests.browser.conftest import checked_context
from tests.browser.test_analytics import analytics_page, no_violations
from tests.browser.test_authoring import EMAIL, PASSWORD

pytestmark = pytest.mark.browser


def flask(server: live.LiveServer, *args: str) -> str:
    done = subprocess.run([str(live.BIN / "flask"), "--app", "wsgi", "guide", *args],
                          cwd=live.ROOT, env=server.env, check=True, capture_output=True,
                          text=True, timeout=300)
    return done.stdout


@pytest.fixture(scope="module")
def history_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    from tests.browser.conftest import WIDGET_BUNDLE, _require

    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    with live.demo_server(tmp_path_factory.mktemp("history"), "history") as server:
        flask(server, "author", "create", EMAIL, "--workspace", "demo", "--role", "admin",
              "--password", PASSWORD)
        assert "scenario firings over 90 days" in flask(server, "demo", "history")
        yield server


@pytest.fixture
def admin(browser: Any, history_server: live.LiveServer) -> Iterator[Any]:
    for context in checked_context(browser, history_server.url, height=900):
        page, blocked = analytics_page(context)
        yield page
        assert blocked == []  # nothing the admin's CSP refused


def number(text: str) -> float:
    """``"1,234"`` -> 1234; ``"35%"`` -> 35; ``"none"`` / ``"—"`` -> nan."""
    found = re.search(r"-?[\d,]+(\.\d+)?", text)
    return float(found.group().replace(",", "")) if found else float("nan")


def cells(page: Any, rows: str, key: str, metric: str) -> dict[str, float]:
    """``{row's data-<key>: number in its td[data-metric=metric]}`` for the rows matched."""
    found = {}
    for row in page.locator(rows).all():
        name = row.get_attribute(f"data-{key}")
        cell = row.locator(f'td[data-metric="{metric}"]')
        if name and cell.count():
            found[name] = number(cell.first.inner_text())
    return found


def shot(page: Any, directory: Path, name: str) -> None:
    no_violations(page)
    page.screenshot(path=str(directory / name), full_page=True)


def test_the_tour_loses_users_at_the_step_whose_target_is_missing(admin, screenshot_dir: Path):
    admin.goto("/admin/w/demo/analytics?days=90")
    shot(admin, screenshot_dir, "admin-analytics.png")
    admin.goto("/admin/w/demo/analytics/guides/dashboard-tour?days=90")
    funnel = '[data-testid="funnel"] tr[data-step]'
    drop = cells(admin, funnel, "step", "drop_off")
    missing = cells(admin, funnel, "step", "target_missing")
    worst = max(drop, key=drop.get)
    assert drop[worst] > 0
    assert missing[worst] == max(missing.values()) > 0, (drop, missing)
    shot(admin, screenshot_dir, "admin-analytics-guide.png")


def test_the_reactive_share_falls_below_the_target(admin, screenshot_dir: Path):
    admin.goto("/admin/w/demo/analytics/reactive?days=90")
    shares = [number(cell.inner_text()) for cell in admin.locator(
        '[data-testid="weeks"] tr[data-side="users"] td[data-metric="reactive_share"]').all()]
    measured = [share for share in shares if share == share]  # weeks with a share
    assert len(measured) >= 8, shares
    first, last = sum(measured[:4]) / 4, sum(measured[-4:]) / 4
    assert last <= 12 < 20 <= first, measured  # from about 30% down to about 8%
    shot(admin, screenshot_dir, "admin-analytics-reactive.png")


def test_the_stall_nudge_beats_its_holdout(admin, screenshot_dir: Path):
    admin.goto("/admin/w/demo/analytics/scenarios?days=90")
    for scenario in ("connect-data-reminder", "getting-started-stalled"):
        row = f'[data-testid="scenario-report"] [data-scenario="{scenario}"]'
        rates = {arm: number(admin.locator(f'{row} [data-arm="{arm}"] [data-metric="rate"]')
                             .first.inner_text()) for arm in ("treated", "held_out")}
        assert rates["treated"] > rates["held_out"] > 0, (scenario, rates)
    shot(admin, screenshot_dir, "admin-analytics-scenarios.png")


def test_milestones_stall_and_accounts_fall_behind(admin, screenshot_dir: Path):
    admin.goto("/admin/w/demo/analytics/lifecycle?days=90")
    reached = cells(admin, '[data-testid="milestones"] tr[data-milestone]', "milestone",
                    "reached")
    assert reached["data_connected"] > reached["team_invited"] > 0, reached
    stalls = admin.locator('[data-testid="stalls"] tr[data-milestone]')
    assert stalls.first.get_attribute("data-milestone") == "data_connected"  # ranked first
    shot(admin, screenshot_dir, "admin-analytics-lifecycle.png")

    admin.goto("/admin/w/demo/analytics/accounts?status=behind")
    behind = admin.locator('[data-testid="portfolio"] tr[data-account]')
    assert behind.count() > 0
    shot(admin, screenshot_dir, "admin-analytics-accounts.png")
    behind.first.locator("a").first.click()
    admin.wait_for_selector('[data-testid="timeline"]')
    assert admin.locator('[data-testid="timeline"] [data-lane]').count() > 0
    shot(admin, screenshot_dir, "admin-analytics-timeline.png")


def test_the_step_funnel_says_why_without_scrolling_at_1280_px(browser: Any,
                                                                 history_server: live.LiveServer):
    """At 1280 x 800 the funnel's friction columns are in view (they came after what users
    saw, past the table's scroll box), the chart's bars name the steps by title with their
    friction beside them, a tour's steps have a time on them, and axe finds nothing."""
    for context in checked_context(browser, history_server.url, height=800):
        page, blocked = analytics_page(context)
        page.goto("/admin/w/demo/analytics/guides/dashboard-tour?days=90")
        header = page.locator('[data-testid="funnel"] [data-testid="target-missing-header"]')
        box, viewport = header.bounding_box(), page.viewport_size
        assert box is not None and viewport == {"width": 1280, "height": 800}
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
        region = page.locator('.table-scroll:has([data-testid="funnel"])').bounding_box()
        assert box["x"] + box["width"] <= region["x"] + region["width"], (box, region)
        chart = page.locator('svg[data-testid="funnel-chart"]')
        labels = chart.locator("g.bar text.axis").all_text_contents()
        assert labels[1] == "Your key numbers", labels  # the first step's title, not "kpis"
        assert any(note and "target missing" in note
                   for note in chart.locator("g.bar text.note").all_text_contents())
        medians = cells(page, '[data-testid="funnel"] tr[data-step]', "step", "time_median")
        assert any(value == value for value in medians.values()), medians  # not all "none"
        no_violations(page)
        page.goto("/admin/w/demo/analytics/lifecycle?days=90")
        bars = page.locator('svg[data-testid="milestone-chart"] g.bar text.axis')
        assert "Connected a data source" in bars.all_text_contents()
        assert "Finished getting started" in bars.all_text_contents()  # "activated", titled
        no_violations(page)
        assert blocked == []

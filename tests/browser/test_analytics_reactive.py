"""The admin's proactive vs reactive page in real Chromium, under the admin's CSP: reached
from the Analytics list, filtered through its form, and axe finds no violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import csp_reports
from tests.browser.test_analytics import no_violations, progress
from tests.browser.test_authoring import admin_context, admin_login, admin_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_reactive_page_shows_the_weeks_takes_a_filter_and_passes_axe(
        admin_context, admin_server, tmp_path: Path):  # noqa: F811
    progress(admin_server, "reactive-browser", "getting-started")
    page = admin_context.new_page()
    blocked = csp_reports(page)
    admin_login(page)
    page.click('nav.mainnav a:text-is("Analytics")')
    page.click('[data-testid="reports"] a:text-is("Proactive vs reactive")')
    page.wait_for_url("**/admin/w/demo/analytics/reactive?days=30")
    assert page.locator('svg[data-testid="share-chart"] g.series').count() == 3
    assert page.locator('[data-testid="shares"] tbody tr').count() >= 5
    # The user above was active and progressed this week: self-service.
    this_week = page.locator('[data-testid="weeks"] tr[data-side="users"]').last
    assert int(this_week.locator("td").nth(4).inner_text()) >= 1
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-reactive.png"), full_page=True)

    page.fill('input[name="segment"]', "{trait: plan, eq: nobody-has-this}")
    page.click('[data-testid="range-custom"] button')
    page.wait_for_url("**segment=*")
    assert "nobody-has-this" in page.locator('[data-testid="filters"]').inner_text()
    assert page.locator('[data-testid="weeks"] tr[data-side="users"]').last.locator(
        "td").nth(4).inner_text() == "0"
    no_violations(page)
    assert blocked == []

"""A survey authored and published in the admin, answered through the widget API, and its
results page in real Chromium under the admin's CSP: NPS, the comment as text, axe clean."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests import live
from tests.browser.test_analytics import analytics_page, no_violations, send
from tests.browser.test_authoring import admin_context, admin_server  # noqa: F401

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=window.pwned=1>"


def answered(server: live.LiveServer, key: str, user: str, score: int, comment: str) -> None:
    """``user`` was shown survey ``key`` and gave ``score`` with ``comment``."""
    boot = live.bootstrap(server, user)
    send(server, boot, [
        {"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "$survey_shown",
                                          "props": {"survey": key}}},
        {"type": "survey:answer", "data": {"id": str(uuid.uuid4()), "survey": key,
                                            "version": 1, "answers": {"score": score},
                                            "comment": comment}}])


def test_a_survey_authored_in_the_admin_shows_its_results_and_passes_axe(
        admin_context, admin_server, tmp_path: Path):  # noqa: F811
    key = f"nps-{uuid.uuid4().hex[:6]}"
    page, blocked = analytics_page(admin_context)
    page.goto("/admin/w/demo/guides/new")
    page.fill('input[name="key"]', key)
    page.fill('input[name="title"]', "How are we doing?")
    page.select_option('select[name="kind"]', "survey")
    page.click('button:text-is("Create draft")')
    page.wait_for_url(f"**/admin/w/demo/guides/{key}")
    assert page.locator('[data-testid="question-type"]').input_value() == "nps"
    page.click('[data-testid="publish"]')
    page.wait_for_selector("text=live: version 1")
    answered(admin_server, key, f"detractor-{uuid.uuid4().hex[:6]}", 3, HOSTILE)
    answered(admin_server, key, f"promoter-{uuid.uuid4().hex[:6]}", 10, "Love it")

    page.goto("/admin/w/demo/analytics")
    page.click('[data-testid="analytics-nav"] a:text-is("Surveys and messages")')
    page.wait_for_url("**/admin/w/demo/analytics/surveys*")
    page.click(f'[data-guide="{key}"] a')
    page.wait_for_url(f"**/admin/w/demo/analytics/surveys/{key}*")
    assert page.locator('[data-metric="nps"]').inner_text() == "+0.0"
    assert page.locator('[data-metric="response_rate"]').inner_text() == "100.0%"
    assert HOSTILE in page.locator('[data-testid="comments"]').inner_text()
    assert page.evaluate("window.pwned") is None
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-survey.png"), full_page=True)
    assert blocked == []

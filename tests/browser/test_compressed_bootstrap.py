"""The demo page in real Chromium gets its bootstrap gzipped, and the widget works with it."""

from __future__ import annotations

import pytest

from tests.browser.test_demo_checklist import LAUNCHER, PROGRESS

pytestmark = pytest.mark.browser


def test_demo_bootstrap_arrives_gzipped_and_the_launcher_shows_progress(page):
    page.goto("/demo/")
    with page.expect_response("**/api/v1/widget/bootstrap") as answer:
        page.locator('form:has(input[name="user"][value="grace"]) button').click()
    response = answer.value
    assert response.status == 200
    headers = response.all_headers()
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert response.json()["user"]["id"] == "grace"  # Chromium decoded it
    page.locator(LAUNCHER).wait_for()
    assert page.locator(PROGRESS).inner_text().endswith("/5")

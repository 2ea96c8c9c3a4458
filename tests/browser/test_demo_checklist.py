"""The demo product in real Chromium: the checklist a new user sees and completes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guide.config import normalize_database_url
from tests import live
from tests.browser.tour_helpers import dismiss_tour

pytestmark = pytest.mark.browser

LAUNCHER = '[data-testid="guide-launcher"]'
PROGRESS = '[data-testid="guide-progress"]'
PANEL = '[data-testid="guide-panel"]'


def sign_in(page: Any, user: str) -> None:
    page.goto("/demo/")
    page.locator(f'form:has(input[name="user"][value="{user}"]) button').click()
    page.wait_for_url("**/demo/dashboard")
    page.locator(LAUNCHER).wait_for()
    # The dashboard tour starts on its own for a new user; these tests are about the checklist.
    dismiss_tour(page)


def step(page: Any, step_id: str) -> Any:
    return page.locator(f'li[data-step="{step_id}"]')


def open_panel(page: Any) -> None:
    if page.locator(PANEL).is_hidden():
        page.locator(LAUNCHER).click()
    page.locator(PANEL).wait_for(state="visible")


def record_acks(page: Any) -> None:
    """Collect the widget's step:completed events, emitted when the server's ack arrives."""
    page.evaluate("window.__acked = []; Guide.on('step:completed', e => window.__acked.push(e))")


def wait_acked(page: Any, step_id: str) -> None:
    page.wait_for_function(
        "id => (window.__acked || []).some(e => e.step === id)", arg=step_id
    )


def expect_done(page: Any, step_id: str) -> None:
    page.locator(f'li[data-step="{step_id}"][data-done="true"]').wait_for(state="attached")


def sql(server: live.LiveServer, query: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(normalize_database_url(server.env["GUIDE_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query), params))
    finally:
        engine.dispose()


def test_mark_done_updates_at_once_and_survives_a_reload(page, live_server):
    sign_in(page, "ada")
    assert page.locator(PROGRESS).inner_text() == "0/5"
    open_panel(page)
    record_acks(page)
    step(page, "welcome").locator('[data-testid="step-done"]').click()
    expect_done(page, "welcome")
    assert page.locator(PROGRESS).inner_text() == "1/5"
    wait_acked(page, "welcome")

    page.reload()
    page.locator(LAUNCHER).wait_for()
    page.wait_for_function(
        "() => document.querySelector('#guide-root').shadowRoot"
        ".querySelector('[data-testid=guide-progress]')?.textContent === '1/5'"
    )
    open_panel(page)
    expect_done(page, "welcome")
    assert step(page, "connect-data").get_attribute("data-done") == "false"
    rows = sql(live_server, "SELECT p.completed_steps FROM progress p JOIN end_user u "
                            "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                            "WHERE u.external_id = 'ada' AND g.key = 'getting-started'")
    assert "welcome" in str(rows[0][0])


def test_another_tab_of_the_same_user_updates_live(context, live_server):
    first, second = context.new_page(), context.new_page()
    sign_in(first, "marie")
    second.goto("/demo/integrations")
    second.locator(LAUNCHER).wait_for()
    before = second.locator(PROGRESS).inner_text()
    open_panel(first)
    step(first, "welcome").locator('[data-testid="step-done"]').click()
    expect_done(first, "welcome")
    # No reload: the server's `progress` push reaches the other tab.
    expected = f"{int(before.split('/')[0]) + 1}/5"
    second.wait_for_function(
        "want => document.querySelector('#guide-root').shadowRoot"
        ".querySelector('[data-testid=guide-progress]')?.textContent === want", arg=expected,
    )


def test_events_and_page_visits_complete_steps_and_the_guide(page, live_server, screenshot_dir: Path):
    sign_in(page, "alan")
    record_acks(page)
    page.goto("/demo/integrations")
    record_acks(page)
    page.locator('button[data-integration="postgres"]').click()  # Guide.track('integration_connected')
    wait_acked(page, "connect-data")
    page.goto("/demo/settings")  # a url rule
    record_acks(page)
    open_panel(page)
    expect_done(page, "review-settings")
    expect_done(page, "connect-data")
    step(page, "welcome").locator('[data-testid="step-done"]').click()
    wait_acked(page, "welcome")
    step(page, "invite-teammate").locator('[data-testid="step-done"]').click()
    wait_acked(page, "invite-teammate")
    page.goto("/demo/dashboard")
    record_acks(page)
    page.locator("#new-dashboard").click()  # Guide.track('dashboard_created')
    wait_acked(page, "create-dashboard")
    open_panel(page)
    # Alan (enterprise) also has the Pro checklist, which the launcher now leads with.
    page.locator('[data-testid="guide-tab"][data-guide="getting-started"]').click()
    page.locator('[data-testid="guide-all-done"]').wait_for()
    for step_id in ("welcome", "connect-data", "review-settings", "invite-teammate",
                    "create-dashboard"):
        assert step(page, step_id).get_attribute("data-done") == "true"
    milestones = sql(live_server, "SELECT m.key FROM user_milestone m JOIN end_user u "
                                  "ON u.id = m.user_id WHERE u.external_id = 'alan'")
    # The guide's own milestone, and the lifecycle's (content/lifecycle.yaml): Alan is on
    # the enterprise plan, connected data and created a dashboard.
    assert {row[0] for row in milestones} == {"activated", "data_connected", "first_dashboard",
                                              "paying"}
    states = sql(live_server, "SELECT p.state FROM progress p JOIN end_user u ON u.id = p.user_id "
                              "JOIN guide g ON g.id = p.guide_id "
                              "WHERE u.external_id = 'alan' AND g.key = 'getting-started'")
    assert states[0][0] == "completed"


def test_keyboard_only_open_complete_and_close(page, live_server, screenshot_dir: Path):
    page.emulate_media(reduced_motion="reduce")  # the screenshot shows the settled panel
    sign_in(page, "katherine")  # grace: the NPS survey asks her first (test_surveys)
    launcher = page.locator(LAUNCHER)
    launcher.focus()
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.locator(PANEL).get_attribute("role") == "dialog"
    # The accessible name says what the launcher is and how far the user got.
    named = page.get_by_role("button", name=re.compile(r"Onboarding checklist.*\d of 5 steps done"))
    assert named.count() == 1
    page.screenshot(path=str(screenshot_dir / "demo-checklist.png"))
    done_button = step(page, "welcome").locator('[data-testid="step-done"]')
    record_acks(page)
    done_button.focus()
    page.keyboard.press("Enter")
    wait_acked(page, "welcome")
    page.keyboard.press("Escape")
    page.locator(PANEL).wait_for(state="hidden")
    assert page.evaluate(
        "() => document.querySelector('#guide-root').shadowRoot.activeElement"
        "?.getAttribute('data-testid')"
    ) == "guide-launcher"

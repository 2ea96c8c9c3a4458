"""Proactive onboarding in the demo (issue 7, browser side): a user whose CSV import
fails twice gets a nudge live in the open page, "Show me" takes them to the step, and
the support inbox gets a proactive task carrying their context."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import live
from tests.browser.test_demo_checklist import LAUNCHER
from tests.browser.tour_helpers import poll, reset_user, sign_in_anew, sql

pytestmark = pytest.mark.browser

USER = "katherine"
NUDGE = '[data-testid="guide-nudge"]'


def forget_scenarios(server: live.LiveServer, user: str) -> None:
    """The user has never been nudged: no firings, nudges, tasks or import events."""
    ids = "(SELECT id FROM end_user WHERE external_id = :user)"
    sql(server, f"DELETE FROM scenario_firing WHERE subject_type = 'user' AND subject_id IN {ids}",
        user=user)
    for table in ("nudge", "escalation"):
        sql(server, f"DELETE FROM {table} WHERE user_id IN {ids}", user=user)
    sql(server, f"DELETE FROM event WHERE name = 'import_failed' AND user_id IN {ids}", user=user)


def sign_in(page: Any, server: live.LiveServer, user: str) -> None:
    forget_scenarios(server, user)
    sign_in_anew(page, server, user)


def test_two_failed_imports_bring_a_nudge_and_a_support_task(page, live_server):
    sign_in(page, live_server, USER)
    page.goto("/demo/integrations")
    page.locator(LAUNCHER).wait_for()
    page.locator("#import-csv").click()
    page.locator("#import-error").wait_for()
    assert not page.locator(NUDGE).is_visible()
    page.locator("#import-csv").click()

    nudge = page.locator(NUDGE)
    nudge.wait_for(state="visible")
    assert "Import trouble?" in nudge.inner_text()
    assert nudge.get_attribute("role") == "status"

    tasks = poll(lambda: sql(
        live_server, "SELECT e.origin, e.scenario_key, e.status, e.context, e.reference "
                     "FROM escalation e JOIN end_user u ON u.id = e.user_id "
                     "WHERE u.external_id = :user", user=USER))
    [(origin, scenario, status, context, reference)] = tasks
    context = context if isinstance(context, dict) else json.loads(context)
    assert (origin, scenario, status) == ("scenario", "import-trouble", "open")
    assert context["user"]["id"] == USER
    assert context["scenario"]["details"]["count"] == 2
    assert [e["name"] for e in context["recent_events"]][:2] == ["import_failed"] * 2

    # "Show me" opens the checklist at the step the nudge names, and the click is recorded.
    page.locator('[data-testid="nudge-open"]').click()
    page.locator('[data-testid="guide-panel"]').wait_for(state="visible")
    page.locator('[data-step="connect-data"][data-open="true"]').wait_for(state="visible")
    assert not nudge.is_visible()
    opened = poll(lambda: sql(
        live_server, "SELECT e.props FROM event e JOIN end_user u ON u.id = e.user_id "
                     "WHERE u.external_id = :user AND e.name = '$nudge_opened'", user=USER))
    props = opened[0][0] if isinstance(opened[0][0], dict) else json.loads(opened[0][0])
    assert props["scenario"] == "import-trouble"

    # A third failure in the same window does not nudge or open a task again.
    page.goto("/demo/integrations")
    page.locator(LAUNCHER).wait_for()
    page.locator("#import-csv").click()
    poll(lambda: [1] if len(sql(
        live_server, "SELECT e.id FROM event e JOIN end_user u ON u.id = e.user_id "
                     "WHERE u.external_id = :user AND e.name = 'import_failed'",
        user=USER)) == 3 else [])
    ids = "(SELECT id FROM end_user WHERE external_id = :user)"
    assert len(sql(live_server, f"SELECT id FROM nudge WHERE user_id IN {ids}", user=USER)) == 1
    assert len(sql(live_server, f"SELECT id FROM escalation WHERE user_id IN {ids}",
                   user=USER)) == 1
    assert reference.startswith("ESC-")


def test_a_nudge_waits_for_the_running_tour_and_can_be_dismissed(page, live_server):
    from tests.browser.tour_helpers import STEP, step

    # Signed up today: no time-based demo scenario (the live server sweeps every 30 s)
    # sends her another nudge during the test.
    user = "tess"
    reset_user(live_server, user)  # the dashboard tour starts for her
    forget_scenarios(live_server, user)
    page.goto("/demo/")
    page.locator(f'form:has(input[name="user"][value="{user}"]) button').click()
    page.wait_for_url("**/demo/dashboard")
    step(page)  # the tour is showing
    # The product reports two failed imports while the tour is on screen.
    page.evaluate("() => { Guide.track('import_failed', {format: 'csv'}); "
                  "Guide.track('import_failed', {format: 'csv'}); }")
    assert poll(lambda: sql(live_server, "SELECT n.delivered_at FROM nudge n JOIN end_user u "
                                  "ON u.id = n.user_id WHERE u.external_id = :user "
                                  "AND n.delivered_at IS NOT NULL", user=user))
    assert page.locator(STEP).is_visible()
    assert not page.locator(NUDGE).is_visible()  # delivered, but held back by the tour

    page.locator('[data-testid="tour-dismiss"]').click()
    page.locator(STEP).wait_for(state="hidden")
    nudge = page.locator(NUDGE)
    nudge.wait_for(state="visible")
    # The open checklist has the corner: the card waits behind it, and comes back.
    page.locator(LAUNCHER).click()
    page.locator('[data-testid="guide-panel"]').wait_for(state="visible")
    nudge.wait_for(state="hidden")
    page.keyboard.press("Escape")
    nudge.wait_for(state="visible")
    page.locator('[data-testid="nudge-dismiss"]').click()
    nudge.wait_for(state="hidden")
    dismissed = poll(lambda: sql(
        live_server, "SELECT e.props FROM event e JOIN end_user u ON u.id = e.user_id "
                     "WHERE u.external_id = :user AND e.name = '$nudge_dismissed'", user=user))
    props = dismissed[0][0] if isinstance(dismissed[0][0], dict) else json.loads(dismissed[0][0])
    assert props["scenario"] == "import-trouble"

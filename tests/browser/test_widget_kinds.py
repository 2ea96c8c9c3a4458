"""Issue 15, the widget parts finished last, end to end against the database: "Was this
helpful?" at a tour's end, a survey shown inside the checklist panel, a due survey and a
modal announcement waiting for the tour on screen, and tooltips and hotspot tips that
can be hovered and dismissed (WCAG 1.4.13).

The module runs its own server: content/ plus the guides in kinds/ (each for its own demo
user by audience), so the other browser tests never meet them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import live
from tests.browser.conftest import axe, own_server
from tests.browser.conftest import focused_testid as focused
from tests.browser.tour_helpers import (
    LAUNCHER,
    STEP,
    poll,
    reset_user,
    sign_in,
    sign_in_anew,
    sql,
    step,
)

pytestmark = pytest.mark.browser

CARD = '[data-testid="survey"]'
MODAL = '[data-testid="announcement-modal"]'
TOOLTIP = '[data-testid="tooltip"]'
BEACON = '[data-testid="hotspot-beacon"]'
TIP = '[data-testid="hotspot-tip"]'
# messages/spots.ts HOVER_GRACE_MS: how long a tooltip waits for the pointer to reach it.
HOVER_GRACE_MS = 300


live_server, context = own_server("kinds", Path(__file__).parent / "kinds")


def events(server: live.LiveServer, user: str, name: str) -> list[Any]:
    return [p for (p,) in sql(server, "SELECT e.props FROM event e JOIN end_user u ON u.id = "
                                      "e.user_id WHERE u.external_id = :user AND e.name = :name "
                                      "ORDER BY e.id", user=user, name=name)]


def test_a_tours_end_asks_was_this_helpful_and_a_keyboard_user_answers_no_with_a_comment(
        page, live_server):
    sign_in_anew(page, live_server, "hedy")
    page.evaluate("Guide.start('kinds-end-tour')")
    step(page, "first")
    assert page.locator('[data-testid="helpful"]').count() == 0  # the end only
    page.locator('[data-testid="tour-next"]').click()
    step(page, "last")
    assert focused(page) == "tour-step"  # the step has focus, not the question
    box = page.locator('[data-testid="helpful"]')
    assert box.get_attribute("role") == "group"
    assert page.get_by_role("group", name="Was this helpful?").is_visible()
    assert axe(page) == []

    page.keyboard.press("Tab")
    assert focused(page) == "helpful-yes"
    page.keyboard.press("Tab")
    assert focused(page) == "helpful-no"
    page.keyboard.press("Enter")
    assert focused(page) == "helpful-comment"
    page.keyboard.type("Too short")
    page.keyboard.press("ArrowLeft")  # in the comment: a caret key, not the tour's Back
    page.keyboard.press("Tab")
    assert focused(page) == "helpful-send"
    page.keyboard.press("Enter")
    page.locator('[data-testid="helpful-thanks"]').wait_for()
    assert axe(page) == []
    rows = poll(lambda: sql(live_server, "SELECT v.guide, v.step, v.helpful, v.comment "
                                         "FROM helpful_vote v JOIN end_user u ON u.id = v.user_id "
                                         "WHERE u.external_id = 'hedy' AND v.guide = 'kinds-end-tour'"))
    assert [tuple(r) for r in rows] == [("kinds-end-tour", "last", False, "Too short")]
    assert page.locator(STEP).get_attribute("data-step") == "last"  # answering did not end it
    page.locator('[data-testid="tour-next"]').click()  # Done
    page.locator(STEP).wait_for(state="hidden")


def test_a_panel_survey_is_a_section_of_the_checklist_panel_answered_there(page, live_server):
    sql(live_server, "DELETE FROM survey_response WHERE user_id IN "
                     "(SELECT id FROM end_user WHERE external_id = 'ada')")
    sign_in_anew(page, live_server, "ada")
    page.wait_for_load_state("networkidle")
    assert page.locator(f"{CARD}:visible").count() == 0  # no card: it waits in the panel
    page.locator(LAUNCHER).click()
    section = page.locator(f'[data-testid="guide-panel"] {CARD}')
    section.wait_for()
    assert page.get_by_role("region", name="How is the setup going?").is_visible()
    assert poll(lambda: events(live_server, "ada", "$survey_shown"))  # seen once the panel shows it
    assert axe(page) == []

    section.locator('[data-testid="survey-send"]').click()
    assert section.get_by_text("Please answer this question.").is_visible()  # the same checks
    section.get_by_text("4", exact=True).click()
    section.get_by_label("Anything in your way?").fill("The API key page")
    section.locator('[data-testid="survey-send"]').click()
    section.locator('[data-testid="survey-thanks"]').wait_for()
    rows = poll(lambda: sql(live_server, "SELECT r.question, r.score, r.text FROM survey_response r "
                                         "JOIN end_user u ON u.id = r.user_id WHERE "
                                         "u.external_id = 'ada' ORDER BY r.id"))
    assert [tuple(r) for r in rows] == [("ease", 4, None), ("why", None, "The API key page")]
    section.locator('[data-testid="survey-close"]').click()
    section.wait_for(state="detached")
    assert page.locator('[data-testid="guide-panel"]').is_visible()  # the checklist stays


def test_a_due_survey_waits_for_the_running_tour_and_shows_when_it_is_dismissed(
        page, live_server):
    # Not Grace: the demo plays her first sign-in as a second visit, the tour taken.
    reset_user(live_server, "ben")
    sql(live_server, "DELETE FROM survey_response WHERE user_id IN "
                     "(SELECT id FROM end_user WHERE external_id = 'ben')")
    sign_in(page, "ben")
    step(page)  # the dashboard tour starts for him
    sql(live_server, "UPDATE end_user SET visits = 2 WHERE external_id = 'ben'")
    page.reload()  # his second visit: the NPS survey is due, the tour resumes
    step(page)
    page.wait_for_load_state("networkidle")
    assert page.locator(f"{CARD}:visible").count() == 0
    assert events(live_server, "ben", "$survey_shown") == []
    page.locator('[data-testid="tour-dismiss"]').click()
    card = page.locator(CARD)
    card.wait_for(state="visible")
    assert card.evaluate("el => el.matches(':popover-open')")
    assert focused(page) in ("BODY", None)  # shown on its own: it takes no focus
    assert poll(lambda: events(live_server, "ben", "$survey_shown"))


def test_a_modal_announcement_waits_for_the_running_tour(page, live_server):
    reset_user(live_server, "tess")
    sign_in(page, "tess")
    step(page)  # the dashboard tour, on screen
    page.wait_for_load_state("networkidle")  # messages.js is there (the modal is listed)
    assert page.locator(MODAL).count() == 0
    page.locator('[data-testid="tour-dismiss"]').click()
    modal = page.locator(MODAL)
    modal.wait_for()
    assert modal.evaluate("el => el.matches(':modal')")
    assert page.get_by_role("dialog", name="Welcome to Acme Analytics").is_visible()


def test_a_tooltip_can_be_hovered_and_dismissed_with_escape(page, live_server):
    sign_in_anew(page, live_server, "katherine")
    field = page.locator("#search")
    field.focus()  # the user is typing somewhere else
    page.locator("#export").hover()
    tooltip = page.locator(TOOLTIP)
    tooltip.wait_for()
    box = tooltip.bounding_box()
    # Onto the tip, across the gap between it and the button, in small moves.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    # Proving it stays means waiting past the grace it would otherwise have gone after.
    page.wait_for_timeout(HOVER_GRACE_MS * 2)
    assert tooltip.is_visible()
    page.keyboard.press("Escape")
    tooltip.wait_for(state="detached")
    assert focused(page) == "search"  # dismissed without moving focus
    page.locator("#export").hover()  # hovered again: it comes back
    tooltip.wait_for()
    page.mouse.move(5, 700)  # the pointer leaves both: it goes
    tooltip.wait_for(state="detached")
    assert poll(lambda: events(live_server, "katherine", "$tooltip_shown"))


def test_an_open_hotspot_tip_closes_on_escape_pressed_in_the_page(page, live_server):
    sign_in_anew(page, live_server, "alan")
    beacon = page.locator(BEACON)
    beacon.click()
    page.locator(TIP).wait_for()
    page.locator("#search").focus()
    page.keyboard.press("Escape")
    page.locator(TIP).wait_for(state="detached")
    assert focused(page) == "search"
    assert beacon.get_attribute("aria-expanded") == "false"

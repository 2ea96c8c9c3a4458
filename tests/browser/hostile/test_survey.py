"""Issue 15 on Borealis: the NPS survey card shows on a second visit next to patched
built-ins, hostile CSS and a strict CSP, over the socket and over the HTTP fallback; the
answer reaches the server's survey_response table once and the page sees no error."""

from __future__ import annotations

import pytest

from tests.browser.hostile.helpers import (
    TRANSPORTS,
    Wire,
    error_codes,
    malformed_batches,
    malformed_frames,
    named_events,
    open_host,
    poll,
    transports,
)
from tests.browser.tour_helpers import sql

pytestmark = pytest.mark.browser

CARD = '[data-testid="survey"]'


def answers(server, user):
    return [tuple(r) for r in sql(
        server, "SELECT r.question, r.score, r.text FROM survey_response r JOIN end_user u "
                "ON u.id = r.user_id WHERE u.external_id = :user ORDER BY r.id", user=user)]


def assert_clean(page, wire, transport):
    """The page saw no error, and every frame or batch it sent was well formed."""
    assert error_codes(page) == []
    if transport == "socket":
        assert malformed_frames(wire.sent) == []
    else:
        assert malformed_batches(wire.batches) == []


@transports
def test_the_nps_card_shows_on_the_second_visit_and_its_answer_lands_once(
        page, host, guide, user, transport):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    sql(guide, "UPDATE end_user SET visits = 2 WHERE external_id = :user", user=user)
    page.reload()
    card = page.locator(CARD)
    card.wait_for(state="visible")
    assert card.evaluate("el => el.matches(':popover-open')")  # above the host's z-index wars
    # The host's CSS does not reach into the card: the scale keeps its own layout.
    assert card.evaluate("el => getComputedStyle(el.querySelector('.scale')).display") == "flex"
    card.get_by_text("2", exact=True).click()
    card.get_by_label("What should we do better?").fill("Too slow")
    card.locator('[data-testid="survey-send"]').click()
    page.locator('[data-testid="survey-thanks"]').wait_for()

    assert poll(page, lambda: answers(guide, user)) == [
        ("score", 2, None), ("what-went-wrong", None, "Too slow")]
    assert named_events(guide, user, "$survey_shown") == [{"survey": "nps"}]
    assert_clean(page, wire, transport)


def votes(server, user):
    return [tuple(r) for r in sql(
        server, "SELECT v.guide, v.step, v.helpful, v.comment FROM helpful_vote v JOIN end_user u "
                "ON u.id = v.user_id WHERE u.external_id = :user", user=user)]


@transports
def test_a_tours_end_asks_was_this_helpful_and_the_vote_lands_once(
        page, host, guide, user, transport):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/hostile/messages", user, **TRANSPORTS[transport])
    page.evaluate("Guide.start('hostile-helpful-tour')")
    page.locator('[data-testid="tour-step"][data-step="notes"]').wait_for(state="visible")
    page.locator('[data-testid="helpful-no"]').click()
    comment = page.locator('[data-testid="helpful-comment"]')
    # The host's CSS does not reach into the step: the box keeps its own layout.
    assert comment.evaluate("el => getComputedStyle(el).display") == "block"
    comment.fill("Missing the dates")
    page.locator('[data-testid="helpful-send"]').click()
    page.locator('[data-testid="helpful-thanks"]').wait_for()

    assert poll(page, lambda: votes(guide, user)) == [
        ("hostile-helpful-tour", "notes", False, "Missing the dates")]
    page.locator('[data-testid="tour-next"]').click()  # Done
    page.locator('[data-testid="tour-step"]').wait_for(state="hidden")
    assert votes(guide, user) == [("hostile-helpful-tour", "notes", False, "Missing the dates")]
    assert_clean(page, wire, transport)

"""Issue 15 on Borealis: an overlay banner, a hotspot and a tooltip next to patched
built-ins, hostile CSS, a max-z-index sticky header and a strict CSP, over both
transports; what the user did reaches the database and nothing throws. Right to left
(an RTL page, an Arabic-speaking user) they mirror and fit, with the survey card."""

from __future__ import annotations

import pytest

from tests.browser.hostile.helpers import (
    TRANSPORTS,
    error_codes,
    named_events,
    open_host,
    poll,
    progress,
    transports,
)
from tests.browser.tour_helpers import sql

pytestmark = pytest.mark.browser

PATH = "/demo/hostile/messages"


@transports
def test_banner_hotspot_and_tooltip_work_on_a_hostile_page(page, host, guide, user, transport):
    open_host(page, host, PATH, user, **TRANSPORTS[transport])
    banner = page.locator('[data-testid="announcement-banner"]')
    banner.wait_for()
    # Above Borealis's sticky max-z-index header: what is at the banner's centre is ours.
    box = banner.bounding_box()
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [
        box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]) == "guide-messages-root"
    page.locator('[data-testid="announcement-dismiss"]').click()
    banner.wait_for(state="detached")
    assert poll(page, lambda: (progress(guide, user, "hostile-banner") or ("",))[0] == "dismissed")

    beacon = page.locator('[data-testid="hotspot-beacon"]')
    beacon.focus()
    page.keyboard.press("Enter")
    page.locator('[data-testid="hotspot-tip"]').wait_for()
    assert poll(page, lambda: named_events(guide, user, "$hotspot_opened")) == [
        {"hotspot": "hostile-hotspot", "step": "share"}]
    # The beacon drawn counts as seen, once for this page view.
    assert poll(page, lambda: named_events(guide, user, "$hotspot_seen")) == [
        {"hotspot": "hostile-hotspot", "step": "share"}]

    page.locator("#copy-link").focus()
    page.locator('[data-testid="tooltip"]').wait_for()
    assert poll(page, lambda: named_events(guide, user, "$tooltip_shown")) == [
        {"tooltip": "hostile-tooltip", "step": "copy"}]
    assert error_codes(page) == []


def test_a_beacon_stays_by_its_target_on_a_phone(mobile_page, host, guide, user):
    """Tour steps dock at the bottom of a narrow screen; a beacon must not."""
    open_host(mobile_page, host, PATH, user)
    beacon = mobile_page.locator('[data-testid="hotspot-beacon"]')
    beacon.wait_for()
    share = mobile_page.locator("#share").bounding_box()
    box = poll(mobile_page, lambda: [b for b in [beacon.bounding_box()]
                                     if b and b["x"] >= share["x"] + share["width"]])
    assert box and abs(box[0]["y"] + box[0]["height"] / 2 - (share["y"] + share["height"] / 2)) < 4, (
        box, share)


def test_right_to_left_the_survey_card_banner_hotspot_and_tooltip_mirror_and_fit(
        page, host, guide, user):
    """An Arabic-speaking user on an RTL page: our shadow roots are rtl, the survey card sits
    in the bottom-left corner, the banner's close button on its left, a beacon placed `right`
    of its target goes to its left (mirrored), and nothing overflows the viewport."""
    open_host(page, host, PATH, user, rtl=1, locale="ar")
    sql(guide, "UPDATE end_user SET visits = 2 WHERE external_id = :user", user=user)
    page.reload()  # a second visit: the NPS card is due too
    card = page.locator('[data-testid="survey"]')
    card.wait_for(state="visible")
    banner = page.locator('[data-testid="announcement-banner"]')
    banner.wait_for()
    beacon = page.locator('[data-testid="hotspot-beacon"]')
    beacon.wait_for()
    assert page.evaluate("() => ['#guide-root', '#guide-messages-root'].map(s => "
                         "[document.querySelector(s).dir, document.querySelector(s).lang])") == [
        ["rtl", "ar"], ["rtl", "ar"]]
    width = page.viewport_size["width"]

    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] < width / 2, box  # the inline end: left

    close = banner.locator('[data-testid="announcement-dismiss"]').bounding_box()
    frame = banner.bounding_box()
    assert close["x"] + close["width"] < frame["x"] + frame["width"] / 2, (close, frame)

    share = page.locator("#share").bounding_box()
    spot = poll(page, lambda: [b for b in [beacon.bounding_box()]
                               if b and b["x"] + b["width"] <= share["x"]])
    assert spot, (beacon.bounding_box(), share)  # placement: right, mirrored to the left

    page.locator("#copy-link").hover()
    tip = page.locator('[data-testid="tooltip"]')
    tip.wait_for()
    target = page.locator("#copy-link").bounding_box()
    tip_box = poll(page, lambda: [b for b in [tip.bounding_box()] if b and b["y"] >= target["y"]])
    assert tip_box and tip_box[0]["x"] >= 0 and tip_box[0]["x"] + tip_box[0]["width"] <= width
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # no overflow
    assert error_codes(page) == []


def test_a_tooltip_can_be_hovered_and_dismissed_on_a_hostile_page(page, host, guide, user):
    """WCAG 1.4.13 next to hostile CSS and a sticky max-z-index header: the pointer moves from
    the button onto the tip and it stays; Escape hides it and focus does not move."""
    open_host(page, host, PATH, user)
    page.locator('[data-testid="hotspot-beacon"]').wait_for()  # this page's messages are drawn
    page.locator("#share").focus()
    page.locator("#copy-link").hover()
    tip = page.locator('[data-testid="tooltip"]')
    tip.wait_for()
    box = tip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    page.wait_for_timeout(600)  # past the 300 ms it would go after, were it not hoverable
    assert tip.is_visible()
    page.keyboard.press("Escape")
    tip.wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "share"
    assert error_codes(page) == []

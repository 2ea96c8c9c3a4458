"""Issue 15, the widget's messages: announcements (an overlay banner with the launcher's
unread badge, a modal), hotspots and tooltips, end to end against the database.

The module runs its own server: content/ plus the messages in messages/ (each for its
own demo users by audience), so the other browser tests never meet them. Each test holds
dist/messages.js back until the dashboard tour is skipped, then lets it load: what the
page looked like before the messages came is measured, not guessed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import live
from tests.browser.conftest import axe, own_server
from tests.browser.conftest import focused_testid as focused
from tests.browser.tour_helpers import (
    STEP,
    dismiss_tour,
    poll,
    reset_user,
    sign_in,
    sign_in_anew,
    sql,
)

pytestmark = pytest.mark.browser

BANNER = '[data-testid="announcement-banner"]'
MODAL = '[data-testid="announcement-modal"]'
BEACON = '[data-testid="hotspot-beacon"]'
TIP = '[data-testid="hotspot-tip"]'
TOOLTIP = '[data-testid="tooltip"]'
MESSAGES_JS = "**/widget/messages*.js"


live_server, context = own_server("messages", Path(__file__).parent / "messages")


def arrive(page: Any, server: live.LiveServer, user: str) -> Callable[[], None]:
    """`user` meets the product anew with dist/messages.js held back; returns `release`."""
    held: list[Any] = []
    page.route(MESSAGES_JS, lambda route: held.append(route))
    sign_in_anew(page, server, user)

    def release() -> None:
        deadline = time.monotonic() + 10
        while not held and time.monotonic() < deadline:
            page.evaluate("0")  # lets Playwright deliver the route (a poll with a deadline)
        assert held, "dist/messages.js was never asked for"
        for route in held:
            route.continue_()
        page.unroute(MESSAGES_JS)
    return release


def progress(server: live.LiveServer, user: str, key: str) -> tuple[str, list[str]] | None:
    rows = sql(server, "SELECT p.state, p.completed_steps FROM progress p JOIN end_user u "
                       "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                       "WHERE u.external_id = :user AND g.key = :key", user=user, key=key)
    if not rows:
        return None
    steps = rows[0][1]
    return rows[0][0], steps if isinstance(steps, list) else json.loads(steps or "[]")


def wait_state(server: live.LiveServer, user: str, key: str, state: str) -> tuple[str, list[str]]:
    rows = poll(lambda: [p for p in [progress(server, user, key)] if p and p[0] == state])
    assert rows, f"{key} never reached {state}: {progress(server, user, key)}"
    return rows[0]


def events(server: live.LiveServer, user: str, name: str) -> list[dict[str, Any]]:
    rows = sql(server, "SELECT e.props FROM event e JOIN end_user u ON u.id = e.user_id "
                       "WHERE u.external_id = :user AND e.name = :name ORDER BY e.id",
               user=user, name=name)
    return [p if isinstance(p, dict) else json.loads(p) for (p,) in rows]


def test_overlay_banner_badge_seen_dismissed_and_gone_after_reload(page, live_server):
    release = arrive(page, live_server, "hedy")
    # Before the messages bundle: the badge from bootstrap's announcements_unread.
    expect(page.get_by_test_id("guide-help-button")).to_have_accessible_name(
        "Help, 1 unread announcement")
    before = page.locator("#export").bounding_box()
    release()
    banner = page.locator(BANNER)
    banner.wait_for()
    assert banner.evaluate("el => el.matches(':popover-open')")  # the top layer
    assert "22:00 to 22:30" in banner.inner_text()
    # Overlay: nothing of the host page moved.
    assert page.locator("#export").bounding_box() == before
    # Seen: off the badge here, and in the database.
    expect(page.get_by_test_id("guide-help-button")).to_have_accessible_name("Help")
    wait_state(live_server, "hedy", "msg-banner", "active")
    assert events(live_server, "hedy", "$announcement_seen") == [{"announcement": "msg-banner"}]
    assert axe(page) == []

    page.locator('[data-testid="announcement-dismiss"]').click()
    banner.wait_for(state="detached")
    wait_state(live_server, "hedy", "msg-banner", "dismissed")
    assert events(live_server, "hedy", "$announcement_dismissed") == [{"announcement": "msg-banner"}]

    with page.expect_response(lambda r: "/api/v1/widget/bootstrap" in r.url) as answer:
        page.reload()
    assert [a["key"] for a in answer.value.json()["announcements"]] == []
    expect(page.get_by_test_id("guide-help-button")).to_have_accessible_name("Help")
    assert page.locator(BANNER).count() == 0


def test_modal_keyboard_flow_focus_stays_inside_and_escape_dismisses(page, live_server):
    release = arrive(page, live_server, "alan")
    page.locator("#export").focus()
    release()
    modal = page.locator(MODAL)
    modal.wait_for()
    assert modal.evaluate("el => el.matches(':modal')")
    assert page.get_by_role("dialog", name="A new editor").is_visible()
    assert axe(page) == []
    page.keyboard.press("Tab")
    assert focused(page) == "announcement-next"
    page.keyboard.press("Enter")
    page.get_by_role("dialog", name="Try it now").wait_for()
    for _ in range(7):  # Back, the cta, the close button, and round again: never the page behind
        page.keyboard.press("Tab")
        assert focused(page) in ("announcement-back", "announcement-cta",
                                        "announcement-dismiss", "H2", "DIALOG"), focused(page)
    page.keyboard.press("Escape")
    modal.wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "export"  # focus back where it was
    wait_state(live_server, "alan", "msg-modal", "dismissed")
    # Alan sees the demo's banner too: its seen event may be recorded before or after this one.
    assert {"announcement": "msg-modal"} in events(live_server, "alan", "$announcement_seen")


def test_modal_cta_starts_the_guide_it_names(page, live_server):
    release = arrive(page, live_server, "alan")
    release()
    page.locator(MODAL).wait_for()
    page.locator(MODAL).get_by_test_id("announcement-next").click()
    page.locator(MODAL).get_by_test_id("announcement-cta").click()
    page.locator(MODAL).wait_for(state="detached")
    page.locator('[data-testid="guide-panel"]').wait_for()  # getting-started opened
    wait_state(live_server, "alan", "msg-modal", "completed")
    assert events(live_server, "alan", "$announcement_clicked")[-1] == {
        "announcement": "msg-modal", "step": "try"}


def test_hotspot_on_a_late_element_opens_reports_and_is_remembered(page, live_server):
    release = arrive(page, live_server, "katherine")
    release()
    beacon = page.locator(BEACON)
    beacon.wait_for()  # #insights arrives two seconds after load
    assert "pulse" in beacon.get_attribute("class")
    assert focused(page) in ("BODY", None)  # never takes focus
    target = page.locator("#insights").bounding_box()
    box = poll(lambda: [b for b in [beacon.bounding_box()] if b and b["y"] + b["height"] <= target["y"]])
    assert box, "the beacon sits above its target (placement: top)"

    beacon.focus()
    page.keyboard.press("Enter")
    tip = page.locator(TIP)
    tip.wait_for()
    assert beacon.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("dialog", name="Insights for you").is_visible()
    assert axe(page) == []
    rows = poll(lambda: events(live_server, "katherine", "$hotspot_opened"))
    assert rows == [{"hotspot": "msg-hotspot", "step": "insights"}]
    assert poll(lambda: [p for p in [progress(live_server, "katherine", "msg-hotspot")]
                         if p and "insights" in p[1]])
    page.keyboard.press("Escape")
    tip.wait_for(state="detached")
    assert focused(page) == "hotspot-beacon"

    page.reload()
    page.locator(BEACON).wait_for()
    assert "pulse" not in page.locator(BEACON).get_attribute("class")  # seen: no longer pulses
    page.locator(BEACON).click()
    page.locator('[data-testid="hotspot-dismiss"]').click()
    page.locator(BEACON).wait_for(state="detached")
    wait_state(live_server, "katherine", "msg-hotspot", "dismissed")
    assert events(live_server, "katherine", "$hotspot_dismissed") == [{"hotspot": "msg-hotspot"}]


def test_tooltip_on_focus_is_described_once_per_page_view_and_escape_hides_it(page, live_server):
    release = arrive(page, live_server, "ben")
    release()
    page.locator(BEACON).wait_for()  # the bundle has drawn this page's messages
    page.locator("#export").focus()
    tooltip = page.locator(TOOLTIP)
    tooltip.wait_for()
    assert "Export this dashboard" in tooltip.inner_text()
    live_region = page.locator('[data-testid="tooltip-live"]')
    assert live_region.get_attribute("role") == "status"
    assert "Export this dashboard. As CSV, Excel or PDF." in live_region.text_content()
    assert focused(page) == "export"
    page.keyboard.press("Escape")
    tooltip.wait_for(state="detached")
    page.locator("#new-dashboard").focus()
    page.locator("#export").focus()
    tooltip.wait_for()
    page.locator("#export").hover()
    rows = poll(lambda: events(live_server, "ben", "$tooltip_shown"))
    assert rows == [{"tooltip": "msg-tooltip", "step": "export"}]


def test_spa_route_changes_follow_the_steps_page_rules(page, live_server):
    release = arrive(page, live_server, "katherine")
    release()
    page.locator(BEACON).wait_for()
    page.locator("#tab-reports").click()  # history.pushState: /demo/dashboard/reports
    page.locator(BEACON).wait_for(state="detached")
    page.locator("#tab-overview").click()
    page.locator(BEACON).wait_for()
    page.locator("#export").focus()
    page.locator(TOOLTIP).wait_for()
    # The tooltip works again after the route changes back (and counts for that view).
    rows = poll(lambda: [r for r in [events(live_server, "katherine", "$tooltip_shown")] if len(r) == 1])
    assert rows == [[{"tooltip": "msg-tooltip", "step": "export"}]]


def test_alan_the_tour_first_then_the_announcements_and_the_beacon_and_the_badge_clears(
        page, live_server):
    """A new user signing in as Alan (README's walkthrough) meets the dashboard tour first:
    the demo's `whats-new` banner, this module's modal (he is a viewer) and the Export
    beacon wait while it shows, counted on the help button; when he skips the tour they
    show, and the badge clears, each announcement seen once."""
    # Events stay when progress is forgotten: count those of this visit only.
    earlier = {name: len(events(live_server, "alan", name))
               for name in ("$announcement_seen", "$hotspot_seen")}

    def since(name: str) -> list[dict[str, Any]]:
        return events(live_server, "alan", name)[earlier[name]:]

    reset_user(live_server, "alan")
    sign_in(page, "alan")
    page.locator(STEP).wait_for(state="visible")
    # messages.js has run (its factory is on window, and its update follows in the same task):
    # it holds everything back while the tour shows.
    page.wait_for_function("() => typeof window.__guideMessages === 'function'")
    help_button = page.get_by_test_id("guide-help-button")
    expect(help_button).to_have_accessible_name("Help, 2 unread announcements")
    assert page.locator(BANNER).count() == 0
    assert page.locator(MODAL).count() == 0
    assert page.locator(BEACON).count() == 0
    assert page.locator(STEP).is_visible()

    dismiss_tour(page)
    page.locator(BANNER).wait_for()
    assert "Reports can now be scheduled" in page.locator(BANNER).inner_text()
    page.locator(MODAL).wait_for()
    page.locator(BEACON).wait_for()
    expect(help_button).to_have_accessible_name("Help")
    seen = poll(lambda: [r for r in [since("$announcement_seen")] if len(r) >= 2])
    assert sorted(r["announcement"] for r in seen[0]) == ["msg-modal", "whats-new"]
    assert poll(lambda: since("$hotspot_seen")) == [{"hotspot": "export-hotspot", "step": "export"}]

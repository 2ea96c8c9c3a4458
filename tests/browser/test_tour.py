"""The demo's dashboard tour in real Chromium, tried the way a new user meets it.

Each test resets its user's progress first (tour_helpers.reset_user), so it
starts as a brand-new user on a live server shared by the whole session.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests import live
from tests.browser.tour_helpers import (
    LAUNCHER,
    STEP,
    TOUR,
    poll,
    record_tour,
    reset_user,
    server_tour_state,
    sign_in,
    sql,
    step,
    tour_state,
    wait_state,
)

pytestmark = pytest.mark.browser

AXE = live.ROOT / "static" / "widget" / "node_modules" / "axe-core" / "axe.min.js"
# The tour runtime, under its content-hashed name (or the plain one a cached guide.js asks for).
TOUR_BUNDLE = re.compile(r"/widget/tour(\.[0-9a-f]+)?\.js$")


def press(page: Any, name: str) -> None:
    page.locator(f'[data-testid="tour-{name}"]').click()


def box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).bounding_box()


def shown_step(page: Any) -> str | None:
    """The id of the step on screen, or None (read in the page, no waiting)."""
    return page.evaluate(
        "() => { const s = document.querySelector('#guide-tour-root')?.shadowRoot"
        "?.querySelector('[data-testid=tour-step]'); return s && !s.hidden ? s.dataset.step : null; }"
    )


def settled(page: Any) -> None:
    """The widget has bootstrapped and every request it wanted (tour.js included) is done."""
    page.locator(LAUNCHER).wait_for()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def tess(live_server: live.LiveServer) -> str:
    reset_user(live_server, "tess")
    return "tess"


def test_late_element_gets_its_step_when_it_appears(page, tess):
    sign_in(page, tess)
    step(page, "kpis")
    assert page.locator("#insights").count() == 0  # rendered two seconds after load
    press(page, "next")
    step(page, "insights")
    insights, tip = box(page, "#insights"), box(page, STEP)
    assert tip["y"] + tip["height"] <= insights["y"]  # placement: top, anchored to the card
    assert abs((tip["x"] + tip["width"] / 2) - (insights["x"] + insights["width"] / 2)) < insights["width"] / 2


def test_missing_element_is_skipped_and_its_event_recorded(page, live_server, tess):
    # The dashboard ships without #kpis (a renamed id, as happens in real products).
    def strip_kpis(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace('id="kpis"', 'id="kpis-renamed"'))

    page.route("**/demo/dashboard", strip_kpis)  # not the sign-in redirect: Playwright routes no redirects
    sign_in(page, tess, then="/demo/dashboard")
    step(page, "insights")  # kpis waited its wait_ms (1.5 s), then was skipped
    rows = poll(lambda: sql(live_server, "SELECT e.props, e.url FROM event e JOIN end_user u "
                                         "ON u.id = e.user_id WHERE u.external_id = :u "
                                         "AND e.name = '$target_missing'", u=tess))
    assert len(rows) == 1
    props = rows[0][0] if isinstance(rows[0][0], dict) else json.loads(rows[0][0])
    assert props == {"guide": TOUR, "step": "kpis", "selector": "#kpis"}
    assert rows[0][1] == "/demo/dashboard"


def test_spa_route_change_advances_and_back_forward_follow(page, live_server, tess):
    sign_in(page, tess)
    step(page, "kpis")
    press(page, "next")
    step(page, "insights")
    press(page, "next")
    step(page, "reports-tab")
    assert page.locator('[data-testid="tour-next"]').count() == 0  # moves on when the user gets there
    page.locator("#tab-reports").click()  # through the spotlight's cut-out; demo.js pushState()s
    page.wait_for_url("**/demo/dashboard/reports")
    step(page, "reports")
    assert page.locator("#view-reports").is_visible()
    page.go_back()  # popstate: the Reports step belongs to /demo/dashboard/reports only
    page.wait_for_url("**/demo/dashboard")
    page.locator(STEP).wait_for(state="hidden")
    page.go_forward()
    step(page, "reports")
    assert server_tour_state(live_server, tess, ("active", "reports")) == ("active", "reports")


def test_resume_after_reload_at_the_same_step(page, live_server, tess):
    sign_in(page, tess)
    step(page, "kpis")
    press(page, "next")
    step(page, "insights")
    # The server has the step (it commits before it acks). Counting the widget's progress
    # events raced: the first one can come before a listener added after sign-in.
    assert server_tour_state(live_server, tess, ("active", "insights")) == ("active", "insights")
    page.reload()
    step(page, "insights")
    assert tour_state(live_server, tess) == ("active", "insights")
    # Another page of the product: the tour waits (its step lives on the dashboard) ...
    page.goto("/demo/settings")
    settled(page)
    assert shown_step(page) is None
    # ... and carries on when the user comes back.
    page.goto("/demo/dashboard")
    step(page, "insights")


def test_keyboard_only_run_through_the_whole_tour_completes_the_checklist_step(page, live_server):
    reset_user(live_server, "ben")  # pro plan: the Pro checklist has "Take the dashboard tour"
    sign_in(page, "ben")
    step(page, "kpis")
    in_step = ("() => document.querySelector('#guide-tour-root').shadowRoot.activeElement"
               "?.getAttribute('data-testid')")
    assert page.evaluate(in_step) == "tour-step"  # focus moved into the dialog
    page.keyboard.press("Enter")
    step(page, "insights")
    page.keyboard.press("ArrowLeft")
    step(page, "kpis")
    page.keyboard.press("ArrowRight")
    step(page, "insights")
    page.keyboard.press("Enter")
    step(page, "reports-tab")
    page.keyboard.press("Tab")  # the target joins the focus cycle: the user must use it
    assert page.evaluate("() => document.activeElement.id") == "tab-reports"
    page.keyboard.press("Enter")
    step(page, "reports")
    page.keyboard.press("Enter")
    step(page, "integrations-link")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "nav-integrations"
    page.keyboard.press("Enter")  # a real page load
    page.wait_for_url("**/demo/integrations")
    step(page, "integrations")  # resumed on the new page, already past the link step
    page.keyboard.press("Shift+Tab")  # from the dialog to its last button, Next
    assert page.evaluate(in_step) == "tour-next"
    page.keyboard.press("Tab")  # Tab stays within the step: wraps to the first button
    assert page.evaluate(in_step) == "tour-dismiss"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # Next, activated as a button
    step(page, "all-set")
    record_tour(page)
    page.keyboard.press("Enter")  # Done
    page.locator(STEP).wait_for(state="hidden")
    wait_state(page, "completed")
    assert tour_state(live_server, "ben")[0] == "completed"
    # Finishing the tour completed the Pro checklist's step that waits for it.
    done = sql(live_server, "SELECT p.completed_steps FROM progress p JOIN end_user u "
                            "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                            "WHERE u.external_id = 'ben' AND g.key = 'pro-features'")
    assert "take-tour" in str(done[0][0])


def test_hostile_host_css_does_not_break_the_step(page, tess):
    sign_in(page, tess, then="/demo/dashboard?hostile=1")
    tip = step(page, "kpis")
    assert page.evaluate("() => getComputedStyle(document.body).fontSize") == "30px"  # it is hostile
    size = tip.bounding_box()
    assert 300 <= size["width"] <= 360 and size["height"] < 260
    for name in ("next", "dismiss", "later"):
        button = page.locator(f'[data-testid="tour-{name}"]')
        assert button.is_visible()
        b = button.bounding_box()
        assert 24 <= b["height"] <= 48 and b["width"] < 160
        font = button.evaluate("b => getComputedStyle(b).fontSize")
        assert font == "13px"
    title = page.locator('[data-testid="tour-title"]')
    assert title.evaluate("t => getComputedStyle(t).fontSize") == "16px"
    assert title.evaluate("t => getComputedStyle(t).textTransform") == "none"
    press(page, "next")
    step(page, "insights")


def test_step_is_above_a_sticky_max_z_index_header_and_transformed_page(page, tess):
    sign_in(page, tess, then="/demo/dashboard?sticky=1")
    step(page, "kpis")
    press(page, "next")
    step(page, "insights")
    # Scroll so the step (above its card) slides under the 160 px sticky header.
    page.evaluate("() => window.scrollBy(0, document.querySelector('#insights')"
                  ".getBoundingClientRect().top - 230)")
    page.wait_for_function(
        "() => { const s = document.querySelector('#guide-tour-root').shadowRoot"
        ".querySelector('[data-testid=tour-step]').getBoundingClientRect();"
        " const h = document.querySelector('.topbar').getBoundingClientRect();"
        " return s.top < h.bottom - 20; }"
    )
    on_top = page.evaluate(
        """() => {
          const root = document.querySelector('#guide-tour-root').shadowRoot;
          const s = root.querySelector('[data-testid=tour-step]').getBoundingClientRect();
          const h = document.querySelector('.topbar').getBoundingClientRect();
          const points = [[s.left + s.width / 2, s.top + s.height / 2],
                          [s.left + 20, Math.max(s.top, 0) + 10],
                          [s.left + s.width / 2, (Math.max(s.top, h.top) + Math.min(s.bottom, h.bottom)) / 2]];
          return points.map(([x, y]) => {
            const hit = root.elementFromPoint(x, y);
            return !!hit && !!hit.closest('[data-testid=tour-step]');
          });
        }"""
    )
    assert on_top == [True, True, True]


def test_mobile_viewport_keeps_the_step_on_screen(browser, live_server, tess):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 667},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, tess)
        targets = {"kpis": "#kpis", "insights": "#insights", "reports-tab": "#tab-reports"}
        for step_id, target in targets.items():
            step(page, step_id)
            # Scrolled into view (smoothly: wait for it to get there).
            page.wait_for_function(
                "sel => { const r = document.querySelector(sel).getBoundingClientRect();"
                " return r.top < innerHeight && r.top + Math.min(r.height, 40) > 0; }", arg=target)
            tip = box(page, STEP)
            assert tip["x"] >= 0 and tip["y"] >= 0, step_id
            assert tip["x"] + tip["width"] <= 375 and tip["y"] + tip["height"] <= 667, step_id
            if step_id != "reports-tab":
                press(page, "next")
    finally:
        context.close()


def test_axe_finds_no_violations_with_a_step_open(browser, live_server, tess):
    # Reduced motion: axe measures contrast on the settled step, not mid fade-in.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, reduced_motion="reduce",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, tess)
        step(page, "kpis")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))")
        assert result == []
        press(page, "next")
        step(page, "insights")
        result = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
        assert result == []
    finally:
        context.close()


def test_skip_tour_is_honoured_after_a_reload(page, live_server, tess):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, tess)
    record_tour(page)
    step(page, "kpis")
    page.keyboard.press("Escape")
    page.locator(STEP).wait_for(state="hidden")
    wait_state(page, "dismissed")
    requested.clear()
    page.reload()
    settled(page)
    assert shown_step(page) is None
    assert not any(TOUR_BUNDLE.search(url) for url in requested)  # nothing tried to start
    assert tour_state(live_server, tess)[0] == "dismissed"


def test_later_snoozes_the_tour_across_reloads(page, live_server, tess):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, tess)
    record_tour(page)
    step(page, "kpis")
    press(page, "later")
    page.locator(STEP).wait_for(state="hidden")
    wait_state(page, "snoozed")
    requested.clear()
    page.reload()
    settled(page)
    assert shown_step(page) is None
    assert not any(TOUR_BUNDLE.search(url) for url in requested)
    rows = sql(live_server, "SELECT p.state, p.snoozed_until FROM progress p "
                            "JOIN end_user u ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                            "WHERE u.external_id = :u AND g.key = :t", u=tess, t=TOUR)
    assert rows[0][0] == "snoozed" and rows[0][1] is not None


def test_guide_start_and_the_checklist_action_start_the_tour(page, live_server):
    reset_user(live_server, "ben")
    sign_in(page, "ben")
    record_tour(page)
    step(page, "kpis")
    page.keyboard.press("Escape")
    wait_state(page, "dismissed")
    # Guide.start restarts a dismissed tour from its first step.
    page.evaluate(f"() => Guide.start('{TOUR}')")
    step(page, "kpis")
    page.keyboard.press("Escape")
    page.locator(STEP).wait_for(state="hidden")
    # The Pro checklist's "Take the tour" button does the same.
    page.locator(LAUNCHER).click()
    page.locator('[data-testid="guide-tab"][data-guide="pro-features"]').click()
    take = page.locator('li[data-step="take-tour"]')
    if take.locator('[data-testid="step-action"]').count() == 0 or not take.locator(
        '[data-testid="step-action"]'
    ).is_visible():
        take.locator('[data-testid="step-toggle"]').click()
    take.locator('[data-testid="step-action"]').click()
    step(page, "kpis")
    assert page.locator('[data-testid="guide-panel"]').is_hidden()

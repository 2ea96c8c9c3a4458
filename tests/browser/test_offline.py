"""Nothing lost (issue 6, browser side): completions made while Guide's network is down
survive a reload and reach the server exactly once when it comes back.

The page itself stays reachable (a reload must load it): only Guide's realtime
socket and its HTTP batch endpoint are cut, with Playwright routes, which is
what a flaky network or a proxy that drops WebSockets looks like to the widget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests import live
from tests.browser.test_demo_checklist import LAUNCHER, expect_done, open_panel, step
from tests.browser.tour_helpers import sign_in_anew, sql

pytestmark = pytest.mark.browser

USER = "katherine"  # pro plan: both checklists, all steps hers alone (no account-wide ones used)
EVENTS = "**/api/v1/widget/events"


class GuideNetwork:
    """Cuts and restores the widget's socket and batch endpoint for one page."""

    def __init__(self, page: Any) -> None:
        self.down = False
        self.refused = 0
        self.open: list[Any] = []
        page.route_web_socket("**/socket.io/**", self._socket)
        page.route(EVENTS, self._batch)

    def cut(self) -> None:
        self.down = True
        for ws in self.open:  # the live connection drops too
            ws.close()
        self.open.clear()

    def restore(self) -> None:
        self.down = False

    def _socket(self, ws: Any) -> None:
        if self.down:
            self.refused += 1
            ws.close()
        else:
            ws.connect_to_server()
            self.open.append(ws)

    def _batch(self, route: Any) -> None:
        if self.down:
            self.refused += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()


def poll(page: Any, read: Callable[[], list[Any]], deadline: float = 15) -> list[Any]:
    """Read until something comes back, or give up. Waits through the page, not time.sleep:
    the sync Playwright API runs the route handlers only while it is called."""
    end = time.monotonic() + deadline
    while True:
        rows = read()
        if rows or time.monotonic() > end:
            return rows
        page.wait_for_timeout(100)


def completions(server: live.LiveServer, user: str) -> list[tuple[str, str]]:
    rows = sql(server, "SELECT e.type, e.client_id FROM event e JOIN end_user u ON u.id = e.user_id "
                       "WHERE u.external_id = :user AND e.type IN ('step:complete', 'event:track') "
                       "AND e.name NOT LIKE '$%'", user=user)
    return [(row[0], row[1]) for row in rows]


def progress_of(server: live.LiveServer, user: str, guide: str) -> str:
    rows = sql(server, "SELECT p.completed_steps FROM progress p JOIN end_user u ON u.id = p.user_id "
                       "JOIN guide g ON g.id = p.guide_id WHERE u.external_id = :user AND g.key = :guide",
               user=user, guide=guide)
    return str(rows[0][0]) if rows else ""


def queued(page: Any) -> int:
    """Envelopes the widget holds in IndexedDB (what survives the reload)."""
    return page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open("guide-outbox", 1);
        req.onsuccess = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains("q")) { db.close(); return resolve(0); }
            const count = db.transaction("q").objectStore("q").count();
            count.onsuccess = () => { db.close(); resolve(count.result); };
        };
        req.onerror = () => resolve(-1);
    })""")


# The widget keeps the fetch the page had when it loaded (a wrapper installed later cannot
# touch its requests), so an outage of the page's own network is a switch inside that fetch.
OUTAGE_SWITCH = """(() => { const real = window.fetch;
    window.fetch = (...args) => window.__guideOutage ? Promise.reject(new TypeError('offline')) : real(...args); })()"""


def test_completions_made_offline_survive_a_reload_and_are_recorded_once(page, live_server):
    sign_in_anew(page, live_server, USER)
    net = GuideNetwork(page)  # from the next connection on
    page.add_init_script(OUTAGE_SWITCH)
    page.reload()
    page.locator(LAUNCHER).wait_for()
    before = completions(live_server, USER)

    net.cut()
    open_panel(page)
    step(page, "welcome").locator('[data-testid="step-done"]').click()
    expect_done(page, "welcome")
    page.locator('[data-testid="guide-tab"][data-guide="pro-features"]').click()
    for step_id in ("schedule-report", "set-alert"):
        toggle = step(page, step_id).locator('[data-testid="step-toggle"]')
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        step(page, step_id).locator('[data-testid="step-done"]').click()
        expect_done(page, step_id)
    page.locator("#new-dashboard").click()  # Guide.track('dashboard_created'): a tracked event
    # Written to IndexedDB before any attempt to send them.
    assert poll(page, lambda: [1] if queued(page) >= 4 else []), "the envelopes were not persisted"
    assert completions(live_server, USER) == before, "nothing may reach the server while it is cut off"

    # Leaving the page sends what waits in a keepalive request (see the next test). Neither
    # Playwright's routes nor DevTools' URL blocking see a request that outlives its page,
    # so make it fail here the way it would in a real outage.
    page.evaluate("() => { window.__guideOutage = true; navigator.sendBeacon = () => false; }")
    page.reload()  # still cut off: the page loads, Guide's socket and batches do not
    page.locator(LAUNCHER).wait_for()
    open_panel(page)
    expect_done(page, "welcome")
    page.locator('[data-testid="guide-tab"][data-guide="pro-features"]').click()
    expect_done(page, "schedule-report")
    expect_done(page, "set-alert")
    assert completions(live_server, USER) == before

    assert net.refused > 0, "the widget never tried to reach the server while it was cut off"
    net.restore()  # the network is back: the widget's next retry gets through

    def recorded() -> list[tuple[str, str]]:
        new = [c for c in completions(live_server, USER) if c not in before]
        return new if len(new) >= 4 else []

    sent = poll(page, recorded, deadline=40)
    assert sorted(kind for kind, _ in sent) == ["event:track", "step:complete", "step:complete",
                                                 "step:complete"]
    assert len({client_id for _, client_id in sent}) == 4  # each exactly once
    assert "welcome" in progress_of(live_server, USER, "getting-started")
    assert "create-dashboard" in progress_of(live_server, USER, "getting-started")
    pro = progress_of(live_server, USER, "pro-features")
    assert "schedule-report" in pro and "set-alert" in pro
    assert poll(page, lambda: [1] if queued(page) == 0 else [], deadline=20), \
        "acknowledged envelopes must be removed from the browser"
    open_panel(page)
    page.locator('[data-testid="guide-tab"][data-guide="getting-started"]').click()
    expect_done(page, "create-dashboard")  # completed by the server from the tracked event
    page.reload()  # nothing is left to re-send: still exactly four
    page.locator(LAUNCHER).wait_for()
    page.wait_for_timeout(500)
    assert len(completions(live_server, USER)) == len(before) + 4


def test_leaving_the_page_sends_what_waits(page, live_server):
    """pagehide: the waiting envelopes go in a keepalive request that outlives the page."""
    user = "hedy"
    sign_in_anew(page, live_server, user)
    net = GuideNetwork(page)
    page.reload()
    page.locator(LAUNCHER).wait_for()
    before = completions(live_server, user)
    net.cut()  # the page's own requests fail: only the unload flush can get through
    page.evaluate("() => Guide.track('report_exported', {format: 'csv'})")
    assert poll(page, lambda: [1] if queued(page) >= 1 else []), "the envelope was not persisted"
    assert completions(live_server, user) == before
    page.goto("/demo/settings")  # pagehide

    def recorded() -> list[tuple[str, str]]:
        return [c for c in completions(live_server, user) if c not in before]

    sent = poll(page, recorded)
    assert [kind for kind, _ in sent] == ["event:track"]

"""The demo in real Chromium: what a user sees reaches the event table (issue 14), and
bootstrap records what it offered, once a day however many pages the user opens."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import live
from tests.browser.tour_helpers import LAUNCHER, dismiss_tour, poll, reset_user, sign_in, sql

pytestmark = pytest.mark.browser

USER = "hedy"
PANEL = '[data-testid="guide-panel"]'


def last_event_id(server: live.LiveServer) -> int:
    return sql(server, "SELECT COALESCE(MAX(id), 0) FROM event")[0][0]


def events_since(server: live.LiveServer, after: int, kind: str) -> list[tuple[str, Any]]:
    rows = sql(server, "SELECT e.name, e.props FROM event e JOIN end_user u ON u.id = e.user_id "
                       "WHERE u.external_id = :user AND e.id > :after AND e.type = :kind "
                       "ORDER BY e.id", user=USER, after=after, kind=kind)
    return [(name, props if isinstance(props, dict) else json.loads(props))
            for name, props in rows]


def test_views_reach_the_event_table_batched_and_offers_once_a_day(page, live_server):
    reset_user(live_server, USER)
    after = last_event_id(live_server)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: frames.append(str(p))))
    sign_in(page, USER)
    page.locator(LAUNCHER).wait_for()
    dismiss_tour(page)  # the tour's first step showed
    page.locator(LAUNCHER).click()
    page.locator(PANEL).wait_for(state="visible")
    item = page.locator(f'{PANEL} li[data-step="review-settings"]')
    item.locator('[data-testid="step-toggle"]').click()
    # Its action is a link to another page: the click is recorded as the page goes.
    item.locator('[data-testid="step-action"]').click()
    page.wait_for_url("**/demo/settings")
    page.locator(LAUNCHER).wait_for()

    want = {
        ("$guide_shown", json.dumps({"guide": "dashboard-tour"})),
        ("$step_shown", json.dumps({"guide": "dashboard-tour", "step": "kpis"})),
        ("$guide_shown", json.dumps({"guide": "getting-started"})),
        ("$checklist_open", json.dumps({"guide": "getting-started"})),
        ("$item_expanded", json.dumps({"guide": "getting-started", "step": "review-settings"})),
        ("$item_clicked", json.dumps({"guide": "getting-started", "step": "review-settings"})),
    }

    def views() -> list[tuple[str, str]]:
        got = [(n, json.dumps(p, sort_keys=True)) for n, p in
               events_since(live_server, after, "event:track") if n != "$page"]
        return got if {(n, json.dumps(json.loads(p), sort_keys=True)) for n, p in want} <= set(
            got) else []

    got = poll(views, deadline=15)
    assert got, events_since(live_server, after, "event:track")
    # Each exactly once.
    assert sorted(got) == sorted((n, json.dumps(json.loads(p), sort_keys=True)) for n, p in want)
    # Views went several to a frame, not one round trip each.
    assert any('["envelopes",' in f for f in frames), frames
    # Two pages, two bootstraps: each guide offered once today (an earlier test may have
    # signed this user in today already: then nothing new, and still one a day).
    offers = [(name, key.rsplit(":", 1)[1]) for name, key in sql(
        live_server, "SELECT e.name, e.client_id FROM event e JOIN end_user u "
        "ON u.id = e.user_id WHERE u.external_id = :user AND e.type = 'offer'", user=USER)]
    today = max(day for _, day in offers)
    assert {"getting-started", "dashboard-tour"} <= {name for name, day in offers if day == today}
    assert len(offers) == len(set(offers)), offers

"""Helpers for browser tests that meet the demo's dashboard tour.

The tour starts on its own on /demo/dashboard for every demo user, so tests
about something else dismiss it first (`dismiss_tour`), and tour tests reset a
user's progress (`reset_user`) so each starts as a new user would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from guide.config import normalize_database_url
from tests import live

TOUR = "dashboard-tour"
STEP = '[data-testid="tour-step"]'
LAUNCHER = '[data-testid="guide-launcher"]'


def sql(server: live.LiveServer, query: str, **params: Any) -> list[Any]:
    """Run one statement on the live server's database (committed)."""
    engine = sa.create_engine(normalize_database_url(server.env["GUIDE_DATABASE_URL"]))
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(query), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def poll(read: Callable[[], list[Any]], deadline: float = 10) -> list[Any]:
    """Read until something comes back (the server writes after its ack), or give up."""
    end = time.monotonic() + deadline
    while True:
        rows = read()
        if rows or time.monotonic() > end:
            return rows
        time.sleep(0.05)  # a poll with a deadline: the database has nothing to wait on


def reset_user(server: live.LiveServer, user: str) -> None:
    """Forget the user's progress on every guide: they meet the product anew."""
    sql(server, "DELETE FROM progress WHERE user_id IN "
                "(SELECT id FROM end_user WHERE external_id = :user)", user=user)


def sign_in(page: Any, user: str, then: str | None = None) -> None:
    """Sign in through the demo's picker (lands on the dashboard), then go to `then`."""
    page.goto("/demo/")
    page.locator(f'form:has(input[name="user"][value="{user}"]) button').click()
    page.wait_for_url("**/demo/dashboard")
    if then:
        page.goto(then)


def sign_in_anew(page: Any, server: live.LiveServer, user: str) -> None:
    """The user meets the product anew: progress forgotten, signed in, the dashboard
    tour that starts for them skipped."""
    reset_user(server, user)
    sign_in(page, user)
    page.locator(LAUNCHER).wait_for()
    dismiss_tour(page)


def step(page: Any, step_id: str | None = None) -> Any:
    """The visible tour step (optionally: the one with this id)."""
    selector = STEP + (f'[data-step="{step_id}"]' if step_id else "")
    locator = page.locator(selector)
    locator.wait_for(state="visible")
    return locator


def record_tour(page: Any) -> None:
    """Collect the widget's tour events and acknowledged tour states in window.__tour."""
    page.evaluate(
        "() => { window.__tour = {steps: [], ends: [], states: []};"
        " Guide.on('tour:step', e => window.__tour.steps.push(e.step));"
        " Guide.on('tour:end', e => window.__tour.ends.push(e.state));"
        f" Guide.on('progress', e => e.guide === '{TOUR}' && window.__tour.states.push(e.state)); }}"
    )


def wait_state(page: Any, state: str) -> None:
    """Wait until the server has acknowledged the tour's state (its ack carried the progress)."""
    page.wait_for_function("s => (window.__tour?.states || []).includes(s)", arg=state)


def dismiss_tour(page: Any) -> None:
    """Skip the dashboard tour the way a user does, and wait until the server has it."""
    step(page)
    record_tour(page)
    page.locator('[data-testid="tour-dismiss"]').click()
    page.locator(STEP).wait_for(state="hidden")
    wait_state(page, "dismissed")


def tour_state(server: live.LiveServer, user: str) -> tuple[str, str | None] | None:
    rows = sql(server, "SELECT p.state, p.current_step FROM progress p "
                       "JOIN end_user u ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                       "WHERE u.external_id = :user AND g.key = :tour", user=user, tour=TOUR)
    return (rows[0][0], rows[0][1]) if rows else None


def server_tour_state(server: live.LiveServer, user: str, want: tuple[str, str | None]) -> tuple:
    """The tour's stored (state, step) once it is `want`, or what it is at the deadline: the
    widget shows a step before the server has committed it (guide:state is acked later)."""
    seen: list[Any] = []

    def read() -> list[Any]:
        seen.append(tour_state(server, user))
        return [want] if seen[-1] == want else []

    poll(read)
    return seen[-1]

"""The onboarding rollup (guide.models.analytics_onboarding): onboarding users and accounts
per week, rolled plus news, equal those read from every user (the definition), through
worker passes, account and stage moves, first_seen moved earlier, erasure, a timezone
or lifecycle change and a reset; the proactive vs reactive report reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide import analytics
from guide.analytics import onboarding, store
from guide.analytics.reactive_people import People
from guide.extensions import db
from guide.models import (
    Account,
    AnalyticsOnboarding,
    AnalyticsOnboardingAccount,
    AnalyticsWatermark,
    EndUser,
    Workspace,
)
from guide.services.privacy import erase_user
from tests.analytics.conftest import paris  # noqa: F401 (fixture)

LIFECYCLE = {"stages": [{"key": "trial"}, {"key": "done"}]}
FIRST_DAY = date(2025, 12, 1)
# Whole weeks around Paris' change to summer time (29 March 2026).
MONDAYS = [date(2025, 12, 1) + timedelta(weeks=n) for n in range(34)]
NOW = datetime(2026, 8, 1, tzinfo=UTC)


def scanned(ws: Workspace) -> dict[date, tuple[int, int]]:
    """The definition: every user read."""
    return People(ws).populations(MONDAYS, ZoneInfo(ws.timezone))


def rolled(ws: Workspace) -> dict[date, tuple[int, int]] | None:
    return onboarding.populations(ws.id, MONDAYS, ws.timezone, "done")


def local(day: int, quarters: int, ws: Workspace) -> datetime:
    """Quarter hours from local midnight of FIRST_DAY + ``day`` days."""
    midnight = datetime.combine(FIRST_DAY + timedelta(days=day), time(0),
                                ZoneInfo(ws.timezone))
    return midnight + timedelta(minutes=15 * quarters)


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(-3, 3),
                          st.sampled_from([None, 0, 1, 2])), min_size=1, max_size=10),
       st.lists(st.tuples(
           st.sampled_from(["roll", "account", "stage", "earlier", "erase", "zone", "add"]),
           st.integers(0, 9), st.integers(-3, 3), st.integers(0, 200),
           st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, "trial", "done"])),
           max_size=12))
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rolled_plus_news_equal_every_user_read(paris, users, steps):  # noqa: F811
    ws = paris
    db.session.execute(sa.delete(EndUser))
    db.session.execute(sa.delete(Account))
    store.reset(ws.id)
    ws.timezone, ws.lifecycle = "Europe/Paris", LIFECYCLE
    db.session.commit()
    accounts = [Account(workspace_id=ws.id, external_id=f"a{n}", traits={}) for n in range(3)]
    db.session.add_all(accounts)
    db.session.flush()

    def account(n: int | None) -> int | None:
        return None if n is None else accounts[n].id

    people = []
    for n, (day, quarters, owner) in enumerate(users):
        people.append(EndUser(workspace_id=ws.id, external_id=f"u{n}", traits={},
                              account_id=account(owner), first_seen=local(day, quarters, ws)))
    db.session.add_all(people)
    db.session.commit()
    analytics.rollup(NOW, batch=3, max_batches=None)
    for n, (kind, who, quarters, day, owner, stage) in enumerate(steps):
        person = people[who % len(people)]
        if kind == "roll":
            analytics.rollup(NOW, batch=1 + who % 3, max_batches=1 + day % 3)
            continue
        if kind == "erase" and len(people) > 1:
            erase_user(ws, people.pop(who % len(people)), "cli")
        elif kind == "account":
            person.account_id = account(owner)
        elif kind == "stage":
            # On a week's first instants, or just before or after them.
            monday = FIRST_DAY + timedelta(days=day - day % 7)
            person.lifecycle_stage, person.stage_entered_at = stage, local(
                (monday - FIRST_DAY).days, quarters, ws)
        elif kind == "earlier":
            person.first_seen -= timedelta(days=day % 30, minutes=15 * quarters)
        elif kind == "zone":
            ws.timezone = ("UTC", "America/New_York", "Europe/Paris")[who % 3]
        elif kind == "add":
            people.append(EndUser(workspace_id=ws.id, external_id=f"new{n}", traits={},
                                  account_id=account(owner),
                                  first_seen=local(day, quarters, ws)))
            db.session.add(people[-1])
        db.session.commit()
        assert onboarding.weekly(ws, MONDAYS) == scanned(ws)
    analytics.rollup(NOW, max_batches=None)
    assert rolled(ws) == scanned(ws)


def seed(ws: Workspace) -> list[EndUser]:
    ws.lifecycle = LIFECYCLE
    account = Account(workspace_id=ws.id, external_id="acme", traits={})
    db.session.add(account)
    db.session.flush()
    users = [EndUser(workspace_id=ws.id, external_id=f"u{n}", traits={},
                     account_id=account.id if n % 2 else None,
                     first_seen=datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=10 * n))
             for n in range(6)]
    db.session.add_all(users)
    db.session.commit()
    return users


def test_the_report_reads_a_row_per_week_not_the_users(paris, app):  # noqa: F811
    ws = paris
    seed(ws)
    analytics.rollup(NOW, max_batches=None)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        found = onboarding.weekly(ws, MONDAYS)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert found == scanned(ws) and found[date(2026, 1, 19)] == (3, 1)
    users = [s for s in statements if "FROM end_user" in s]
    assert len(users) == 1 and "onboarding_seen IS" in users[0]  # the news only


def test_news_count_at_once_and_an_erased_user_leaves(paris):  # noqa: F811
    ws = paris
    users = seed(ws)
    analytics.rollup(NOW, max_batches=None)
    before = rolled(ws)
    users[0].account_id = users[1].account_id  # an account move, not folded yet
    users[2].lifecycle_stage, users[2].stage_entered_at = "done", datetime(
        2026, 1, 26, tzinfo=UTC)
    db.session.commit()
    assert rolled(ws) == scanned(ws) != before
    erase_user(ws, users[1], "cli")
    db.session.commit()
    assert rolled(ws) == scanned(ws)
    analytics.rollup(NOW, max_batches=None)
    assert rolled(ws) == scanned(ws)


def test_a_reset_or_a_new_last_stage_reads_the_users_until_folded_again(paris):  # noqa: F811
    ws = paris
    seed(ws)
    analytics.rollup(NOW, max_batches=None)
    store.reset(ws.id)
    db.session.commit()
    assert rolled(ws) is None
    assert onboarding.weekly(ws, MONDAYS) == scanned(ws)
    analytics.rollup(NOW, max_batches=None)
    assert rolled(ws) == scanned(ws)
    ws.lifecycle = {"stages": [{"key": "trial"}]}
    db.session.commit()
    assert onboarding.populations(ws.id, MONDAYS, ws.timezone, "trial") is None
    analytics.rollup(NOW, max_batches=None)
    assert onboarding.populations(ws.id, MONDAYS, ws.timezone, "trial") == scanned(ws)
    assert db.session.scalar(sa.select(AnalyticsWatermark.onboarding_key)) == \
        '["Europe/Paris", "trial"]'
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsOnboarding))
    assert db.session.scalar(sa.select(sa.func.count())
                             .select_from(AnalyticsOnboardingAccount))


def test_a_user_who_reached_the_last_stage_as_a_week_began_is_done_in_it(paris):  # noqa: F811
    ws = paris
    ws.lifecycle = LIFECYCLE
    monday = datetime.combine(date(2026, 1, 19), time(0), ZoneInfo(ws.timezone))
    for n, entered in enumerate((monday, monday + timedelta(minutes=15))):
        db.session.add(EndUser(workspace_id=ws.id, external_id=f"u{n}", traits={},
                               first_seen=datetime(2026, 1, 5, 9, tzinfo=UTC),
                               lifecycle_stage="done", stage_entered_at=entered))
    db.session.commit()
    analytics.rollup(NOW, max_batches=None)
    weeks = rolled(ws)
    assert weeks == scanned(ws)
    assert [weeks[date(2026, 1, d)][0] for d in (12, 19, 26)] == [2, 1, 0]


def test_a_timezone_change_takes_the_marks_off_a_batch_at_a_time(paris):  # noqa: F811
    """No transaction unmarks every user; erasing one meanwhile leaves the counts right."""
    ws = paris
    users = seed(ws)
    analytics.rollup(NOW, max_batches=None)
    ws.timezone = "America/New_York"
    db.session.commit()
    assert onboarding.roll(ws.id, ws.timezone, "done", limit=2) == (2, True)
    marked = sa.select(sa.func.count()).where(EndUser.onboarding_seen.is_not(None))
    assert db.session.scalar(marked) == 4
    assert onboarding.populations(ws.id, MONDAYS, ws.timezone, "done") is None
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsOnboarding))
    erase_user(ws, users[3], "cli")  # still marked: not taken out of emptied counts
    db.session.commit()
    assert onboarding.weekly(ws, MONDAYS) == scanned(ws)
    analytics.rollup(NOW, batch=2, max_batches=None)
    assert rolled(ws) == scanned(ws)

"""The proactive vs reactive report's weekly counts, kept by the fold (reactive_weeks,
reactive_help): what a later batch changes in a week already counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from guide import analytics
from guide.analytics import reactive_weeks
from guide.analytics.rollup import rebuild
from guide.extensions import db
from guide.models import Account, AnalyticsReactiveWeek, AnalyticsUserWeek, EndUser, Event
from tests.analytics.conftest import LATER, roll_all

MONDAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 3, 9, tzinfo=UTC)  # Tuesday 10:00 in Paris
NOW = datetime(2026, 3, 20, tzinfo=UTC)


def _person(ws, key: str, account: Account | None = None) -> EndUser:
    found = EndUser(workspace_id=ws.id, external_id=key, traits={},
                    account_id=account.id if account else None, first_seen=T0 - timedelta(days=5))
    db.session.add(found)
    db.session.commit()
    return found


def _event(ws, who: EndUser, kind: str, at: datetime, name: str | None = None,
           client_at: datetime | None = None) -> None:
    db.session.add(Event(workspace_id=ws.id, user_id=who.id, type=kind, name=name or kind,
                         props={"guide": "onboarding", "step": None}, client_at=client_at,
                         created_at=at))
    db.session.commit()


def _help(ws) -> dict:
    return analytics.reactive_report(ws, MONDAY, MONDAY, NOW)["weeks"][0]["help"]


def _same(ws) -> dict:
    """The report, checked against the raw fold."""
    rolled = analytics.reactive_report(ws, MONDAY, MONDAY, NOW)
    assert rolled == analytics.raw_reactive_report(ws, MONDAY, MONDAY, NOW)
    return rolled["weeks"][0]


def test_an_escalation_folded_after_the_help_opening_counts_it_escalated_once(paris):
    who = _person(paris, "asker")
    _event(paris, who, "event:track", T0, "$help_open")
    _event(paris, who, "event:track", T0 + timedelta(hours=30), "$help_open")
    roll_all()
    assert _same(paris)["help"]["escalated"] == 0
    # Two escalations within 24 hours of the first opening, the second too late for it
    # and before the second: the first opening counts escalated once, the second not.
    _event(paris, who, "help:escalate", T0 + timedelta(hours=2))
    _event(paris, who, "help:escalate", T0 + timedelta(hours=23))
    assert _same(paris)["help"] == {  # in the tail
        "sessions": 2, "resolved": 1, "escalated": 1, "pending": 0, "resolved_rate": 0.5}
    roll_all(batch=1)
    assert _same(paris)["help"]["escalated"] == 1
    assert db.session.scalar(sa.select(AnalyticsReactiveWeek.help_escalated)) == 1


def test_a_late_help_opening_is_escalated_by_an_escalation_already_rolled(paris):
    who = _person(paris, "late")
    _event(paris, who, "help:escalate", T0 + timedelta(hours=3))
    roll_all()
    # Sent from the offline queue a day later, opened an hour before the escalation.
    _event(paris, who, "event:track", T0 + timedelta(days=1), "$help_open",
           client_at=T0 + timedelta(hours=2))
    assert _same(paris)["help"]["escalated"] == 1
    roll_all()
    assert _same(paris)["help"] == {
        "sessions": 1, "resolved": 0, "escalated": 1, "pending": 0, "resolved_rate": 0.0}


def test_an_account_that_needed_a_human_is_not_self_service_in_a_later_batch(paris):
    acme = Account(workspace_id=paris.id, external_id="acme")
    db.session.add(acme)
    db.session.commit()
    ann, bob = _person(paris, "ann", acme), _person(paris, "bob", acme)
    _event(paris, ann, "event:track", T0, "$page")
    _event(paris, ann, "milestone", T0, "activated")
    _event(paris, bob, "event:track", T0, "$page")
    roll_all()
    assert _same(paris)["accounts"]["self_service"] == 1
    _event(paris, bob, "help:escalate", T0 + timedelta(hours=1))
    roll_all()
    week = _same(paris)
    assert (week["accounts"]["needed_human"], week["accounts"]["self_service"]) == (1, 0)
    assert (week["users"]["needed_human"], week["users"]["self_service"]) == (1, 1)


def test_a_week_keeps_the_account_the_user_had_when_it_was_first_folded(paris):
    """Documented: the account (and onboarding) of a user's week is judged once; the raw
    computation reads the current account (docs/ANALYTICS.md, "How it stays exact")."""
    acme, other = Account(workspace_id=paris.id, external_id="a"), Account(
        workspace_id=paris.id, external_id="b")
    db.session.add_all([acme, other])
    db.session.commit()
    who = _person(paris, "mover", acme)
    _event(paris, who, "event:track", T0, "$page")
    roll_all()
    who.account_id = other.id
    db.session.commit()
    _event(paris, who, "help:escalate", T0 + timedelta(hours=1))
    roll_all()
    assert db.session.scalar(sa.select(AnalyticsUserWeek.account_id)) == acme.id
    assert analytics.reactive_report(paris, MONDAY, MONDAY, NOW)["weeks"][0]["accounts"][
        "needed_human"] == 1


def test_apply_moves_an_account_from_self_service_to_needed_a_human():
    week, account = MONDAY, 7
    stored = {(week, 1): (1, account, 1, 1, 0)}  # self-service
    change = reactive_weeks.apply([(week, 2, 1, 0, 1)], stored, {(week, account): (1, 0, 1)},
                                  {(week, 2): (1, account)})
    assert change.accounts == {(week, account): (2, 1, 1)}
    # users: +1 active, +1 needed; accounts: needed +1, self-service -1; 1 escalation
    assert change.counts == {week: [1, 1, 0, 0, 1, -1, 1]}
    # A user who was not onboarding that week changes nothing but their row.
    idle = reactive_weeks.apply([(week, 3, 1, 1, 2)], {}, {}, {(week, 3): (0, account)})
    assert idle.counts == {week: [0] * 7} and idle.accounts == {}


def test_a_rebuild_counts_the_same_weeks_again(paris):
    who = _person(paris, "again")
    _event(paris, who, "event:track", T0, "$help_open")
    _event(paris, who, "help:escalate", T0 + timedelta(hours=1))
    roll_all()
    before = _same(paris)
    rebuild(paris.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsReactiveWeek)) == 0
    analytics.rollup(LATER, batch=1, max_batches=None)
    assert _same(paris) == before

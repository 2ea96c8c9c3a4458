"""The proactive vs reactive report on a small seeded history worked out by hand.

Workspace in Europe/Paris (UTC+1 in early March 2026), lifecycle stages
trial -> onboarded. Weeks W1 = Mon 2 .. Sun 8 March, W2 = Mon 9 .. Sun 15 March.
Rows are written directly (server times in the past), as the widget's
envelopes and the escalation service leave them.

| user | account | first seen | W1 | W2 |
|---|---|---|---|---|
| u1 | A | 20 Feb | step done 3rd | help 10th 10:00, escalates 10:30 (+ a scenario task) |
| u2 | A | 1 Mar | help 4th 09:00, milestone 09:30 | - |
| u3 | B | 2 Mar | escalates 5th 11:00 and 15:00, step done | a page view 11th |
| u4 | B | 1 Oct 2025: not onboarding (over 90 days) | step done, escalates 6th | - |
| u5 | C | 1 Feb; reached the last stage on 6 Mar | step done 7th | escalates 12th (no longer onboarding) |
| u6 | - | 10 Mar | - | step done 15th 19:00, help 20:00 |
| u7 | C | 3 Mar | help Sun 8th 22:00 | escalates Mon 9th 21:00 (23 hours later) |
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.errors import GuideError
from guide.extensions import db
from guide.models import (
    Account,
    AnalyticsMoment,
    AnalyticsUserWeek,
    EndUser,
    Escalation,
    Event,
)
from guide.services import privacy
from tests.analytics.conftest import LATER, PARIS, roll_all

ZONE = ZoneInfo(PARIS)
APP = "https://app.example.com"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _event(ws, who: EndUser, kind: str, when: datetime, name: str = "x", **extra) -> None:
    db.session.add(Event(workspace_id=ws.id, user_id=who.id, type=kind, name=name,
                         created_at=when, client_at=when, **extra))
    db.session.flush()


def step_done(ws, who, when, step="hello"):
    _event(ws, who, "step:complete", when, props={"guide": "onboarding", "step": step},
           result={"ok": True, "completed": [{"guide": "onboarding", "step": step}],
                   "progress": {"onboarding": {"state": "active"}}})


def help_open(ws, who, when):
    _event(ws, who, "event:track", when, name="$help_open",
           props={"guide": "onboarding", "step": None, "article": None})


def escalate(ws, who, when, guide=None, step=None, article=None, url=None, origin="user"):
    if origin == "user":
        _event(ws, who, "help:escalate", when, name="help:escalate",
               props={"guide": guide, "step": step}, result={"ok": True})
    db.session.add(Escalation(
        workspace_id=ws.id, user_id=who.id, reference=f"ESC-{when:%d%H%M}{who.id}",
        message="Stuck", severity="blocked", origin=origin, guide_key=guide, step_id=step,
        article_key=article, url=url, context={}, history=[], created_at=when,
        updated_at=when))


@pytest.fixture
def history(paris):
    paris.lifecycle = {"stages": [{"key": "trial"}, {"key": "onboarded"}], "milestones": []}
    a, b, c = (Account(workspace_id=paris.id, external_id=k) for k in "ABC")
    db.session.add_all([a, b, c])
    db.session.flush()

    def person(key, account, seen, **more):
        found = EndUser(workspace_id=paris.id, external_id=key, traits={},
                        account_id=account.id if account else None, first_seen=seen, **more)
        db.session.add(found)
        db.session.flush()
        return found

    noon = 12
    u1 = person("u1", a, at(20, noon, month=2))
    u2 = person("u2", a, at(1, noon))
    u3 = person("u3", b, at(2, noon))
    u4 = person("u4", b, at(1, noon, month=10).replace(year=2025))
    u5 = person("u5", c, at(1, noon, month=2), lifecycle_stage="onboarded",
                stage_entered_at=at(6, noon))
    u6 = person("u6", None, at(10, noon))
    u7 = person("u7", c, at(3, noon))
    # W1
    step_done(paris, u1, at(3, 10))
    help_open(paris, u2, at(4, 9))
    _event(paris, u2, "milestone", at(4, 9, 30), name="activated", props={"source": "x"})
    escalate(paris, u3, at(5, 11), "onboarding", "connect", None, f"{APP}/settings/db?tab=1")
    escalate(paris, u3, at(5, 15), "onboarding", "connect", "databases", f"{APP}/settings/db")
    step_done(paris, u3, at(5, 16), "connect")
    step_done(paris, u4, at(6, 9))
    escalate(paris, u4, at(6, 10), None, None, "billing", f"{APP}/billing")
    step_done(paris, u5, at(7, 10))
    help_open(paris, u7, at(8, 22))
    # W2
    escalate(paris, u7, at(9, 21), "tour", "intro", None, f"{APP}/dashboard")
    help_open(paris, u1, at(10, 10))
    escalate(paris, u1, at(10, 10, 30), "onboarding", "hello", "getting-started",
             f"{APP}/settings/db#x")
    escalate(paris, u1, at(11, 9), "onboarding", "team", origin="scenario")
    _event(paris, u3, "event:track", at(11, 9), name="$page", url="/home")
    escalate(paris, u5, at(12, 9))
    step_done(paris, u6, at(15, 19))
    help_open(paris, u6, at(15, 20))
    db.session.commit()
    return paris


NOW = at(16, 12)  # Monday 16 March, noon: u6's help opening is not 24 hours old yet


def side(onboarding, active, needed, self_service, idle, share):
    """A week's users or accounts (``onboarding`` None: the totals, which have none)."""
    found = {"active": active, "needed_human": needed, "self_service": self_service,
             "idle": idle, "reactive_share": share}
    return found if onboarding is None else {"onboarding": onboarding, **found}


def help_(sessions, resolved, escalated, pending, rate):
    return {"sessions": sessions, "resolved": resolved, "escalated": escalated,
            "pending": pending, "resolved_rate": rate}


EXPECTED = {
    "timezone": PARIS, "start": "2026-03-02", "end": "2026-03-15", "target": 0.1,
    "weeks": [
        {"week": "2026-03-02", "end": "2026-03-08",
         # onboarding: u1 u2 u3 u5 u7; u3 needed a human; u1 u2 u5 self-service; u7 idle.
         "users": side(5, 5, 1, 3, 1, 0.25),
         # A (u1, u2) and C (u5) self-service, B (u3) needed a human.
         "accounts": side(3, 3, 1, 2, 0, 1 / 3),
         "escalations": 2, "escalations_per_100": 40.0,
         # u2's help resolved; u7's followed by an escalation 23 hours later.
         "help": help_(2, 1, 1, 0, 0.5), "above_target": True},
        {"week": "2026-03-09", "end": "2026-03-15",
         # onboarding: u1 u2 u3 u6 u7 (u5 reached the last stage before W2);
         # u1 u7 needed a human, u6 self-service, u3 idle.
         "users": side(5, 4, 2, 1, 1, 2 / 3),
         # A (u1) and C (u7) needed a human, B (u3) idle; u6 has no account.
         "accounts": side(3, 3, 2, 0, 1, 1.0),
         "escalations": 2, "escalations_per_100": 50.0,
         "help": help_(2, 0, 1, 1, 0.0), "above_target": True},
    ],
    # The two weeks added up: user-weeks and account-weeks.
    "totals": {"users": side(None, 9, 3, 4, 2, 3 / 7), "accounts": side(None, 6, 3, 2, 1, 0.6),
               "escalations": 4, "escalations_per_100": 400 / 9,
               "help": help_(4, 1, 2, 1, 1 / 3)},
    "escalations_start": {
        "total": 6,
        "guides": [{"guide": "onboarding", "count": 3}, {"guide": None, "count": 2},
                   {"guide": "tour", "count": 1}],
        "steps": [{"guide": "onboarding", "step": "connect", "count": 2},
                  {"guide": "onboarding", "step": "hello", "count": 1},
                  {"guide": "tour", "step": "intro", "count": 1}],
        "articles": [{"article": None, "count": 3}, {"article": "billing", "count": 1},
                     {"article": "databases", "count": 1},
                     {"article": "getting-started", "count": 1}],
        "pages": [{"page": "/settings/db", "count": 3}, {"page": "/billing", "count": 1},
                  {"page": "/dashboard", "count": 1}, {"page": None, "count": 1}],
    },
}


def report(ws, start=date(2026, 3, 4), end=date(2026, 3, 12), now=NOW):
    return analytics.reactive_report(ws, start, end, now)


def test_the_report_matches_the_hand_computed_numbers_before_and_after_rollup(history):
    assert report(history) == EXPECTED  # all of it in the tail
    assert analytics.raw_reactive_report(history, date(2026, 3, 2), date(2026, 3, 15),
                                         NOW) == EXPECTED
    analytics.rollup(LATER, batch=4, max_batches=2)
    assert report(history) == EXPECTED  # partly rolled
    assert roll_all(batch=3) > 0
    assert report(history) == EXPECTED  # all of it rolled


def test_a_help_opening_is_judged_once_its_24_hours_have_passed(history):
    roll_all()
    later = report(history, now=at(20, 12))
    assert later["weeks"][1]["help"] == help_(2, 1, 1, 0, 0.5)


def test_a_week_with_nobody_has_no_shares(paris):
    empty = report(paris, date(2026, 3, 2), date(2026, 3, 2))
    assert empty["weeks"] == [{
        "week": "2026-03-02", "end": "2026-03-08", "users": side(0, 0, 0, 0, 0, None),
        "accounts": side(0, 0, 0, 0, 0, None), "escalations": 0,
        "escalations_per_100": None, "help": help_(0, 0, 0, 0, None), "above_target": None}]
    assert empty["totals"] == {"users": side(None, 0, 0, 0, 0, None),
                               "accounts": side(None, 0, 0, 0, 0, None), "escalations": 0,
                               "escalations_per_100": None, "help": help_(0, 0, 0, 0, None)}
    assert empty["escalations_start"]["total"] == 0


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 3, 2), date(2026, 3, 1)),
    (date(2024, 1, 1), date(2026, 3, 1)),
])
def test_a_bad_range_is_refused(paris, start, end):
    with pytest.raises(GuideError) as info:
        report(paris, start, end)
    assert info.value.code == "invalid_range" and info.value.status == 400


def test_erasing_a_user_removes_their_help_openings_and_escalations_from_the_rollups(history):
    roll_all()
    u1 = db.session.scalars(sa.select(EndUser).where(EndUser.external_id == "u1")).one()
    erased = u1.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsMoment).where(
        AnalyticsMoment.user_id == erased)) == 2
    privacy.erase_user(history, u1, "cli")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsMoment).where(
        AnalyticsMoment.user_id == erased)) == 0
    # The weekly counts keep the erased user's opening, anonymously (docs/ANALYTICS.md).
    assert report(history)["weeks"][1]["help"]["sessions"] == 2


def test_an_article_read_is_a_help_session_unless_help_was_in_use_in_the_30_minutes_before(
        paris):
    reader = EndUser(workspace_id=paris.id, external_id="reader", traits={},
                     first_seen=at(1, 12))
    db.session.add(reader)
    db.session.flush()

    def article(when):
        _event(paris, reader, "event:track", when, name="$article_view",
               props={"article": "billing", "guide": None, "step": None})

    article(at(3, 14))  # a session: no help before it
    article(at(3, 14, 20))  # 20 minutes after the last: the same session
    article(at(3, 15))  # 40 minutes after the last: a new one
    help_open(paris, reader, at(4, 9))  # an opening is always a session
    article(at(4, 9, 10))  # read in the panel just opened
    db.session.commit()
    first = report(paris, date(2026, 3, 2), date(2026, 3, 8))
    assert first["weeks"][0]["help"] == help_(3, 3, 0, 0, 1.0)
    analytics.rollup(LATER, batch=2, max_batches=2)  # the 30-minute state across batches
    assert report(paris, date(2026, 3, 2), date(2026, 3, 8)) == first
    roll_all(batch=1)
    assert report(paris, date(2026, 3, 2), date(2026, 3, 8)) == first


def _migration(name: str) -> ModuleType:
    path = Path(__file__).parents[2] / "guide" / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _week_rows() -> set[tuple]:
    w = AnalyticsUserWeek
    return {tuple(row) for row in db.session.execute(sa.select(
        w.workspace_id, w.week, w.user_id, w.active, w.progressed, w.escalations))}


def test_migration_0012_fills_the_week_rows_the_rollup_writes(history):
    """An existing deployment's week rows come from its rollups, as the batches write them:
    a user's flags over the week, escalations added up (u3 sent two), a milestone alone."""
    roll_all()
    rolled = _week_rows()
    u3 = db.session.scalars(sa.select(EndUser.id).where(EndUser.external_id == "u3")).one()
    assert (history.id, date(2026, 3, 2), u3, 1, 1, 2) in rolled
    db.session.execute(sa.delete(AnalyticsUserWeek))
    backfill = _migration("0012_analytics_user_week").backfill(db.engine.dialect.name)
    db.session.execute(sa.text(backfill))
    db.session.commit()
    assert _week_rows() == rolled

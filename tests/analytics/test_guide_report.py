"""The Guide report on a small seeded history whose numbers are worked out by hand.

Four users on the "onboarding" checklist (hello, connect, visit, team) of a
workspace in Europe/Paris, sent through the widget's envelope use case with
client times on the local days D0, D1, D2 (four to two days ago):

- u1 opens it D0 09:00, hello 09:10, connect 09:30, visit D1 10:00, team D1 10:30: done.
- u2 does hello D0 11:00 (its run starts there), hits a missing target on
  connect 11:05, opens help on it 11:06, escalates from it 11:07, dismisses D1 09:00.
- u3 opens it D1 08:00, hello 08:20, connect 08:50, visit 09:00, team 09:10: done.
- u4 snoozes it D2 12:00, misses connect's target twice (12:05, 12:06), and
  opens help on no step with a client time ten days old: that is beyond
  MAX_LATE, so it counts on the day the server received it (today).

What the widget saw, and what bootstrap offered:

- offers (server events): u1 D0 08:00 and D1 07:00, u2 D0 10:00.
- u1: the panel opens on it and shows it D0 09:01, expands hello 09:02,
  clicks connect's action 09:20 and expands connect 09:21.
- u3: the panel shows it D1 08:01 and opens on it D1 08:01 and 08:40.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.errors import GuideError, NotFound
from guide.extensions import db
from guide.models import AnalyticsRun, AnalyticsUserDay, EndUser
from guide.models.base import utcnow
from guide.services import privacy
from tests.analytics.conftest import LATER, PARIS, offer, roll_all, send, user

ZONE = ZoneInfo(PARIS)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE)


@pytest.fixture
def history(paris):
    today = utcnow().astimezone(ZONE).date()
    d0, d1, d2 = (today - timedelta(days=n) for n in (4, 3, 2))
    u1, u2, u3, u4 = (user(paris, f"u{n}") for n in range(1, 5))
    g = {"guide": "onboarding"}
    send(paris, u1, "guide:state", at(d0, 9), state="active", **g)
    send(paris, u1, "step:complete", at(d0, 9, 10), step="hello", **g)
    send(paris, u1, "event:track", at(d0, 9, 30), name="connected")
    send(paris, u1, "event:track", at(d1, 10), name="$page", url="/settings/x")
    send(paris, u1, "step:complete", at(d1, 10, 30), step="team", **g)
    send(paris, u2, "step:complete", at(d0, 11), step="hello", **g)
    send(paris, u2, "event:track", at(d0, 11, 5), name="$target_missing",
         props={**g, "step": "connect", "selector": "#db"})
    send(paris, u2, "event:track", at(d0, 11, 6), name="$help_open",
         props={**g, "step": "connect", "article": None})
    send(paris, u2, "help:escalate", at(d0, 11, 7), message="Stuck on the database",
         severity="blocked", step="connect", **g)
    send(paris, u2, "guide:state", at(d1, 9), state="dismissed", **g)
    send(paris, u3, "guide:state", at(d1, 8), state="active", **g)
    send(paris, u3, "step:complete", at(d1, 8, 20), step="hello", **g)
    send(paris, u3, "event:track", at(d1, 8, 50), name="connected")
    send(paris, u3, "event:track", at(d1, 9), name="$page", url="/settings/a")
    send(paris, u3, "step:complete", at(d1, 9, 10), step="team", **g)
    send(paris, u4, "guide:state", at(d2, 12), state="snoozed", **g)
    for minute in (5, 6):
        send(paris, u4, "event:track", at(d2, 12, minute), name="$target_missing",
             props={**g, "step": "connect", "selector": "#db"})
    send(paris, u4, "event:track", utcnow() - timedelta(days=10), name="$help_open",
         props={**g, "step": None, "article": "billing"})
    offer(paris, u1, "onboarding", at(d0, 8))
    offer(paris, u1, "onboarding", at(d1, 7))
    offer(paris, u2, "onboarding", at(d0, 10))
    for who, when, name, step in [(u1, at(d0, 9, 1), "$checklist_open", None),
                                  (u1, at(d0, 9, 1), "$guide_shown", None),
                                  (u1, at(d0, 9, 2), "$item_expanded", "hello"),
                                  (u1, at(d0, 9, 20), "$item_clicked", "connect"),
                                  (u1, at(d0, 9, 21), "$item_expanded", "connect"),
                                  (u3, at(d1, 8, 1), "$guide_shown", None),
                                  (u3, at(d1, 8, 1), "$checklist_open", None),
                                  (u3, at(d1, 8, 40), "$checklist_open", None)]:
        send(paris, who, "event:track", when, name=name,
             props={**g, **({"step": step} if step else {})})
    return paris, d0, today


def expected(d0: date, today: date) -> dict:
    day = {"eligible": 0, "seen": 0, "checklist_open": 0, "started": 0, "completed": 0,
           "dismissed": 0, "snoozed": 0}
    days = {d0 + timedelta(days=n): dict(day) for n in range((today - d0).days + 1)}
    days[d0].update(started=2, eligible=2, seen=1, checklist_open=1)
    days[d0 + timedelta(days=1)].update(started=1, completed=2, dismissed=1, eligible=1, seen=1,
                                        checklist_open=2)
    days[d0 + timedelta(days=2)]["snoozed"] = 1

    def step(name, done, drop, rate, *, missing=0, help_=0, escalations=0, times=(None, None, 0),
             expanded=0, clicked=0):
        return {"step": name, "completed": done, "drop_off": drop, "drop_off_rate": rate,
                "shown": 0, "expanded": expanded, "clicked": clicked,
                "target_missing": missing, "stuck": 0, "help_opened": help_,
                "escalations": escalations,
                "time_on_step": {"median": times[0], "p90": times[1], "count": times[2]}}

    return {
        "guide": "onboarding", "kind": "checklist", "timezone": PARIS,
        "start": d0.isoformat(), "end": today.isoformat(),
        "eligible": {"total": 3, "unique": 2}, "seen": {"total": 2, "unique": 2},
        "checklist_open": {"total": 3, "unique": 2}, "started": {"total": 3, "unique": 3},
        "completed": {"total": 2, "unique": 2}, "dismissed": {"total": 1, "unique": 1},
        "snoozed": {"total": 1, "unique": 1},
        "completion_rate": 2 / 3,
        # u3: 70 minutes; u1: D0 09:00 to D1 10:30 = 25.5 hours (nearest rank).
        "time_to_complete": {"median": 4200.0, "p90": 91800.0, "count": 2},
        "days": [{"day": d.isoformat(), **v} for d, v in sorted(days.items())],
        "steps": [
            # hello: u1 10 min after opening, u2 at once (its run starts with it), u3 20 min.
            step("hello", 3, 0, 0.0, times=(600.0, 1200.0, 3), expanded=1),
            step("connect", 2, 1, 1 / 3, missing=3, help_=1, escalations=1,
                 times=(1200.0, 1800.0, 2), expanded=1, clicked=1),
            # visit: u1 the next day (24.5 hours after connect), u3 10 minutes.
            step("visit", 2, 0, 0.0, times=(600.0, 88200.0, 2)),
            step("team", 2, 0, 0.0, times=(600.0, 1800.0, 2)),
        ],
        "unattributed": {"target_missing": 0, "help_opened": 1, "escalations": 0},
        # u1, u2, u3 started in the range; u1 and u3 completed.
        "cohort": {"started": 3, "completed": 2, "rate": 2 / 3},
    }


def report(ws, start, end):
    return analytics.guide_report(ws, "onboarding", start, end)


def test_the_report_matches_the_hand_computed_numbers_before_and_after_rollup(history):
    ws, d0, today = history
    want = expected(d0, today)
    assert report(ws, d0, today) == want  # all of it in the tail
    assert analytics.raw_guide_report(ws, "onboarding", d0, today) == want
    # 27 envelopes, 3 offers and the two "onboarded" milestones the completions reached.
    assert roll_all(batch=4) == 32
    assert report(ws, d0, today) == want  # all of it rolled
    assert roll_all() == 0  # nothing is folded twice


def test_a_partial_rollup_plus_the_tail_gives_the_same_numbers(history):
    ws, d0, today = history
    rolled = analytics.rollup(LATER, batch=3, max_batches=2)
    assert rolled.total == 6 and rolled.more
    assert report(ws, d0, today) == expected(d0, today)


def test_a_narrower_range_counts_unique_users_on_its_days_only(history):
    ws, d0, _ = history
    roll_all(batch=5)
    d1 = d0 + timedelta(days=1)
    one_day = report(ws, d1, d1)
    assert one_day["started"] == {"total": 1, "unique": 1}
    assert one_day["completed"] == {"total": 2, "unique": 2}
    assert [s["completed"] for s in one_day["steps"]] == [1, 1, 2, 2]
    # Two completions over one start: 200%. Of the one user who started on D1 (u3), one
    # completed: the cohort rate is 100%; on D0 u1 and u2 started and u1 completed (on D1).
    assert one_day["completion_rate"] == 2.0
    assert one_day["cohort"] == {"started": 1, "completed": 1, "rate": 1.0}
    assert report(ws, d0, d0)["cohort"] == {"started": 2, "completed": 1, "rate": 0.5}
    assert one_day == analytics.raw_guide_report(ws, "onboarding", d1, d1)


@pytest.mark.parametrize(("start", "end", "code"), [
    (date(2026, 3, 2), date(2026, 3, 1), "invalid_range"),
    (date(2024, 1, 1), date(2026, 3, 1), "invalid_range"),
])
def test_a_bad_range_is_refused(paris, start, end, code):
    with pytest.raises(GuideError) as info:
        report(paris, start, end)
    assert info.value.code == code and info.value.status == 400


def test_an_unknown_guide_is_a_404(paris):
    with pytest.raises(NotFound) as info:
        analytics.guide_report(paris, "nope", date(2026, 3, 1), date(2026, 3, 2))
    assert info.value.code == "unknown_guide"


def test_erasing_a_user_removes_their_rows_but_not_their_place_in_the_counts(history):
    ws, d0, today = history
    roll_all()
    before = report(ws, d0, today)
    u2 = db.session.scalars(sa.select(EndUser).where(EndUser.external_id == "u2")).one()
    erased = u2.id
    privacy.erase_user(ws, u2, "cli")
    for model in (AnalyticsUserDay, AnalyticsRun):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.user_id == erased)) == 0
    after = report(ws, d0, today)
    # Counted anonymously, like the day counts: the unique users keep them too. The
    # cohort follows each user from start to completion: it no longer has them.
    assert after["cohort"] == {"started": 2, "completed": 2, "rate": 1.0}
    assert before["cohort"] == {"started": 3, "completed": 2, "rate": 2 / 3}
    assert {**after, "cohort": None} == {**before, "cohort": None}
    assert before["dismissed"] == {"total": 1, "unique": 1}
    assert before["started"] == {"total": 3, "unique": 3}


def test_a_tour_s_funnel_counts_the_users_shown_each_step(paris):
    from tests import factories

    factories.publish(paris, {"key": "tour", "kind": "tour", "title": "Tour", "steps": [
        {"id": "one", "title": "One", "target": "#a"},
        {"id": "two", "title": "Two", "target": "#b"},
        {"id": "three", "title": "Three"}]})
    today = utcnow().astimezone(ZONE).date()
    d0 = today - timedelta(days=1)
    u1, u2, u3 = (user(paris, f"t{n}") for n in range(1, 4))
    g = {"guide": "tour"}
    for who, minute in ((u1, 0), (u2, 10), (u3, 20)):
        send(paris, who, "guide:state", at(d0, 9, minute), state="active", step="one", **g)
        send(paris, who, "event:track", at(d0, 9, minute + 1), name="$step_shown",
             props={**g, "step": "one"})
    for who, minute in ((u1, 0), (u2, 10)):
        send(paris, who, "guide:state", at(d0, 9, minute + 2), state="active", step="two", **g)
    send(paris, u1, "event:track", at(d0, 9, 3), name="$step_shown", props={**g, "step": "two"})
    # Rolled up to here: u1's step two, shown at 9:03, is timed from the rolled run.
    roll_all()
    send(paris, u2, "event:track", at(d0, 9, 13), name="$target_missing",
         props={**g, "step": "two", "selector": "#b"})
    # Help: u2 from step one's "Stuck?" (its article), u3 from the help button on step one
    # (no article), u1 at an article with no step (a message's link): one Stuck? opening.
    send(paris, u2, "event:track", at(d0, 9, 13), name="$help_open",
         props={**g, "step": "one", "article": "finding-b"})
    send(paris, u3, "event:track", at(d0, 9, 22), name="$help_open",
         props={**g, "step": "one", "article": None})
    send(paris, u1, "event:track", at(d0, 9, 4), name="$help_open",
         props={**g, "step": None, "article": "tips"})
    send(paris, u2, "guide:state", at(d0, 9, 14), state="dismissed", step="two", **g)
    send(paris, u1, "event:track", at(d0, 9, 5), name="$step_shown",
         props={**g, "step": "three"})
    send(paris, u1, "guide:state", at(d0, 9, 6), state="completed", step="three", **g)
    # A show the widget's batch sent after the run ended starts no time: the tour's next
    # run (none here) would otherwise end it.
    send(paris, u1, "event:track", at(d0, 9, 6), name="$step_shown",
         props={**g, "step": "three"})
    tail = analytics.guide_report(paris, "tour", d0, today)  # rollups plus the tail
    roll_all()
    report = analytics.guide_report(paris, "tour", d0, today)
    funnel = [(s["step"], s["completed"], s["drop_off"], s["target_missing"])
              for s in report["steps"]]
    # Three started; all saw one, u1 alone saw two (u2's target was missing), u1 saw three.
    assert report["started"] == {"total": 3, "unique": 3}
    assert funnel == [("one", 3, 0, 0), ("two", 1, 2, 1), ("three", 1, 0, 0)]
    assert [s["shown"] for s in report["steps"]] == [3, 1, 2]
    assert [(s["stuck"], s["help_opened"]) for s in report["steps"]] == [(1, 2), (0, 0),
                                                                          (0, 0)]
    assert report["unattributed"] == {"target_missing": 0, "help_opened": 1, "escalations": 0}
    # Time on each step, from its $step_shown to the next one shown or the run's end:
    # one: u1 9:01 -> 9:03 (two shown) 120 s, u2 9:11 -> 9:14 (dismissed) 180 s, u3 still
    # on it (not timed); two: u1 9:03 -> 9:05, 120 s; three: u1 9:05 -> 9:06 (completed).
    assert [s["time_on_step"] for s in report["steps"]] == [
        {"count": 2, "median": 120.0, "p90": 180.0},
        {"count": 1, "median": 120.0, "p90": 120.0},
        {"count": 1, "median": 60.0, "p90": 60.0}]
    assert report == tail == analytics.raw_guide_report(paris, "tour", d0, today)
    # The users table: a tour completes no step on its own, so its progress is every step
    # once completed (u1), else the steps before the one it is on (u2 on two, u3 on one).
    from guide.analytics.guide_users import guide_users

    table = guide_users(paris, "tour", d0, today)
    assert sorted((r["user"], r["status"], r["completed_steps"]) for r in table["users"]) == [
        ("t1", "completed", 3), ("t2", "dismissed", 1), ("t3", "active", 0)]


def test_by_week_adds_the_days_up_per_local_week_monday_to_sunday():
    def day(n, **counts):
        return {"day": f"2026-03-{n:02d}", "eligible": 0, "seen": 0, "checklist_open": 0,
                "started": 0, "completed": 0, "dismissed": 0, "snoozed": 0, **counts}

    # Friday 6 March to Tuesday 10 March: the end of one week, the start of the next.
    days = [day(6, started=2, eligible=5), day(7, completed=1), day(8, started=1, dismissed=1),
            day(9, snoozed=4, checklist_open=2), day(10, started=3, completed=2, eligible=1)]
    assert analytics.by_week(days) == [
        {"week": "2026-03-02", "start": "2026-03-06", "end": "2026-03-08", "eligible": 5,
         "seen": 0, "checklist_open": 0, "started": 3, "completed": 1, "dismissed": 1,
         "snoozed": 0},
        {"week": "2026-03-09", "start": "2026-03-09", "end": "2026-03-10", "eligible": 1,
         "seen": 0, "checklist_open": 2, "started": 3, "completed": 2, "dismissed": 0,
         "snoozed": 4}]
    assert analytics.by_week([]) == []

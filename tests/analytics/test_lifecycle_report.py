"""The milestones and lifecycle report on the hand-worked history of lifecycle_history.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from guide import analytics
from guide.analytics.filters import Filters
from guide.errors import GuideError
from guide.extensions import db
from guide.models import EndUser, UserMilestone
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.lifecycle_history import NOW, PRO, mark_pro, seed

START, END = date(2026, 3, 4), date(2026, 3, 17)


@pytest.fixture
def lifecycle(paris):  # noqa: F811
    return seed(paris)


def ttv(count, median, p90):
    return {"count": count, "median": median, "p90": p90}


def funnel_row(key, title, expected, reached, share, drop, rate, time):
    return {"key": key, "title": title, "expected_days": expected, "reached": reached,
            "share": share, "drop_off": drop, "drop_off_rate": rate, "out_of_order": drop < 0,
            "time_to_value": time}


def cells(*rows):
    keys = ("connected", "dashboard", "invited", "onboarded")
    return [{"key": key, "reached": reached, "share": reached / signups if signups else None,
             "within": within, "within_share": within / signups if signups else None}
            for key, (signups, reached, within) in zip(keys, rows, strict=True)]


HOUR, DAY = 3600, 86400
EXPECTED = {
    "timezone": "Europe/Paris", "start": "2026-03-04", "end": "2026-03-17", "within_days": 7,
    # u1..u6 signed up on a local day of the range; u7 the day before, u8 the day after.
    "signups": 6,
    "milestones": [
        # connected: u1 1h, u2 2h, u3 1d, u5 30m, u6 5h -> sorted 30m 1h 2h 5h 1d:
        # median the 3rd (ceil(2.5)), p90 the 5th (ceil(4.5)).
        funnel_row("connected", "Connected data", 3, 5, 5 / 6, 1, 1 / 6,
                   ttv(5, 2 * HOUR, DAY)),
        # dashboard: u1 2d, u3 3d, u5 8d -> median the 2nd, p90 the 3rd.
        funnel_row("dashboard", "First dashboard", 7, 3, 0.5, 2, 2 / 5,
                   ttv(3, 3 * DAY, 8 * DAY)),
        # invited: no expected_days of its own; the stage "adopted" that requires it: 30.
        funnel_row("invited", "invited", 30, 1, 1 / 6, 2, 2 / 3, ttv(1, 10 * DAY, 10 * DAY)),
        # The onboarding checklist's own milestone: nobody reached it.
        funnel_row("onboarded", "onboarded", None, 0, 0.0, 1, 1.0, ttv(0, None, None)),
    ],
    "stalls": [
        # s1 (milestone_missing dashboard) x2 + s2 (guide_stalled onboarding, whose step
        # reaches dashboard); the 4 user escalations in the range all came before it.
        {"key": "dashboard", "title": "First dashboard", "stalls": 3, "escalations": 4,
         "drop_off": 2, "out_of_order": False},
        # s3 for u4 and for account C (u7's is before the range); only u4 escalated
        # before connecting (u1, u5 and u7 had connected).
        {"key": "connected", "title": "Connected data", "stalls": 2, "escalations": 1,
         "drop_off": 1, "out_of_order": False},
        # s2 again: onboarding's own milestone.
        {"key": "onboarded", "title": "onboarded", "stalls": 1, "escalations": 4,
         "drop_off": 1, "out_of_order": False},
        {"key": "invited", "title": "invited", "stalls": 0, "escalations": 4, "drop_off": 2,
         "out_of_order": False},
    ],
    "cohorts": [
        # Wed 4 .. Sun 8 March: u1, u2. u1's invited came after 10 days (not within 7).
        {"week": "2026-03-02", "signups": 2, "complete": True,
         "cells": cells((2, 2, 2), (2, 1, 1), (2, 1, 0), (2, 0, 0))},
        # u3 (Monday 00:30 local, still Sunday in UTC), u4, u5; u5's dashboard took 8 days.
        {"week": "2026-03-09", "signups": 3, "complete": False,
         "cells": cells((3, 2, 2), (3, 2, 1), (3, 0, 0), (3, 0, 0))},
        # Mon 16 .. Tue 17 (the range ends): u6.
        {"week": "2026-03-16", "signups": 1, "complete": False,
         "cells": cells((1, 1, 1), (1, 0, 0), (1, 0, 0), (1, 0, 0))},
    ],
    "stages": {
        "users": [
            {"stage": "trial", "title": "Trial", "count": 4, "configured": True},
            {"stage": "active", "title": "active", "count": 3, "configured": True},
            {"stage": "adopted", "title": "adopted", "count": 1, "configured": True},
            {"stage": "legacy", "title": "legacy", "count": 1, "configured": False},
        ],
        "accounts": [
            {"stage": "trial", "title": "Trial", "count": 4, "configured": True},
            {"stage": "active", "title": "active", "count": 2, "configured": True},
            {"stage": "adopted", "title": "adopted", "count": 1, "configured": True},
        ],
    },
}


def test_the_report_is_the_hand_computed_one(lifecycle):
    assert analytics.lifecycle_report(lifecycle, START, END, now=NOW) == EXPECTED


def test_a_longer_window_counts_late_milestones_in_the_cohort_cells(lifecycle):
    report = analytics.lifecycle_report(lifecycle, START, END, within_days=14, now=NOW)
    first, second = report["cohorts"][:2]
    assert first["cells"][2]["within"] == 1  # u1's invited, 10 days after
    assert second["cells"][1]["within"] == 2  # u5's dashboard after 8 days
    assert not first["complete"]  # the week's end (9 March, local) + 14 days is after now


def test_the_signup_week_follows_the_workspace_timezone(lifecycle):
    """In UTC, u3 (Sunday 8 March 23:30 UTC) signs up in the first week."""
    lifecycle.timezone = "UTC"
    db.session.commit()
    report = analytics.lifecycle_report(lifecycle, START, END, now=NOW)
    assert [week["signups"] for week in report["cohorts"]] == [3, 2, 1]


def test_nothing_in_the_range_is_all_zero_and_none(lifecycle):
    report = analytics.lifecycle_report(lifecycle, date(2025, 1, 1), date(2025, 1, 2), now=NOW)
    assert report["signups"] == 0
    assert [m["reached"] for m in report["milestones"]] == [0, 0, 0, 0]
    assert report["milestones"][0]["share"] is None
    assert report["milestones"][0]["time_to_value"] == ttv(0, None, None)
    assert report["cohorts"][0]["cells"][0]["share"] is None


def test_a_workspace_without_lifecycle_has_an_empty_report(paris):  # noqa: F811
    db.session.add(EndUser(workspace_id=paris.id, external_id="x", traits={},
                           first_seen=NOW))
    db.session.commit()
    report = analytics.lifecycle_report(paris, date(2026, 3, 20), date(2026, 3, 20), now=NOW)
    # The checklist's own milestone is still a milestone.
    assert [m["key"] for m in report["milestones"]] == ["onboarded"]
    assert report["signups"] == 1
    assert report["stages"] == {"users": [], "accounts": []}


@pytest.mark.parametrize(("start", "end", "within", "field"), [
    (date(2026, 3, 5), date(2026, 3, 4), 7, "start"),
    (date(2024, 1, 1), date(2026, 3, 4), 7, "end"),
    (START, END, 0, "within_days"),
    (START, END, 366, "within_days"),
])
def test_a_bad_range_or_window_is_refused(lifecycle, start, end, within, field):
    with pytest.raises(GuideError) as raised:
        analytics.lifecycle_report(lifecycle, start, end, within_days=within, now=NOW)
    assert raised.value.status == 400 and field in raised.value.fields


def test_signup_weeks_follow_daylight_saving(paris):  # noqa: F811
    """Paris moves to UTC+2 on Sunday 29 March 2026: local midnight starting Monday 30 March
    is 22:00 UTC on the 29th, not 23:00."""
    from datetime import UTC, datetime

    for key, first in (("sun", datetime(2026, 3, 29, 21, 30, tzinfo=UTC)),  # Sun 23:30 local
                       ("mon", datetime(2026, 3, 29, 22, 30, tzinfo=UTC))):  # Mon 00:30 local
        db.session.add(EndUser(workspace_id=paris.id, external_id=key, traits={},
                               first_seen=first))
    db.session.commit()
    report = analytics.lifecycle_report(paris, date(2026, 3, 23), date(2026, 4, 5), now=NOW)
    assert [(w["week"], w["signups"]) for w in report["cohorts"]] == [
        ("2026-03-23", 1), ("2026-03-30", 1)]


def test_a_segment_keeps_only_its_users_signups_stalls_escalations_and_stages(lifecycle):
    # u3 (account B, week 2), u4 (account C, week 2) and u8 (account F, after the range).
    mark_pro(lifecycle, "u3", "u4", "u8")
    report = analytics.lifecycle_report(lifecycle, START, END, now=NOW,
                                        filters=Filters.parse(PRO))
    assert report == {
        **EXPECTED, "signups": 2,
        "milestones": [
            # Only u3 reached anything: connected after 1 day, dashboard after 3.
            funnel_row("connected", "Connected data", 3, 1, 0.5, 1, 0.5, ttv(1, DAY, DAY)),
            funnel_row("dashboard", "First dashboard", 7, 1, 0.5, 0, 0.0,
                       ttv(1, 3 * DAY, 3 * DAY)),
            funnel_row("invited", "invited", 30, 0, 0.0, 1, 1.0, ttv(0, None, None)),
            funnel_row("onboarded", "onboarded", None, 0, 0.0, 0, None, ttv(0, None, None)),
        ],
        # Every firing in the range is for u3, u4 or account C (u4's): the stalls stay;
        # of the user escalations only u4's (12 Mar), before any milestone.
        "stalls": [
            {"key": "dashboard", "title": "First dashboard", "stalls": 3, "escalations": 1,
             "drop_off": 0, "out_of_order": False},
            {"key": "connected", "title": "Connected data", "stalls": 2, "escalations": 1,
             "drop_off": 1, "out_of_order": False},
            {"key": "onboarded", "title": "onboarded", "stalls": 1, "escalations": 1,
             "drop_off": 0, "out_of_order": False},
            {"key": "invited", "title": "invited", "stalls": 0, "escalations": 1,
             "drop_off": 1, "out_of_order": False},
        ],
        "cohorts": [
            {"week": "2026-03-02", "signups": 0, "complete": True,
             "cells": cells((0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0))},
            {"week": "2026-03-09", "signups": 2, "complete": False,
             "cells": cells((2, 1, 1), (2, 1, 1), (2, 0, 0), (2, 0, 0))},
            {"week": "2026-03-16", "signups": 0, "complete": False,
             "cells": cells((0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0))},
        ],
        # u4 never moved (trial), u3 active, u8 legacy; their accounts C and F (trial), B.
        "stages": {
            "users": [
                {"stage": "trial", "title": "Trial", "count": 1, "configured": True},
                {"stage": "active", "title": "active", "count": 1, "configured": True},
                {"stage": "adopted", "title": "adopted", "count": 0, "configured": True},
                {"stage": "legacy", "title": "legacy", "count": 1, "configured": False},
            ],
            "accounts": [
                {"stage": "trial", "title": "Trial", "count": 2, "configured": True},
                {"stage": "active", "title": "active", "count": 1, "configured": True},
                {"stage": "adopted", "title": "adopted", "count": 0, "configured": True},
            ],
        },
        "filters": {"segment": PRO, "locale": None, "users": 3},
    }


def test_a_locale_nobody_has_leaves_an_empty_report(lifecycle):
    report = analytics.lifecycle_report(lifecycle, START, END, now=NOW,
                                        filters=Filters.parse(locale="fr"))
    assert report["signups"] == 0 and report["filters"]["users"] == 0
    assert [s["escalations"] for s in report["stalls"]] == [0, 0, 0, 0]
    assert [s["stalls"] for s in report["stalls"]] == [0, 0, 0, 0]
    assert sum(s["count"] for s in report["stages"]["accounts"]) == 0


def test_a_locale_keeps_its_users(lifecycle):
    db.session.execute(db.update(EndUser).where(EndUser.external_id == "u1")
                       .values(locale="fr-CA"))
    db.session.commit()
    report = analytics.lifecycle_report(lifecycle, START, END, now=NOW,
                                        filters=Filters.parse(locale="FR"))
    # u1: week 1, connected 1h, dashboard 2d, invited 10d; escalated 5 Mar 08:00, after
    # connecting (4 Mar 10:00), before the rest.
    assert report["signups"] == 1 and report["filters"]["users"] == 1
    assert [m["reached"] for m in report["milestones"]] == [1, 1, 1, 0]
    assert {s["key"]: s["escalations"] for s in report["stalls"]} == {
        "connected": 0, "dashboard": 1, "invited": 1, "onboarded": 1}


def test_a_milestone_more_users_reached_than_the_one_before_is_out_of_order(lifecycle):
    """u2, u3 and u5 also invited the team: 4 reached "invited", one more than the 3 of
    "dashboard" before it. Its drop-off stays the arithmetic (3 - 4 = -1, rate -1/3), and
    the row says it is not a funnel step."""
    users = {u.external_id: u for u in db.session.scalars(db.select(EndUser))}
    for name in ("u2", "u3", "u5"):
        db.session.add(UserMilestone(user_id=users[name].id, key="invited", source="test",
                                     reached_at=users[name].first_seen + timedelta(days=1)))
    db.session.commit()
    report = analytics.lifecycle_report(lifecycle, START, END, now=NOW)
    invited, onboarded = report["milestones"][2:]
    assert (invited["reached"], invited["drop_off"], invited["drop_off_rate"],
            invited["out_of_order"]) == (4, -1, -1 / 3, True)
    assert (onboarded["drop_off"], onboarded["out_of_order"]) == (4, False)
    assert [m["out_of_order"] for m in report["milestones"]] == [False, False, True, False]
    stall = next(s for s in report["stalls"] if s["key"] == "invited")
    assert (stall["drop_off"], stall["out_of_order"]) == (-1, True)

"""The customer-success portfolio and an account's timeline on the hand-worked history of
lifecycle_history.py (deadlines: connected 3 days, dashboard 7, invited 30; now 20 March
12:00 UTC)."""

from __future__ import annotations

import pytest

from guide import analytics
from guide.analytics.filters import Filters
from guide.errors import GuideError, NotFound
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.lifecycle_history import NOW, PRO, mark_pro, seed


@pytest.fixture
def lifecycle(paris):  # noqa: F811
    return seed(paris)


def row(account, name, csm, stage, status, started, last, users, reached, overdue=(),
        next_due=None):
    return {"account": account, "name": name, "csm": csm, "stage": stage, "status": status,
            "started_at": started, "last_activity": last, "users": users,
            "milestones_due": 3, "milestones_reached": reached,
            "overdue": [{"milestone": m, "due_at": due, "days_overdue": days}
                        for m, due, days in overdue],
            "next_due": {"milestone": next_due[0], "due_at": next_due[1]} if next_due else None}


def iso(text: str) -> str:
    return f"2026-{text}:00+00:00"


ROWS = {
    # Started with u1 (4 Mar 09:00, before the account's row); every milestone reached.
    "A": row("A", "Acme Corp", "ann", "adopted", "on_track", iso("03-04T09:00"),
             iso("03-19T00:00"), 2, 3),
    # Started 8 Mar 23:30 (u3); invited due 30 days later.
    "B": row("B", "Bolt", "bob", "active", "on_track", iso("03-08T23:30"),
             iso("03-19T00:00"), 1, 2, next_due=("invited", iso("04-07T23:30"))),
    # Started 11 Mar 11:00, nothing reached: connected overdue by 6 days, more than its
    # own 3: stuck.
    "C": row("C", "Cargo", "ann", "trial", "stuck", iso("03-11T11:00"), iso("03-19T00:00"), 1,
             0, [("connected", iso("03-14T11:00"), 6), ("dashboard", iso("03-18T11:00"), 2)],
             ("invited", iso("04-10T11:00"))),
    # No users: started when created (1 Mar 12:00), never active.
    "D": row("D", "Dune", None, "trial", "stuck", iso("03-01T12:00"), iso("03-01T12:00"), 0, 0,
             [("connected", iso("03-04T12:00"), 16), ("dashboard", iso("03-08T12:00"), 12)],
             ("invited", iso("03-31T12:00"))),
    # Created 12 Mar 12:00, before its first user: dashboard due 19 Mar 12:00, a day late.
    "E": row("E", "E", "bob", "trial", "behind", iso("03-12T12:00"), iso("03-20T10:00"), 1, 1,
             [("dashboard", iso("03-19T12:00"), 1)], ("invited", iso("04-11T12:00"))),
    # Two days old: connected due tomorrow.
    "F": row("F", "F", None, "trial", "on_track", iso("03-18T08:00"), iso("03-18T09:00"), 1, 0,
             next_due=("connected", iso("03-21T08:00"))),
    # invited overdue 17 days (less than 30 more), but nobody seen since 1 March: stuck.
    "G": row("G", "Gamma", "ann", "active", "stuck", iso("02-01T10:00"), iso("03-01T00:00"), 1,
             2, [("invited", iso("03-03T10:00"), 17)]),
}


def test_every_account_is_judged_by_hand(lifecycle):
    report = analytics.portfolio(lifecycle, now=NOW)
    assert report["counts"] == {"on_track": 3, "behind": 1, "stuck": 3, "total": 7}
    assert report["accounts"] == [ROWS[key] for key in "ABCDEFG"]
    assert report["deadlines"] == [
        {"milestone": "connected", "title": "Connected data", "expected_days": 3},
        {"milestone": "dashboard", "title": "First dashboard", "expected_days": 7},
        {"milestone": "invited", "title": "invited", "expected_days": 30}]
    assert report["csms"] == ["ann", "bob"]
    assert report["matching"] == 7 and report["idle_days"] == 14


@pytest.mark.parametrize(("filters", "accounts"), [
    ({"status": "stuck"}, "CDG"),
    ({"status": "behind"}, "E"),
    ({"stage": "active"}, "BG"),
    ({"stage": "trial"}, "CDEF"),
    ({"csm": "ann"}, "ACG"),
    ({"csm": "ann", "status": "stuck"}, "CG"),
    ({"search": "CAR"}, "C"),
    ({"search": "e"}, "ADE"),  # Acme, Dune by name; E by its id
    ({"limit": 2, "offset": 1}, "BC"),
    # Past the end, even past what SQL's OFFSET holds (64 bits): an empty page.
    ({"offset": 7}, ""), ({"offset": 2**100}, ""), ({"offset": 2**100, "search": "e"}, ""),
])
def test_the_list_filters_but_the_counts_do_not(lifecycle, filters, accounts):
    report = analytics.portfolio(lifecycle, now=NOW, **filters)
    assert "".join(r["account"] for r in report["accounts"]) == accounts
    assert report["counts"]["total"] == 7


@pytest.mark.parametrize(("filters", "field"), [
    ({"status": "late"}, "status"), ({"stage": "nope"}, "stage"), ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"), ({"offset": -1}, "limit"),
])
def test_a_bad_filter_is_a_400(lifecycle, filters, field):
    with pytest.raises(GuideError) as raised:
        analytics.portfolio(lifecycle, now=NOW, **filters)
    assert raised.value.status == 400 and raised.value.code == "invalid_filter"
    assert field in raised.value.fields


def test_the_timeline_puts_everything_on_one_axis(lifecycle):
    timeline = analytics.account_timeline(lifecycle, "C", now=NOW)
    assert timeline["status"] == "stuck" and timeline["name"] == "Cargo"
    assert [(i["at"][:16], i["lane"], i["kind"], i["key"], i["user"])
            for i in timeline["items"]] == [
        ("2026-03-11T11:00", "milestones", "start", None, None),
        ("2026-03-12T10:00", "nudges", "fired", "s1", "u4"),
        ("2026-03-12T10:00", "escalations", "user", "ESC-T2", "u4"),
        ("2026-03-12T15:00", "plan", "done", "launch/kickoff", None),
        ("2026-03-13T10:00", "nudges", "fired", "s2", "u4"),
        ("2026-03-13T10:00", "escalations", "scenario", "ESC-T4", "u4"),
        ("2026-03-14T10:00", "nudges", "fired", "s3", "u4"),
        ("2026-03-14T11:00", "milestones", "overdue", "connected", None),
        ("2026-03-15T10:00", "nudges", "fired", "s3", None),  # the account itself
        ("2026-03-18T11:00", "milestones", "overdue", "dashboard", None),
        ("2026-03-21T11:00", "plan", "due", "launch/training", None),
        ("2026-04-10T11:00", "milestones", "due", "invited", None),
    ]
    kickoff = timeline["items"][3]
    assert kickoff["label"] == "Kickoff call" and kickoff["due_at"].startswith("2026-03-13T11")
    assert timeline["items"][1]["detail"] == "milestone_missing: dashboard, days: 2"


def test_a_milestone_reached_after_its_deadline_is_late(lifecycle):
    items = analytics.account_timeline(lifecycle, "E", now=NOW)["items"]
    connected = next(i for i in items if i["key"] == "connected")
    assert connected["kind"] == "late" and connected["at"].startswith("2026-03-16T13:00")
    reached = analytics.account_timeline(lifecycle, "A", now=NOW)["items"]
    assert [(i["key"], i["kind"]) for i in reached if i["lane"] == "milestones"] == [
        (None, "start"), ("connected", "reached"), ("dashboard", "reached"),
        ("invited", "reached")]


def test_an_unknown_account_is_a_404(lifecycle):
    with pytest.raises(NotFound) as raised:
        analytics.account_timeline(lifecycle, "nope", now=NOW)
    assert raised.value.code == "unknown_account"


def test_a_segment_keeps_the_accounts_with_a_matching_user_counts_included(lifecycle):
    mark_pro(lifecycle, "u3", "u4", "u8")  # accounts B, C, F
    report = analytics.portfolio(lifecycle, now=NOW, filters=Filters.parse(PRO))
    assert report["accounts"] == [ROWS[key] for key in "BCF"]
    assert report["counts"] == {"on_track": 2, "behind": 0, "stuck": 1, "total": 3}
    assert report["matching"] == 3 and report["csms"] == ["ann", "bob"]
    assert report["filters"] == {"segment": PRO, "locale": None, "users": 3}
    stuck = analytics.portfolio(lifecycle, now=NOW, status="stuck", filters=Filters.parse(PRO))
    assert [r["account"] for r in stuck["accounts"]] == ["C"]
    assert stuck["counts"]["total"] == 3


def test_an_account_of_two_users_is_kept_when_one_matches(lifecycle):
    mark_pro(lifecycle, "u2")  # A's second user
    report = analytics.portfolio(lifecycle, now=NOW, filters=Filters.parse(PRO))
    # The standing is the account's own: both its users, first seen with u1.
    assert report["accounts"] == [ROWS["A"]]
    assert analytics.portfolio(lifecycle, now=NOW, filters=Filters.parse(locale="de"))[
        "counts"]["total"] == 0

"""Report filters (guide/analytics/filters.py): the segment's syntax and errors, the locale,
and the Guide and proactive vs reactive reports of the matched users, on the hand-computed
histories of test_guide_report.py and test_reactive_report.py.

Guide report: u1 and u3 (plan pro) completed the checklist; u2 (plan free, locale fr-CA)
escalated and dismissed; u4 (no plan, locale FR) snoozed it and missed connect's target
twice on one day. Reactive report: account A (tier gold) holds u1 and u2.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.analytics import filters as filters_module
from guide.analytics.filters import Filters, Segment
from guide.errors import GuideError
from guide.extensions import db
from guide.models import Account, EndUser
from tests.analytics.conftest import LATER, PARIS, paris, roll_all  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import history  # noqa: F401 (fixture)
from tests.analytics.test_reactive_report import NOW, help_, side
from tests.analytics.test_reactive_report import history as reactive_history  # noqa: F401


def _set(ws, external_id, **columns):
    db.session.execute(sa.update(EndUser).where(EndUser.workspace_id == ws.id,
                                                EndUser.external_id == external_id)
                       .values(**columns))


@pytest.fixture
def traits(history):  # noqa: F811
    ws, d0, today = history
    _set(ws, "u1", traits={"plan": "pro"})
    _set(ws, "u2", traits={"plan": "free"}, locale="fr-CA")
    _set(ws, "u3", traits={"plan": "pro", "seats": 3})
    _set(ws, "u4", locale="FR")
    db.session.commit()
    return ws, d0, today


def step(name, done, drop, rate, times, *, missing=0, help_=0, escalations=0, expanded=0,
         clicked=0):
    return {"step": name, "completed": done, "drop_off": drop, "drop_off_rate": rate,
            "shown": 0, "expanded": expanded, "clicked": clicked, "target_missing": missing, "stuck": 0,
            "help_opened": help_,
            "escalations": escalations,
            "time_on_step": {"median": times[0], "p90": times[1], "count": times[2]}}


def days_of(d0, today, changes):
    empty = {"eligible": 0, "seen": 0, "checklist_open": 0, "started": 0, "completed": 0, "dismissed": 0, "snoozed": 0}
    return [{"day": (d0 + timedelta(days=n)).isoformat(), **empty, **changes.get(n, {})}
            for n in range((today - d0).days + 1)]


def pro(d0, today, text):
    return {
        "guide": "onboarding", "kind": "checklist", "timezone": PARIS,
        "start": d0.isoformat(), "end": today.isoformat(),
        # u1 was offered it on D0 and D1; u1 saw it and opened the panel D0, u3 D1 (twice:
        # one user-day).
        "eligible": {"total": 2, "unique": 1}, "seen": {"total": 2, "unique": 2},
        "checklist_open": {"total": 2, "unique": 2}, "started": {"total": 2, "unique": 2},
        "completed": {"total": 2, "unique": 2}, "dismissed": {"total": 0, "unique": 0},
        "snoozed": {"total": 0, "unique": 0}, "completion_rate": 1.0,
        # u3: 70 minutes; u1: 25.5 hours.
        "time_to_complete": {"median": 4200.0, "p90": 91800.0, "count": 2},
        "days": days_of(d0, today, {0: {"started": 1, "eligible": 1, "seen": 1,
                                        "checklist_open": 1},
                                    1: {"started": 1, "completed": 2, "eligible": 1, "seen": 1,
                                        "checklist_open": 1}}),
        # u1 expanded hello, then clicked connect's action and expanded it.
        "steps": [step("hello", 2, 0, 0.0, (600.0, 1200.0, 2), expanded=1),
                  step("connect", 2, 0, 0.0, (1200.0, 1800.0, 2), expanded=1, clicked=1),
                  step("visit", 2, 0, 0.0, (600.0, 88200.0, 2)),
                  step("team", 2, 0, 0.0, (600.0, 1800.0, 2))],
        "unattributed": {"target_missing": 0, "help_opened": 0, "escalations": 0},
        "cohort": {"started": 2, "completed": 2, "rate": 1.0},
        "filters": {"segment": text, "locale": None, "users": 2, "totals": "user_days"},
    }


def not_pro(d0, today, segment, locale, users):
    return {
        "guide": "onboarding", "kind": "checklist", "timezone": PARIS,
        "start": d0.isoformat(), "end": today.isoformat(),
        # u2 was offered it on D0 (u4 never was); neither saw the panel.
        "eligible": {"total": 1, "unique": 1}, "seen": {"total": 0, "unique": 0},
        "checklist_open": {"total": 0, "unique": 0}, "started": {"total": 1, "unique": 1},
        "completed": {"total": 0, "unique": 0}, "dismissed": {"total": 1, "unique": 1},
        "snoozed": {"total": 1, "unique": 1}, "completion_rate": 0.0,
        "time_to_complete": {"median": None, "p90": None, "count": 0},
        "days": days_of(d0, today, {0: {"started": 1, "eligible": 1}, 1: {"dismissed": 1},
                                    2: {"snoozed": 1}}),
        # u2's hello starts its run: 0 seconds. connect's target went missing three times
        # (u2 once on D0, u4 twice on D2): two user-days.
        "steps": [step("hello", 1, 0, 0.0, (0.0, 0.0, 1)),
                  step("connect", 0, 1, 1.0, (None, None, 0), missing=2, help_=1,
                       escalations=1),
                  step("visit", 0, 0, None, (None, None, 0)),
                  step("team", 0, 0, None, (None, None, 0))],
        "unattributed": {"target_missing": 0, "help_opened": 1, "escalations": 0},
        "cohort": {"started": 1, "completed": 0, "rate": 0.0},
        "filters": {"segment": segment, "locale": locale, "users": users,
                    "totals": "user_days"},
    }


def guide(ws, d0, today, **given):
    return analytics.guide_report(ws, "onboarding", d0, today, Filters.parse(**given))


def test_a_segment_restricts_the_guide_report_to_its_users_tail_rolled_and_raw(traits):
    ws, d0, today = traits
    text = "{trait: plan, eq: pro}"
    want = pro(d0, today, text)
    assert guide(ws, d0, today, segment=text) == want  # all of it in the tail
    assert analytics.raw_guide_report(ws, "onboarding", d0, today,
                                      Filters.parse(text)) == want
    analytics.rollup(LATER, batch=4, max_batches=2)
    assert guide(ws, d0, today, segment=text) == want  # partly rolled
    roll_all()
    assert guide(ws, d0, today, segment=text) == want  # all rolled
    # The same rule written as JSON.
    assert guide(ws, d0, today, segment='{"trait": "plan", "eq": "pro"}')["started"] == {
        "total": 2, "unique": 2}


def test_filtered_totals_are_user_days_and_the_locale_matches_its_regions(traits):
    ws, d0, today = traits
    text = "{not: {trait: plan, eq: pro}}"
    assert guide(ws, d0, today, segment=text) == not_pro(d0, today, text, None, 2)
    roll_all()
    assert guide(ws, d0, today, segment=text) == not_pro(d0, today, text, None, 2)
    # "fr" matches fr-CA (u2) and FR (u4), case-insensitively: the same two users.
    assert guide(ws, d0, today, locale="fr") == not_pro(d0, today, None, "fr", 2)
    only_u2 = guide(ws, d0, today, locale="fr-ca")
    assert only_u2["filters"]["users"] == 1
    assert only_u2["snoozed"] == {"total": 0, "unique": 0}
    assert only_u2["dismissed"] == {"total": 1, "unique": 1}
    # Both filters: users in the segment and with the locale (nobody here).
    both = guide(ws, d0, today, segment="{trait: plan, eq: pro}", locale="fr")
    assert both["filters"]["users"] == 0 and both["started"] == {"total": 0, "unique": 0}


def test_account_traits_and_relative_dates_mean_what_they_mean_in_an_audience(traits):
    ws, d0, today = traits
    account = Account(workspace_id=ws.id, external_id="acme", traits={"tier": "gold"})
    db.session.add(account)
    db.session.flush()
    _set(ws, "u3", account_id=account.id)
    db.session.commit()
    gold = guide(ws, d0, today, segment="{trait: account.tier, eq: gold}")
    assert gold["filters"]["users"] == 1 and gold["completed"]["unique"] == 1
    # Types are not coerced: "3" is not 3.
    assert guide(ws, d0, today, segment='{trait: seats, eq: "3"}')["filters"]["users"] == 0
    assert guide(ws, d0, today, segment="{trait: seats, gte: 3}")["filters"]["users"] == 1


@pytest.mark.parametrize(("segment", "locale", "field", "says"), [
    ("{trait: plan}", None, "segment", "exactly one operator"),
    ("{trait: plan, eq: pro", None, "segment", "{trait: plan, eq: pro}"),
    ("plan", None, "segment", "must be a mapping"),
    ("{all: [{trait: seats, gt: many}]}", None, "segment", "all.0.gt: gt compares numbers"),
    ("{url: /app/**}", None, "segment", "url conditions are not allowed"),
    # A value left out: null is not a value to compare with (it matched nobody: all zeros).
    ("{trait: plan, eq:}", None, "segment", "eq: eq must be a string, number or boolean"),
    ("{trait: plan, eq: null}", None, "segment", "write exists: false"),
    ("{trait: &a plan, eq: *a}", None, "segment", "aliases"),
    ("{trait: p, eq: " + "x" * 2000 + "}", None, "segment", "at most 2000 characters"),
    ("[" * 999 + "]" * 999, None, "segment", "nest at most 32"),
    (None, "french", "locale", "not a locale tag"),
    (None, "fr_CA", "locale", "not a locale tag"),
])
def test_a_bad_filter_is_a_400_saying_what_is_wrong(segment, locale, field, says):
    with pytest.raises(GuideError) as info:
        Filters.parse(segment, locale)
    error = info.value
    assert error.status == 400 and error.code == "invalid_filter"
    assert list(error.fields) == [field] and says in error.fields[field][0], error.fields


def test_dates_in_a_segment_stay_text_as_in_content_files():
    assert Segment.parse("{trait: signed_up_at, after: 2025-01-31}").rule == {
        "trait": "signed_up_at", "after": "2025-01-31"}


def test_a_segment_over_more_users_than_the_bound_is_refused(traits, monkeypatch):
    ws, d0, today = traits
    monkeypatch.setattr(filters_module, "MAX_SCAN", 3)
    with pytest.raises(GuideError) as info:
        guide(ws, d0, today, segment="{trait: plan, eq: pro}")
    assert info.value.code == "invalid_filter" and "add a locale" in info.value.message
    # A locale narrows what is read: u2 and u4 only.
    assert guide(ws, d0, today, segment="{trait: plan, exists: true}",
                 locale="fr")["filters"]["users"] == 1


def test_a_segment_restricts_the_reactive_report_to_its_users(reactive_history):  # noqa: F811
    ws = reactive_history
    a = db.session.scalars(sa.select(Account).where(Account.external_id == "A")).one()
    a.traits = {"tier": "gold"}
    db.session.commit()
    text = "{trait: account.tier, eq: gold}"
    want = {
        "timezone": PARIS, "start": "2026-03-02", "end": "2026-03-15", "target": 0.1,
        "weeks": [
            # u1 did a step, u2 reached a milestone after a help opening that was enough.
            {"week": "2026-03-02", "end": "2026-03-08", "users": side(2, 2, 0, 2, 0, 0.0),
             "accounts": side(1, 1, 0, 1, 0, 0.0), "escalations": 0,
             "escalations_per_100": 0.0, "help": help_(1, 1, 0, 0, 1.0),
             "above_target": False},
            # u1 opened help and escalated 30 minutes later (the scenario's task is not his).
            {"week": "2026-03-09", "end": "2026-03-15", "users": side(2, 1, 1, 0, 0, 1.0),
             "accounts": side(1, 1, 1, 0, 0, 1.0), "escalations": 1,
             "escalations_per_100": 100.0, "help": help_(1, 0, 1, 0, 0.0),
             "above_target": True},
        ],
        "totals": {"users": side(None, 3, 1, 2, 0, 1 / 3),
                   "accounts": side(None, 2, 1, 1, 0, 0.5), "escalations": 1,
                   "escalations_per_100": 100 / 3, "help": help_(2, 1, 1, 0, 0.5)},
        "escalations_start": {
            "total": 1, "guides": [{"guide": "onboarding", "count": 1}],
            "steps": [{"guide": "onboarding", "step": "hello", "count": 1}],
            "articles": [{"article": "getting-started", "count": 1}],
            "pages": [{"page": "/settings/db", "count": 1}]},
        "filters": {"segment": text, "locale": None, "users": 2},
    }
    chosen = Filters.parse(text)
    start, end = date(2026, 3, 4), date(2026, 3, 12)
    assert analytics.reactive_report(ws, start, end, NOW, chosen) == want
    assert analytics.raw_reactive_report(ws, start, end, NOW, chosen) == want
    roll_all()
    assert analytics.reactive_report(ws, start, end, NOW, chosen) == want


def test_among_takes_more_ids_than_a_driver_binds(paris):  # noqa: F811
    """SQLite binds at most 32,766 parameters, PostgreSQL 65,535: the ids are written in."""
    user = EndUser(workspace_id=paris.id, external_id="one", traits={})
    db.session.add(user)
    db.session.commit()
    many = frozenset(range(user.id, user.id + 70_000))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser).where(
        filters_module.among(EndUser.id, many))) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser).where(
        filters_module.among(EndUser.id, frozenset()))) == 0

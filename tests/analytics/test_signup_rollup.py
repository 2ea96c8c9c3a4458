"""The signup rollup (guide.analytics.signups): the lifecycle report summed from it plus its
news is the report read from the live rows, after erasure, reset and a timezone change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide import analytics
from guide.analytics import signups, store
from guide.analytics.lifecycle_report import lifecycle_report
from guide.analytics.signup_numbers import rolled_cohorts
from guide.extensions import db
from guide.models import (
    AnalyticsSignup,
    AnalyticsWatermark,
    EndUser,
    Escalation,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.services.privacy import erase_user
from tests import factories
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.lifecycle_history import NOW, seed
from tests.analytics.test_lifecycle_report import END, EXPECTED, START

KEYS = ("connected", "dashboard", "invited")
LIFECYCLE = {"milestones": [{"key": key} for key in KEYS],
             "stages": [{"key": "trial"}, {"key": "active", "requires": ["connected"]}]}
# Around Paris' change to summer time (Sunday 29 March 2026, 01:00 UTC).
BASE = datetime(2026, 3, 27, tzinfo=UTC)


def escalation(ws: Workspace, user: EndUser, at: datetime, reference: str,
               origin: str = "user") -> Escalation:
    return Escalation(workspace_id=ws.id, user_id=user.id, reference=reference,
                      message="Stuck", severity="blocked", origin=origin, context={},
                      history=[], created_at=at, updated_at=at)


def live(ws: Workspace, start: date, end: date, within: int = 7) -> dict:
    """The report read from end_user and user_milestone, as before the rollup."""
    zone = db.session.scalar(sa.select(AnalyticsWatermark.signup_zone).where(
        AnalyticsWatermark.workspace_id == ws.id))
    db.session.execute(sa.update(AnalyticsWatermark).values(signup_zone=None))
    report = lifecycle_report(ws, start, end, within_days=within, now=NOW)
    db.session.execute(sa.update(AnalyticsWatermark).values(signup_zone=zone))
    db.session.commit()
    return report


def read_rolled(ws: Workspace, start: date, end: date) -> bool:
    """Does the report take the rollup's path?"""
    return rolled_cohorts(ws, list(KEYS), start, end, 7, lambda day: 0) is not None


def test_the_rolled_report_is_the_hand_computed_one(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    assert read_rolled(ws, START, END)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsSignup)) > 0
    assert analytics.lifecycle_report(ws, START, END, now=NOW) == EXPECTED


def test_news_not_folded_yet_count_at_once(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    user = EndUser(workspace_id=ws.id, external_id="late", traits={},
                   first_seen=datetime(2026, 3, 10, 9, tzinfo=UTC))
    db.session.add(user)
    db.session.flush()
    db.session.add(UserMilestone(user_id=user.id, key="connected", source="test",
                                 reached_at=datetime(2026, 3, 10, 9, 1, tzinfo=UTC)))
    db.session.commit()
    report = analytics.lifecycle_report(ws, START, END, now=NOW)
    assert report["signups"] == EXPECTED["signups"] + 1
    assert report["milestones"][0]["reached"] == 6
    assert report == live(ws, START, END)


def test_new_firings_escalations_and_a_backdated_milestone_count_at_once(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    u2 = db.session.scalar(sa.select(EndUser).where(EndUser.external_id == "u2"))
    scenario = db.session.scalar(sa.select(Scenario).where(Scenario.workspace_id == ws.id))
    db.session.add(ScenarioFiring(workspace_id=ws.id, scenario_id=scenario.id,
                                  subject_type="user", subject_id=u2.id, window="late",
                                  details={}, fired_at=datetime(2026, 3, 11, 9, tzinfo=UTC)))
    db.session.add(escalation(ws, u2, datetime(2026, 3, 11, 10, tzinfo=UTC), "late"))
    # u4's escalation of 12 March 10:00 (folded) came after this milestone, reached an
    # hour before it.
    u4 = db.session.scalar(sa.select(EndUser).where(EndUser.external_id == "u4"))
    db.session.add(UserMilestone(user_id=u4.id, key="connected", source="test",
                                 reached_at=datetime(2026, 3, 12, 9, tzinfo=UTC)))
    db.session.commit()
    report = analytics.lifecycle_report(ws, START, END, now=NOW)
    assert report["stalls"] != EXPECTED["stalls"]
    assert report == live(ws, START, END)
    analytics.rollup(NOW, max_batches=None)
    assert analytics.lifecycle_report(ws, START, END, now=NOW) == report


def test_another_workspaces_news_are_not_counted(paris):  # noqa: F811
    """Its users not folded yet, or with a moved first_seen, are its own news only."""
    ws = seed(paris)
    other = factories.make_workspace(key="other", timezone="Europe/Paris")
    db.session.commit()
    analytics.rollup(NOW, max_batches=None)
    moved = EndUser(workspace_id=other.id, external_id="moved", traits={},
                    first_seen=datetime(2026, 3, 12, 9, tzinfo=UTC))
    db.session.add(moved)
    db.session.commit()
    analytics.rollup(NOW, max_batches=None)
    moved.first_seen = datetime(2026, 3, 5, 9, tzinfo=UTC)  # a week earlier
    db.session.add(EndUser(workspace_id=other.id, external_id="new", traits={},
                           first_seen=datetime(2026, 3, 12, 9, tzinfo=UTC)))
    db.session.commit()
    assert analytics.lifecycle_report(ws, START, END, now=NOW) == EXPECTED


def test_an_erased_user_stays_counted_anonymously_once_folded(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    u1 = db.session.scalar(sa.select(EndUser).where(EndUser.external_id == "u1"))
    erase_user(ws, u1, "cli")
    db.session.commit()
    analytics.rollup(NOW, max_batches=None)
    report = analytics.lifecycle_report(ws, START, END, now=NOW)
    assert report["signups"] == 6 and report["milestones"] == EXPECTED["milestones"]
    now = live(ws, START, END)
    assert now["signups"] == 5  # the live rows no longer hold u1
    # Stages count users now: u1 is out of them, exactly as in the live rows.
    assert report["stages"] == now["stages"] != EXPECTED["stages"]


def test_a_reset_reads_the_live_rows_until_the_rollup_is_folded_again(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    store.reset(ws.id)
    db.session.commit()
    assert not read_rolled(ws, START, END)
    assert analytics.lifecycle_report(ws, START, END, now=NOW) == EXPECTED
    analytics.rollup(NOW, max_batches=None)
    assert read_rolled(ws, START, END)
    assert analytics.lifecycle_report(ws, START, END, now=NOW) == EXPECTED


def test_a_timezone_change_folds_the_signups_again_in_the_new_zone(paris):  # noqa: F811
    ws = seed(paris)
    analytics.rollup(NOW, max_batches=None)
    ws.timezone = "UTC"
    db.session.commit()
    assert not read_rolled(ws, START, END)
    analytics.rollup(NOW, max_batches=None)
    assert read_rolled(ws, START, END)
    report = analytics.lifecycle_report(ws, START, END, now=NOW)
    # u3 (Sunday 8 March 23:30 UTC) moves to the first week, as in the live report.
    assert [week["signups"] for week in report["cohorts"]] == [3, 2, 1]
    assert report == live(ws, START, END)


@pytest.fixture
def signup_setup(paris):  # noqa: F811
    paris.lifecycle = LIFECYCLE
    db.session.commit()
    return paris


user_plan = st.tuples(
    st.integers(0, 5 * 24 * 4),  # first_seen: quarter hours after BASE
    st.lists(st.tuples(st.sampled_from(KEYS), st.integers(-2, 10 * 24 * 4)),
             max_size=3, unique_by=lambda item: item[0]),  # milestones, quarter hours after
    st.one_of(st.none(), st.integers(1, 3 * 24 * 4)),  # first_seen moved earlier by
    st.sampled_from([None, "trial", "gone", ""]),  # the stage it is moved to
    st.lists(st.tuples(st.integers(-4, 8 * 24 * 4), st.sampled_from(["user", "scenario"])),
             max_size=3),  # escalations, quarter hours after first_seen
)


@given(plans=st.lists(user_plan, min_size=1, max_size=12), split=st.integers(0, 12),
       limit=st.integers(1, 4), within=st.integers(1, 9))
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rolled_plus_news_equal_the_live_rows(signup_setup, plans, split, limit, within):
    """Users, milestones and moved signups, folded in small batches before or after
    some of them: the report always equals the one read from the live rows."""
    ws = signup_setup
    for model in (ScenarioFiring, Scenario, Escalation, UserMilestone, EndUser):
        db.session.execute(sa.delete(model))
    store.reset(ws.id)
    db.session.commit()
    quarter = timedelta(minutes=15)
    users = []
    for n, (seen, _, _, _, _) in enumerate(plans):
        users.append(EndUser(workspace_id=ws.id, external_id=f"u{n}", traits={},
                             first_seen=BASE + seen * quarter))
    db.session.add_all(users)
    db.session.flush()
    scenario = Scenario(workspace_id=ws.id, key="s", position=0, body={
        "key": "s", "trigger": {"milestone_missing": "dashboard"}, "actions": []})
    db.session.add(scenario)
    db.session.flush()
    for n, (user, (_, reached, moved, stage, sent)) in enumerate(
            zip(users, plans, strict=True)):
        for number, (after, origin) in enumerate(sent):
            at = user.first_seen + after * quarter
            db.session.add(escalation(ws, user, at, f"E{n}-{number}", origin))
            db.session.add(ScenarioFiring(workspace_id=ws.id, scenario_id=scenario.id,
                                          subject_type="user", subject_id=user.id,
                                          window=f"w{number}", details={}, fired_at=at))
        if n == split:
            db.session.commit()
            signups.roll(ws.id, ws.timezone, limit)
        for key, after in reached:
            db.session.add(UserMilestone(user_id=user.id, key=key, source="t",
                                         reached_at=user.first_seen + after * quarter))
        if moved is not None and n % 2:
            db.session.flush()
            signups.roll(ws.id, ws.timezone, limit)
            user.first_seen -= moved * quarter
        user.lifecycle_stage = stage
    db.session.commit()
    for start, end in ((date(2026, 3, 26), date(2026, 4, 1)), (date(2026, 3, 29),
                                                                 date(2026, 3, 29))):
        if read_rolled(ws, start, end):
            assert lifecycle_report(ws, start, end, within_days=within, now=NOW) == \
                live(ws, start, end, within)
    analytics.rollup(NOW, batch=limit, max_batches=None)
    assert read_rolled(ws, date(2026, 3, 26), date(2026, 4, 1))
    assert lifecycle_report(ws, date(2026, 3, 20), date(2026, 4, 2), within_days=within,
                            now=NOW) == live(ws, date(2026, 3, 20), date(2026, 4, 2), within)

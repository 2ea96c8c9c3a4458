"""The demo's generated history: deterministic, replaced rather than doubled, and the
picture it is made to show (a lossy tour step, a falling reactive share) is what the
reports show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.analytics import history, history_rows
from guide.extensions import db
from guide.models import (
    Account,
    AnalyticsDaily,
    EndUser,
    Escalation,
    Event,
    ScenarioFiring,
    UserMilestone,
)
from guide.proactive.sweep import sweep

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def counts() -> dict[str, int]:
    def n(model, *where):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
    return {"users": n(EndUser), "accounts": n(Account), "events": n(Event),
            "escalations": n(Escalation), "milestones": n(UserMilestone),
            "firings": n(ScenarioFiring),
            "rolled": int(db.session.scalar(sa.select(sa.func.sum(AnalyticsDaily.count))) or 0)}


def test_same_seed_same_history_and_a_second_run_replaces_it(workspace):
    first = history_rows.generate(workspace, users=120, seed=3, now=NOW)
    assert first is not None and first.users == 120 and first.rolled == first.events > 0
    after_first = counts()
    assert after_first["users"] == 120 and after_first["events"] == first.events
    # Without --replace the history is kept as it is.
    assert history_rows.generate(workspace, users=120, seed=3, now=NOW) is None
    assert counts() == after_first
    again = history_rows.generate(workspace, users=120, seed=3, now=NOW, replace=True)
    assert again == first
    assert counts() == after_first
    other = history_rows.generate(workspace, users=120, seed=4, now=NOW, replace=True)
    assert other is not None and other.events != first.events
    assert counts()["users"] == 120


def test_replacing_keeps_the_workspace_s_own_users_and_events(workspace):
    from tests.analytics.conftest import send

    real = EndUser(workspace_id=workspace.id, external_id="marie", traits={})
    db.session.add(real)
    db.session.commit()
    send(workspace, real, "guide:state", NOW - timedelta(days=1), guide="getting-started",
         state="active")
    history_rows.generate(workspace, users=40, seed=1, now=NOW)
    history_rows.generate(workspace, users=40, seed=2, now=NOW, replace=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.user_id == real.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser)) == 41


def test_simulation_is_deterministic_and_the_reminder_brings_more_treated_users_back():
    one, two = (history.simulate(NOW, users=2000, seed=9) for _ in range(2))
    assert [(u.external_id, u.first_seen, len(u.events), u.milestones, u.firings)
            for u in one.users] == [(u.external_id, u.first_seen, len(u.events), u.milestones,
                                     u.firings) for u in two.users]
    arms: dict[bool, list[bool]] = {True: [], False: []}
    for user in one.users:
        for firing in user.firings:
            assert firing.scenario in (history.REMINDER, history.STALLED)
            if firing.scenario == history.REMINDER:
                arms[firing.held_out].append(history.STALL_MILESTONE in user.milestones)
    fired = len(arms[True]) + len(arms[False])
    assert 0.05 < len(arms[True]) / fired < 0.15
    assert sum(arms[False]) / len(arms[False]) > 1.5 * sum(arms[True]) / len(arms[True])


def test_every_guide_a_user_starts_was_offered_and_shown_to_them_first():
    """As the server and widget record it: bootstrap's offer, then ``$guide_shown``, then
    the start (``guide:state active`` or a step the envelope newly completed)."""
    simulated = history.simulate(NOW, users=400, seed=4)
    started = set()
    for user in simulated.users:
        offered: set[str] = set()
        shown: set[str] = set()
        days = [row["created_at"].date() for row in user.events if row["type"] == "offer"]
        for row in sorted(user.events, key=lambda r: r["client_at"] or r["created_at"]):
            result = row["result"] or {}
            guides = ({row["name"]} if row["type"] == "guide:state" else set()) | {
                done["guide"] for done in result.get("completed", [])}
            if row["type"] == "offer":
                offered.add(row["name"])
            elif row["name"] == "$guide_shown":
                shown.add(row["props"]["guide"])
            for guide in guides:
                assert guide in offered and guide in shown, (user.external_id, guide, row)
                started.add(guide)
        # one offer of a guide per local day (UTC here) the user was active
        assert len(days) == len(set(days)) * len({row["name"] for row in user.events
                                                   if row["type"] == "offer"})
    assert {history.CHECKLIST, history.TOUR, history.PRO, history.PLAN} <= started


def test_the_first_sweep_after_generating_fires_for_almost_nobody(workspace):
    history_rows.generate(workspace, users=300, seed=5, now=NOW)
    reports = sweep(workspace, NOW, dry_run=True)
    assert sum(r.matched for r in reports) <= 3


@pytest.fixture
def generated(workspace):
    history_rows.generate(workspace, users=900, seed=7, now=NOW)
    today = NOW.astimezone(ZoneInfo(workspace.timezone)).date()
    return workspace, today - timedelta(days=89), today


def test_the_tour_loses_most_users_where_its_target_is_missing(generated):
    ws, start, end = generated
    report = analytics.guide_report(ws, history.TOUR, start, end)
    steps = {s["step"]: s for s in report["steps"]}
    worst = max(steps.values(), key=lambda s: s["drop_off"])
    assert worst["step"] == history.LOSSY_STEP
    assert max(steps.values(), key=lambda s: s["target_missing"])["step"] == history.LOSSY_STEP
    assert worst["drop_off_rate"] > 0.3
    # Every user was offered the tour by their first bootstrap, and every one was shown it.
    assert report["eligible"]["unique"] >= report["seen"]["unique"] > 0
    assert report == analytics.raw_guide_report(ws, history.TOUR, start, end)
    checklist = analytics.guide_report(ws, history.CHECKLIST, start, end)
    stalled = max(checklist["steps"], key=lambda s: s["drop_off"])
    assert stalled["step"] == "connect-data" and stalled["help_opened"] > 0


def test_the_reactive_share_falls_over_the_weeks(generated):
    ws, start, end = generated
    report = analytics.reactive_report(ws, start, end, now=NOW)
    shares = [w["users"]["reactive_share"] for w in report["weeks"]]
    assert all(share is not None for share in shares)
    first, last = sum(shares[:4]) / 4, sum(shares[-4:]) / 4
    assert first > 0.17 and last < 0.12 and last < first / 2
    assert report == analytics.raw_reactive_report(ws, start, end, now=NOW)


def test_demo_history_command(workspace, runner):
    args = ["guide", "demo", "history", "--users", "30", "--seed", "2"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "30 users in" in result.output
    result = runner.invoke(args=args)
    assert "already has a generated history" in result.output
    result = runner.invoke(args=[*args, "--replace"])
    assert "30 users in" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EndUser)) == 30


def test_the_history_holds_out_whom_the_engine_would_with_the_content_s_holdout(workspace):
    """The stall scenario's held-out firings are the engine's own split (by external id) at
    the holdout content/scenarios.yaml gives it, so the Scenarios report reads what a worker
    running all along would have recorded."""
    from guide.models import Scenario
    from guide.proactive.rules import Rule

    history_rows.generate(workspace, days=90, users=300, seed=3)
    for key in (history.REMINDER, history.STALLED):
        scenario = db.session.scalar(sa.select(Scenario).where(
            Scenario.workspace_id == workspace.id, Scenario.key == key))
        assert scenario.body["holdout"] == 10  # percent, as `holdout: 10%` loads
        rule = Rule(scenario.id, key, scenario.body)
        firings = db.session.execute(
            sa.select(EndUser.external_id, ScenarioFiring.held_out)
            .join(EndUser, EndUser.id == ScenarioFiring.subject_id)
            .where(ScenarioFiring.scenario_id == scenario.id)).all()
        assert firings and any(held for _, held in firings), key
        assert all(held == rule.holds_out(external_id) for external_id, held in firings), key
    assert history.HOLDOUT == 10


def test_each_guide_s_report_has_eligible_at_least_seen_at_least_started(generated):
    ws, _, end = generated
    start = end - timedelta(days=90)  # the whole history, its first partial day included
    for key in (history.CHECKLIST, history.TOUR, history.PRO, history.PLAN):
        report = analytics.guide_report(ws, key, start, end)
        numbers = [report[metric]["unique"] for metric in ("eligible", "seen", "started")]
        assert numbers[0] >= numbers[1] >= numbers[2] > 0, (key, numbers)


def test_the_nudges_bring_back_more_of_the_treated_than_of_the_held_out(generated):
    """Every demo scenario with a goal shows conversions, the two with a holdout a lift:
    the stalled checklist's nudge about 35% against about 15%."""
    ws, start, end = generated
    report = {row["scenario"]: row for row in analytics.scenario_report(ws, start, end,
                                                                        now=NOW)["scenarios"]}
    with_goal = {key for key, row in report.items() if row["goal"] and row["treated"]["firings"]}
    assert with_goal == {history.REMINDER, history.STALLED, "plan-overdue"}
    for key in with_goal:
        row = report[key]
        assert row["treated"]["converted"] > 0, key
        if row["holdout"]:
            treated, held = row["treated"]["rate"], row["held_out"]["rate"]
            assert 0.25 < treated < 0.5 and held < treated - 0.05 and row["lift"] > 0, (
                key, treated, held)


def test_connecting_data_is_where_onboarding_stalls(generated):
    ws, start, end = generated
    for first in (start, end - timedelta(days=29)):  # 90 days, and the default 30
        stalls = analytics.lifecycle_report(ws, first, end, now=NOW)["stalls"]
        top, *others = stalls
        assert top["key"] == history.STALL_MILESTONE, stalls
        assert top["stalls"] > max(row["stalls"] for row in others), stalls
        assert top["drop_off"] == max(row["drop_off"] for row in stalls), stalls

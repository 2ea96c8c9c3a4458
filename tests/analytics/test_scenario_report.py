"""The Scenarios report on a hand-computed dataset (docs/ANALYTICS.md, "The Scenarios report").

Rows are written straight into the tables the report reads (firings, milestones,
progress, plan steps, events): the report is a query over them, and these tests
pin what it counts. The workspace is in Europe/Paris (UTC+1 in March), so a
firing at 23:30 UTC falls on the next local day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from guide.analytics.filters import Filters
from guide.analytics.scenarios import newcombe, scenario_report, wilson
from guide.errors import GuideError
from guide.extensions import db
from guide.models import (
    Account,
    AccountStepCompletion,
    EndUser,
    Event,
    Guide,
    Progress,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.schemas.proactive import ScenarioSchema
from tests import factories

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
START, END = date(2026, 3, 1), date(2026, 3, 15)
TASK = [{"task": {"message": "x"}}]


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def scenario(ws: Workspace, position: int, body: dict[str, Any], *,
             configured: bool = True) -> Scenario:
    row = Scenario(workspace_id=ws.id, key=body["key"], position=position,
                   body=ScenarioSchema().load({**body, "actions": TASK}), configured=configured)
    db.session.add(row)
    db.session.flush()
    return row


def user(ws: Workspace, name: str, account: Account | None = None) -> EndUser:
    row = EndUser(workspace_id=ws.id, external_id=name, traits={},
                  account_id=account.id if account else None)
    db.session.add(row)
    db.session.flush()
    return row


def fire(s: Scenario, subject: EndUser | Account, when: datetime, *, held_out: bool = False,
         window: str = "once") -> None:
    db.session.add(ScenarioFiring(
        workspace_id=s.workspace_id, scenario_id=s.id, subject_id=subject.id, window=window,
        subject_type="account" if isinstance(subject, Account) else "user",
        fired_at=when, held_out=held_out, details={}))


def milestone(who: EndUser, key: str, when: datetime) -> None:
    db.session.add(UserMilestone(user_id=who.id, key=key, source="test", reached_at=when))


@pytest.fixture
def ws(app: Any) -> Workspace:
    return factories.make_workspace(key="paris", require_identity=False,
                                    timezone="Europe/Paris")


@pytest.fixture
def dataset(ws: Workspace) -> Workspace:
    """Five scenarios, one per kind of goal, the arms and the edges each one tests."""
    # -- connect: milestone_missing connected (goal: reach it within 7 days), 20% holdout.
    connect = scenario(ws, 0, {"key": "connect", "holdout": "20%",
                               "trigger": {"milestone_missing": "connected", "days": 2}})
    t = [user(ws, f"t{i}") for i in range(10)]
    for i in (1, 2, 3, 4, 5, 6):
        fire(connect, t[i], at(2))
    milestone(t[1], "connected", at(4))        # 2 days after: converted
    milestone(t[2], "connected", at(8))        # 6 days after: converted
    milestone(t[3], "connected", at(10))       # 8 days after: too late
    milestone(t[4], "connected", at(1))        # before the firing: not a conversion
    milestone(t[6], "connected", at(3))        # converted (t5 never reaches it)
    fire(connect, t[7], at(15))                # 5 days before NOW: pending...
    milestone(t[7], "connected", at(16))       # ...even though it already converted
    fire(connect, t[8], at(16))                # after the range's last day
    fire(connect, t[9], at(28, 23, 30, month=2))  # 1 March 00:30 in Paris: in the range
    milestone(t[9], "connected", at(2))        # converted
    h = [user(ws, f"h{i}") for i in range(6)]
    for i in (1, 2, 3, 4):
        fire(connect, h[i], at(3), held_out=True)
    milestone(h[1], "connected", at(5))        # converted; h2..h4 never reach it
    fire(connect, h[5], at(15, 23, 30), held_out=True)  # 16 March in Paris: out of range
    milestone(user(ws, "bystander"), "connected", at(5))  # never fired for: not counted

    # -- stalled: guide_stalled onboarding (goal: complete the guide), within 3 days.
    guide = factories.publish(ws, factories.checklist_body()).guide
    stalled = scenario(ws, 1, {"key": "stalled", "goal_days": 3,
                               "trigger": {"guide_stalled": "onboarding", "days": 3}})
    s1, s2 = user(ws, "s1"), user(ws, "s2")
    fire(stalled, s1, at(5), window="stalled:1")
    fire(stalled, s2, at(5), window="stalled:1")
    db.session.add_all([
        Progress(workspace_id=ws.id, user_id=s1.id, guide_id=guide.id, state="completed",
                 completed_at=at(7)),                    # 2 days after: converted
        Progress(workspace_id=ws.id, user_id=s2.id, guide_id=guide.id, state="completed",
                 completed_at=at(9))])                   # 4 days after: too late

    # -- plan: plan_overdue (account subjects; goal: the overdue step of the window done).
    plan = Guide(workspace_id=ws.id, key="kickoff-plan", kind="plan")
    db.session.add(plan)
    db.session.flush()
    overdue = scenario(ws, 2, {"key": "plan", "holdout": "50%",
                               "trigger": {"plan_overdue": "kickoff-plan"}})
    a1, a2 = (Account(workspace_id=ws.id, external_id=name, traits={}) for name in ("a1", "a2"))
    db.session.add_all([a1, a2])
    db.session.flush()
    fire(overdue, a1, at(2), window="kickoff-plan/call")
    fire(overdue, a2, at(2), window="kickoff-plan/call", held_out=True)
    db.session.add_all([
        AccountStepCompletion(account_id=a1.id, guide_id=plan.id, step_id="call",
                              completed_at=at(4)),       # the overdue step: converted
        AccountStepCompletion(account_id=a2.id, guide_id=plan.id, step_id="invite",
                              completed_at=at(3))])      # another step: not converted

    # -- export: inactive with an explicit event goal within 2 days; e2 held out.
    export = scenario(ws, 3, {"key": "export", "holdout": "10%", "goal": {"event": "exported"},
                              "goal_days": 2, "trigger": {"inactive": True, "days": 7}})
    e1, e2 = user(ws, "e1"), user(ws, "e2")
    fire(export, e1, at(2))
    fire(export, e2, at(2), held_out=True)
    db.session.add_all([
        Event(workspace_id=ws.id, user_id=e1.id, type="event:track", name="exported",
              props={}, created_at=at(3)),               # 1 day after: converted
        Event(workspace_id=ws.id, user_id=e2.id, type="event:track", name="exported",
              props={}, created_at=at(5))])              # 3 days after: too late

    # -- help: no goal (help_repeated has none of its own): firings only.
    help_loop = scenario(ws, 4, {"key": "help", "trigger": {"help_repeated": True}})
    fire(help_loop, user(ws, "x1"), at(6), window="g/s")
    # Removed from scenarios.yaml: shown while it has firings in the range, after the rest.
    gone = scenario(ws, 5, {"key": "gone", "trigger": {"help_repeated": True}},
                    configured=False)
    fire(gone, user(ws, "x2"), at(6), window="g/s")
    scenario(ws, 6, {"key": "gone-quiet", "trigger": {"help_repeated": True}},
             configured=False)
    db.session.commit()
    return ws


@pytest.fixture
def report(dataset: Workspace) -> dict[str, dict[str, Any]]:
    result = scenario_report(dataset, START, END, NOW)
    assert (result["start"], result["end"], result["timezone"]) == (
        "2026-03-01", "2026-03-15", "Europe/Paris")
    return {row["scenario"]: row for row in result["scenarios"]}


def counts(arm: dict[str, Any]) -> tuple[int, int, int, int]:
    return arm["firings"], arm["pending"], arm["matured"], arm["converted"]


def test_milestone_goal_both_arms_pending_and_the_lift_with_its_interval(report):
    connect = report["connect"]
    assert connect["goal"] == {"kind": "milestone", "key": "connected", "days": 7}
    assert connect["holdout"] == 20
    # Treated: t1..t7 and t9 in the range (8), t7 pending, 7 matured; t1, t2, t6, t9 converted.
    assert counts(connect["treated"]) == (8, 1, 7, 4)
    # Held out: h1..h4 (h5 is on 16 March in Paris); h1 converted.
    assert counts(connect["held_out"]) == (4, 0, 4, 1)
    assert connect["treated"]["rate"] == pytest.approx(4 / 7)
    assert connect["held_out"]["rate"] == pytest.approx(0.25)
    # Wilson, z = 1.959964 (z² = 3.841459), for 4/7: centre (4/7 + z²/14) / (1 + z²/7)
    # = 0.845533 / 1.548780 = 0.546119; half-width z / 1.548780 * sqrt(0.244898/7 +
    # z²/196) = 1.265488 * 0.233635 = 0.295661; so [0.250458, 0.841780].
    assert connect["treated"]["rate_ci"] == pytest.approx([0.250458, 0.841780], abs=1e-6)
    # For 1/4: centre (0.25 + z²/8) / (1 + z²/4) = 0.730182 / 1.960365 = 0.372473;
    # half-width z / 1.960365 * sqrt(0.1875/4 + z²/64) = 0.999795 * 0.326952 = 0.326885;
    # so [0.045587, 0.699358].
    assert connect["held_out"]["rate_ci"] == pytest.approx([0.045587, 0.699358], abs=1e-6)
    # Lift 4/7 - 1/4 = 0.321429. Newcombe: lower = d - sqrt((p1-l1)² + (u2-p2)²)
    # = 0.321429 - sqrt(0.320970² + 0.449358²) = 0.321429 - 0.552218 = -0.230789;
    # upper = d + sqrt((u1-p1)² + (p2-l2)²) = 0.321429 + sqrt(0.270352² + 0.204413²)
    # = 0.321429 + 0.338931 = 0.660360.
    assert connect["lift"] == pytest.approx(0.321429, abs=1e-6)
    assert connect["lift_ci"] == pytest.approx([-0.230789, 0.660360], abs=1e-6)


def test_guide_goal_counts_completion_within_goal_days_and_no_holdout_no_lift(report):
    stalled = report["stalled"]
    assert stalled["goal"] == {"kind": "guide", "key": "onboarding", "days": 3}
    assert counts(stalled["treated"]) == (2, 0, 2, 1)
    assert counts(stalled["held_out"]) == (0, 0, 0, 0)
    assert stalled["held_out"]["rate"] is None
    assert stalled["lift"] is None and stalled["lift_ci"] is None


def test_account_scenario_converts_on_the_overdue_step_of_its_window(report):
    plan = report["plan"]
    assert plan["goal"] == {"kind": "plan_step", "key": None, "days": 7}
    assert counts(plan["treated"]) == (1, 0, 1, 1)
    assert counts(plan["held_out"]) == (1, 0, 1, 0)
    # 1/1 - 0/1 = 1; Wilson 1/1 = [0.206549, 1], 0/1 = [0, 0.793451]:
    # lower = 1 - sqrt(0.793451² + 0.793451²) = 1 - 1.122108 = -0.122108; upper = 1 + 0 = 1.
    assert plan["lift"] == 1
    assert plan["lift_ci"] == pytest.approx([-0.122108, 1.0], abs=1e-6)


def test_event_goal_and_scenarios_without_goal(report):
    export = report["export"]
    assert export["goal"] == {"kind": "event", "key": "exported", "days": 2}
    assert counts(export["treated"]) == (1, 0, 1, 1)
    assert counts(export["held_out"]) == (1, 0, 1, 0)
    help_loop = report["help"]
    assert help_loop["goal"] is None and help_loop["treated"]["firings"] == 1
    assert help_loop["treated"]["rate"] is None and help_loop["lift"] is None


def test_removed_scenarios_show_only_with_firings_in_the_range(report):
    assert list(report) == ["connect", "stalled", "plan", "export", "help", "gone"]
    assert report["gone"]["configured"] is False


def test_a_bad_range_is_a_400(ws):
    with pytest.raises(GuideError) as raised:
        scenario_report(ws, END, START, NOW)
    assert raised.value.code == "invalid_range"


def test_newcombe_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a):
    # 56/70 - 48/80, method 10 gives 0.0524 to 0.3339.
    low, high = newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    # Wilson (1927) for 0/10: 0 to 0.2775 (Newcombe 1998, table I, method 3).
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)


def test_account_subjects_and_user_subjects_reach_goals_through_each_other(ws):
    """An account scenario converts on an account milestone, or on any of its users
    completing a guide or tracking an event; a user scenario with a plan-step goal converts
    when the user's account has the step done."""
    from guide.models import AccountMilestone

    plan = Guide(workspace_id=ws.id, key="kickoff-plan", kind="plan")
    acme, other = (Account(workspace_id=ws.id, external_id=n, traits={}) for n in ("acme", "o"))
    db.session.add_all([plan, acme, other])
    db.session.flush()
    ada, bob = user(ws, "ada", acme), user(ws, "bob", other)
    by_milestone = scenario(ws, 0, {"key": "m", "goal": {"milestone": "live"},
                                    "trigger": {"plan_overdue": "kickoff-plan"}})
    by_event = scenario(ws, 1, {"key": "e", "goal": {"event": "exported"},
                                "trigger": {"plan_overdue": "kickoff-plan"}})
    by_step = scenario(ws, 2, {"key": "s", "goal": {"step": "kickoff-plan/call"},
                               "trigger": {"help_repeated": True}})
    for s in (by_milestone, by_event):
        fire(s, acme, at(2), window="kickoff-plan/call")
        fire(s, other, at(2), window="kickoff-plan/call")
    fire(by_step, ada, at(2), window="g/s")
    fire(by_step, bob, at(2), window="g/s")
    db.session.add_all([
        AccountMilestone(account_id=acme.id, key="live", source="test", reached_at=at(3)),
        Event(workspace_id=ws.id, user_id=ada.id, type="event:track", name="exported",
              props={}, created_at=at(4)),
        # bob's account did the step, but 8 days after his firing: too late.
        AccountStepCompletion(account_id=acme.id, guide_id=plan.id, step_id="call",
                              completed_at=at(5)),
        AccountStepCompletion(account_id=other.id, guide_id=plan.id, step_id="call",
                              completed_at=at(10)),
    ])
    db.session.commit()
    rows = {r["scenario"]: r for r in scenario_report(ws, START, END, NOW)["scenarios"]}
    # acme converted, the other account did not (its user bob tracked nothing).
    assert counts(rows["m"]["treated"]) == counts(rows["e"]["treated"]) == (2, 0, 2, 1)
    assert counts(rows["s"]["treated"]) == (2, 0, 2, 1)


def test_settled_firings_give_the_same_report_and_keep_it(dataset):
    from guide.analytics.scenarios import settle

    before = scenario_report(dataset, START, END, NOW)
    # Windows closed by NOW: connect t1-t6, t9, h1-h4 (11; t7, t8 and h5 are under 7 days
    # old), stalled s1, s2, plan a1, a2, export e1, e2: 17. help and gone have no goal.
    assert settle(NOW) == 17
    assert settle(NOW) == 0
    converted = dict(db.session.execute(
        db.select(EndUser.external_id, ScenarioFiring.converted)
        .join(EndUser, EndUser.id == ScenarioFiring.subject_id)
        .where(ScenarioFiring.subject_type == "user")).all())
    assert [name for name, yes in sorted(converted.items()) if yes] == [
        "e1", "h1", "s1", "t1", "t2", "t6", "t9"]
    assert converted["t7"] is None and converted["x1"] is None
    assert scenario_report(dataset, START, END, NOW) == before
    # Settled answers outlive what they were read from (an event purged by the retention).
    db.session.execute(db.delete(UserMilestone))
    db.session.execute(db.delete(Event))
    db.session.commit()
    after = {r["scenario"]: r for r in scenario_report(dataset, START, END, NOW)["scenarios"]}
    assert counts(after["connect"]["treated"]) == (8, 1, 7, 4)
    assert counts(after["export"]["treated"]) == (1, 0, 1, 1)


def test_a_push_that_changes_the_goal_unsettles_the_firings(dataset):
    from guide.analytics.scenarios import settle
    from guide.services import scenarios as scenario_service

    settle(NOW)
    bodies = {s.key: s.body for s in db.session.scalars(
        db.select(Scenario).where(Scenario.configured.is_(True)).order_by(Scenario.position))}
    bodies["export"] = {**bodies["export"], "goal_days": 5}  # e2's event, 3 days on, now counts
    scenario_service.apply(dataset, None, {"settings": {}, "scenarios": list(bodies.values())},
                           "test")
    db.session.commit()
    unsettled = db.session.scalars(db.select(ScenarioFiring.converted).join(Scenario)
                                   .where(Scenario.key == "export")).all()
    assert unsettled == [None, None]
    still = db.session.scalars(db.select(ScenarioFiring.converted).join(Scenario)
                               .where(Scenario.key == "connect", ScenarioFiring.converted
                                      .is_not(None))).all()
    assert len(still) == 11
    export = {r["scenario"]: r for r in scenario_report(dataset, START, END, NOW)["scenarios"]}
    assert counts(export["export"]["held_out"]) == (1, 0, 1, 1)


def test_a_segment_keeps_firings_of_its_users_and_of_accounts_with_one(dataset):
    """Pro: t1, t2, t3 (connect, treated), h1 (held out) and a member of account a1."""
    a1 = db.session.scalar(db.select(Account).where(Account.external_id == "a1"))
    user(dataset, "member", a1)
    for name in ("t1", "t2", "t3", "h1", "member"):
        db.session.scalar(db.select(EndUser).where(EndUser.external_id == name)).traits = {
            "plan": "pro"}
    db.session.commit()
    segment = "{trait: plan, eq: pro}"
    result = scenario_report(dataset, START, END, NOW, filters=Filters.parse(segment))
    assert result["filters"] == {"segment": segment, "locale": None, "users": 5}
    rows = {row["scenario"]: row for row in result["scenarios"]}
    # The same scenarios as without a filter (gone too: it fired in the range).
    assert list(rows) == ["connect", "stalled", "plan", "export", "help", "gone"]
    # t1 (2 days), t2 (6 days) converted, t3 too late; h1 converted.
    assert counts(rows["connect"]["treated"]) == (3, 0, 3, 2)
    assert counts(rows["connect"]["held_out"]) == (1, 0, 1, 1)
    assert rows["connect"]["lift"] == pytest.approx(2 / 3 - 1)
    # a1 has a pro user: its firing stays (converted); a2 has none.
    assert counts(rows["plan"]["treated"]) == (1, 0, 1, 1)
    assert counts(rows["plan"]["held_out"]) == (0, 0, 0, 0)
    for key in ("stalled", "export", "help", "gone"):
        assert rows[key]["treated"]["firings"] == rows[key]["held_out"]["firings"] == 0


def test_a_locale_filter_on_the_scenarios(dataset):
    db.session.scalar(db.select(EndUser).where(EndUser.external_id == "t9")).locale = "fr-CA"
    db.session.commit()
    result = scenario_report(dataset, START, END, NOW, filters=Filters.parse(locale="fr"))
    rows = {row["scenario"]: row for row in result["scenarios"]}
    # t9: 28 Feb 23:30 UTC, 1 March in Paris, converted the next day.
    assert counts(rows["connect"]["treated"]) == (1, 0, 1, 1)
    assert rows["connect"]["held_out"]["firings"] == 0 and result["filters"]["users"] == 1

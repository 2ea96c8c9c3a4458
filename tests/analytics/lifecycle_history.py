"""A small lifecycle history whose lifecycle report and portfolio are worked out by hand
(tests/analytics/test_lifecycle_report.py, test_portfolio.py; the admin and API tests).

Workspace in Europe/Paris (UTC+1 in March 2026). All times below are UTC.
Milestones, in order: connected (expected 3 days), dashboard (step
onboarding/connect, expected 7 days), invited (no own deadline: the stage
``adopted`` that requires it expects 30 days), then ``onboarded`` (the
onboarding checklist's own ``milestone:``, no deadline). The report's range
is Wed 4 .. Tue 17 March (local): 3 Mar 23:00 .. 17 Mar 23:00 UTC.

| user | account | first seen | last seen | milestones (after first seen) | stage |
|---|---|---|---|---|---|
| u1 | A | 4 Mar 09:00 | 19 Mar | connected +1h, dashboard +2d, invited +10d | adopted |
| u2 | A | 6 Mar 08:00 | 10 Mar | connected +2h | - |
| u3 | B | 8 Mar 23:30 (Mon 9th 00:30 local: week 2) | 19 Mar | connected +1d, dashboard +3d | active |
| u4 | C | 11 Mar 11:00 | 19 Mar | - | - |
| u5 | - | 12 Mar 07:00 | - | connected +30m, dashboard +8d | active |
| u6 | E | 16 Mar 08:00 | 20 Mar 10:00 | connected +5h | - |
| u7 | - | 3 Mar 11:00 (before the range) | - | connected +1h | - |
| u8 | F | 18 Mar 08:00 (after the range) | 18 Mar 09:00 | - | legacy (a removed stage) |
| u9 | G | 1 Feb 10:00 | 1 Mar | connected +2h, dashboard +1d2h | active |

Accounts (created): A 5 Mar, B 9 Mar 08:00, C 11 Mar 11:00, D 1 Mar 12:00
(no users), E 12 Mar 12:00 (before its first user), F 18 Mar 08:00, G 1 Feb
10:00. Account milestones are their first user's. Stages: A adopted, B and G
active. Traits: name and csm on some.

Scenarios: S1 milestone_missing dashboard, S2 guide_stalled onboarding, S3
milestone_missing connected. Firings: S1 u3 10 Mar, S1 u4 12 Mar, S2 u4 13
Mar, S3 u4 14 Mar, S3 account C 15 Mar, S3 u7 2 Mar (before the range).
Escalations: u1 5 Mar 08:00, u7 10 Mar, u4 12 Mar 10:00, u5 12 Mar 08:00,
a scenario task for u4 13 Mar, u2 20 Mar (after the range).
Plan ``launch``: kickoff (due 2 days) done for C on 12 Mar 15:00; training
(due 10 days). Now: 20 Mar 12:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    EndUser,
    Escalation,
    Guide,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from tests import factories

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
LIFECYCLE = {
    "milestones": [
        {"key": "connected", "title": {"en": "Connected data"},
         "when": {"event": "integration_connected"}, "expected_days": 3},
        {"key": "dashboard", "title": "First dashboard",
         "when": {"step": "onboarding/connect"}, "expected_days": 7},
        {"key": "invited", "when": {"event": "teammate_invited"}},
    ],
    "stages": [
        {"key": "trial", "title": "Trial", "requires": []},
        {"key": "active", "requires": ["connected", "dashboard"], "expected_days": 10},
        {"key": "adopted", "requires": ["invited"], "expected_days": 30},
    ],
}
PLAN = {"key": "launch", "kind": "plan", "title": "Launch plan", "priority": 0, "steps": [
    {"id": "kickoff", "title": "Kickoff call", "complete_when": {"manual": True},
     "owner": "vendor", "due_days": 2, "scope": "account"},
    {"id": "training", "title": "Team training", "complete_when": {"manual": True},
     "due_days": 10, "scope": "account"}]}


def t(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def seed(ws: Workspace) -> Workspace:
    ws.lifecycle = LIFECYCLE
    factories.publish(ws, PLAN)
    accounts = {}
    for key, created, traits, stage in (
            ("A", t(5), {"name": "Acme Corp", "csm": "ann"}, "adopted"),
            ("B", t(9, 8), {"name": "Bolt", "csm": "bob"}, "active"),
            ("C", t(11, 11), {"name": "Cargo", "csm": "ann"}, None),
            ("D", t(1, 12), {"name": "Dune"}, None),
            ("E", t(12, 12), {"csm": "bob"}, None),
            ("F", t(18, 8), {}, None),
            ("G", t(1, 10, month=2), {"name": "Gamma", "csm": "ann"}, "active")):
        accounts[key] = Account(workspace_id=ws.id, external_id=key, traits=traits,
                                lifecycle_stage=stage, created_at=created)
    db.session.add_all(accounts.values())
    db.session.flush()
    users = {}
    for key, account, first, last, stage, reached in (
            ("u1", "A", t(4, 9), t(19), "adopted",
             {"connected": timedelta(hours=1), "dashboard": timedelta(days=2),
              "invited": timedelta(days=10)}),
            ("u2", "A", t(6, 8), t(10), None, {"connected": timedelta(hours=2)}),
            ("u3", "B", t(8, 23, 30), t(19), "active",
             {"connected": timedelta(days=1), "dashboard": timedelta(days=3)}),
            ("u4", "C", t(11, 11), t(19), None, {}),
            ("u5", None, t(12, 7), t(12, 7), "active",
             {"connected": timedelta(minutes=30), "dashboard": timedelta(days=8)}),
            ("u6", "E", t(16, 8), t(20, 10), None, {"connected": timedelta(hours=5)}),
            ("u7", None, t(3, 11), t(3, 11), None, {"connected": timedelta(hours=1)}),
            ("u8", "F", t(18, 8), t(18, 9), "legacy", {}),
            ("u9", "G", t(1, 10, month=2), t(1), "active",
             {"connected": timedelta(hours=2), "dashboard": timedelta(days=1, hours=2)})):
        user = EndUser(workspace_id=ws.id, external_id=key, traits={},
                       account_id=accounts[account].id if account else None, first_seen=first,
                       last_seen=last, lifecycle_stage=stage)
        db.session.add(user)
        db.session.flush()
        users[key] = user
        for milestone, after in reached.items():
            db.session.add(UserMilestone(user_id=user.id, key=milestone, source="test",
                                         reached_at=first + after))
            if account and not db.session.scalar(db.select(AccountMilestone.id).where(
                    AccountMilestone.account_id == user.account_id,
                    AccountMilestone.key == milestone)):
                db.session.add(AccountMilestone(account_id=user.account_id, key=milestone,
                                                user_id=user.id, source="test",
                                                reached_at=first + after))
                db.session.flush()
    scenarios = {}
    for position, (key, trigger) in enumerate((
            ("s1", {"milestone_missing": "dashboard", "days": 2}),
            ("s2", {"guide_stalled": "onboarding", "days": 1}),
            ("s3", {"milestone_missing": "connected", "days": 1}))):
        scenarios[key] = Scenario(workspace_id=ws.id, key=key, position=position, body={
            "key": key, "title": f"Scenario {key}", "trigger": trigger,
            "actions": [{"nudge": {"message": "Need a hand?"}}]})
    db.session.add_all(scenarios.values())
    db.session.flush()
    for scenario, subject, at in (("s1", users["u3"], t(10, 10)), ("s1", users["u4"], t(12, 10)),
                                  ("s2", users["u4"], t(13, 10)), ("s3", users["u4"], t(14, 10)),
                                  ("s3", accounts["C"], t(15, 10)),
                                  ("s3", users["u7"], t(2, 10))):
        kind = "account" if isinstance(subject, Account) else "user"
        db.session.add(ScenarioFiring(workspace_id=ws.id, scenario_id=scenarios[scenario].id,
                                      subject_type=kind, subject_id=subject.id, window="once",
                                      details={}, fired_at=at))
    for number, (who, at, origin) in enumerate((
            ("u1", t(5, 8), "user"), ("u7", t(10, 9), "user"), ("u4", t(12, 10), "user"),
            ("u5", t(12, 8), "user"), ("u4", t(13, 10), "scenario"),
            ("u2", t(20, 9), "user"))):
        db.session.add(Escalation(
            workspace_id=ws.id, user_id=users[who].id, reference=f"ESC-T{number}",
            message="Stuck", severity="blocked", origin=origin,
            guide_key="onboarding", step_id="connect" if origin == "user" else None,
            context={}, history=[], created_at=at, updated_at=at))
    plan = db.session.scalar(db.select(Guide).where(Guide.workspace_id == ws.id,
                                                    Guide.key == "launch"))
    db.session.add(AccountStepCompletion(account_id=accounts["C"].id, guide_id=plan.id,
                                         step_id="kickoff", completed_by="csm@vendor.example",
                                         completed_at=t(12, 15)))
    db.session.commit()
    return ws


@contextmanager
def frozen_now() -> Iterator[datetime]:
    """NOW for the reports that ask for the time themselves (the API, the admin)."""
    with mock.patch("guide.analytics.lifecycle_report.utcnow", return_value=NOW), \
            mock.patch("guide.analytics.portfolio.utcnow", return_value=NOW), \
            mock.patch("guide.analytics.timeline.utcnow", return_value=NOW):
        yield NOW


PRO = "{trait: plan, eq: pro}"


def mark_pro(ws: Workspace, *names: str) -> None:
    """Give these users the trait ``plan: pro`` (the segment ``PRO``)."""
    for user in db.session.scalars(db.select(EndUser).where(
            EndUser.workspace_id == ws.id, EndUser.external_id.in_(names))):
        user.traits = {"plan": "pro"}
    db.session.commit()

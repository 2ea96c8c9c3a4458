"""The demo history (``history.simulate``) written to the database, and taken out again.

Bulk Core inserts, many rows per statement. Every generated user and account
has an external id starting with ``history.PREFIX``; ``remove`` deletes them
with everything they made (events, escalations, firings, milestones,
progress), so generating again replaces the history instead of doubling it.
The rollups are then rebuilt from the workspace's events (the counts of
deleted events cannot be subtracted from a day's total).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import store
from guide.analytics.history import PLAN, PREFIX, QUIET, History, User, simulate
from guide.analytics.rollup import rollup
from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    EndUser,
    Escalation,
    Event,
    Guide,
    Progress,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.models.base import utcnow
from guide.services.published import published_guide

CHUNK = 2000


@dataclass(frozen=True)
class Written:
    users: int
    accounts: int
    events: int
    escalations: int
    milestones: int
    firings: int
    rolled: int


def _insert(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Core inserts, CHUNK rows per statement (the ORM's bulk path is several times slower)."""
    rows, connection = list(rows), db.session.connection()
    for start in range(0, len(rows), CHUNK):
        connection.execute(sa.insert(model.__table__), rows[start:start + CHUNK])
    return len(rows)


def _generated(column: Any) -> Any:
    return column.like(PREFIX + "%")


def exists(workspace: Workspace) -> bool:
    """Does the workspace hold a generated history?"""
    return db.session.scalar(sa.select(EndUser.id).where(
        EndUser.workspace_id == workspace.id, _generated(EndUser.external_id)).limit(1)) is not None


def remove(workspace: Workspace) -> None:
    """Delete the generated users and accounts and every row they made (no commit)."""
    users = sa.select(EndUser.id).where(EndUser.workspace_id == workspace.id,
                                        _generated(EndUser.external_id)).scalar_subquery()
    accounts = sa.select(Account.id).where(Account.workspace_id == workspace.id,
                                           _generated(Account.external_id)).scalar_subquery()
    f = ScenarioFiring
    for statement in (
            sa.delete(Event).where(Event.workspace_id == workspace.id, Event.user_id.in_(users)),
            sa.delete(Escalation).where(Escalation.workspace_id == workspace.id,
                                        Escalation.user_id.in_(users)),
            sa.delete(f).where(f.workspace_id == workspace.id, sa.or_(
                sa.and_(f.subject_type == "user", f.subject_id.in_(users)),
                sa.and_(f.subject_type == "account", f.subject_id.in_(accounts)))),
            sa.delete(EndUser).where(EndUser.workspace_id == workspace.id,
                                     _generated(EndUser.external_id)),
            sa.delete(Account).where(Account.workspace_id == workspace.id,
                                     _generated(Account.external_id))):
        db.session.execute(statement)


def _stage(workspace: Workspace, reached: dict[str, datetime]) -> tuple[str | None, Any]:
    """The last lifecycle stage whose requirements are all reached, and when it was entered."""
    stage, entered = None, None
    for item in (workspace.lifecycle or {}).get("stages") or []:
        requires = item.get("requires") or []
        if all(key in reached for key in requires):
            stage = item["key"]
            entered = max((reached[key] for key in requires), default=None)
    return stage, entered


def _ids(model: Any, workspace: Workspace) -> dict[str, int]:
    return dict(db.session.execute(sa.select(model.external_id, model.id).where(
        model.workspace_id == workspace.id, _generated(model.external_id))).all())


def write(workspace: Workspace, history: History) -> Written:
    """Insert the history's rows (no commit)."""
    ws = workspace.id
    account_reached: dict[str, dict[str, tuple[datetime, str]]] = {}
    for user in sorted(history.users, key=lambda u: u.first_seen):
        for key, at in user.milestones.items():
            if user.account is not None:
                mine = account_reached.setdefault(user.account, {})
                if key not in mine or at < mine[key][0]:
                    mine[key] = (at, user.external_id)
    accounts = []
    for key, (created, traits) in sorted(history.accounts.items()):
        stage, entered = _stage(workspace, {k: v[0] for k, v in
                                            account_reached.get(key, {}).items()})
        accounts.append({"workspace_id": ws, "external_id": key, "traits": traits,
                         "lifecycle_stage": stage, "stage_entered_at": entered or created,
                         "created_at": created, "updated_at": history.now})
    _insert(Account, accounts)
    account_ids = _ids(Account, workspace)
    _insert(EndUser, [_user_row(workspace, u, account_ids) for u in history.users])
    user_ids = _ids(EndUser, workspace)
    events = sorted(((row["created_at"], n, i, row) for n, u in enumerate(history.users)
                     for i, row in enumerate(u.events)), key=lambda item: item[:3])
    written_events = _insert(Event, ({
        **row, "workspace_id": ws, "user_id": user_ids[history.users[n].external_id],
        "client_id": f"{history.users[n].external_id}-{i}"} for _, n, i, row in events))
    escalations = _insert(Escalation, ({**row, "workspace_id": ws,
                                        "user_id": user_ids[u.external_id]}
                                       for u in history.users for row in u.escalations))
    milestones = _insert(UserMilestone, ({
        "user_id": user_ids[u.external_id], "key": key, "source": "history",
        "reached_at": at} for u in history.users for key, at in u.milestones.items()))
    _insert(AccountMilestone, ({
        "account_id": account_ids[account], "key": key, "user_id": user_ids[who],
        "source": "history", "reached_at": at}
        for account, reached in sorted(account_reached.items())
        for key, (at, who) in sorted(reached.items())))
    firings = _insert(ScenarioFiring, _firings(workspace, history, user_ids))
    _progress(workspace, history, user_ids, account_ids)
    return Written(len(history.users), len(accounts), written_events, escalations, milestones,
                   firings, 0)


def _user_row(workspace: Workspace, user: User, account_ids: dict[str, int]) -> dict[str, Any]:
    stage, entered = _stage(workspace, user.milestones)
    last = max((row["created_at"] for row in user.events), default=user.first_seen)
    return {"workspace_id": workspace.id, "external_id": user.external_id,
            "account_id": account_ids.get(user.account) if user.account else None,
            "traits": {"plan": user.plan}, "locale": user.locale, "lifecycle_stage": stage,
            "stage_entered_at": entered or user.first_seen, "first_seen": user.first_seen,
            "last_seen": last}


def _firings(workspace: Workspace, history: History,
             user_ids: dict[str, int]) -> list[dict[str, Any]]:
    """The firings the journeys made (the connect-data reminder, the stalled checklist) and
    the plan steps' overdue firings a worker running all along would have recorded (so the
    first sweep after generating does not fire for the whole history at once)."""
    scenarios = db.session.execute(sa.select(Scenario.key, Scenario.id, Scenario.body).where(
        Scenario.workspace_id == workspace.id)).all()
    ids = {key: scenario_id for key, scenario_id, _ in scenarios}
    rows = []

    def fired(scenario_id: int, subject: str, subject_id: int, window: str,
              details: dict[str, Any], at: datetime, held_out: bool = False) -> None:
        rows.append({"workspace_id": workspace.id, "scenario_id": scenario_id,
                     "subject_type": subject, "subject_id": subject_id, "window": window,
                     "details": details, "fired_at": at, "held_out": held_out})

    for user in history.users:
        for firing in user.firings:
            if firing.scenario in ids:
                fired(ids[firing.scenario], "user", user_ids[user.external_id], firing.window,
                      firing.details, firing.at, firing.held_out)
    for _, scenario_id, body in scenarios:
        if (body.get("trigger") or {}).get("plan_overdue") in (PLAN, "*"):
            for account, window, details, at in overdue(workspace, history):
                fired(scenario_id, "account", account, window, details, at)
    return rows


def overdue(workspace: Workspace,
            history: History) -> Iterable[tuple[int, str, dict[str, Any], datetime]]:
    """Plan steps not done by their due day: (account id, window, details, due at)."""
    found = published_guide(workspace.id, PLAN)
    if found is None:
        return
    accounts = _ids(Account, workspace)
    for key, (created, _) in sorted(history.accounts.items()):
        for step in found[1].body["steps"]:
            if step.get("due_days") is None:
                continue
            due = created + timedelta(days=step["due_days"])
            done = history.account_steps.get((key, PLAN, step["id"]))
            if due <= history.now - QUIET and (done is None or done[0] > due):
                yield accounts[key], f"{PLAN}/{step['id']}", {
                    "guide": PLAN, "step": step["id"], "owner": step.get("owner", "customer"),
                    "assignee": step.get("assignee"), "due_at": due.isoformat()}, due


def _progress(workspace: Workspace, history: History, user_ids: dict[str, int],
              account_ids: dict[str, int]) -> None:
    guide_ids = dict(db.session.execute(sa.select(Guide.key, Guide.id).where(
        Guide.workspace_id == workspace.id)).all())
    _insert(Progress, ({
        "workspace_id": workspace.id, "user_id": user_ids[u.external_id],
        "guide_id": guide_ids[key], "state": p["state"], "current_step": p["step"],
        "completed_steps": p["steps"], "started_at": p["started"],
        "completed_at": p["completed"], "updated_at": p["updated"],
        "shown_count": 1, "last_shown_at": p["started"]}
        for u in history.users for key, p in u.progress.items() if key in guide_ids))
    _insert(AccountStepCompletion, ({
        "account_id": account_ids[account], "guide_id": guide_ids[guide], "step_id": step,
        "user_id": user_ids.get(who) if who else None, "completed_by": by,
        "completed_at": at}
        for (account, guide, step), (at, who, by) in sorted(history.account_steps.items())
        if guide in guide_ids))


def generate(workspace: Workspace, *, days: int = 90, users: int = 1500, seed: int = 7,
             replace: bool = False, now: datetime | None = None) -> Written | None:
    """Write a history unless one is there (``replace``: regenerate it); then roll it up.

    None when the workspace already has one and ``replace`` is false.
    """
    had = exists(workspace)
    if had and not replace:
        db.session.rollback()
        return None
    now = now or utcnow()
    history = simulate(now, days=days, users=users, seed=seed,
                       zone=ZoneInfo(workspace.timezone))
    if had:
        store.reset(workspace.id)  # the rollups name the users deleted next (no cascade)
        remove(workspace)
    written = write(workspace, history)
    db.session.commit()
    rolled = rollup(now, workspace_id=workspace.id, max_batches=None).total
    return Written(**{**written.__dict__, "rolled": rolled})

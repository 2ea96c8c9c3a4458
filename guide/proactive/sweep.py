"""The sweep: time-based triggers, each one set-based query per scenario.

"Who has not reached milestone M three days after sign-up" is asked of the
database with indexed NOT EXISTS subqueries; Python sees only the subjects
that match (and checks their trait conditions), never every user. Subjects
that already fired in the trigger's window are excluded by the query, and the
unique firing constraint makes a concurrent sweep harmless: running a sweep
twice fires nothing new.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from guide.extensions import db
from guide.models import (
    Account,
    AccountStepCompletion,
    EndUser,
    Event,
    Guide,
    GuideVersion,
    Progress,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.models.base import utcnow
from guide.proactive.firing import fire
from guide.proactive.lifecycle import lifecycle_of
from guide.proactive.rules import Rule, rules_of, settings_of
from guide.proactive.subjects import Candidate, Fired

log = logging.getLogger("guide.sweep")
# Events a user's browser or backend reports; server-made ones (milestone, stage, plan)
# and page views are not activity.
ACTIVITY = ("step:complete", "guide:state", "event:track", "help:escalate", "survey:answer",
            "feedback:helpful")
BATCH = 2000


@dataclass
class SweepReport:
    scenario: str
    matched: int = 0
    fired: int = 0
    # Of ``fired`` (or of ``matched`` in a dry run): in the holdout, no action taken.
    held_out: int = 0
    subjects: list[dict[str, Any]] = field(default_factory=list)


def _not_fired(rule: Rule, subject: ColumnElement[Any], window: Any) -> ColumnElement[bool]:
    """No firing yet for this subject in this window (nor any, when only one is allowed)."""
    f = ScenarioFiring
    cond = [f.scenario_id == rule.id, f.subject_type == rule.subject_type,
            f.subject_id == subject]
    if rule.body.get("max_per_subject", 1) > 1:
        cond.append(f.window == window)
    return ~sa.exists().where(*cond)


def _milestone_missing(rule: Rule, workspace: Workspace, now: datetime) -> list[Candidate]:
    trigger = rule.trigger
    u = EndUser
    key, since = trigger["milestone_missing"], now - timedelta(days=trigger["days"])
    missing = ~sa.exists().where(UserMilestone.user_id == u.id, UserMilestone.key == key)
    stage = trigger.get("after_stage")
    if stage is None:
        window = "once"
        query = sa.select(u.id, u.first_seen).where(
            u.workspace_id == workspace.id, u.first_seen <= since, missing)
    else:
        window = f"stage:{stage}"
        life = lifecycle_of(workspace)
        first = life.first_stage if life else None
        entered = sa.func.coalesce(u.stage_entered_at, u.first_seen)
        query = sa.select(u.id, entered).where(
            u.workspace_id == workspace.id,
            sa.func.coalesce(u.lifecycle_stage, first) == stage, entered <= since, missing)
    query = query.where(_not_fired(rule, u.id, window))
    return [Candidate(user_id, window, {"milestone": key, "days": trigger["days"],
                                        **({"stage": stage} if stage else {})})
            for user_id, _ in db.session.execute(query)]


def _guide_stalled(rule: Rule, workspace: Workspace, now: datetime) -> list[Candidate]:
    trigger = rule.trigger
    guide_id = db.session.scalar(sa.select(Guide.id).where(
        Guide.workspace_id == workspace.id, Guide.key == trigger["guide_stalled"]))
    if guide_id is None:
        return []
    p, f = Progress, ScenarioFiring
    # "No firing since the last progress": a new stall after new progress fires again.
    fired_since = sa.exists().where(f.scenario_id == rule.id, f.subject_type == "user",
                                    f.subject_id == p.user_id, f.fired_at >= p.updated_at)
    query = sa.select(p.user_id, p.updated_at, p.current_step).where(
        p.guide_id == guide_id, p.state == "active",
        p.updated_at <= now - timedelta(days=trigger["days"]), ~fired_since)
    return [Candidate(user_id, f"stalled:{updated.isoformat()}", {
        "guide": trigger["guide_stalled"], "step": step, "days": trigger["days"],
        "last_progress_at": updated.isoformat()})
        for user_id, updated, step in db.session.execute(query)]


def _inactive(rule: Rule, workspace: Workspace, now: datetime) -> list[Candidate]:
    u, e = EndUser, Event
    active = sa.exists().where(e.user_id == u.id, e.type.in_(ACTIVITY), e.name != "$page")
    query = sa.select(u.id).where(
        u.workspace_id == workspace.id,
        u.first_seen <= now - timedelta(days=rule.trigger["days"]), ~active,
        _not_fired(rule, u.id, "once"))
    if workspace.events_retention_days is not None:
        # Events past the retention are deleted: a user seen before then may well have
        # been active, so only users whose whole history is still kept can be judged.
        query = query.where(
            u.first_seen > now - timedelta(days=workspace.events_retention_days))
    return [Candidate(user_id, "once", {"days": rule.trigger["days"]})
            for user_id in db.session.scalars(query)]


def _plan_overdue(rule: Rule, workspace: Workspace, now: datetime) -> list[Candidate]:
    trigger = rule.trigger
    wanted, owner = trigger["plan_overdue"], trigger.get("owner")
    plans = db.session.execute(
        sa.select(Guide.id, Guide.key, GuideVersion.body)
        .join(GuideVersion, Guide.published_version_id == GuideVersion.id)
        .where(Guide.workspace_id == workspace.id, Guide.kind == "plan"))
    candidates = []
    a, c = Account, AccountStepCompletion
    for guide_id, key, body in plans:
        if wanted not in ("*", key):
            continue
        for step in body["steps"]:
            if step.get("due_days") is None or (owner and step.get("owner") != owner):
                continue
            window = f"{key}/{step['id']}"
            done = sa.exists().where(c.account_id == a.id, c.guide_id == guide_id,
                                     c.step_id == step["id"])
            query = sa.select(a.id, a.created_at).where(
                a.workspace_id == workspace.id,
                a.created_at <= now - timedelta(days=step["due_days"]), ~done,
                _not_fired(rule, a.id, window))
            candidates += [Candidate(account_id, window, {
                "guide": key, "step": step["id"], "owner": step.get("owner", "customer"),
                "assignee": step.get("assignee"),
                "due_at": (started + timedelta(days=step["due_days"])).isoformat()})
                for account_id, started in db.session.execute(query)]
    return candidates


FINDERS = {
    "milestone_missing": _milestone_missing,
    "guide_stalled": _guide_stalled,
    "inactive": _inactive,
    "plan_overdue": _plan_overdue,
}


def sweep(workspace: Workspace, now: datetime | None = None, *, dry_run: bool = False,
          only: str | None = None) -> list[SweepReport]:
    """Run every time-based scenario of a workspace once; commits after each batch."""
    now = now or utcnow()
    reports = []
    for rule in rules_of(workspace.id, fresh=True):
        if rule.on_event or (only is not None and rule.key != only):
            continue
        candidates = FINDERS[rule.kind](rule, workspace, now)
        report = SweepReport(rule.key)
        for start in range(0, len(candidates), BATCH):
            result: Fired = fire(workspace, rule, candidates[start:start + BATCH], now,
                                 dry_run=dry_run)
            report.matched += len(result.matched)
            report.fired += len(result.fired)
            report.held_out += sum(m.held_out for m in
                                   (result.matched if dry_run else result.fired))
            if dry_run:
                report.subjects += [{**m.subject.ref(), "window": m.candidate.window,
                                     "details": m.candidate.details, "held_out": m.held_out}
                                    for m in result.matched]
                continue
            db.session.commit()
            for callback in result.after_commit:
                callback()
        db.session.rollback() if dry_run else db.session.commit()
        reports.append(report)
    return reports


_last_sweep: dict[int, float] = {}


def sweep_due(now: datetime | None = None) -> int:
    """The worker's periodic call: sweep each workspace whose ``sweep_seconds`` passed."""
    fired = 0
    clock = time.monotonic()
    workspaces = db.session.scalars(sa.select(Workspace).where(sa.exists().where(
        Scenario.workspace_id == Workspace.id, Scenario.configured.is_(True))))
    for workspace in list(workspaces):
        every = settings_of(workspace.scenario_settings)["sweep_seconds"]
        if clock - _last_sweep.get(workspace.id, -1e12) < every:
            continue
        _last_sweep[workspace.id] = clock
        try:
            fired += sum(report.fired for report in sweep(workspace, now))
        except Exception:
            db.session.rollback()
            log.exception("sweep of workspace %s failed; next round retries", workspace.key)
    return fired

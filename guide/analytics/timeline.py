"""One account's onboarding timeline (docs/ANALYTICS.md, "An account's timeline").

Everything on one time axis, from the account's start: its milestones
(reached, with their deadline; or due, or overdue), its success plans' steps
(done, or due), the scenario firings for the account or one of its users
(nudges and the other proactive actions), and its users' escalations.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.analytics.milestones import lifecycle_of
from guide.analytics.portfolio import standings
from guide.extensions import db
from guide.models import (
    AccountStepCompletion,
    EndUser,
    Escalation,
    Scenario,
    ScenarioFiring,
    Workspace,
)
from guide.models.base import isoformat, utcnow
from guide.schemas.proactive import TRIGGERS
from guide.services.localize import localize
from guide.services.published import published_guides
from guide.services.users import account_by_external_id

LANES = (("milestones", "Milestones"), ("plan", "Plan steps"), ("nudges", "Nudges"),
         ("escalations", "Escalations"))
# The latest firings and escalations shown (the oldest are left out past that).
MAX_ITEMS = 200


def account_timeline(workspace: Workspace, external_id: str,
                     now: datetime | None = None) -> dict[str, Any]:
    """The account's standing and its timeline, oldest first; 404 ``unknown_account``."""
    now = now or utcnow()
    account = account_by_external_id(workspace, external_id)
    life = lifecycle_of(workspace)
    standing = standings(workspace, life, now, [account.id])[0]
    users = dict(db.session.execute(sa.select(EndUser.id, EndUser.external_id).where(
        EndUser.account_id == account.id)).all())
    items = [_item(standing.start, "milestones", "start", "Account started")]
    for milestone in life.milestones:
        at = standing.reached.get(milestone.key)
        due = (standing.start + timedelta(days=milestone.expected_days)
               if milestone.expected_days is not None else None)
        if at is not None:
            late = due is not None and at > due
            items.append(_item(at, "milestones", "late" if late else "reached", milestone.title,
                               milestone.key, due=due))
        elif due is not None:
            items.append(_item(due, "milestones", "overdue" if due < now else "due",
                               milestone.title, milestone.key, due=due))
    items += _plan_steps(workspace, account.id, account.created_at, now)
    items += _firings(workspace, account.id, list(users), users)
    items += _escalations(workspace, list(users), users)
    items.sort(key=lambda item: (item["at"], [lane for lane, _ in LANES].index(item["lane"])))
    report = {"account": account.external_id, "name": standing.name, "csm": standing.csm,
              "now": isoformat(now), **{k: v for k, v in standing.row(life).items()
                                         if k not in ("account", "name", "csm")},
              "lanes": [{"lane": lane, "title": title} for lane, title in LANES],
              "items": [{**item, "at": isoformat(item["at"]),
                         "due_at": isoformat(item["due_at"])} for item in items]}
    db.session.rollback()
    return report


def _item(at: datetime, lane: str, kind: str, label: str, key: str | None = None,
          detail: str | None = None, user: str | None = None,
          due: datetime | None = None) -> dict[str, Any]:
    return {"at": at, "lane": lane, "kind": kind, "label": label, "key": key, "detail": detail,
            "user": user, "due_at": due}


def _plan_steps(workspace: Workspace, account_id: int, created_at: datetime,
                now: datetime) -> list[dict[str, Any]]:
    """Each plan step done for the account, and each one due (from ``created_at``, like
    the plans themselves) and not done."""
    plans = [(g, v) for g, v in published_guides(workspace.id) if g.kind == "plan"]
    if not plans:
        return []
    done = {(guide_id, step): at for guide_id, step, at in db.session.execute(
        sa.select(AccountStepCompletion.guide_id, AccountStepCompletion.step_id,
                  AccountStepCompletion.completed_at)
        .where(AccountStepCompletion.account_id == account_id,
               AccountStepCompletion.guide_id.in_([g.id for g, _ in plans])))}
    locale = workspace.default_locale or "en"
    items = []
    for guide, version in plans:
        for step in version.body.get("steps", []):
            label = localize(step.get("title"), locale, locale) or step["id"]
            key = f"{guide.key}/{step['id']}"
            due = (created_at + timedelta(days=step["due_days"])
                   if step.get("due_days") is not None else None)
            at = done.get((guide.id, step["id"]))
            if at is not None:
                items.append(_item(at, "plan", "late" if due and at > due else "done", label,
                                   key, due=due))
            elif due is not None:
                items.append(_item(due, "plan", "overdue" if due < now else "due", label, key,
                                   due=due))
    return items


def _firings(workspace: Workspace, account_id: int, user_ids: list[int],
             users: dict[int, str]) -> list[dict[str, Any]]:
    subject = sa.and_(ScenarioFiring.subject_type == "account",
                      ScenarioFiring.subject_id == account_id)
    if user_ids:
        subject = sa.or_(subject, sa.and_(ScenarioFiring.subject_type == "user",
                                          ScenarioFiring.subject_id.in_(user_ids)))
    rows = db.session.execute(
        sa.select(ScenarioFiring.fired_at, ScenarioFiring.subject_type,
                  ScenarioFiring.subject_id, ScenarioFiring.window, Scenario.key, Scenario.body)
        .join(Scenario, Scenario.id == ScenarioFiring.scenario_id)
        .where(ScenarioFiring.workspace_id == workspace.id, subject)
        .order_by(ScenarioFiring.fired_at.desc()).limit(MAX_ITEMS))
    items = []
    for at, kind, subject_id, window, key, body in rows:
        trigger = _trigger_text((body or {}).get("trigger") or {})
        items.append(_item(at, "nudges", "fired", (body or {}).get("title") or key, key,
                           trigger or window, users.get(subject_id) if kind == "user" else None))
    return items


def _trigger_text(trigger: dict[str, Any]) -> str:
    """``milestone_missing: dashboard, days: 2``: the trigger's kind first, then the rest by
    name (PostgreSQL's JSON keeps no key order)."""
    names = sorted(trigger, key=lambda name: (name not in TRIGGERS, name))
    return ", ".join(f"{name}: {trigger[name]}" for name in names)


def _escalations(workspace: Workspace, user_ids: list[int],
                 users: dict[int, str]) -> list[dict[str, Any]]:
    if not user_ids:
        return []
    rows = db.session.execute(
        sa.select(Escalation.created_at, Escalation.reference, Escalation.origin,
                  Escalation.guide_key, Escalation.step_id, Escalation.user_id)
        .where(Escalation.workspace_id == workspace.id, Escalation.user_id.in_(user_ids))
        .order_by(Escalation.created_at.desc()).limit(MAX_ITEMS))
    items = []
    for at, reference, origin, guide, step, user_id in rows:
        where = "/".join(part for part in (guide, step) if part) or None
        items.append(_item(at, "escalations", origin, reference, reference, where,
                           users.get(user_id)))
    return items

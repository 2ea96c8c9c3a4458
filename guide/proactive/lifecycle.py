"""Lifecycle stages and milestones (content/lifecycle.yaml, docs/PROACTIVE.md).

Milestones are reached inside the transaction of whatever reached them (a
step, a tracked event, a completed guide, new traits), so the milestone, the
stage it moves the user to, their events and their webhooks commit together.
A user's stage only moves forward; a user who was never moved is in the first
stage since they were first seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    EndUser,
    Event,
    UserMilestone,
    Workspace,
)
from guide.models.base import isoformat, utcnow
from guide.services import outbox
from guide.services.audience import matches
from guide.services.rows import get_or_create
from guide.services.users import account_of


@dataclass
class Lifecycle:
    """A workspace's lifecycle.yaml, indexed by what can reach each milestone."""

    stages: list[dict[str, Any]]
    by_event: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    by_step: dict[str, list[str]] = field(default_factory=dict)
    by_guide: dict[str, list[str]] = field(default_factory=dict)
    by_traits: list[tuple[str, Any]] = field(default_factory=list)
    titles: dict[str, Any] = field(default_factory=dict)

    @property
    def first_stage(self) -> str:
        return str(self.stages[0]["key"])

    def stage_index(self, key: str | None) -> int:
        keys = [stage["key"] for stage in self.stages]
        return keys.index(key) if key in keys else 0

    def stage_for(self, reached: set[str]) -> str:
        """The last stage, in file order, whose requirements are all reached."""
        stage = self.first_stage
        for candidate in self.stages:
            if set(candidate.get("requires") or ()) <= reached:
                stage = candidate["key"]
        return stage


_compiled: dict[int, tuple[Any, Lifecycle]] = {}


def lifecycle_of(workspace: Workspace) -> Lifecycle | None:
    """The workspace's lifecycle, compiled once per version of its definition."""
    body = workspace.lifecycle
    if not body:
        return None
    cached = _compiled.get(workspace.id)
    if cached is not None and cached[0] == body:
        return cached[1]
    life = Lifecycle(stages=list(body["stages"]))
    for milestone in body.get("milestones") or []:
        key, when = milestone["key"], milestone["when"]
        life.titles[key] = milestone.get("title")
        if "event" in when:
            life.by_event.setdefault(when["event"], []).append((key, when.get("count", 1)))
        elif "step" in when:
            life.by_step.setdefault(when["step"], []).append(key)
        elif "guide" in when:
            life.by_guide.setdefault(when["guide"], []).append(key)
        else:
            life.by_traits.append((key, when["traits"]))
    _compiled[workspace.id] = (body, life)
    return life


def _workspace(user: EndUser) -> Workspace:
    workspace = db.session.get(Workspace, user.workspace_id)
    assert workspace is not None
    return workspace


# ---------------------------------------------------------------- reaching milestones


def reach(user: EndUser, key: str, source: str, now: datetime) -> bool:
    """Record milestone ``key`` for the user (and their account) once; True if new."""
    stmt = db.select(UserMilestone).where(UserMilestone.user_id == user.id,
                                          UserMilestone.key == key)
    _, created = get_or_create(stmt, lambda: UserMilestone(
        user_id=user.id, key=key, source=source, reached_at=now))
    if created:
        milestone_reached(user, key, source, now)
    return created


def milestone_reached(user: EndUser, key: str, source: str, now: datetime) -> None:
    """After a new UserMilestone row: its event, webhook, account milestone and stages."""
    workspace = _workspace(user)
    db.session.add(Event(workspace_id=user.workspace_id, user_id=user.id, type="milestone",
                         name=key, props={"source": source}, created_at=now))
    outbox.enqueue(workspace, "milestone.reached", {
        "milestone": key, "source": source, "reached_at": isoformat(now),
        "user": {"id": user.external_id, "account": _account_external_id(user)},
        "time_to_value_seconds": int((now - user.first_seen).total_seconds()),
    })
    life = lifecycle_of(workspace)
    if user.account_id is not None:
        stmt = db.select(AccountMilestone).where(AccountMilestone.account_id == user.account_id,
                                                 AccountMilestone.key == key)
        _, account_new = get_or_create(stmt, lambda: AccountMilestone(
            account_id=user.account_id, key=key, user_id=user.id, source=source,
            reached_at=now))
        if account_new and life is not None:
            account = db.session.get(Account, user.account_id)
            if account is not None:
                _advance_account(workspace, life, account, now)
    if life is not None:
        _advance_user(workspace, life, user, now)


def account_milestone(account: Account, key: str, source: str, now: datetime) -> bool:
    """A milestone reached by the account itself (a vendor plan step): no user did it."""
    stmt = db.select(AccountMilestone).where(AccountMilestone.account_id == account.id,
                                             AccountMilestone.key == key)
    _, created = get_or_create(stmt, lambda: AccountMilestone(
        account_id=account.id, key=key, user_id=None, source=source, reached_at=now))
    workspace = db.session.get(Workspace, account.workspace_id)
    life = lifecycle_of(workspace) if workspace else None
    if created and workspace is not None and life is not None:
        _advance_account(workspace, life, account, now)
    return created


def step_completed(user: EndUser, guide_key: str, step_id: str, now: datetime) -> None:
    """Milestones whose ``when`` is this step."""
    life = lifecycle_of(_workspace(user))
    for key in life.by_step.get(f"{guide_key}/{step_id}", ()) if life else ():
        reach(user, key, f"step:{guide_key}/{step_id}", now)


def account_step_completed(account: Account, guide_key: str, step_id: str,
                           now: datetime) -> None:
    """A step done for the account by the vendor's team (a plan's vendor step)."""
    workspace = db.session.get(Workspace, account.workspace_id)
    life = lifecycle_of(workspace) if workspace else None
    for key in life.by_step.get(f"{guide_key}/{step_id}", ()) if life else ():
        account_milestone(account, key, f"step:{guide_key}/{step_id}", now)


def guide_completed(user: EndUser, guide_key: str, milestone: str | None,
                    now: datetime) -> None:
    """The guide's own ``milestone:`` field, and lifecycle milestones naming the guide."""
    keys = [milestone] if milestone else []
    life = lifecycle_of(_workspace(user))
    keys += [key for key in (life.by_guide.get(guide_key, ()) if life else ()) if key not in keys]
    for key in keys:
        reach(user, key, f"guide:{guide_key}", now)


def counts(workspace: Workspace, name: str) -> bool:
    """Does a milestone wait for the n-th time this event is seen?"""
    life = lifecycle_of(workspace)
    return bool(life) and any(count > 1 for _, count in life.by_event.get(name, ()))


def event_seen(user: EndUser, name: str, now: datetime) -> None:
    """Milestones whose ``when`` is this event (the count-th time, for ``count``).

    Called before the event's own row is flushed, so it counts itself as one.
    """
    life = lifecycle_of(_workspace(user))
    for key, count in life.by_event.get(name, ()) if life else ():
        if count > 1:
            seen = db.session.scalar(db.select(db.func.count()).select_from(Event).where(
                Event.user_id == user.id, Event.name == name, Event.type == "event:track"))
            if (seen or 0) + 1 < count:
                continue
        reach(user, key, f"event:{name}", now)


def traits_changed(user: EndUser, now: datetime | None = None) -> None:
    """After identify, group or a bootstrap wrote the user: trait milestones, and the
    milestones the user brings into an account they just joined."""
    now = now or utcnow()
    _bring_to_account(user, now)
    life = lifecycle_of(_workspace(user))
    if life is None or not life.by_traits:
        return
    account = account_of(user)
    account_traits = account.traits if account else {}
    for key, rule in life.by_traits:
        if matches(rule, user.traits or {}, account_traits or {}, None, now):
            reach(user, key, "traits", now)


def _bring_to_account(user: EndUser, now: datetime) -> None:
    """A user who joins an account gives it the milestones it has not reached yet."""
    if user.account_id is None:
        return
    theirs = db.session.execute(db.select(UserMilestone.key, UserMilestone.source,
                                          UserMilestone.reached_at)
                                .where(UserMilestone.user_id == user.id)).all()
    if not theirs:
        return
    known = set(db.session.scalars(db.select(AccountMilestone.key).where(
        AccountMilestone.account_id == user.account_id)))
    new = [(key, source, at) for key, source, at in theirs if key not in known]
    if not new:
        return
    db.session.add_all([AccountMilestone(account_id=user.account_id, key=key, user_id=user.id,
                                         source=source, reached_at=at) for key, source, at in new])
    workspace = _workspace(user)
    life = lifecycle_of(workspace)
    account = db.session.get(Account, user.account_id)
    if life is not None and account is not None:
        db.session.flush()
        _advance_account(workspace, life, account, now)


# ---------------------------------------------------------------- stages


def _advance_user(workspace: Workspace, life: Lifecycle, user: EndUser, now: datetime) -> None:
    reached = set(db.session.scalars(db.select(UserMilestone.key).where(
        UserMilestone.user_id == user.id)))
    moved = _advance(life, user, reached, now)
    if moved:
        _stage_changed(workspace, "user", user, None, *moved, now)


def _advance_account(workspace: Workspace, life: Lifecycle, account: Account,
                     now: datetime) -> None:
    reached = set(db.session.scalars(db.select(AccountMilestone.key).where(
        AccountMilestone.account_id == account.id)))
    moved = _advance(life, account, reached, now)
    if moved:
        _stage_changed(workspace, "account", None, account, *moved, now)


def _advance(life: Lifecycle, subject: EndUser | Account, reached: set[str],
             now: datetime) -> tuple[str, str] | None:
    """Move a user or account forward to the stage its milestones reach: ``(from, to)``,
    or None when it stays where it is (stages never move back)."""
    before = subject.lifecycle_stage or life.first_stage
    after = life.stage_for(reached)
    if life.stage_index(after) <= life.stage_index(before):
        return None
    subject.lifecycle_stage, subject.stage_entered_at = after, now
    return before, after


def _stage_changed(workspace: Workspace, subject: str, user: EndUser | None,
                   account: Account | None, before: str, after: str, now: datetime) -> None:
    db.session.add(Event(
        workspace_id=workspace.id, user_id=user.id if user else None, type="stage", name=after,
        props={"subject": subject, "from": before, "to": after,
               **({"account": account.external_id} if account else {})},
        created_at=now))
    outbox.enqueue(workspace, "lifecycle.stage_changed", {
        "subject": subject, "from": before, "to": after, "at": isoformat(now),
        **({"user": {"id": user.external_id, "account": _account_external_id(user)}}
           if user else {}),
        **({"account": {"id": account.external_id}} if account else {}),
    })


def _account_external_id(user: EndUser) -> str | None:
    if user.account_id is None:
        return None
    account = db.session.get(Account, user.account_id)
    return account.external_id if account else None

"""Erase an end user or an account on request, in one transaction (docs/PRIVACY.md).

What is about the person goes: events, progress, milestones, nudges, scenario
firings, the user row. What support and analytics keep is anonymized:
an escalation stays as a record (reference, status, severity, guide and step,
times) without the user, their message, page or context snapshot. Outbox
messages that name them are dropped while still waiting to be sent, and their
payload is replaced by a marker once sent. The audit log records the erasure
by a digest of the id, never the id; a ``user.deleted`` / ``account.deleted``
webhook carries just the ids your other systems need to erase theirs.

Everything is written in the caller's one transaction and committed here once:
a failure anywhere rolls all of it back, so nothing is ever half erased.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guide.errors import InvalidPayload
from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    AnalyticsScenarioDay,
    AnalyticsStage,
    AnalyticsWatermark,
    AuditEntry,
    Author,
    EndUser,
    Escalation,
    Event,
    Nudge,
    OutboxMessage,
    Progress,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.models.analytics import USER_ROLLUPS
from guide.models.analytics_accounts import (
    accounts_of_users,
    forget_account,
    forget_accounts,
)
from guide.models.analytics_onboarding import forget_users as forget_onboarding
from guide.models.base import isoformat, utcnow
from guide.models.survey import HelpfulVote, SurveyResponse
from guide.services import audit, outbox
from guide.services.footprint import (
    Names,
    account_escalations,
    account_events,
    naming_messages,
    redact,
    subject_digest,
)
from guide.services.privacy_export import PLAN_ACTIONS, names_account

ERASED = "(erased)"
WAITING = ("pending", "failed")
CHUNK = 500
USERS_CHOICES = ("keep", "delete")

Actor = Author | str


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _delete(model: Any, *where: Any) -> int:
    result = db.session.execute(sa.delete(model).where(*where)
                                .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _delete_firings(*where: Any) -> int:
    """Delete these firings and uncount the settled ones from the Scenarios report's rollup
    (from the rows as deleted: a firing settled meanwhile is uncounted too)."""
    f = ScenarioFiring
    rows = db.session.execute(sa.delete(f).where(*where).returning(
        f.workspace_id, f.scenario_id, f.fired_at, f.held_out, f.converted)
        .execution_options(synchronize_session=False)).all()
    AnalyticsScenarioDay.add(rows, -1)
    return len(rows)


def anonymize(escalation: Escalation) -> None:
    """Keep the support record, drop the person: who, their words, the page, the snapshot
    (only the guide and step it was about remain) and support's notes to them."""
    guide = (escalation.context or {}).get("guide")
    escalation.user_id = None
    escalation.message, escalation.url = ERASED, None
    escalation.context = {"erased": True, **({"guide": guide} if guide else {})}
    escalation.history = [{k: v for k, v in change.items() if k != "note"}
                          for change in escalation.history or []]


def _erase_users(workspace: Workspace, ids: list[int], counts: dict[str, int]) -> None:
    """Delete every row about these users (and the users), anonymize their escalations."""
    # Their rollup rows too (no foreign key cascades there), after any rollup batch open
    # now has committed, and before the next one can fold their events again.
    AnalyticsWatermark.lock(workspace.id)
    folded_with = db.session.scalar(sa.select(AnalyticsWatermark.onboarding_key).where(
        AnalyticsWatermark.workspace_id == workspace.id))
    for chunk in _chunks(ids):
        for escalation in db.session.scalars(sa.select(Escalation).where(
                Escalation.workspace_id == workspace.id, Escalation.user_id.in_(chunk))):
            anonymize(escalation)
            counts["escalations_anonymized"] += 1
        db.session.flush()
        counts["events"] += _delete(Event, Event.workspace_id == workspace.id,
                                    Event.user_id.in_(chunk))
        counts["progress"] += _delete(Progress, Progress.user_id.in_(chunk))
        counts["milestones"] += _delete(UserMilestone, UserMilestone.user_id.in_(chunk))
        counts["nudges"] += _delete(Nudge, Nudge.user_id.in_(chunk))
        # Their answers and comments (docs/SURVEYS.md): results no longer count them.
        counts["responses"] += (_delete(SurveyResponse, SurveyResponse.user_id.in_(chunk))
                                + _delete(HelpfulVote, HelpfulVote.user_id.in_(chunk)))
        counts["firings"] += _delete_firings(
            ScenarioFiring.workspace_id == workspace.id,
            ScenarioFiring.subject_type == "user", ScenarioFiring.subject_id.in_(chunk))
        # The account keeps its milestone or plan step, no longer credited to anyone.
        for model in (AccountMilestone, AccountStepCompletion):
            db.session.execute(sa.update(model).where(model.user_id.in_(chunk))
                               .values(user_id=None).execution_options(synchronize_session=False))
        accounts = accounts_of_users(workspace.id, chunk)
        for model in USER_ROLLUPS:
            _delete(model, model.workspace_id == workspace.id, model.user_id.in_(chunk))
        AnalyticsStage.forget_users(workspace.id, chunk)
        forget_onboarding(workspace.id, chunk, folded_with)
        counts["users"] += _delete(EndUser, EndUser.workspace_id == workspace.id,
                                   EndUser.id.in_(chunk))
        forget_accounts(workspace.id, accounts)  # their times and counts leave the rollup


def _scrub_outbox(workspace: Workspace, names: Names, counts: dict[str, int]) -> None:
    """Waiting messages that name them are dropped; sent ones keep only their type and time."""
    dropped, scrubbed = [], []
    for message in naming_messages(workspace, names):
        if message.status in WAITING:
            dropped.append(message.id)
        else:
            payload = message.payload or {}
            scrubbed.append({"id": message.id, "payload": {
                "type": payload.get("type"), "timestamp": payload.get("timestamp"),
                "data": {"erased": True}}})
    for chunk in _chunks(dropped):
        _delete(OutboxMessage, OutboxMessage.id.in_(chunk))
    if scrubbed:
        db.session.execute(sa.update(OutboxMessage), scrubbed)
    counts["outbox_dropped"] += len(dropped)
    counts["outbox_scrubbed"] += len(scrubbed)


def _new_counts() -> dict[str, int]:
    return dict.fromkeys(("users", "events", "progress", "milestones", "nudges", "responses",
                          "firings",
                          "escalations_anonymized", "outbox_dropped", "outbox_scrubbed"), 0)


def _in_one_transaction(work: Callable[[datetime], int]) -> datetime:
    """Run ``work(now)`` (which returns how many deliveries it queued) and commit once;
    any failure rolls all of it back."""
    now = utcnow()
    try:
        queued = work(now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if queued:
        outbox.wake_up.set()
    return now


def _deleted(kind: str, external_id: str, now: datetime, **data: Any) -> dict[str, Any]:
    """A ``user.deleted`` / ``account.deleted`` payload: the id, nothing else about them."""
    return {kind: {"id": external_id}, **data, "deleted_at": isoformat(now)}


def erase_user(workspace: Workspace, user: EndUser, actor: Actor) -> dict[str, Any]:
    """Erase one user of the workspace; returns what was removed or anonymized."""
    external_id, counts = user.external_id, _new_counts()

    def work(now: datetime) -> int:
        _erase_users(workspace, [user.id], counts)
        _scrub_outbox(workspace, Names(users={external_id}), counts)
        audit.record(workspace.id, actor, "user.delete",
                     subject_digest(workspace, "user", external_id), **counts)
        return outbox.enqueue(workspace, "user.deleted", _deleted("user", external_id, now))

    now = _in_one_transaction(work)
    return {"user": external_id, "deleted_at": isoformat(now), **counts}


def _erase_account_rows(workspace: Workspace, account: Account, names: Names,
                        counts: dict[str, int]) -> None:
    """The account's own rows, the events naming it, and the account from others' records."""
    counts["events"] += _delete(Event, account_events(account))
    counts["milestones"] += _delete(AccountMilestone, AccountMilestone.account_id == account.id)
    counts["plan_steps"] += _delete(AccountStepCompletion,
                                    AccountStepCompletion.account_id == account.id)
    counts["firings"] += _delete_firings(
        ScenarioFiring.workspace_id == workspace.id,
        ScenarioFiring.subject_type == "account", ScenarioFiring.subject_id == account.id)
    for escalation in account_escalations(account):
        if escalation.user_id is None:  # a task about the account itself
            anonymize(escalation)
        else:  # a kept user's escalation: only the account leaves its snapshot
            escalation.context = redact(escalation.context, names)
        counts["escalations_anonymized"] += 1
    digest = subject_digest(workspace, "account", account.external_id)
    for entry in db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.workspace_id == workspace.id, AuditEntry.action.in_(PLAN_ACTIONS),
            AuditEntry.target.startswith(f"{account.external_id}/", autoescape=True))):
        if names_account(entry, account):
            entry.target = digest + entry.target[len(account.external_id):]
    db.session.execute(sa.update(EndUser).where(EndUser.account_id == account.id)
                       .values(account_id=None).execution_options(synchronize_session=False))
    AnalyticsWatermark.lock(workspace.id)  # no rollup pass writes its row again meanwhile
    forget_account(workspace.id, account.id)
    _delete(Account, Account.id == account.id)


def erase_account(workspace: Workspace, account: Account, actor: Actor,
                  users: str = "keep") -> dict[str, Any]:
    """Erase an account; its users are kept (no longer in an account) or, with
    ``users="delete"``, erased with it (one ``user.deleted`` webhook each)."""
    if users not in USERS_CHOICES:
        raise InvalidPayload("users is keep or delete.", fields={"users": ["Not keep or delete."]})
    external_id, counts = account.external_id, {**_new_counts(), "plan_steps": 0}
    members = list(db.session.execute(sa.select(EndUser.id, EndUser.external_id).where(
        EndUser.account_id == account.id).order_by(EndUser.id)))
    names = Names(accounts={external_id})

    def work(now: datetime) -> int:
        if users == "delete":
            _erase_users(workspace, [id for id, _ in members], counts)
            names.users = {member for _, member in members}
        _erase_account_rows(workspace, account, names, counts)
        _scrub_outbox(workspace, names, counts)
        audit.record(workspace.id, actor, "account.delete",
                     subject_digest(workspace, "account", external_id), members=users,
                     **counts)
        return outbox.enqueue(workspace, "account.deleted",
                              _deleted("account", external_id, now, users=users)) + (
            outbox.enqueue_many(workspace, "user.deleted", [
                _deleted("user", member, now) for member in sorted(names.users)]))

    now = _in_one_transaction(work)
    return {"account": external_id, "users_kept": 0 if users == "delete" else len(members),
            "deleted_at": isoformat(now), **counts}

"""Progress rules: completing steps and guide states.

These functions change rows in the caller's transaction and never commit: the
envelope use case (``guide.usecases.envelopes``) owns the transaction. What
they change that the proactive engine reacts to (a step done, a guide
completed) is recorded on the caller's ``Outcome``; the owner hands it to the
engine before its commit, so a step completion, its event row and the
milestone it reaches commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guide.extensions import db
from guide.models import (
    Account,
    AccountStepCompletion,
    EndUser,
    Guide,
    GuideVersion,
    Progress,
)
from guide.models.base import isoformat, utcnow
from guide.services.plan_dates import plan_progress_extras
from guide.services.rows import get_or_create
from guide.services.unit import GuideDone, Outcome, StepDone

# The hot paths' statements are built once, with bind parameters: building a
# select() and its where clause for every request cost about as much as running it.
_ACCOUNT_STEPS = db.select(AccountStepCompletion.guide_id, AccountStepCompletion.step_id).where(
    AccountStepCompletion.account_id == sa.bindparam("account_id"),
    AccountStepCompletion.guide_id.in_(sa.bindparam("guide_ids", expanding=True)),
)
_USER_PROGRESS = db.select(Progress).where(
    Progress.user_id == sa.bindparam("user_id"),
    Progress.guide_id.in_(sa.bindparam("guide_ids", expanding=True)),
)
# FOR UPDATE (PostgreSQL): two tabs completing steps at once take turns, so
# neither overwrites the other's completed_steps.
_PROGRESS_FOR_UPDATE = db.select(Progress).where(
    Progress.user_id == sa.bindparam("user_id"), Progress.guide_id == sa.bindparam("guide_id")
).with_for_update()


def account_steps(account_id: int | None, guide_ids: list[int]) -> dict[int, set[str]]:
    """Account-scoped steps done by anyone in the account, per guide id."""
    done: dict[int, set[str]] = {gid: set() for gid in guide_ids}
    if account_id is None or not guide_ids:
        return done
    rows = db.session.execute(_ACCOUNT_STEPS, {"account_id": account_id, "guide_ids": guide_ids})
    for guide_id, step_id in rows:
        done[guide_id].add(step_id)
    return done


def done_steps(
    version: GuideVersion, progress: Progress | None, account_done: set[str]
) -> list[str]:
    """Steps done, in the guide's order; steps no longer in the guide are ignored."""
    mine = set(progress.completed_steps) if progress else set()
    return [
        step["id"] for step in version.body["steps"]
        if step["id"] in mine or (step.get("scope") == "account" and step["id"] in account_done)
    ]


def progress_view(
    version: GuideVersion, progress: Progress | None, account_done: set[str]
) -> dict[str, Any]:
    """The progress object of docs/PROTOCOL.md."""
    done = done_steps(version, progress, account_done)
    return {
        "state": progress.state if progress else "not_started",
        "step": progress.current_step if progress else None,
        "completed": done,
        "total": len(version.body["steps"]),
        "started_at": isoformat(progress.started_at) if progress else None,
        "completed_at": isoformat(progress.completed_at) if progress else None,
        "updated_at": isoformat(progress.updated_at) if progress else None,
        "snoozed_until": isoformat(progress.snoozed_until) if progress else None,
        "autostart": may_autostart(version.body, progress, utcnow()),
    }


def may_autostart(body: dict[str, Any], progress: Progress | None, now: datetime) -> bool:
    """May this guide start on its own now? Snoozes, dismissals and the repeat rule say no."""
    if progress is None:
        return True
    if progress.snoozed_until is not None and progress.snoozed_until > now:
        return False
    if progress.state not in ("completed", "dismissed"):
        return True
    repeat = body.get("repeat", "once")
    if repeat == "always":
        return True
    if isinstance(repeat, dict):
        shown = progress.shown_count or 0
        last = progress.last_shown_at or progress.updated_at
        due = last + timedelta(days=repeat["every_days"]) <= now
        return due and shown < repeat.get("max", 10**6)
    return False


def progress_map(user: EndUser, pairs: list[tuple[Guide, GuideVersion]]) -> dict[str, Any]:
    """Progress of one user on the given guides, keyed by guide key (at most two queries).

    Rows this transaction already read (``get_or_create_progress``) are used as
    they are: a query would return those same objects unchanged. Account steps
    are read only for guides that have account-scoped steps. Plans are always
    listed, with their due dates and overdue steps for the user's account
    (docs/PROACTIVE.md).
    """
    guide_ids = [guide.id for guide, _ in pairs]
    by_guide = _progress_in_session(user.id, guide_ids)
    missing = [gid for gid in guide_ids if gid not in by_guide]
    if missing:
        by_guide.update((row.guide_id, row) for row in db.session.scalars(
            _USER_PROGRESS, {"user_id": user.id, "guide_ids": missing}
        ))
    account_done = account_steps(
        user.account_id, [guide.id for guide, version in pairs if has_account_steps(version)]
    )
    account = None
    result = {}
    for guide, version in pairs:
        progress = by_guide.get(guide.id)
        shared = account_done.get(guide.id, set())
        plan = guide.kind == "plan" and user.account_id is not None
        if progress is not None or shared or plan:
            view = progress_view(version, progress, shared)
            if plan:
                account = account or db.session.get(Account, user.account_id)
                view.update(plan_progress_extras(account, version, view["completed"], utcnow()))
            result[guide.key] = view
    return result


_SESSION_ROWS = "guide.progress_rows"


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_rows(session: Session, *_: Any) -> None:
    """Rows are held for one transaction only (a long-lived session must not pile them up)."""
    session.info.pop(_SESSION_ROWS, None)


def _progress_in_session(user_id: int, guide_ids: list[int]) -> dict[int, Progress]:
    """The user's progress rows on these guides that this transaction read and still holds.

    A row is held from ``get_or_create_progress`` to the end of the transaction
    (``_forget_rows``), and used only while it is loaded and current.
    """
    held: dict[tuple[int, int], Progress] = db.session.info.get(_SESSION_ROWS, {})
    found = {}
    for guide_id in guide_ids:
        row = held.get((user_id, guide_id))
        if row is not None:
            state = sa.inspect(row)
            if state.persistent and not state.expired_attributes:
                found[guide_id] = row
    return found


def has_account_steps(version: GuideVersion) -> bool:
    return any(step.get("scope") == "account" for step in version.body["steps"])


def get_or_create_progress(user: EndUser, guide: Guide) -> Progress:
    """The user's row for a guide; two tabs creating it at once both end up with one row."""
    progress, _ = get_or_create(_PROGRESS_FOR_UPDATE, lambda: Progress(
        workspace_id=user.workspace_id, user_id=user.id, guide_id=guide.id,
        state="not_started", completed_steps=[], updated_at=utcnow(),
    ), {"user_id": user.id, "guide_id": guide.id})
    # Held for progress_map (the ack's progress) in this same transaction.
    db.session.info.setdefault(_SESSION_ROWS, {})[(user.id, guide.id)] = progress
    return progress


def complete_step(user: EndUser, guide: Guide, version: GuideVersion, step_id: str,
                  out: Outcome) -> bool:
    """Mark one step done for the user (or their account). True if it was not done before."""
    step = version.step(step_id)
    assert step is not None, "callers check the step exists"
    now = utcnow()
    progress = get_or_create_progress(user, guide)
    if step.get("scope") == "account" and user.account_id is not None:
        changed = _complete_for_account(user, guide, step_id, now)
    else:
        changed = step_id not in progress.completed_steps
        if changed:
            progress.completed_steps = [*progress.completed_steps, step_id]
    if changed:
        out.record(StepDone(user, guide.key, step_id, now))
        if progress.state in ("not_started", "snoozed"):
            progress.state = "active"
        progress.started_at = progress.started_at or now
        progress.updated_at = now
        refresh_state(user, guide, version, progress, now, out)
    return changed


def _complete_for_account(user: EndUser, guide: Guide, step_id: str, now: datetime) -> bool:
    """True if this user's completion is the account's first (teammates may race us)."""
    stmt = db.select(AccountStepCompletion).where(
        AccountStepCompletion.account_id == user.account_id,
        AccountStepCompletion.guide_id == guide.id,
        AccountStepCompletion.step_id == step_id,
    )
    _, created = get_or_create(stmt, lambda: AccountStepCompletion(
        account_id=user.account_id, guide_id=guide.id, step_id=step_id, user_id=user.id,
        completed_at=now,
    ))
    return created


def refresh_state(
    user: EndUser, guide: Guide, version: GuideVersion, progress: Progress, now: datetime,
    out: Outcome,
) -> None:
    """Move the current step forward; complete the guide when every step is done."""
    account_done = (account_steps(user.account_id, [guide.id])[guide.id]
                    if has_account_steps(version) else set())
    done = set(done_steps(version, progress, account_done))
    remaining = [sid for sid in version.step_ids if sid not in done]
    progress.current_step = remaining[0] if remaining else None
    if not remaining and progress.state != "completed":
        progress.state = "completed"
        progress.completed_at = now
        progress.updated_at = now
        out.record(GuideDone(user, guide.key, version.body.get("milestone"), now))


def set_state(
    user: EndUser, guide: Guide, version: GuideVersion, state: str, step_id: str | None,
    out: Outcome,
) -> tuple[str, str | None]:
    """Apply a ``guide:state`` envelope; the guide's state and current step before it.

    A completed checklist stays completed (its steps decide); a tour is
    completed by the widget when the user finishes it, and may be shown again
    later under its ``repeat`` rule.
    """
    now = utcnow()
    progress = get_or_create_progress(user, guide)
    before, before_step = progress.state, progress.current_step
    if state == "active" and before != "active":
        progress.shown_count = (progress.shown_count or 0) + 1
        progress.last_shown_at = now
        progress.started_at = progress.started_at or now
    # The widget cannot reopen a completed checklist (its steps decide), but a
    # finished tour may be shown again under its repeat rule.
    reopen = state in ("active", "not_started")
    if not (before == "completed" and reopen and guide.kind == "checklist"):
        progress.state = state
    progress.snoozed_until = (
        now + timedelta(days=version.body.get("snooze_days", 1)) if state == "snoozed" else None
    )
    if step_id is not None:
        progress.current_step = step_id
    progress.updated_at = now
    if state == "completed" and before != "completed":
        progress.completed_at = now
        out.record(GuideDone(user, guide.key, version.body.get("milestone"), now))
    return before, before_step


def tour_steps_passed(version: GuideVersion, before: str, before_step: str | None,
                      state: str, step_id: str | None) -> list[str]:
    """The steps a running tour left behind going forward: from its step before a
    ``guide:state`` (active at ``before_step``) up to the new step, or to the end when
    it is completed. Nothing when it starts, goes back or stays on its step."""
    steps = list(version.step_ids)
    if before != "active" or before_step not in steps:
        return []
    start = steps.index(before_step)
    if state == "completed":
        return steps[start:]
    if state == "active" and step_id in steps and steps.index(step_id) > start:
        return steps[start:steps.index(step_id)]
    return []


def teammates_with_progress(user: EndUser, guide: Guide) -> list[tuple[EndUser, Progress]]:
    """Other users of the account who have started this guide (bounded: accounts are teams)."""
    if user.account_id is None:
        return []
    rows = db.session.execute(
        db.select(EndUser, Progress)
        .join(Progress, Progress.user_id == EndUser.id)
        .where(
            EndUser.account_id == user.account_id,
            EndUser.id != user.id,
            Progress.guide_id == guide.id,
        )
        .limit(1000)
    )
    return [(teammate, progress) for teammate, progress in rows]

"""Success plans (``kind: plan``): per-account views, due dates, vendor-side steps.

Every plan step counts for the whole account (an ``AccountStepCompletion``
row), whoever did it: a customer's user in the widget, or the vendor's team
through the REST API or the admin. Due dates count from the account's start
(``Account.created_at``); a step past due and not done is overdue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guide.errors import NotFound
from guide.extensions import db
from guide.models import (
    Account,
    AccountStepCompletion,
    Author,
    EndUser,
    Event,
    Guide,
    GuideVersion,
    Progress,
    Workspace,
)
from guide.models.base import isoformat, utcnow
from guide.proactive import engine
from guide.services import audit, push
from guide.services import progress as rules
from guide.services.guides import published_guide, published_guides
from guide.services.localize import localize
from guide.services.plan_dates import plan_progress_extras
from guide.services.rows import get_or_create
from guide.services.unit import AccountStepDone, Outcome

# (completion row, external id of the end user who did it, if one did)
Completions = dict[str, tuple[AccountStepCompletion, str | None]]


def plan_view(account: Account, guide: Guide, version: GuideVersion,
              now: datetime) -> dict[str, Any]:
    """One plan as the account stands on it: each step's owner, due date and who did it."""
    return _view(account, guide, version, _completions(account, [guide.id])[guide.id], now)


def account_plans(account: Account, now: datetime) -> list[dict[str, Any]]:
    """Every published plan of the account's workspace, viewed for the account."""
    plans = [(g, v) for g, v in published_guides(account.workspace_id) if g.kind == "plan"]
    done = _completions(account, [guide.id for guide, _ in plans])
    return [_view(account, guide, version, done[guide.id], now) for guide, version in plans]


def _completions(account: Account, guide_ids: list[int]) -> dict[int, Completions]:
    found: dict[int, Completions] = {guide_id: {} for guide_id in guide_ids}
    if not guide_ids:
        return found
    rows = db.session.execute(
        db.select(AccountStepCompletion, EndUser.external_id)
        .outerjoin(EndUser, EndUser.id == AccountStepCompletion.user_id)
        .where(AccountStepCompletion.account_id == account.id,
               AccountStepCompletion.guide_id.in_(guide_ids))
    )
    for row, user_external_id in rows:
        found[row.guide_id][row.step_id] = (row, user_external_id)
    return found


def _view(account: Account, guide: Guide, version: GuideVersion, done: Completions,
          now: datetime) -> dict[str, Any]:
    workspace = db.session.get(Workspace, account.workspace_id)
    locale = workspace.default_locale if workspace else "en"
    extras = plan_progress_extras(account, version, done, now)
    steps = []
    for step in version.body.get("steps", []):
        row, user_id = done.get(step["id"], (None, None))
        steps.append({
            "id": step["id"],
            "title": localize(step.get("title"), locale, locale),
            "owner": step.get("owner", "customer"),
            "assignee": step.get("assignee"),
            "due_at": extras["due"].get(step["id"]),
            "done": row is not None,
            "completed_at": isoformat(row.completed_at) if row else None,
            # The API's "by" for the vendor's team, else the end user who did it.
            "completed_by": (row.completed_by or user_id) if row else None,
            "overdue": step["id"] in extras["overdue"],
        })
    return {
        "key": guide.key,
        "title": localize(version.body.get("title"), locale, locale),
        "version": version.number,
        "steps": steps,
        "total": len(steps),
        "done": sum(step["done"] for step in steps),
        "overdue": len(extras["overdue"]),
    }


def complete_vendor_step(
    workspace: Workspace, account: Account, guide_key: str, step_id: str, by: str,
    done: bool = True, actor: Author | str = "api",
) -> dict[str, Any]:
    """Mark a plan step done (or not done) for the account, by the vendor's team.

    Any step may be marked this way (the widget is the one refused vendor
    steps). ``by`` is kept as the completion's ``completed_by``; ``actor`` is
    who made the change for the audit log (an Author from the admin, "api").
    Commits, then pushes the new progress to the account's connected users.
    Marking a step as it already is changes nothing and records nothing.
    Returns the plan's view.
    """
    found = published_guide(workspace.id, guide_key)
    if found is None or found[0].kind != "plan":
        raise NotFound(f"No published plan {guide_key!r} in this workspace.",
                       code="unknown_guide")
    guide, version = found
    if version.step(step_id) is None:
        raise NotFound(f"Plan {guide_key!r} has no step {step_id!r}.", code="unknown_step")
    now = utcnow()
    changed = _mark(account, guide, step_id, by, now) if done else _unmark(account, guide, step_id)
    if changed:
        out = Outcome()
        _refresh_account(account, guide, version, now, out)
        if done:
            out.record(AccountStepDone(account, guide.key, step_id, now))
        engine.react(out)
        target = f"{account.external_id}/{guide.key}/{step_id}"
        db.session.add(Event(
            workspace_id=workspace.id, user_id=None, type="plan", name=f"{guide.key}/{step_id}",
            props={"account": account.external_id, "by": by, "done": done}, created_at=now))
        audit.record(workspace.id, actor, "plan.step_done" if done else "plan.step_undone",
                     target, by=by)
    db.session.commit()
    if changed:
        push.account_progress(account.id, [(guide, version)])
    return plan_view(account, guide, version, now)


def _mark(account: Account, guide: Guide, step_id: str, by: str, now: datetime) -> bool:
    stmt = db.select(AccountStepCompletion).where(
        AccountStepCompletion.account_id == account.id,
        AccountStepCompletion.guide_id == guide.id, AccountStepCompletion.step_id == step_id)
    _, created = get_or_create(stmt, lambda: AccountStepCompletion(
        account_id=account.id, guide_id=guide.id, step_id=step_id, user_id=None,
        completed_by=by, completed_at=now))
    return created


def _unmark(account: Account, guide: Guide, step_id: str) -> bool:
    deleted = db.session.execute(db.delete(AccountStepCompletion).where(
        AccountStepCompletion.account_id == account.id,
        AccountStepCompletion.guide_id == guide.id, AccountStepCompletion.step_id == step_id))
    return bool(deleted.rowcount)


def _refresh_account(account: Account, guide: Guide, version: GuideVersion,
                     now: datetime, out: Outcome) -> None:
    """Every account user's progress on the plan: completed by the last step, or reopened."""
    rows = db.session.execute(
        db.select(EndUser, Progress).join(Progress, Progress.user_id == EndUser.id)
        .where(EndUser.account_id == account.id, Progress.guide_id == guide.id).limit(1000)
    )
    for user, progress in rows:
        rules.refresh_state(user, guide, version, progress, now, out)
        if progress.current_step is not None and progress.state == "completed":
            # A step was taken back: the plan is not complete any more.
            progress.state, progress.completed_at, progress.updated_at = "active", None, now

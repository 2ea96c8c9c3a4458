"""A user's or an account's lifecycle as the REST API and the admin show it: stage,
milestones reached and the time to value of each (docs/PROACTIVE.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guide.extensions import db
from guide.models import Account, AccountMilestone, EndUser, UserMilestone, Workspace
from guide.models.base import isoformat
from guide.proactive.lifecycle import Lifecycle, lifecycle_of


def user_lifecycle(user: EndUser) -> dict[str, Any]:
    """Stage, milestones and time to value of one user (REST API, admin)."""
    rows = db.session.scalars(db.select(UserMilestone).where(
        UserMilestone.user_id == user.id).order_by(UserMilestone.reached_at))
    workspace = db.session.get(Workspace, user.workspace_id)
    return {**_view(lifecycle_of(workspace) if workspace else None, user, user.first_seen, rows),
            "first_seen": isoformat(user.first_seen)}


def account_lifecycle(account: Account) -> dict[str, Any]:
    """The same for an account, counted from the account's start."""
    workspace = db.session.get(Workspace, account.workspace_id)
    rows = db.session.scalars(db.select(AccountMilestone).where(
        AccountMilestone.account_id == account.id).order_by(AccountMilestone.reached_at))
    return {**_view(lifecycle_of(workspace) if workspace else None, account,
                    account.created_at, rows),
            "started_at": isoformat(account.created_at)}


def _view(life: Lifecycle | None, subject: EndUser | Account, start: datetime,
          rows: Any) -> dict[str, Any]:
    return {
        "stage": subject.lifecycle_stage or (life.first_stage if life else None),
        "stage_entered_at": isoformat(subject.stage_entered_at or start),
        "milestones": [{
            "key": row.key, "title": life.titles.get(row.key) if life else None,
            "reached_at": isoformat(row.reached_at), "source": row.source,
            "time_to_value_seconds": int((row.reached_at - start).total_seconds()),
        } for row in rows],
    }

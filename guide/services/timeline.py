"""One customer's story in time order: guides, steps, events, milestones, escalations."""

from __future__ import annotations

from typing import Any

from guide.errors import NotFound
from guide.extensions import db
from guide.models import (
    EndUser,
    Escalation,
    Event,
    Guide,
    Progress,
    UserMilestone,
    Workspace,
)
from guide.models.base import isoformat
from guide.models.event import OFFER
from guide.schemas.users import AccountContextOut, UserContextOut

MAX_EVENTS = 500
USER, ACCOUNT = UserContextOut(), AccountContextOut()


def user_by_external_id(workspace: Workspace, external_id: str) -> EndUser:
    user = db.session.scalar(db.select(EndUser).where(
        EndUser.workspace_id == workspace.id, EndUser.external_id == external_id))
    if user is None:
        raise NotFound(f"No user {external_id!r} in this workspace.", code="unknown_user")
    return user


def _events(user: EndUser) -> list[dict[str, Any]]:
    rows = db.session.scalars(db.select(Event).where(Event.user_id == user.id, Event.type != OFFER)
                              .order_by(Event.created_at.desc(), Event.id.desc())
                              .limit(MAX_EVENTS))
    return [{"at": isoformat(e.created_at), "kind": "event", "type": e.type, "name": e.name,
             "props": e.props or {}, "url": e.url} for e in rows]


def _guides(user: EndUser) -> list[dict[str, Any]]:
    items = []
    rows = db.session.execute(db.select(Progress, Guide.key).join(
        Guide, Progress.guide_id == Guide.id).where(Progress.user_id == user.id))
    for progress, key in rows:
        if progress.started_at:
            items.append({"at": isoformat(progress.started_at), "kind": "guide_started",
                          "guide": key})
        if progress.completed_at:
            items.append({"at": isoformat(progress.completed_at), "kind": "guide_completed",
                          "guide": key})
    return items


def _escalations(user: EndUser) -> list[dict[str, Any]]:
    items = []
    for esc in db.session.scalars(db.select(Escalation).where(Escalation.user_id == user.id)):
        items.append({"at": isoformat(esc.created_at), "kind": "escalation",
                      "reference": esc.reference, "severity": esc.severity,
                      "status": esc.status, "message": esc.message, "guide": esc.guide_key,
                      "step": esc.step_id, "url": esc.url})
        items += [{"at": change["at"], "kind": "escalation_status", "reference": esc.reference,
                   "status": change["status"], "note": change.get("note")}
                  for change in esc.history]
    return items


def timeline(workspace: Workspace, external_id: str) -> dict[str, Any]:
    """The user, their account and every item, oldest first."""
    user = user_by_external_id(workspace, external_id)
    milestones = [{"at": isoformat(m.reached_at), "kind": "milestone", "milestone": m.key,
                   "source": m.source}
                  for m in db.session.scalars(db.select(UserMilestone).where(
                      UserMilestone.user_id == user.id))]
    items = _events(user) + _guides(user) + milestones + _escalations(user)
    items.sort(key=lambda item: item["at"] or "")
    return {
        "user": USER.dump(user),
        "account": ACCOUNT.dump(user.account) if user.account else None,
        "items": items,
    }

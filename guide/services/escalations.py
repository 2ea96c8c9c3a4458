"""Escalations: recorded with their context and deliveries in one transaction.

``apply_escalate`` runs inside the envelope service's transaction (socket or
HTTP batch); ``change_status`` is the support side (REST and inbox), and also
tells the user through a nudge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy.exc import IntegrityError

from guide.errors import InvalidPayload, NotFound
from guide.extensions import db
from guide.models import Account, EndUser, Escalation, Event, Workspace
from guide.models.base import isoformat, utcnow
from guide.models.escalation import new_reference
from guide.schemas.users import AccountContextOut
from guide.services import nudges, outbox
from guide.services.escalation_context import snapshot
from guide.services.unit import Context, Outcome

SUMMARY_LENGTH = 80


def summary(message: str) -> str:
    """The first line of the message, short enough for a subject line."""
    line = message.strip().splitlines()[0].strip()
    return line if len(line) <= SUMMARY_LENGTH else line[:SUMMARY_LENGTH - 1].rstrip() + "…"


def support_link(workspace: Workspace, escalation: Escalation) -> str | None:
    """The workspace's support URL template with ``{reference}`` and ``{summary}`` filled in."""
    template = workspace.support_url
    if not template:
        return None
    return (template.replace("{reference}", quote(escalation.reference, safe=""))
            .replace("{summary}", quote(summary(escalation.message), safe="")))


def _unique_reference() -> str:
    for _ in range(10):
        reference = new_reference()
        if db.session.scalar(db.select(Escalation.id).where(
                Escalation.reference == reference)) is None:
            return reference
    raise RuntimeError("could not find a free escalation reference")  # 30^6 values: unreachable


def apply_escalate(ctx: Context, env: dict[str, Any], event: Event, out: Outcome) -> None:
    """``help:escalate``: record the escalation and queue its deliveries.

    A guide or step that is not published (a tour taken down or renamed since the
    page loaded) does not refuse the request: the user's message must reach support,
    and the context names the guide as sent, with ``published: false``.
    """
    now = utcnow()
    escalation = Escalation(
        workspace_id=ctx.workspace.id, user_id=ctx.user.id, reference=_unique_reference(),
        message=env["message"].strip(), severity=env["severity"], status="open",
        guide_key=env["guide"], step_id=env["step"], article_key=env["article"], url=env["url"],
        context=snapshot(ctx.workspace, ctx.user, env, ctx.user_agent), history=[], created_at=now,
        updated_at=now,
    )
    db.session.add(escalation)
    db.session.flush()
    queued = outbox.enqueue(ctx.workspace, "escalation.created",
                            {"escalation": view(ctx.workspace, escalation)})
    event.name, event.url = "help:escalate", env["url"]
    event.props = {"reference": escalation.reference, "severity": escalation.severity,
                   "guide": env["guide"], "step": env["step"]}
    out.extra.update(reference=escalation.reference, status=escalation.status,
                     support_url=support_link(ctx.workspace, escalation))
    if queued:
        out.after_commit.append(outbox.wake_up.set)


def open_task(workspace: Workspace, user: EndUser | None, account: Account | None,
              message: str, scenario_key: str, details: dict[str, Any], now: datetime) -> bool:
    """A proactive task in the support inbox, opened by a scenario (in the caller's
    transaction); True if webhooks or emails were queued for it."""
    if user is not None:
        context = snapshot(workspace, user, {"guide": details.get("details", {}).get("guide"),
                                             "step": details.get("details", {}).get("step")})
    else:
        context = {"account": AccountContextOut().dump(account) if account else None}
    context["scenario"] = details
    details_of = details.get("details") or {}
    escalation = Escalation(
        workspace_id=workspace.id, user_id=user.id if user else None,
        reference=_unique_reference(), message=message, severity="question", status="open",
        origin="scenario", scenario_key=scenario_key, guide_key=details_of.get("guide"),
        step_id=details_of.get("step"), context=context, history=[], created_at=now,
        updated_at=now)
    db.session.add(escalation)
    db.session.flush()
    return bool(outbox.enqueue(workspace, "escalation.created",
                               {"escalation": view(workspace, escalation)}))


def view(workspace: Workspace, escalation: Escalation, *, context: bool = True) -> dict[str, Any]:
    """An escalation as the REST API, webhooks and emails show it."""
    user = db.session.get(EndUser, escalation.user_id) if escalation.user_id else None
    result: dict[str, Any] = {
        "reference": escalation.reference,
        "status": escalation.status,
        "severity": escalation.severity,
        "origin": escalation.origin,
        "scenario": escalation.scenario_key,
        "message": escalation.message,
        "summary": summary(escalation.message),
        "user": {"id": user.external_id} if user else None,
        "account": (escalation.context.get("account") or {}).get("id"),
        "guide": escalation.guide_key,
        "step": escalation.step_id,
        "article": escalation.article_key,
        "url": escalation.url,
        "history": escalation.history,
        "created_at": isoformat(escalation.created_at),
        "updated_at": isoformat(escalation.updated_at),
        "links": _links(workspace, escalation),
    }
    if context:
        result["context"] = escalation.context
    return result


def _links(workspace: Workspace, escalation: Escalation) -> dict[str, str]:
    links = {}
    base = current_app.config.get("GUIDE_PUBLIC_URL")
    if base:
        links["inbox"] = f"{base.rstrip('/')}/support/escalations/{escalation.reference}"
    support = support_link(workspace, escalation)
    if support:
        links["support"] = support
    return links


def get(workspace: Workspace, reference: str) -> Escalation:
    escalation = db.session.scalar(db.select(Escalation).where(
        Escalation.workspace_id == workspace.id, Escalation.reference == reference.upper()))
    if escalation is None:
        raise NotFound(f"No escalation {reference!r} in this workspace.",
                       code="unknown_escalation")
    return escalation


def listing(workspace: Workspace, status: str | None, limit: int = 100,
            origin: str | None = None) -> list[Escalation]:
    """Newest first; ``origin`` "user" or "scenario" keeps only those."""
    query = db.select(Escalation).where(*_of(workspace, origin))
    if status:
        query = query.where(Escalation.status == status)
    return list(db.session.scalars(query.order_by(Escalation.created_at.desc(),
                                                  Escalation.id.desc()).limit(limit)))


def status_counts(workspace: Workspace, origin: str | None = None) -> dict[str, int]:
    return dict(db.session.execute(
        db.select(Escalation.status, db.func.count()).where(*_of(workspace, origin))
        .group_by(Escalation.status)).all())


def _of(workspace: Workspace, origin: str | None) -> list[Any]:
    where = [Escalation.workspace_id == workspace.id]
    return [*where, Escalation.origin == origin] if origin else where


def change_status(workspace: Workspace, reference: str, status: str, note: str | None,
                  by: str = "support") -> Escalation:
    """Acknowledge or resolve; queues ``escalation.updated`` and a nudge, then commits."""
    if status not in ("acknowledged", "resolved"):
        raise InvalidPayload("status must be acknowledged or resolved.",
                             fields={"status": ["Must be acknowledged or resolved."]})
    escalation = get(workspace, reference)
    previous = escalation.status
    if previous == status and not note:
        return escalation
    now = utcnow()
    escalation.status, escalation.updated_at = status, now
    escalation.history = [*escalation.history, {"from": previous, "status": status,
                                                "note": note, "by": by, "at": isoformat(now)}]
    queued = outbox.enqueue(workspace, "escalation.updated", {
        "escalation": view(workspace, escalation),
        "change": {"from": previous, "to": status, "note": note},
    })
    nudge = nudges.queue(escalation, note)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise
    if queued:
        outbox.wake_up.set()
    if nudge is not None:
        nudges.send(nudge)
    return escalation

"""Nudges: short messages pushed to a user's widget (``nudge`` on the socket).

A nudge is stored first, then emitted to the user's room. If one of the
user's connections is on this process, it is marked delivered at once;
otherwise it waits and is sent when the user next connects (``deliver_pending``).
With several processes (a Redis message queue) a user online elsewhere may
get the same nudge again on their next connect: the widget drops repeats by ``id``.
"""

from __future__ import annotations

from typing import Any

from guide.extensions import db, socketio
from guide.models import EndUser, Escalation, Nudge
from guide.models.base import utcnow
from guide.services.localize import localize

NAMESPACE = "/widget"
MAX_PENDING = 20
# What the user sees when support gives no note.
STATUS_TEXT = {
    "acknowledged": {"en": "Support is looking into your request {reference}.",
                     "fr": "Le support examine votre demande {reference}.",
                     "de": "Der Support kümmert sich um Ihre Anfrage {reference}.",
                     "es": "Soporte está revisando su solicitud {reference}."},
    "resolved": {"en": "Your request {reference} has been resolved.",
                 "fr": "Votre demande {reference} a été résolue.",
                 "de": "Ihre Anfrage {reference} wurde gelöst.",
                 "es": "Su solicitud {reference} se ha resuelto."},
}


def queue(escalation: Escalation, note: str | None) -> Nudge | None:
    """Store the nudge for a status change (in the caller's transaction)."""
    user = db.session.get(EndUser, escalation.user_id) if escalation.user_id else None
    if user is None:
        return None
    text = note or (localize(STATUS_TEXT.get(escalation.status), user.locale, "en") or "")
    nudge = Nudge(workspace_id=escalation.workspace_id, user_id=user.id,
                  escalation_id=escalation.id, created_at=utcnow(), payload={
                      "message": text.replace("{reference}", escalation.reference),
                      "reference": escalation.reference, "status": escalation.status})
    db.session.add(nudge)
    return nudge


def _payload(nudge: Nudge) -> dict[str, Any]:
    return {"id": nudge.id, **nudge.payload}


def _online_here(user_id: int) -> bool:
    """Is a connection of this user held by this process?"""
    manager = socketio.server.manager if socketio.server else None
    if manager is None:
        return False
    return any(True for _ in manager.get_participants(NAMESPACE, f"user:{user_id}"))


def send(nudge: Nudge) -> None:
    """After commit: emit to the user's room; delivered if they are connected here."""
    send_many([(nudge.id, nudge.user_id, nudge.payload)])


def send_many(items: list[tuple[int, int, dict[str, Any]]]) -> None:
    """After commit: emit each ``(nudge id, user id, payload)`` to its user's room.

    Nudges to users connected to this process are marked delivered; the others
    wait for the user's next connect (another process may have delivered them:
    the widget drops repeats by id).
    """
    here = []
    for nudge_id, user_id, payload in items:
        socketio.emit("nudge", {"id": nudge_id, **payload}, to=f"user:{user_id}",
                      namespace=NAMESPACE)
        if _online_here(user_id):
            here.append(nudge_id)
    if here:
        db.session.execute(db.update(Nudge).where(Nudge.id.in_(here))
                           .values(delivered_at=utcnow()))
        db.session.commit()


def take_pending(user: EndUser) -> list[dict[str, Any]]:
    """The user's waiting nudges, oldest first, marked delivered and committed.

    Called on connect, and by the HTTP batch endpoint for a widget that has no
    socket (a page whose CSP refuses WebSockets) and asked for them.
    """
    pending = list(db.session.scalars(
        db.select(Nudge).where(Nudge.user_id == user.id, Nudge.delivered_at.is_(None))
        .order_by(Nudge.id).limit(MAX_PENDING)))
    now = utcnow()
    for nudge in pending:
        nudge.delivered_at = now
    if pending:
        db.session.commit()
    return [_payload(nudge) for nudge in pending]


def deliver_pending(user: EndUser, sid: str) -> int:
    """On connect: send the user's waiting nudges to this connection, oldest first."""
    payloads = take_pending(user)
    for payload in payloads:
        socketio.emit("nudge", payload, to=sid, namespace=NAMESPACE)
    return len(payloads)

"""What the support inbox (``/support/``) shows: the reads behind its pages.

Escalations and timelines are end users' personal data, so the inbox is open
to the roles ``role_allows(role, "support")`` accepts (``support`` and
``admin``), per workspace; these functions take the workspace the route's
policy already checked, or the author whose workspaces to look in.
"""

from __future__ import annotations

from typing import Any

from guide.errors import NotFound
from guide.extensions import db
from guide.models import Author, Escalation, OutboxMessage, WebhookEndpoint, Workspace
from guide.models.author import role_allows
from guide.services import escalations
from guide.services.authors import role_of, workspaces_of
from guide.services.outbox import endpoint_health

STATUSES = ("open", "acknowledged", "resolved")
# The inbox's origin filter: everything, what users asked, what scenarios opened.
ORIGINS = {"all": "All", "user": "Asked by users", "scenario": "Proactive"}


def inbox_workspaces(author: Author) -> list[Workspace]:
    """The workspaces whose inbox ``author`` may open, by name."""
    return [workspace for workspace, role in workspaces_of(author)
            if role_allows(role, "support")]


def workspace_of_reference(author: Author, reference: str) -> Workspace:
    """The workspace of escalation ``reference`` (a link in a webhook or an email names
    no workspace), if ``author`` may see it there; ``NotFound`` otherwise, so a
    reference in someone else's workspace looks like none at all."""
    escalation = db.session.scalar(db.select(Escalation).where(
        Escalation.reference == reference.upper()))
    workspace = db.session.get(Workspace, escalation.workspace_id) if escalation else None
    if workspace is None or not role_allows(role_of(author, workspace), "support"):
        raise NotFound(f"No escalation {reference!r} in your workspaces.",
                       code="unknown_escalation")
    return workspace


def _endpoints(workspace: Workspace) -> list[WebhookEndpoint]:
    return list(db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id).order_by(WebhookEndpoint.id)))


def inbox(workspace: Workspace, status: str, origin: str) -> dict[str, Any]:
    """The list page: escalations with ``status`` (``open`` when not one of ``STATUSES``)
    and ``origin`` (``all`` when not one of ``ORIGINS``), counts per status, and the
    webhook endpoints that are disabled (a banner)."""
    status = status if status in STATUSES else "open"
    origin = origin if origin in ORIGINS else "all"
    only = None if origin == "all" else origin
    rows = [escalations.view(workspace, e, context=True)
            for e in escalations.listing(workspace, status, origin=only)]
    disabled = [e for e in _endpoints(workspace) if e.disabled_at is not None and e.configured]
    return {"status": status, "origin": origin, "rows": rows, "disabled": disabled,
            "counts": escalations.status_counts(workspace, only)}


def escalation(workspace: Workspace, reference: str) -> dict[str, Any]:
    """One escalation with its context (``NotFound`` when not in ``workspace``)."""
    return escalations.view(workspace, escalations.get(workspace, reference))


def webhook_health(workspace: Workspace) -> dict[str, Any]:
    """Each endpoint with its health, and the number of deliveries per status."""
    stats = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count())
        .where(OutboxMessage.workspace_id == workspace.id)
        .group_by(OutboxMessage.status)).all())
    return {"endpoints": [(e, endpoint_health(e)) for e in _endpoints(workspace)],
            "stats": stats}

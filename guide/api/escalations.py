"""Support side (secret API key): escalations and one user's timeline."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas.escalations import (
    EscalationList,
    EscalationOut,
    EscalationPatch,
    EscalationQuery,
    Timeline,
)
from guide.services import escalations
from guide.services.timeline import timeline

blp = Blueprint("escalations", __name__, url_prefix="/api/v1",
                description="Escalations and user timelines (server-side; secret API key).")


@blp.before_request
def _authenticate() -> None:
    # Before the body is read: a caller without the key learns nothing (a PATCH's body
    # was validated first, and a bad one answered 400 to anyone).
    g.workspace = workspace_from_api_key()


@blp.route("/escalations")
class Escalations(MethodView):
    @blp.arguments(EscalationQuery, location="query")
    @blp.response(200, EscalationList)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Newest first; filter with ``status=open|acknowledged|resolved``."""
        workspace = g.workspace
        rows = escalations.listing(workspace, query["status"], query["limit"])
        return {"escalations": [escalations.view(workspace, e) for e in rows]}


@blp.route("/escalations/<string:reference>")
class EscalationItem(MethodView):
    @blp.response(200, EscalationOut)
    def get(self, reference: str) -> dict[str, Any]:
        """One escalation with its context snapshot."""
        workspace = g.workspace
        return escalations.view(workspace, escalations.get(workspace, reference))

    @blp.arguments(EscalationPatch)
    @blp.response(200, EscalationOut)
    def patch(self, payload: dict[str, Any], reference: str) -> dict[str, Any]:
        """Acknowledge or resolve; sends ``escalation.updated`` and nudges the user."""
        workspace = g.workspace
        escalation = escalations.change_status(workspace, reference, payload["status"],
                                               payload["note"], by="api")
        return escalations.view(workspace, escalation)


@blp.route("/users/<string:external_id>/timeline")
class UserTimeline(MethodView):
    @blp.response(200, Timeline)
    def get(self, external_id: str) -> dict[str, Any]:
        """Guides, steps, events, milestones and escalations of one user, oldest first."""
        return timeline(g.workspace, external_id)

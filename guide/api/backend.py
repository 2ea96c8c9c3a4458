"""Backend events (secret API key): track, identify, group, and Segment-style batches.

Guide's own shape or Segment's (docs/API.md); the key also comes as HTTP
Basic, the way Segment sends a write key.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas import backend as schemas
from guide.usecases import backend

blp = Blueprint("backend", __name__, url_prefix="/api/v1",
                description="Events and traits from your backend or Segment (secret API key).")


@blp.before_request
def _authenticate() -> None:
    # Before the body is read: a caller without the key learns nothing about it.
    g.workspace = workspace_from_api_key(basic=True)


@blp.route("/track")
class Track(MethodView):
    @blp.arguments(schemas.TrackCall)
    @blp.response(200, schemas.TrackResult)
    def post(self, call: dict[str, Any]) -> dict[str, Any]:
        """Record an event for a user: steps complete and milestones advance as in the widget.

        The same ``id`` (Segment's ``messageId``) again is a ``duplicate`` and writes nothing.
        """
        return backend.track(g.workspace, call)


@blp.route("/identify")
class Identify(MethodView):
    @blp.arguments(schemas.IdentifyCall)
    @blp.response(200, schemas.IdentifyResult)
    def post(self, call: dict[str, Any]) -> dict[str, Any]:
        """Create or update a user, merging traits (and their account's, with ``account_id``)."""
        return backend.identify(g.workspace, call)


@blp.route("/group")
class Group(MethodView):
    @blp.arguments(schemas.GroupCall)
    @blp.response(200, schemas.IdentifyResult)
    def post(self, call: dict[str, Any]) -> dict[str, Any]:
        """Put a user in an account, merging the account's traits."""
        return backend.group(g.workspace, call)


@blp.route("/batch")
class Batch(MethodView):
    @blp.arguments(schemas.BatchRequest)
    @blp.response(200, schemas.BatchResult)
    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Up to 100 track/identify/group calls (each with a ``type``); one result per call."""
        return {"results": backend.batch(g.workspace, payload["batch"])}

"""Server-side REST authentication: ``Authorization: Bearer gsk_<workspace>.<secret>``.

These keys belong on a customer's backend, never in a browser; the widget
endpoints use identity and socket tokens instead.
"""

from __future__ import annotations

from flask import request

from guide.errors import Unauthorized
from guide.extensions import db
from guide.models import Workspace
from guide.models.workspace import workspace_key_of


def workspace_from_api_key() -> Workspace:
    """The workspace whose secret API key authenticates this request, or 401."""
    header = request.headers.get("Authorization", "")
    api_key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    workspace_key = workspace_key_of(api_key)
    workspace = (
        db.session.scalar(db.select(Workspace).where(Workspace.key == workspace_key))
        if workspace_key else None
    )
    if workspace is None or not workspace.has_api_key(api_key):
        raise Unauthorized(
            "A valid secret API key is required: Authorization: Bearer gsk_... "
            "(create one with `flask guide workspace api-key <app key>`).",
            code="api_key_invalid",
        )
    return workspace

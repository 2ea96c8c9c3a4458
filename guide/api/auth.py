"""Server-side REST authentication: ``Authorization: Bearer gsk_<workspace>.<secret>``.

These keys belong on a customer's backend, never in a browser; the widget
endpoints use identity and socket tokens instead. The backend event
endpoints also take HTTP Basic with the key as the user name (what Segment
and its forwarders send for a write key).
"""

from __future__ import annotations

import base64
import binascii

from flask import request

from guide.errors import Unauthorized
from guide.models import Workspace
from guide.models.workspace import workspace_key_of
from guide.services import workspaces


def workspace_from_api_key(*, basic: bool = False) -> Workspace:
    """The workspace whose secret API key authenticates this request, or 401.

    ``basic``: also accept ``Authorization: Basic base64(<key>:)``.
    """
    header = request.headers.get("Authorization", "")
    api_key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if basic and header.lower().startswith("basic "):
        api_key = _basic_user(header[6:].strip())
    workspace_key = workspace_key_of(api_key)
    workspace = workspaces.by_key(workspace_key) if workspace_key else None
    if workspace is None or not workspace.has_api_key(api_key):
        raise Unauthorized(
            "A valid secret API key is required: Authorization: Bearer gsk_... "
            "(create one with `flask guide workspace api-key <app key>`).",
            code="api_key_invalid",
        )
    return workspace


def _basic_user(credentials: str) -> str:
    """The user name of Basic credentials (the password is empty, or the key itself)."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
    user, _, password = decoded.partition(":")
    return user or password

"""The OpenAPI document's error responses: every one is Guide's error body.

flask-smorest documents a body or query it validates with a 422 and its own error
schema; Guide answers ``400 invalid_payload`` with ``{"error": {...}}``
(guide/errors.py). ``GuideParser.DEFAULT_VALIDATION_STATUS`` makes the documented
status 400, ``ErrorSchema`` is the schema of every error response, and
``ErrorResponses`` adds the errors every operation can answer: 401 (each needs an
API key or a token) and 404 when the path names something.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api

from guide.schemas.errors import ErrorSchema


class ErrorResponses(BasePlugin):
    """apispec plugin: documents 401 on every operation, 404 on paths with parameters."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **_: Any) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", "UNAUTHORIZED")
            if path and "{" in path:
                responses.setdefault("404", "NOT_FOUND")


def init_app(app: Any, api: Api) -> None:
    """Bind flask-smorest to the app with Guide's error schema and responses."""
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})

"""The OpenAPI document's error responses: every one is Guide's error body.

flask-smorest documents a body or query it validates with a 422 and its own error
schema; Guide answers ``400 invalid_payload`` with ``{"error": {...}}``
(guide/errors.py). ``GuideParser.DEFAULT_VALIDATION_STATUS`` makes the documented
status 400, ``ErrorSchema`` is the schema of every error response, and
``ErrorResponses`` adds the errors every operation can answer: 401 (each needs an
API key or a token) and 404 when the path names something.

``Security`` says which credentials each operation takes (``SCHEMES``, guide/api/auth.py):
the secret key as a bearer token everywhere but the widget's paths, also as HTTP
Basic on the backend events; the widget's help articles take the socket token;
bootstrap and the event batch carry the user's identity in their body (no scheme).
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


SCHEMES: dict[str, dict[str, str]] = {
    "secretKey": {"type": "http", "scheme": "bearer", "bearerFormat": "gsk_<workspace>.<secret>",
                  "description": "A workspace's secret API key (`flask guide workspace api-key "
                                 "<app key>`): `Authorization: Bearer gsk_...`. For your "
                                 "backend only, never a browser."},
    "secretKeyBasic": {"type": "http", "scheme": "basic",
                       "description": "The secret API key as the HTTP Basic user name, the "
                                      "password empty (how Segment sends a write key)."},
    "socketToken": {"type": "http", "scheme": "bearer",
                    "description": "The socket token bootstrap gave the widget."},
}
# By the operation's tag (its blueprint's name): the schemes it takes, any one of them.
# Untagged here and not the widget's: the secret key.
_BY_TAG: dict[str, list[dict[str, list[str]]]] = {
    "widget": [], "widget_help": [{"socketToken": []}],
    "backend": [{"secretKey": []}, {"secretKeyBasic": []}]}
_SECRET = [{"secretKey": []}]


class Security(BasePlugin):
    """apispec plugin: each operation's ``security`` (see the module's docstring)."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **_: Any) -> None:
        for operation in (operations or {}).values():
            tags = operation.get("tags") or []
            security = next((_BY_TAG[tag] for tag in tags if tag in _BY_TAG), _SECRET)
            if security:
                operation.setdefault("security", security)


def init_app(app: Any, api: Api) -> None:
    """Bind flask-smorest to the app with Guide's error schema, responses and security."""
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses(), Security()]})
    for name, scheme in SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)

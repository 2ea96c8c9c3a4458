"""One error shape everywhere: ``{"error": {"code", "message", "fields"?}}``.

Services raise ``GuideError`` subclasses; HTTP handlers turn them into JSON
responses and socket handlers into negative acknowledgements, so a client sees
the same code and message whichever path it used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from guide.wording import N_

# Werkzeug status codes -> our stable error codes.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_payload",
    429: "rate_limited",
    500: "internal_error",
}


class GuideError(Exception):
    """A failure a client can act on. ``status`` is the HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields

    def to_dict(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.fields)


class InvalidPayload(GuideError):
    status, code = 400, "invalid_payload"


class NotFound(GuideError):
    status, code = 404, "not_found"


class Unauthorized(GuideError):
    status, code = 401, "unauthorized"


class Forbidden(GuideError):
    status, code = 403, "forbidden"


class Conflict(GuideError):
    status, code = 409, "conflict"


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    return jsonify(error_body(code, message, fields)), status


def invalid_payload(err: ValidationError) -> InvalidPayload:
    fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return InvalidPayload(N_("The request body is invalid; see fields."), fields=fields)


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/widget/", "/socket.io"))


# Under these path prefixes, an HTTP error no blueprint handled (a URL no route matches)
# is rendered by the area's own error page: ``register_error_page``.
_ERROR_PAGES = "guide.error_pages"


def register_error_page(app: Flask, prefix: str,
                        render: Callable[[HTTPException], Any]) -> None:
    """``render`` answers the HTTP errors of URLs under ``prefix`` that no route of it
    matched (e.g. ``/admin/nosuch``), instead of Werkzeug's bare page."""
    app.extensions.setdefault(_ERROR_PAGES, {})[prefix] = render


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> tuple[Response, int] | None:
        # PostgreSQL refuses NUL in text: a NUL in a path or query reached a query as a 500.
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            return error_response(400, "invalid_payload",
                                  "Paths and query strings must not contain NUL characters.")
        return None

    @app.errorhandler(GuideError)
    def _guide_error(err: GuideError) -> tuple[Response, int]:
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(ValidationError)
    def _validation_error(err: ValidationError) -> tuple[Response, int]:
        return _guide_error(invalid_payload(err))

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Any:
        if not _wants_json():
            for prefix, render in app.extensions.get(_ERROR_PAGES, {}).items():
                if request.path.startswith(prefix):
                    return render(err)
            return err
        status = err.code or 500
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:  # webargs / flask-smorest argument validation
            fields = messages.get("json", messages) if isinstance(messages, dict) else messages
            return error_response(
                400, "invalid_payload", "The request body is invalid; see fields.", fields
            )
        if status == 413:
            limit = app.config["MAX_CONTENT_LENGTH"]
            message = f"Request bodies are limited to {limit} bytes."
            return error_response(413, "payload_too_large", message)
        return error_response(status, HTTP_CODES.get(status, "error"), err.description or err.name)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Any:
        if isinstance(err, HTTPException):
            return _http_error(err)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if not _wants_json():
            return "Internal server error", 500
        message = "Something went wrong on the server; it was logged."
        return error_response(500, "internal_error", message)

"""Widget help endpoints: ``GET /api/v1/widget/help`` and ``/api/v1/widget/help/<key>``.

Authenticated by the socket token from bootstrap (``Authorization: Bearer``),
with the same per-workspace origin checks as the other widget endpoints.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from guide import ratelimit
from guide.api import cors
from guide.api.parsing import Blueprint
from guide.errors import Unauthorized
from guide.schemas.help_api import HelpArticleOut, HelpList, HelpQuery
from guide.services import help as help_service
from guide.services.sessions import socket_context
from guide.services.unit import Context
from guide.web import caller

blp = Blueprint("widget_help", __name__, url_prefix="/api/v1/widget/help",
                description="Help articles for the widget (socket token; docs/PROTOCOL.md).")
cors.install(blp, "GET")


def _context() -> Context:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthorized("Send the socket token: Authorization: Bearer <token>.",
                           code="socket_token_missing")
    browser = caller()
    ctx = socket_context(header[7:].strip(), browser)
    cors.allow(browser.origin)
    return ctx


@blp.route("")
class Articles(MethodView):
    decorators = [ratelimit.token_limit]

    @blp.arguments(HelpQuery, location="query")
    @blp.response(200, HelpList)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Articles for the user's page, guide and step (no ``q``), or search results."""
        ctx = _context()
        return {"articles": help_service.find_articles(
            ctx.workspace, ctx.user, query["q"], query["url"], query["guide"], query["step"])}


@blp.route("/<string:key>")
class Article(MethodView):
    decorators = [ratelimit.token_limit]

    @blp.response(200, HelpArticleOut)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def get(self, key: str) -> dict[str, Any]:
        """One article, its Markdown rendered to sanitized HTML."""
        ctx = _context()
        return help_service.article_view(ctx.workspace, ctx.user, key)

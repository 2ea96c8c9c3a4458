"""Widget endpoints: bootstrap, and envelope batches for the offline queue and beacons."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from guide import ratelimit
from guide.api import cors
from guide.api.parsing import Blueprint, GuideParser
from guide.schemas.widget import BatchIn, BootstrapIn
from guide.schemas.widget_out import BootstrapOut, EventsOut
from guide.services import nudges
from guide.services.sessions import socket_context
from guide.usecases import bootstrap as bootstrap_service
from guide.usecases import envelopes
from guide.web import caller


class BeaconParser(GuideParser):
    """Also reads JSON sent as ``text/plain``: ``navigator.sendBeacon`` sends it that way,
    the one body type that needs no CORS preflight. The token inside still authenticates."""

    def _raw_load_json(self, req: Any) -> Any:
        if req.mimetype == "text/plain":
            return self._parse(req)
        return super()._raw_load_json(req)


blp = Blueprint(
    "widget", __name__, url_prefix="/api/v1/widget",
    description="Called by the embedded widget (see docs/PROTOCOL.md).",
)
blp.ARGUMENTS_PARSER = BeaconParser()
cors.install(blp, "POST")

# Schema instances, not classes: webargs would build a new schema (and its nested
# ones) for every request. The schemas keep no state between loads.
BOOTSTRAP_IN = BootstrapIn()
BATCH_IN = BatchIn()


@blp.route("/bootstrap")
class Bootstrap(MethodView):
    @ratelimit.bootstrap_limit
    @blp.arguments(BOOTSTRAP_IN)
    @blp.alt_response(200, schema=BootstrapOut, success=True)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Identify the user; return guides, progress, theme and a socket token."""
        browser = caller()
        result = bootstrap_service.bootstrap(payload, browser)
        cors.allow(browser.origin)
        return result


@blp.route("/events")
class Events(MethodView):
    @ratelimit.token_limit
    @blp.arguments(BATCH_IN)
    @blp.alt_response(200, schema=EventsOut, success=True)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Record a batch of envelopes; one result per envelope, in order.

        With ``"nudges": true`` the answer also carries the user's waiting nudges
        (a widget without a socket); a beacon never asks, since nobody reads its answer.
        """
        browser = caller()
        ctx = socket_context(_bearer() or payload["token"], browser)
        cors.allow(browser.origin)
        # Each envelope counts against the user's budget, as it would on the socket.
        results = [
            ratelimit.envelope_refusal(ctx.workspace.id, ctx.user.id, item["type"])
            or envelopes.handle(ctx, item["type"], item["data"])
            for item in payload["envelopes"]
        ]
        if payload["nudges"]:
            return {"results": results, "nudges": nudges.take_pending(ctx.user)}
        return {"results": results}


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None

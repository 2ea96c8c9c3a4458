"""Inbox pages. Thin: read with the services the REST API uses, render a template."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from guide.errors import GuideError
from guide.extensions import db
from guide.models import OutboxMessage, WebhookEndpoint, Workspace
from guide.services import escalations
from guide.services.outbox import endpoint_health
from guide.services.timeline import timeline
from guide.support import auth

bp = Blueprint("support", __name__, url_prefix="/support", template_folder="templates",
               static_folder="static")
STATUSES = ("open", "acknowledged", "resolved")
# The inbox's origin filter: everything, what users asked, what scenarios opened.
ORIGINS = {"all": "All", "user": "Asked by users", "scenario": "Proactive"}


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"csrf_token": auth.csrf_token}


def _workspace() -> Workspace:
    workspace = auth.signed_in_workspace()
    if workspace is None:
        abort(redirect(url_for("support.signin", next=request.full_path)))
    if request.method == "POST" and not auth.csrf_ok():
        abort(400, "The form expired or did not come from this inbox (CSRF check); reload it.")
    return workspace


def _endpoints(workspace: Workspace) -> list[WebhookEndpoint]:
    return list(db.session.scalars(db.select(WebhookEndpoint).where(
        WebhookEndpoint.workspace_id == workspace.id).order_by(WebhookEndpoint.id)))


@bp.get("/")
def index() -> Response:
    return redirect(url_for("support.inbox"))


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    error, status, headers = None, 200, {}
    if request.method == "POST":
        if not auth.csrf_ok():
            error, status = "The form expired; please try again.", 401
        else:
            api_key = request.form.get("api_key", "")
            workspace, wait = auth.check_throttled(api_key, request.remote_addr)
            if workspace is not None:
                auth.sign_in(workspace, api_key)
                target = request.args.get("next", "")
                safe = target.startswith("/support/") and not target.startswith("//")
                return redirect(target if safe else url_for("support.inbox"))
            if wait:
                error, status = f"Too many failed sign-ins: try again in {wait} s.", 429
                headers = {"Retry-After": str(wait)}
            else:
                error, status = "That is not a valid secret API key (gsk_...).", 401
    return render_template("support/signin.html", error=error), status, headers


@bp.post("/signout")
def signout() -> Response:
    _workspace()
    auth.sign_out()
    return redirect(url_for("support.signin"))


@bp.get("/escalations")
def inbox() -> str:
    workspace = _workspace()
    status = request.args.get("status", "open")
    if status not in STATUSES:
        status = "open"
    origin = request.args.get("origin", "all")
    if origin not in ORIGINS:
        origin = "all"
    only = None if origin == "all" else origin
    counts = escalations.status_counts(workspace, only)
    rows = [escalations.view(workspace, e, context=True)
            for e in escalations.listing(workspace, status, origin=only)]
    disabled = [e for e in _endpoints(workspace) if e.disabled_at is not None and e.configured]
    return render_template("support/inbox.html", workspace=workspace, status=status,
                           statuses=STATUSES, counts=counts, rows=rows, disabled=disabled,
                           origin=origin, origins=ORIGINS)


@bp.get("/escalations/<reference>")
def escalation(reference: str) -> str:
    workspace = _workspace()
    try:
        item = escalations.view(workspace, escalations.get(workspace, reference))
    except GuideError:
        abort(404)
    return render_template("support/escalation.html", workspace=workspace, e=item,
                           c=item["context"])


@bp.post("/escalations/<reference>/status")
def change_status(reference: str) -> Response:
    workspace = _workspace()
    note = request.form.get("note", "").strip() or None
    try:
        escalations.change_status(workspace, reference, request.form.get("status", ""), note,
                                  by="inbox")
    except GuideError as error:
        abort(400 if error.status == 400 else 404, error.message)
    return redirect(url_for("support.escalation", reference=reference))


@bp.get("/users/<path:external_id>")
def user(external_id: str) -> str:
    workspace = _workspace()
    try:
        story = timeline(workspace, external_id)
    except GuideError:
        abort(404)
    return render_template("support/timeline.html", workspace=workspace, story=story)


@bp.get("/webhooks")
def webhooks() -> str:
    workspace = _workspace()
    endpoints = _endpoints(workspace)
    stats = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count())
        .where(OutboxMessage.workspace_id == workspace.id)
        .group_by(OutboxMessage.status)).all())
    return render_template("support/webhooks.html", workspace=workspace,
                           endpoints=[(e, endpoint_health(e)) for e in endpoints], stats=stats)

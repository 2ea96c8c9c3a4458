"""Inbox pages. Thin: read with ``services.support_inbox``, render a template.

Every route declares its policy (``guide.access``): the workspace's pages need
the ``support`` level (roles ``support`` and ``admin``); the entry page and the
workspace-less escalation links of webhooks and emails need a sign-in only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from guide import access, i18n
from guide.access import policy
from guide.errors import GuideError
from guide.services import escalations, support_inbox
from guide.services.firing_text import why_lines
from guide.services.support_inbox import ORIGINS, STATUSES
from guide.services.timeline import timeline

bp = Blueprint("support", __name__, url_prefix="/support", template_folder="templates",
               static_folder="static")
access.protect(bp)


@bp.url_defaults
def _workspace_in_urls(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for`` in a workspace's pages stays in that workspace unless told otherwise."""
    workspace = g.get("workspace")
    if (workspace is not None and "workspace" not in values
            and current_app.url_map.is_endpoint_expecting(endpoint, "workspace")):
        values["workspace"] = workspace.key


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"can": access.can, "workspace": g.get("workspace")}


@bp.errorhandler(HTTPException)
def _error_page(error: HTTPException) -> Any:
    return render_template("support/error.html", code=error.code, title=gettext(error.name),
                           message=error.description or error.name), error.code or 500


@bp.get("/")
@policy(GET="login")
def index() -> Any:
    """The inbox of the one workspace the person supports, or a choice of them."""
    workspaces = support_inbox.inbox_workspaces(current_user)
    if len(workspaces) == 1:
        return redirect(url_for("support.inbox", workspace=workspaces[0].key))
    return render_template("support/index.html", workspaces=workspaces)


@bp.get("/escalations/<reference>")
@policy(GET="login")
def open_reference(reference: str) -> Response:
    """A link from a webhook or an email (``links.inbox``), which names no workspace."""
    try:
        workspace = support_inbox.workspace_of_reference(current_user, reference)
    except GuideError:
        abort(404, gettext("No such escalation in the workspaces whose inbox you may open."))
    return redirect(url_for("support.escalation", workspace=workspace.key,
                            reference=reference.upper()))


@bp.get("/w/<workspace>/escalations")
@policy(GET="support")
def inbox(workspace: str) -> str:
    page = support_inbox.inbox(g.workspace, request.args.get("status", "open"),
                               request.args.get("origin", "all"))
    return render_template("support/inbox.html", statuses=STATUSES, origins=ORIGINS, **page)


@bp.get("/w/<workspace>/escalations/<reference>")
@policy(GET="support")
def escalation(workspace: str, reference: str) -> str:
    try:
        item = support_inbox.escalation(g.workspace, reference)
    except GuideError:
        abort(404, f"No escalation {reference} in this workspace.")
    scenario = item["context"].get("scenario") or {}
    return render_template("support/escalation.html", e=item, c=item["context"],
                           why=why_lines(g.workspace, scenario.get("details")))


@bp.post("/w/<workspace>/escalations/<reference>/status")
@policy(POST="support")
def change_status(workspace: str, reference: str) -> Response:
    note = request.form.get("note", "").strip() or None
    try:
        escalations.change_status(g.workspace, reference, request.form.get("status", ""), note,
                                  by=current_user.email)
    except GuideError as error:
        abort(400 if error.status == 400 else 404, i18n.localize(error.message))
    return redirect(url_for("support.escalation", reference=reference))


@bp.get("/w/<workspace>/users/<path:external_id>")
@policy(GET="support")
def user(workspace: str, external_id: str) -> str:
    try:
        story = timeline(g.workspace, external_id)
    except GuideError:
        abort(404, f"No user {external_id} in this workspace.")
    return render_template("support/timeline.html", story=story)


@bp.get("/w/<workspace>/webhooks")
@policy(GET="support")
def webhooks(workspace: str) -> str:
    return render_template("support/webhooks.html", **support_inbox.webhook_health(g.workspace))

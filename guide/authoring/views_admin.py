"""Workspace administration: settings, API keys, the audit log (members: views_members)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy
from guide.authoring import bp
from guide.errors import InvalidPayload, NotFound
from guide.i18n import localize
from guide.services import audit, settings


@bp.route("/w/<workspace>/settings", methods=["GET", "POST"])
@policy(GET="admin", POST="admin")
def workspace_settings(workspace: str) -> Any:
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            settings.set_preview_url(current_user, g.workspace, request.form.get("preview_url"))
        except InvalidPayload as error:
            errors = localize(error.fields or {})
        else:
            flash(gettext("Settings saved."))
            return redirect(url_for("admin.workspace_settings", workspace=workspace))
    return render_template("admin/settings.html", errors=errors,
                           preview_url=settings.preview_url_of(g.workspace),
                           key_ids=settings.api_key_ids(g.workspace), new_key=None)


@bp.route("/w/<workspace>/api-keys", methods=["POST"])
@policy(POST="admin")
def create_api_key(workspace: str) -> Any:
    """The key is shown once, in this response (never stored in a cookie or flashed)."""
    key = settings.create_api_key(current_user, g.workspace)
    return render_template("admin/settings.html", errors={},
                           preview_url=settings.preview_url_of(g.workspace),
                           key_ids=settings.api_key_ids(g.workspace), new_key=key)


@bp.route("/w/<workspace>/api-keys/<key_id>/revoke", methods=["POST"])
@policy(POST="admin")
def revoke_api_key(workspace: str, key_id: str) -> Any:
    try:
        settings.revoke_api_key(current_user, g.workspace, key_id)
    except NotFound as error:
        flash(localize(error.message), "error")
    else:
        flash(gettext("API key %(key)s revoked.", key=key_id))
    return redirect(url_for("admin.workspace_settings", workspace=workspace))


@bp.route("/w/<workspace>/audit")
@policy(GET="admin")
def audit_log(workspace: str) -> Any:
    before = request.args.get("before", type=int)
    entries = audit.entries(g.workspace.id, before=before)
    return render_template("admin/audit.html", entries=entries,
                           more=entries[-1].id if len(entries) == audit.PAGE_SIZE else None)

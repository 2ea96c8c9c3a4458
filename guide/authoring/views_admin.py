"""Workspace administration: settings (an environment's allowed origins too), API keys, the
audit log (members: views_members)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy
from guide.authoring import bp
from guide.errors import InvalidPayload, NotFound
from guide.i18n import localize
from guide.services import audit, environments, settings


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
    return _settings_page(errors)


@bp.route("/w/<workspace>/settings/origins", methods=["POST"])
@policy(POST="admin")
def environment_origins(workspace: str) -> Any:
    """An environment's allowed origins (one per line or separated by spaces)."""
    origins = request.form.get("allowed_origins", "").split()
    try:
        environments.set_origins(current_user, g.workspace, origins)
    except InvalidPayload as error:
        return _settings_page(error.fields or {"allowed_origins": [error.message]},
                              origins="\n".join(origins)), 400
    flash(gettext("Allowed origins saved."))
    return redirect(url_for("admin.workspace_settings", workspace=workspace))


@bp.route("/w/<workspace>/api-keys", methods=["POST"])
@policy(POST="admin")
def create_api_key(workspace: str) -> Any:
    """The key is shown once, in this response (never stored in a cookie or flashed)."""
    return _settings_page({}, new_key=settings.create_api_key(current_user, g.workspace))


def _settings_page(errors: dict[str, Any], new_key: str | None = None,
                   origins: str | None = None) -> str:
    if origins is None:
        origins = "\n".join(g.workspace.allowed_origins or [])
    return render_template("admin/settings.html", errors=errors,
                           preview_url=settings.preview_url_of(g.workspace), origins=origins,
                           key_ids=settings.api_key_ids(g.workspace), new_key=new_key)


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

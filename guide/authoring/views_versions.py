"""Publishing, history, diffs, rollback, step renames, preview and the element picker."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy, wants_json
from guide.authoring import bp
from guide.errors import Conflict, InvalidPayload, NotFound, error_response
from guide.i18n import localize
from guide.services import versions
from guide.services.diff import diff_versions
from guide.services.picker import issue_pick_token
from guide.services.preview import PREVIEW_TTL, issue_preview_token
from guide.services.rename import rename_step
from guide.services.settings import preview_url_of, with_param


def _back(key: str) -> Any:
    return redirect(url_for("admin.editor", workspace=g.workspace.key, key=key))


def _number(name: str) -> int:
    try:
        return int(request.values.get(name, ""))
    except ValueError:
        abort(400, f"{name} must be a version number.")


@bp.route("/w/<workspace>/guides/<key>/publish", methods=["POST"])
@policy(POST="publisher")
def publish(workspace: str, key: str) -> Any:
    guide = versions.get_guide(g.workspace, key)
    try:
        version = versions.publish(g.workspace, current_user, guide, _number("version"))
    except (Conflict, NotFound) as error:
        flash(localize(error.message), "error")
    else:
        flash(gettext("Published version %(number)s. Widgets are refreshing now.",
                      number=version.number))
    return _back(key)


@bp.route("/w/<workspace>/guides/<key>/versions")
@policy(GET="viewer")
def history(workspace: str, key: str) -> Any:
    guide = versions.get_guide(g.workspace, key)
    return render_template("admin/history.html", guide=guide, versions=versions.history(guide))


@bp.route("/w/<workspace>/guides/<key>/diff")
@policy(GET="viewer")
def diff(workspace: str, key: str) -> Any:
    guide = versions.get_guide(g.workspace, key)
    old = versions.get_version(guide, _number("a"))
    new = versions.get_version(guide, _number("b"))
    lines = diff_versions(old, new, g.workspace.default_locale)
    return render_template("admin/diff.html", guide=guide, old=old, new=new, lines=lines,
                           all_versions=versions.history(guide))


@bp.route("/w/<workspace>/guides/<key>/rollback", methods=["POST"])
@policy(POST="publisher")
def rollback(workspace: str, key: str) -> Any:
    guide = versions.get_guide(g.workspace, key)
    try:
        version = versions.rollback(g.workspace, current_user, guide, _number("version"))
    except (Conflict, NotFound) as error:
        flash(localize(error.message), "error")
    else:
        flash(gettext("Version %(old)s is live again, as version %(new)s.",
                      old=request.form["version"], new=version.number))
    return redirect(url_for("admin.history", workspace=workspace, key=key))


@bp.route("/w/<workspace>/guides/<key>/rename-step", methods=["POST"])
@policy(POST="publisher")
def rename(workspace: str, key: str) -> Any:
    guide = versions.get_guide(g.workspace, key)
    old, new = request.form.get("old_id", ""), request.form.get("new_id", "").strip()
    try:
        added = rename_step(g.workspace, current_user, guide, old, new)
    except InvalidPayload as error:
        details = "; ".join(localize(m) for ms in (error.fields or {}).values() for m in ms)
        flash(gettext("Could not rename %(step)s: %(why)s", step=old,
                      why=details or localize(error.message)), "error")
    else:
        numbers = ", ".join(str(v.number) for v in added)
        flash(gettext("Renamed step %(old)s to %(new)s (version %(numbers)s); users' progress "
                      "moved with it.", old=old, new=new, numbers=numbers))
    return _back(key)


@bp.route("/w/<workspace>/guides/<key>/preview", methods=["POST"])
@policy(POST="author")
def preview(workspace: str, key: str) -> Any:
    """The host product's URL with a preview token for the latest version (the draft): as
    JSON for the editor's script, which opens it in a tab (the admin's CSP, ``form-action
    'self'``, blocks a form's redirect to another origin); a redirect without JavaScript."""
    guide = versions.get_guide(g.workspace, key)
    target = preview_url_of(g.workspace)
    if target is None:
        message = gettext("Set the workspace's preview URL (Settings) to preview in your "
                          "product.")
        if wants_json():
            return error_response(409, "no_preview_url", message)
        flash(message, "error")
        return _back(key)
    token = issue_preview_token(current_user, g.workspace, versions.latest_version(guide))
    url = with_param(target, "guide_preview", token)
    if wants_json():
        return jsonify({"url": url, "expires_in": PREVIEW_TTL})
    return redirect(url)


@bp.route("/w/<workspace>/guides/<key>/pick", methods=["POST"])
@policy(POST="author")
def pick(workspace: str, key: str) -> Any:
    """Start a pick session for one target field; the page opens the returned URL."""
    versions.get_guide(g.workspace, key)
    target = preview_url_of(g.workspace)
    if target is None:
        return error_response(409, "no_preview_url",
                              "Set the workspace's preview URL (Settings) first.")
    field = request.form.get("field", "")[:100]
    token = issue_pick_token(current_user.id, g.workspace.id, key, field)
    return jsonify({"token": token, "url": with_param(target, "guide_pick", token),
                    "expires_in": PREVIEW_TTL})

"""Data rights in the admin: a user's page, and export (a JSON download) and erasure
(a confirmation page, then a CSRF-protected POST) of a user or an account.

Exports and erasures need the admin role and are written to the audit log by the
service (``guide.services.privacy``), the same calls the REST API and CLI make.
Ids travel in the query string (``?id=``): any string the product uses is an id.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from guide import i18n
from guide.access import policy
from guide.authoring import bp
from guide.errors import GuideError
from guide.models import Account, EndUser
from guide.proactive import lifecycle_views
from guide.proactive.accounts import find_account, firings
from guide.services import privacy, privacy_export
from guide.services.footprint import account_counts, user_counts
from guide.services.timeline import user_by_external_id
from guide.services.users import account_of


def _user() -> EndUser:
    try:
        return user_by_external_id(g.workspace, request.args.get("id", ""))
    except GuideError as error:
        abort(error.status, i18n.localize(error.message))


def _account() -> Account:
    account = find_account(g.workspace, request.args.get("id", ""))
    if account is None:
        abort(404, gettext("No account %(id)r in this workspace.", id=request.args.get("id", "")))
    return account


@bp.route("/w/<workspace>/user")
@policy(GET="viewer")
def user_detail(workspace: str) -> Any:
    """One user: account, lifecycle, what Guide holds; without ``?id=``, a lookup form."""
    if not request.args.get("id"):
        return render_template("admin/user.html", user=None)
    user = _user()
    account = account_of(user)
    return render_template("admin/user.html", user=user, account=account,
                           life=lifecycle_views.user_lifecycle(user), counts=user_counts(user),
                           firings=firings("user", [user.id]).get(user.id, []))


def _download(subject: EndUser | Account, kind: str) -> Response:
    document = privacy_export.exported(g.workspace, current_user, subject)
    chunks = privacy_export.json_chunks(document, privacy_export.events_of(subject))
    name = f"guide-{g.workspace.key}-{kind}-export.json"
    return Response(stream_with_context(chunks), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/w/<workspace>/user/export")
@policy(GET="admin")
def user_export(workspace: str) -> Any:
    return _download(_user(), "user")


@bp.route("/w/<workspace>/account/export")
@policy(GET="admin")
def account_export(workspace: str) -> Any:
    return _download(_account(), "account")


def _confirmed(external_id: str) -> bool:
    """The author typed the id: a slip of the mouse erases nothing."""
    return request.form.get("confirm", "").strip() == external_id


@bp.route("/w/<workspace>/user/delete", methods=["GET", "POST"])
@policy(GET="admin", POST="admin")
def user_delete(workspace: str) -> Any:
    user = _user()
    if request.method == "POST" and _confirmed(user.external_id):
        external_id = user.external_id
        privacy.erase_user(g.workspace, user, current_user)
        flash(gettext("User %(id)s erased.", id=external_id))
        return redirect(url_for("admin.account_list", workspace=workspace))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/erase.html", kind="user", external_id=user.external_id,
                           counts=user_counts(user), mistyped=status == 400), status


@bp.route("/w/<workspace>/account/delete", methods=["GET", "POST"])
@policy(GET="admin", POST="admin")
def account_delete(workspace: str) -> Any:
    account = _account()
    users = request.form.get("users", "keep")
    if request.method == "POST" and _confirmed(account.external_id):
        external_id = account.external_id
        try:
            privacy.erase_account(g.workspace, account, current_user, users)
        except GuideError as error:
            abort(error.status, i18n.localize(error.message))
        flash(gettext("Account %(id)s erased with its users.", id=external_id) if users == "delete"
              else gettext("Account %(id)s erased; its users are kept.", id=external_id))
        return redirect(url_for("admin.account_list", workspace=workspace))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/erase.html", kind="account", external_id=account.external_id,
                           counts=account_counts(account), mistyped=status == 400), status

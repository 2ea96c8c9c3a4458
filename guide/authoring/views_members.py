"""Members of a workspace: invitations, roles, removal, and accepting an invitation.

An admin never attaches an account directly: adding someone creates an
invitation (guide/services/invitations.py), and the answer is the same whatever
the email. Role changes and removals apply to members of this workspace only.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user

from guide.access import policy
from guide.authoring import bp
from guide.authoring.views_auth import home
from guide.errors import Conflict, Forbidden, InvalidPayload, NotFound
from guide.i18n import localize
from guide.models.author import ROLES
from guide.services import authors, invitations


def _page(link: str | None = None, email: str | None = None) -> str:
    return render_template("admin/members.html", members=authors.members(g.workspace),
                           invitations=invitations.pending(g.workspace), roles=ROLES,
                           link=link, invited=email, valid_days=invitations.VALID_FOR.days)


@bp.route("/w/<workspace>/members", methods=["GET", "POST"])
@policy(GET="admin", POST="admin")
def members(workspace: str) -> Any:
    """List members and pending invitations; POST invites someone (the link is shown once)."""
    if request.method == "GET":
        return _page()
    email = request.form.get("email", "")
    try:
        token = invitations.invite(current_user, g.workspace, email, request.form.get("role", ""))
    except (InvalidPayload, Conflict) as error:
        flash(localize(error.message), "error")
        return redirect(url_for("admin.members", workspace=workspace))
    link = url_for("admin.invitation", token=token, _external=True)
    return _page(link=link, email=authors.normalize_email(email))


@bp.route("/w/<workspace>/members/<int:author_id>/role", methods=["POST"])
@policy(POST="admin")
def set_member_role(workspace: str, author_id: int) -> Any:
    role = request.form.get("role", "")
    try:
        member = authors.member(g.workspace, author_id)
        authors.set_role(current_user, g.workspace, member, role)
    except (InvalidPayload, Conflict, NotFound) as error:
        flash(localize(error.message), "error")
    else:
        flash(gettext("%(email)s is now %(role)s.", email=member.email, role=role))
    return redirect(url_for("admin.members", workspace=workspace))


@bp.route("/w/<workspace>/members/<int:author_id>/remove", methods=["POST"])
@policy(POST="admin")
def remove_member(workspace: str, author_id: int) -> Any:
    try:
        authors.remove_role(current_user, g.workspace, author_id)
    except (NotFound, Conflict) as error:
        flash(localize(error.message), "error")
    return redirect(url_for("admin.members", workspace=workspace))


@bp.route("/w/<workspace>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@policy(POST="admin")
def revoke_invitation(workspace: str, invitation_id: int) -> Any:
    try:
        email = invitations.revoke(current_user, g.workspace, invitation_id)
    except Conflict as error:
        flash(localize(error.message), "error")
    else:
        flash(gettext("The invitation for %(email)s is revoked; its link no longer works.",
                      email=email))
    return redirect(url_for("admin.members", workspace=workspace))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@policy(GET="public", POST="public")
def invitation(token: str) -> Any:
    """Accept: signed in as the invited email, or by choosing a password for a new account.

    The page offers both whatever the email, so it does not say which applies."""
    found = invitations.find(token)
    if found is None:
        return render_template("admin/invitation.html", invitation=None), 404
    error = None
    if request.method == "POST":
        try:
            if current_user.is_authenticated:
                workspace = invitations.accept(found, current_user)
            else:
                author = invitations.accept_new(found, request.form.get("password") or "",
                                                request.form.get("name"))
                login_user(author)
                workspace = invitations.workspace_of(found)
        except (Forbidden, Conflict, InvalidPayload) as failure:
                error = localize(failure.message)
        else:
            flash(gettext("Welcome to %(name)s.", name=workspace.name))
            return redirect(home(workspace.key, authors.role_of(current_user, workspace)))
    status = 400 if error else 200
    return render_template("admin/invitation.html", invitation=found, error=error,
                           workspace=invitations.workspace_of(found), token=token), status



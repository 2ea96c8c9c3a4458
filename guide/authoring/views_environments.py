"""Environments of a workspace (staging, ...) and promoting guides between them.

``/w/<workspace>/environments`` lists the production workspace and its
environments with their app keys and origins (admins create one there);
``/w/<workspace>/promote?from=staging`` shows what promoting to ``<workspace>``
would change, guide by guide with a YAML diff, and its confirm button POSTs
the plan's fingerprint, so what is published is exactly what was reviewed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy
from guide.authoring import bp
from guide.errors import Conflict, InvalidPayload, NotFound
from guide.i18n import error_text
from guide.services import environments, promote


@bp.route("/w/<workspace>/environments", methods=["GET", "POST"])
@policy(GET="viewer", POST="admin")
def environment_list(workspace: str) -> Any:
    """The environments with their app keys and origins; POST creates one."""
    if request.method == "POST":
        origins = request.form.get("allowed_origins", "").split()
        try:
            created = environments.create(current_user, environments.production_of(g.workspace),
                                          {"name": request.form.get("name", "").strip(),
                                           "allowed_origins": origins})
        except (InvalidPayload, Conflict) as error:
            flash(error_text(error), "error")
        else:
            flash(gettext("Environment %(name)s created: its app key is %(key)s.",
                          name=created.environment, key=created.key))
        return redirect(url_for("admin.environment_list", workspace=workspace))
    return render_template("admin/environments.html",
                           environments=environments.of(g.workspace))


@bp.route("/w/<workspace>/promote", methods=["GET", "POST"])
@policy(GET="viewer", POST="publisher")
def promote_to(workspace: str) -> Any:
    """GET: what promoting ``from`` (default staging) to this workspace changes; POST: do it."""
    source_name = request.values.get("from", "staging")
    try:
        source = environments.find(g.workspace, source_name)
        if request.method == "POST":
            done = promote.promote(current_user, source, g.workspace,
                                   expected=request.form.get("fingerprint", ""))
            keys = ", ".join(c.key for c in done.to_apply) or gettext("nothing to promote")
            flash(gettext("Promoted from %(name)s: %(keys)s.", name=source.environment, keys=keys))
            return redirect(url_for("admin.audit_log", workspace=workspace))
        planned = promote.plan(source, g.workspace)
    except (InvalidPayload, NotFound, Conflict) as error:
        flash(error_text(error), "error")
        return redirect(url_for("admin.environment_list", workspace=workspace))
    return render_template("admin/promote.html", plan=planned)

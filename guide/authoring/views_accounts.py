"""Accounts: where each customer stands (stage, milestones, plans, overdue steps), and
one account's lifecycle, plans (vendor steps ticked here), users and scenario firings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide import i18n
from guide.access import policy
from guide.authoring import bp
from guide.errors import GuideError
from guide.models import Account
from guide.models.base import utcnow
from guide.proactive import accounts, lifecycle_views, plans


@bp.route("/w/<workspace>/accounts")
@policy(GET="viewer")
def account_list(workspace: str) -> Any:
    stages = accounts.stages_of(g.workspace)
    stage = request.args.get("stage") or None
    if stage not in {key for key, _ in stages}:
        stage = None
    overdue = request.args.get("overdue") == "1"
    page = accounts.account_page(g.workspace, utcnow(), stage=stage, overdue_only=overdue,
                                 page=request.args.get("page", 1, type=int))
    return render_template("admin/accounts.html", result=page, stages=dict(stages),
                           stage=stage, overdue=overdue)


@bp.route("/w/<workspace>/accounts/<path:external_id>", methods=["GET", "POST"])
@policy(GET="viewer", POST="author")
def account_detail(workspace: str, external_id: str) -> Any:
    """The account's story; POST marks one of its plans' vendor steps done or not done."""
    account = accounts.find_account(g.workspace, external_id)
    if account is None:
        abort(404, gettext("No account %(id)r in this workspace.", id=external_id))
    if request.method == "POST":
        _mark_vendor_step(account)
        return redirect(url_for("admin.account_detail", workspace=workspace,
                                external_id=external_id))
    now = utcnow()
    return render_template(
        "admin/account.html", account=account, life=lifecycle_views.account_lifecycle(account),
        stages=dict(accounts.stages_of(g.workspace)), plans=plans.account_plans(account, now),
        users=accounts.account_users(account),
        firings=accounts.firings("account", [account.id]).get(account.id, []))


def _mark_vendor_step(account: Account) -> None:
    """Only vendor-side steps are ticked here; customer steps belong to the customer's team."""
    guide_key, step_id = request.form.get("plan", ""), request.form.get("step", "")
    plan = next((p for p in plans.account_plans(account, utcnow()) if p["key"] == guide_key),
                None)
    step = next((s for s in plan["steps"] if s["id"] == step_id), None) if plan else None
    if step is None:
        abort(404, gettext("No step %(step)r in a published plan %(plan)r.",
                           step=step_id, plan=guide_key))
    if step["owner"] != "vendor":
        abort(400, gettext("Only vendor-side steps are marked here; the customer's team completes "
                           "their own steps in the product."))
    done = request.form.get("done") == "1"
    try:
        plans.complete_vendor_step(g.workspace, account, guide_key, step_id,
                                   by=current_user.email, done=done, actor=current_user)
    except GuideError as error:
        abort(error.status, i18n.localize(error.message))
    flash(gettext("%(step)s: marked done.", step=step["title"]) if done
          else gettext("%(step)s: marked not done.", step=step["title"]))


@bp.app_template_filter("admin_iso")
def _admin_iso(value: str | None) -> str:
    """An ISO 8601 time from a service's view, written like ``admin_when``."""
    return _when(datetime.fromisoformat(value)) if value else ""


def _when(value: datetime) -> str:
    return i18n.when(value)


@bp.app_template_filter("admin_duration")
def duration_text(value: timedelta | float | None) -> str:
    """Time to value in words: ``3d 4h``, ``2h 5m``, ``40s`` (``3j 4h`` in French)."""
    if value is None:
        return ""
    return i18n.duration(value.total_seconds() if isinstance(value, timedelta) else value)

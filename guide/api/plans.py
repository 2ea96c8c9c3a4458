"""Success plans and lifecycle of accounts and users (server-side; secret API key)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.models.base import utcnow
from guide.proactive import lifecycle_views, plans
from guide.schemas.plans import AccountPlans, LifecycleOut, PlanOut, StepMark
from guide.services.timeline import user_by_external_id
from guide.services.users import account_by_external_id

blp = Blueprint("plans", __name__, url_prefix="/api/v1",
                description="Success plans and lifecycle stages (server-side; secret API key).")


@blp.before_request
def _authenticate() -> None:
    g.workspace = workspace_from_api_key()


@blp.route("/accounts/<string:account_id>/plans")
class Plans(MethodView):
    @blp.response(200, AccountPlans)
    def get(self, account_id: str) -> dict[str, Any]:
        """Every published plan, with each step's owner, due date, completion and overdue flag."""
        account = account_by_external_id(g.workspace, account_id)
        return {"account": account.external_id, "plans": plans.account_plans(account, utcnow())}


@blp.route("/accounts/<string:account_id>/plans/<string:guide>/steps/<string:step>")
class PlanStep(MethodView):
    @blp.arguments(StepMark)
    @blp.response(200, PlanOut)
    def post(self, mark: dict[str, Any], account_id: str, guide: str, step: str) -> dict[str, Any]:
        """Mark a plan step done (``done: false``: not done) for the account, by your team."""
        account = account_by_external_id(g.workspace, account_id)
        return plans.complete_vendor_step(g.workspace, account, guide, step, mark["by"],
                                          mark["done"])


@blp.route("/accounts/<string:account_id>/lifecycle")
class AccountLifecycle(MethodView):
    @blp.response(200, LifecycleOut)
    def get(self, account_id: str) -> dict[str, Any]:
        """The account's stage and milestones (the first of its users to reach each)."""
        return lifecycle_views.account_lifecycle(
            account_by_external_id(g.workspace, account_id))


@blp.route("/users/<string:user_id>/lifecycle")
class UserLifecycle(MethodView):
    @blp.response(200, LifecycleOut)
    def get(self, user_id: str) -> dict[str, Any]:
        """The user's stage and milestones, with time to value from first seen."""
        return lifecycle_views.user_lifecycle(user_by_external_id(g.workspace, user_id))

"""Data rights (secret API key): export and erase an end user or an account."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas import privacy as schemas
from guide.services import privacy, privacy_export
from guide.services.timeline import user_by_external_id
from guide.services.users import account_by_external_id

blp = Blueprint("privacy", __name__, url_prefix="/api/v1",
                description="Export and erase what Guide holds about a user or an account "
                            "(secret API key; docs/PRIVACY.md).")


@blp.before_request
def _authenticate() -> None:
    g.workspace = workspace_from_api_key()


@blp.route("/users/<string:user_id>")
class User(MethodView):
    @blp.response(200, schemas.UserErased)
    def delete(self, user_id: str) -> dict[str, Any]:
        """Erase the user: their events, progress, milestones, nudges and firings are deleted,
        their escalations anonymized, waiting webhooks naming them dropped; sends
        ``user.deleted``. One transaction: all of it happens, or none."""
        return privacy.erase_user(g.workspace, user_by_external_id(g.workspace, user_id), "api")


@blp.route("/users/<string:user_id>/export")
class UserExport(MethodView):
    @blp.response(200, schemas.UserExport)
    def get(self, user_id: str) -> dict[str, Any]:
        """Everything Guide holds about the user, with the first 1,000 of their events."""
        return privacy_export.exported(g.workspace, "api",
                                       user_by_external_id(g.workspace, user_id))


@blp.route("/users/<string:user_id>/export/events")
class UserEvents(MethodView):
    @blp.arguments(schemas.EventsQuery, location="query")
    @blp.response(200, schemas.EventsPage)
    def get(self, query: dict[str, Any], user_id: str) -> dict[str, Any]:
        """The user's events after the cursor ``after`` (the previous page's ``next``)."""
        user = user_by_external_id(g.workspace, user_id)
        return privacy_export.events_of(user)(query["after"], query["limit"])


@blp.route("/accounts/<string:account_id>")
class Account(MethodView):
    @blp.arguments(schemas.AccountDeleteQuery, location="query")
    @blp.response(200, schemas.AccountErased)
    def delete(self, query: dict[str, Any], account_id: str) -> dict[str, Any]:
        """Erase the account (milestones, plan steps, firings, the events naming it); its
        users are kept outside any account, or erased too with ``?users=delete``. Sends
        ``account.deleted`` (and ``user.deleted`` per erased user)."""
        account = account_by_external_id(g.workspace, account_id)
        return privacy.erase_account(g.workspace, account, "api", query["users"])


@blp.route("/accounts/<string:account_id>/export")
class AccountExport(MethodView):
    @blp.response(200, schemas.AccountExport)
    def get(self, account_id: str) -> dict[str, Any]:
        """Everything Guide holds about the account, with the first 1,000 events naming it."""
        return privacy_export.exported(g.workspace, "api",
                                       account_by_external_id(g.workspace, account_id))


@blp.route("/accounts/<string:account_id>/export/events")
class AccountEvents(MethodView):
    @blp.arguments(schemas.EventsQuery, location="query")
    @blp.response(200, schemas.EventsPage)
    def get(self, query: dict[str, Any], account_id: str) -> dict[str, Any]:
        """Events naming the account after the cursor ``after``."""
        account = account_by_external_id(g.workspace, account_id)
        return privacy_export.events_of(account)(query["after"], query["limit"])

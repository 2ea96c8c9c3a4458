"""End users and accounts as the product identifies them: upserts with merged traits.

Shared by the widget's bootstrap and the backend's identify and group calls,
so a trait sent either way follows the same rules: merged over what is
stored, and only what changed is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError

from guide.errors import Forbidden, NotFound, Unauthorized
from guide.extensions import db
from guide.models import Account, EndUser, Workspace
from guide.models.base import utcnow
from guide.schemas.fields import LOCALE
from guide.schemas.widget import AccountIn
from guide.services.rows import get_or_create

# last_seen is kept to the minute: refreshing it on every page view would make
# every bootstrap a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# A bootstrap this long after the previous one starts a new visit (docs/SURVEYS.md):
# surveys' show_when counts them. last_seen is the previous bootstrap, to the minute.
VISIT_GAP = timedelta(minutes=30)
# Built once, with bind parameters: building it for every bootstrap cost as much as
# running it.
_USER_BY_ID = db.select(EndUser).where(
    EndUser.workspace_id == sa.bindparam("workspace_id"),
    EndUser.external_id == sa.bindparam("external_id"),
)
_ACCOUNT_OF_USER = db.select(Account.external_id).join(
    EndUser, EndUser.account_id == Account.id
).where(
    EndUser.workspace_id == sa.bindparam("workspace_id"),
    EndUser.external_id == sa.bindparam("external_id"),
)
_SIGNED_ACCOUNT = AccountIn()


def trusted_account(
    workspace: Workspace, user_id: str, claims: dict[str, Any], sent: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The account ``{"id", "traits"}`` a widget's bootstrap puts the user in (None: keep theirs).

    Membership comes from a trusted source (docs/PROTOCOL.md, "Accounts"): the
    identity token's signed ``account`` claim decides, with the browser's traits
    for that same account merged under the signed ones. Without that claim the
    browser's ``account`` (``Guide.group``) is taken only for the account the
    user is already in (put there by the backend's ``POST /api/v1/group`` or an
    earlier signed token), or when the workspace opted in with
    ``allow_unsigned_groups``. Anything else is refused (403
    ``group_not_trusted``) before anything is written.
    """
    signed = _signed_account(claims.get("account"))
    if signed is not None:
        if sent is not None and sent["id"] == signed["id"]:
            signed["traits"] = {**sent["traits"], **signed["traits"]}
        return signed
    if sent is None or workspace.allow_unsigned_groups:
        return sent
    current = db.session.scalar(_ACCOUNT_OF_USER, {"workspace_id": workspace.id,
                                                   "external_id": user_id})
    if sent["id"] == current:
        return sent
    raise Forbidden(
        f"Guide.group({sent['id']!r}) was refused: this workspace takes account membership "
        "from your backend, not from the browser. Sign the account into the identity token "
        '({"account": {"id": ..., "traits": ...}}) or call POST /api/v1/group with your '
        "secret API key (allow_unsigned_groups: true in workspace.yaml lets any visitor "
        "join any account).",
        code="group_not_trusted",
    )


def _signed_account(claim: Any) -> dict[str, Any] | None:
    """The token's ``account`` claim checked like the browser's; None when it names none
    (``null``, or an id of null: a user without a company). A bad claim is a 401."""
    if claim is None or (isinstance(claim, dict) and claim.get("id") in (None, "")):
        return None
    try:
        if not isinstance(claim, dict) or isinstance(claim["id"], bool | float | list | dict):
            raise ValidationError({"id": ["Must be a string (or a number)."]})
        loaded: dict[str, Any] = _SIGNED_ACCOUNT.load(
            {"id": str(claim["id"]), "traits": claim.get("traits") or {}})
    except ValidationError as err:
        raise Unauthorized(
            "The identity token's account claim is invalid; sign it as "
            '{"id": "<account id>", "traits": {...}}.', code="identity_invalid",
            fields={"account": err.messages},
        ) from err
    return loaded


def upsert_account(workspace: Workspace, data: dict[str, Any]) -> tuple[Account, bool]:
    """The account ``{"id", "traits"?}``, with the given traits merged in; True if written."""
    stmt = db.select(Account).where(
        Account.workspace_id == workspace.id, Account.external_id == data["id"]
    )
    account, created = get_or_create(
        stmt, lambda: Account(workspace_id=workspace.id, external_id=data["id"], traits={})
    )
    merged = {**(account.traits or {}), **(data.get("traits") or {})}
    if merged != account.traits:
        account.traits = merged
        created = True
    started = signup_time(merged)
    if started is not None and started < account.created_at:
        account.created_at = started
        created = True
    return account, created


def upsert_user(
    workspace: Workspace, external_id: str, traits: dict[str, Any], account: Account | None,
    locale: str | None,
) -> tuple[EndUser, bool]:
    """The user, updated; True if anything was written.

    ``account`` None keeps the user's account and ``locale`` None their locale.
    Only what changed is assigned: a returning user's bootstrap then writes
    nothing, and most bootstraps are returning users opening another page.
    """
    now = utcnow()
    user, created = get_or_create(_USER_BY_ID, lambda: EndUser(
        workspace_id=workspace.id, external_id=external_id, traits={}, first_seen=now,
        last_seen=now,
    ), {"workspace_id": workspace.id, "external_id": external_id})
    changes = {
        "traits": {**(user.traits or {}), **traits},
        "account_id": account.id if account is not None else user.account_id,
        "locale": locale or user.locale,
    }
    if not created and now - user.last_seen >= VISIT_GAP:
        changes["visits"] = (user.visits or 1) + 1
    signed_up = signup_time(changes["traits"])
    if signed_up is not None and signed_up < user.first_seen:
        changes["first_seen"] = signed_up
    # A new account or sign-up time is written with the time the user was seen: the
    # analytics worker finds the users changed since its last pass by last_seen alone
    # (guide.analytics.account_rollup), with no hook here.
    moved = changes["account_id"] != user.account_id or "first_seen" in changes
    if moved or now - user.last_seen > LAST_SEEN_RESOLUTION:
        changes["last_seen"] = now
    for name, value in changes.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            created = True
    return user, created


SIGNUP_TRAITS = ("created_at", "createdAt", "signed_up_at")


def signup_time(traits: dict[str, Any]) -> datetime | None:
    """When the product says the user (or account) signed up: the ``created_at`` trait
    (Segment's ``createdAt``, or ``signed_up_at``) as an ISO date or time, or Unix seconds.

    Scenarios count "N days after sign-up" from it; Guide's own first sight of the user
    is used when the product sends none. A time in the future is ignored.
    """
    for name in SIGNUP_TRAITS:
        value = traits.get(name)
        parsed = _parse_time(value)
        if parsed is not None:
            return parsed if parsed <= utcnow() else None
    return None


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e11:
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def trait_locale(traits: dict[str, Any]) -> str | None:
    """The product's own locale setting, when the ``locale`` trait is a BCP 47 tag."""
    value = traits.get("locale")
    if isinstance(value, str) and LOCALE.match(value):
        return value
    return None


def account_by_external_id(workspace: Workspace, external_id: str) -> Account:
    """The workspace's account with this id (the product's own), or 404 ``unknown_account``."""
    account = db.session.scalar(db.select(Account).where(
        Account.workspace_id == workspace.id, Account.external_id == external_id))
    if account is None:
        raise NotFound(f"No account {external_id!r} in this workspace; accounts are created "
                       "by a bootstrap with an account, identify or group.", code="unknown_account")
    return account


def account_of(user: EndUser) -> Account | None:
    """The user's account (from the session's identity map when already loaded)."""
    return db.session.get(Account, user.account_id) if user.account_id else None

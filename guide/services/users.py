"""End users and accounts as the product identifies them: upserts with merged traits.

Shared by the widget's bootstrap and the backend's identify and group calls,
so a trait sent either way follows the same rules: merged over what is
stored, and only what changed is written.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from guide.errors import NotFound
from guide.extensions import db
from guide.models import Account, EndUser, Workspace
from guide.models.base import utcnow
from guide.schemas.widget import LOCALE
from guide.services.rows import get_or_create

# last_seen is kept to the minute: refreshing it on every page view would make
# every bootstrap a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


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
    stmt = db.select(EndUser).where(
        EndUser.workspace_id == workspace.id, EndUser.external_id == external_id
    )
    user, created = get_or_create(stmt, lambda: EndUser(
        workspace_id=workspace.id, external_id=external_id, traits={}, first_seen=now,
        last_seen=now,
    ))
    changes = {
        "traits": {**(user.traits or {}), **traits},
        "account_id": account.id if account is not None else user.account_id,
        "locale": locale or user.locale,
    }
    if now - user.last_seen > LAST_SEEN_RESOLUTION:
        changes["last_seen"] = now
    for name, value in changes.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            created = True
    return user, created


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

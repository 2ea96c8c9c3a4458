"""A visit the user made before Guide first saw them: what a product that adds Guide to an
app people already use knows, and the demo plays (Grace used the product yesterday)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guide.extensions import db
from guide.models import Workspace
from guide.services.progress import get_or_create_progress
from guide.services.published import published_guide
from guide.services.transaction import owns_transaction
from guide.services.users import _USER_BY_ID, trait_locale, upsert_account, upsert_user


@owns_transaction
def remember_earlier_visit(
    workspace: Workspace, external_id: str, traits: dict[str, Any],
    account_in: dict[str, Any] | None, at: datetime, finished: tuple[str, ...] = (),
) -> bool:
    """Write the user as last seen at ``at`` (past), having finished the guides ``finished``
    (keys; a tour they took then): their next bootstrap is their second visit (surveys'
    ``show_when: {visit: 2}``). A user Guide knows already is left alone; True if written."""
    if db.session.scalar(_USER_BY_ID, {"workspace_id": workspace.id,
                                       "external_id": external_id}) is not None:
        return False
    account = upsert_account(workspace, account_in)[0] if account_in else None
    user, _ = upsert_user(workspace, external_id, traits, account, trait_locale(traits))
    user.last_seen = at
    user.first_seen = min(user.first_seen, at)
    db.session.flush()
    for key in finished:
        pair = published_guide(workspace.id, key)
        if pair is None:
            continue
        progress = get_or_create_progress(user, pair[0])
        progress.state, progress.shown_count = "completed", 1
        progress.started_at = progress.completed_at = progress.last_shown_at = at
        progress.updated_at = at
    db.session.commit()
    return True

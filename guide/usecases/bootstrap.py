"""Bootstrap: identify the user and hand the widget everything in one round trip."""

from __future__ import annotations

from typing import Any

from guide.errors import Forbidden, NotFound
from guide.extensions import db
from guide.models import Account
from guide.models.base import utcnow
from guide.proactive import lifecycle
from guide.services import messages, workspaces
from guide.services import progress as rules
from guide.services.guides import guide_view, offered_guides
from guide.services.identity import issue_socket_token, verify_identity
from guide.services.origins import Caller, origin_allowed
from guide.services.preview import apply_preview
from guide.services.strings import widget_strings
from guide.services.users import trait_locale, trusted_account, upsert_account, upsert_user
from guide.services.workspaces import WidgetWorkspace
from guide.usecases import offers


def workspace_for(app_key: str, caller: Caller) -> WidgetWorkspace:
    """The workspace behind a public app key, if this browser origin may use it."""
    workspace = workspaces.widget_by_key(app_key)
    if workspace is None:
        raise NotFound(
            f"No workspace has the app key {app_key!r}; check Guide.init({{appKey}}).",
            code="unknown_app",
        )
    if not origin_allowed(workspace, caller):
        raise Forbidden(
            f"Origin {caller.origin} is not in this workspace's allowed_origins.",
            code="origin_not_allowed",
        )
    return workspace


def bootstrap(payload: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Verify identity, upsert user and account, and return guides, progress and a socket token.

    Nothing is written unless the identity checks pass.
    """
    workspace = workspace_for(payload["app"], caller)
    user_in = payload["user"]
    claims = verify_identity(workspace, user_in["id"], payload["token"])
    # Signed claims win over what the browser says.
    traits = {**user_in["traits"], **(claims.get("traits") or {})}
    account_in = trusted_account(workspace, user_in["id"], claims, payload["account"])
    account, wrote_account = upsert_account(workspace, account_in) if account_in else (None, False)
    # The product's own locale setting (a trait) beats the browser's language; kept
    # as given (fr-CA): each string falls back to fr, then the workspace default.
    locale = trait_locale(traits) or payload["locale"] or workspace.default_locale
    user, wrote_user = upsert_user(workspace, user_in["id"], traits, account, locale)
    if wrote_account or wrote_user:
        # New traits may reach a trait milestone (and a stage) in the same commit.
        lifecycle.traits_changed(user)
        db.session.commit()

    if account is None and user.account_id is not None:
        account = db.session.get(Account, user.account_id)
    pairs = offered_guides(workspace.id, user.traits, account.traits if account else None,
                           payload["url"])
    # What the server offered (analytics' "eligible"), not an author's previewed draft.
    offers.record(workspace, user, (guide for guide, _ in pairs))
    preview = apply_preview(pairs, payload.get("preview"), workspace)
    # Surveys and messages have lists of their own (docs/SURVEYS.md): ``guides`` keeps
    # what widgets that predate them know how to show.
    pairs = [pair for pair in preview.pairs if pair[0].kind not in messages.LISTS]
    items = [(guide, version, guide_view(workspace, version, locale))
             for guide, version in preview.pairs if guide.kind in messages.LISTS]
    token, ttl = issue_socket_token(workspace.id, user.id)
    return {
        "user": {"id": user.external_id, "locale": locale},
        "workspace": {
            "name": workspace.name,
            "locale": workspace.default_locale,
            "theme": workspace.theme or {},
            "support_url": workspace.support_url,
            "help_enabled": workspace.help_enabled,
        },
        "guides": [guide_view(workspace, version, locale) for _, version in pairs],
        "progress": rules.progress_map(user, pairs),
        **messages.for_user(workspace, user, items, utcnow(), preview.guide_id),
        "strings": widget_strings(locale, workspace.default_locale),
        **({"preview": preview.info} if preview.info else {}),
        "socket": {"namespace": "/widget", "path": "/socket.io", "token": token, "expires_in": ttl},
    }

"""Admin-only workspace settings (the preview URL) and the workspace's secret API keys."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app
from marshmallow import ValidationError

from guide.errors import InvalidPayload, NotFound
from guide.extensions import db
from guide.models import Author, AuthoringSettings, Workspace
from guide.models.base import utcnow
from guide.schemas.fields import check_link
from guide.services import audit
from guide.wording import N_

# The demo workspace previews in the demo product this server serves.
DEMO_PREVIEW_URL = "/demo/dashboard"
KEY_ID_LENGTH = 12


def preview_url_of(workspace: Workspace) -> str | None:
    settings = db.session.get(AuthoringSettings, workspace.id)
    if settings is not None and settings.preview_url:
        return settings.preview_url
    if workspace.key == "demo" and current_app.config.get("GUIDE_DEMO"):
        return DEMO_PREVIEW_URL
    return None


def set_preview_url(actor: Author, workspace: Workspace, url: str | None) -> None:
    url = (url or "").strip() or None
    if url is not None:
        try:
            if not url.startswith("/"):
                check_link(url, relative=False)
        except ValidationError as error:
            raise InvalidPayload(N_("Not a valid preview URL."),
                                 fields={"preview_url": error.messages}) from error  # type: ignore[dict-item]
    settings = db.session.get(AuthoringSettings, workspace.id)
    if settings is None:
        settings = AuthoringSettings(workspace_id=workspace.id)
        db.session.add(settings)
    if settings.preview_url == url:
        return
    audit.record(workspace.id, actor, "settings.update", "preview_url",
                 previous=settings.preview_url, value=url)
    settings.preview_url, settings.updated_at = url, utcnow()
    db.session.commit()


def with_param(url: str, name: str, value: str) -> str:
    """``url`` with ``name=value`` added to its query (replacing an older one)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode([*query, (name, value)])))


def api_key_ids(workspace: Workspace) -> list[str]:
    """Short ids of the workspace's API keys (a prefix of each stored hash; never the key)."""
    return [digest[:KEY_ID_LENGTH] for digest in workspace.api_key_hashes or []]


def create_api_key(actor: Author | str, workspace: Workspace, *,
                   revoke_all: bool = False) -> str:
    """A new secret API key, returned once; only its hash is stored. ``revoke_all`` revokes
    every existing key first (``flask guide workspace api-key --revoke-all``)."""
    if revoke_all:
        for key_id in api_key_ids(workspace):
            audit.record(workspace.id, actor, "api_key.revoke", key_id)
        workspace.api_key_hashes = []
    key = workspace.create_api_key()
    audit.record(workspace.id, actor, "api_key.create", api_key_ids(workspace)[-1])
    db.session.commit()
    return key


def revoke_api_key(actor: Author, workspace: Workspace, key_id: str) -> None:
    hashes = list(workspace.api_key_hashes or [])
    kept = [h for h in hashes if h[:KEY_ID_LENGTH] != key_id]
    if len(kept) == len(hashes):
        raise NotFound(N_("No API key with that id."))
    workspace.api_key_hashes = kept
    audit.record(workspace.id, actor, "api_key.revoke", key_id)
    db.session.commit()

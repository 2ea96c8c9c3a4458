"""Preview tokens: one author sees a draft inside the real product; everyone else does not.

"Preview" in the editor signs a token bound to the author, the workspace, the
guide and the exact draft version, valid for ``PREVIEW_TTL`` seconds, and
opens the workspace's preview URL with ``?guide_preview=<token>``. The widget
sends it back as ``preview`` in its bootstrap request; ``apply_preview`` then
puts the draft in place of the published version (or adds it when the guide
is unpublished or its audience would not match: the author asked to see it),
for that bootstrap response only. Nothing is stored, so other users, and the
same user without the token, get the published version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from guide.errors import Forbidden, Unauthorized
from guide.extensions import db
from guide.models import Author, Guide, GuideVersion, Workspace
from guide.models.author import role_rank
from guide.services.authors import role_of

PREVIEW_TTL = 15 * 60
SALT = "guide-preview-v1"

Pairs = list[tuple[Guide, GuideVersion]]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_preview_token(author: Author, workspace: Workspace, version: GuideVersion) -> str:
    return str(_serializer().dumps(
        {"a": author.id, "w": workspace.id, "g": version.guide_id, "v": version.id}))


@dataclass
class Preview:
    author: Author
    guide: Guide
    version: GuideVersion


def verify_preview_token(token: str, workspace: Workspace) -> Preview:
    """The preview a token grants in ``workspace``; ``Unauthorized``/``Forbidden`` if none."""
    try:
        claims = _serializer().loads(token, max_age=PREVIEW_TTL)
    except SignatureExpired as error:
        raise Unauthorized("This preview link has expired; open Preview again.",
                           code="preview_expired") from error
    except BadSignature as error:
        raise Unauthorized("Not a valid preview token.", code="preview_invalid") from error
    if not isinstance(claims, dict) or claims.get("w") != workspace.id:
        raise Forbidden("This preview token is for another workspace.", code="preview_invalid")
    author = db.session.get(Author, claims.get("a") or 0)
    version = db.session.get(GuideVersion, claims.get("v") or 0)
    if author is None or not author.active or role_rank(role_of(author, workspace)) < 1:
        raise Forbidden("The author of this preview no longer has access.",
                        code="preview_invalid")
    if version is None or version.guide_id != claims.get("g"):
        raise Forbidden("The previewed version no longer exists.", code="preview_invalid")
    guide = db.session.get(Guide, version.guide_id)
    if guide is None or guide.workspace_id != workspace.id:
        raise Forbidden("This preview token is for another workspace.", code="preview_invalid")
    return Preview(author, guide, version)


@dataclass
class PreviewResult:
    pairs: Pairs
    # Added to the bootstrap response as "preview" (None: no preview was asked for).
    info: dict[str, Any] | None = field(default=None)
    # The previewed guide's id: shown whatever the user's state (None: no valid preview).
    guide_id: int | None = None


def apply_preview(pairs: Pairs, token: str | None, workspace: Workspace) -> PreviewResult:
    """The guides to show when the bootstrap carries ``preview``: the draft substituted.

    Never raises: a bad or expired token leaves ``pairs`` as they are and says
    why in ``info`` (``{"ok": false, "error": {...}}``), so the widget can tell
    the author without breaking the page.
    """
    if not token:
        return PreviewResult(pairs)
    try:
        preview = verify_preview_token(token, workspace)
    except (Unauthorized, Forbidden) as error:
        return PreviewResult(pairs, {"ok": False, **error.to_dict()})
    out = [(g, preview.version if g.id == preview.guide.id else v) for g, v in pairs]
    if all(g.id != preview.guide.id for g, _ in pairs):
        out.append((preview.guide, preview.version))
    info = {"ok": True, "guide": preview.guide.key, "version": preview.version.number,
            "author": preview.author.label}
    return PreviewResult(out, info, preview.guide.id)

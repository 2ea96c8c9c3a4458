"""Guide versions from the admin: save drafts, publish, roll back, list.

Every save adds a draft version (numbered after the latest, like ``content
push``), stored exactly as push stores it: the body ``GuideFileSchema`` loads.
Publishing points the guide at a version and archives the previous one;
published versions are never edited. Rollback republishes an old body as a
*new* version number (history only grows, and ``push``'s "unchanged" check
keeps comparing with the latest version). Each change is audited in the same
transaction, and widgets are told to refresh after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from guide.errors import Conflict, InvalidPayload, NotFound, invalid_payload
from guide.extensions import db
from guide.models import Author, Guide, GuideVersion, Workspace
from guide.models.base import body_checksum
from guide.schemas.content import GuideFileSchema
from guide.services import audit
from guide.services.push import guides_changed
from guide.wording import N_


@dataclass
class GuideStatus:
    guide: Guide
    title: Any
    published: int | None
    latest: GuideVersion

    @property
    def unpublished(self) -> bool:
        return self.published is None or self.latest.number > self.published

    @property
    def edited_at(self) -> datetime:
        return self.latest.created_at

    @property
    def edited_by(self) -> str | None:
        return self.latest.author


def validate_body(data: Any) -> dict[str, Any]:
    """The stored body for ``data``; ``InvalidPayload`` with per-field messages if invalid."""
    try:
        return GuideFileSchema().load(data)
    except ValidationError as error:
        raise invalid_payload(error) from error


def get_guide(workspace: Workspace, key: str) -> Guide:
    guide = find_guide(workspace, key)
    if guide is None:
        raise NotFound(N_('No guide "%(key)s" in this workspace.', key=key))
    return guide


def latest_version(guide: Guide) -> GuideVersion:
    return db.session.scalars(db.select(GuideVersion).where(GuideVersion.guide_id == guide.id)
                              .order_by(GuideVersion.number.desc()).limit(1)).one()


def get_version(guide: Guide, number: int) -> GuideVersion:
    version = db.session.scalar(db.select(GuideVersion).where(
        GuideVersion.guide_id == guide.id, GuideVersion.number == number))
    if version is None:
        raise NotFound(N_("%(key)s has no version %(number)s.", key=guide.key, number=number))
    return version


def history(guide: Guide) -> list[GuideVersion]:
    return list(db.session.scalars(db.select(GuideVersion).where(
        GuideVersion.guide_id == guide.id).order_by(GuideVersion.number.desc())))


def statuses(workspace: Workspace) -> list[GuideStatus]:
    """Every guide with its published number and latest version, by key."""
    latest = (db.select(GuideVersion.guide_id, db.func.max(GuideVersion.number).label("n"))
              .group_by(GuideVersion.guide_id).subquery())
    rows = db.session.execute(
        db.select(Guide, GuideVersion)
        .join(latest, latest.c.guide_id == Guide.id)
        .join(GuideVersion, (GuideVersion.guide_id == Guide.id)
              & (GuideVersion.number == latest.c.n))
        .where(Guide.workspace_id == workspace.id).order_by(Guide.key))
    out = []
    for guide, version in rows:
        published = guide.published_version.number if guide.published_version else None
        out.append(GuideStatus(guide, version.body.get("title"), published, version))
    return out


class VersionConflict(Conflict):
    """Version ``number`` of guide ``key`` was added by someone else at the same moment."""

    def __init__(self, key: str, number: int) -> None:
        super().__init__("Someone saved this guide at the same moment; reload and try again.",
                         code="version_conflict")
        self.key, self.number = key, number


class GuideConflict(Conflict):
    """A guide ``key`` was added by someone else at the same moment."""

    def __init__(self, key: str) -> None:
        super().__init__(f'Someone added a guide "{key}" at the same moment; reload and try '
                         "again.", code="version_conflict")
        self.key = key


def find_guide(workspace: Workspace, key: str) -> Guide | None:
    return db.session.scalar(
        db.select(Guide).where(Guide.workspace_id == workspace.id, Guide.key == key))


def guide_keys(workspace: Workspace) -> list[str]:
    return list(db.session.scalars(
        db.select(Guide.key).where(Guide.workspace_id == workspace.id).order_by(Guide.key)))


def latest_or_none(guide: Guide) -> GuideVersion | None:
    return db.session.scalar(db.select(GuideVersion).where(GuideVersion.guide_id == guide.id)
                             .order_by(GuideVersion.number.desc()).limit(1))


def add_guide(workspace: Workspace, body: dict[str, Any]) -> Guide:
    """A new guide row for a validated body, in the caller's transaction (no version yet).

    Someone adding the same key at the same moment ends the transaction with
    ``GuideConflict`` rather than an IntegrityError.
    """
    guide = Guide(workspace_id=workspace.id, key=body["key"], kind=body["kind"],
                  priority=body["priority"])
    db.session.add(guide)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise GuideConflict(body["key"]) from error
    return guide


def add_version(guide: Guide, body: dict[str, Any], actor: Author | str, state: str,
                after: GuideVersion | None) -> GuideVersion:
    """Version ``after.number + 1`` (or 1) of ``guide``, in the caller's transaction.

    The number is unique per guide: if someone added it at the same moment, the
    transaction is rolled back and ``VersionConflict`` raised.
    """
    version = GuideVersion(
        guide_id=guide.id, number=(after.number + 1) if after else 1, state=state, body=body,
        checksum=body_checksum(body), author=audit.actor_name(actor),
    )  # fmt: skip
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise VersionConflict(guide.key, version.number) from error
    return version


def publish_version(workspace: Workspace, actor: Author | str, guide: Guide,
                    version: GuideVersion, **details: Any) -> None:
    """Point ``guide`` at ``version`` (the previous one is archived) and audit
    ``guide.publish``, in the caller's transaction; widgets are told after the commit."""
    guide.publish(version)
    audit.record(workspace.id, actor, "guide.publish", guide.key, version=version.number,
                 **details)


def create_guide(workspace: Workspace, author: Author, data: dict[str, Any]) -> GuideVersion:
    """A new guide with its first draft, from a (raw) guide document."""
    body = validate_body(data)
    if find_guide(workspace, body["key"]) is not None:
        raise InvalidPayload(N_("The request body is invalid; see fields."),
                             fields={"key": [N_('A guide "%(key)s" already exists.',
                                                key=body["key"])]})
    guide = add_guide(workspace, body)
    version = add_version(guide, body, author, "draft", None)
    audit.record(workspace.id, author, "guide.create", guide.key, version=1)
    db.session.commit()
    return version


def save_draft(workspace: Workspace, author: Author, guide: Guide, data: dict[str, Any],
               base: int | None = None) -> tuple[GuideVersion, bool]:
    """Validate ``data`` and add it as a draft; ``(version, created)``.

    ``base`` is the version number the editor started from: if someone saved
    since, the save is refused rather than silently overwriting their work.
    Unchanged content adds nothing.
    """
    body = validate_body(data)
    if body["key"] != guide.key or body["kind"] != guide.kind:
        raise InvalidPayload(N_("The key and kind of a guide cannot change."),
                             fields={"key": [N_("Cannot change.")]})
    latest = latest_version(guide)
    if base is not None and base != latest.number:
        raise Conflict(N_("%(author)s saved version %(number)s after you opened the editor; "
                          "reload to see it.", author=latest.author or N_("Someone"),
                          number=latest.number), code="version_conflict")
    if latest.checksum == body_checksum(body):
        return latest, False
    version = add_version(guide, body, author, "draft", latest)
    audit.record(workspace.id, author, "guide.save", guide.key, version=version.number)
    db.session.commit()
    return version, True


def publish(workspace: Workspace, author: Author, guide: Guide, number: int) -> GuideVersion:
    """Publish draft ``number``, which must be the latest version."""
    version, latest = get_version(guide, number), latest_version(guide)
    if version.state != "draft":
        raise Conflict(N_("Version %(number)s is %(state)s; only a draft can be published (use "
                          "rollback for an older version).", number=number,
                          state=N_(version.state)), code="not_a_draft")
    if version.id != latest.id:
        raise Conflict(N_("Version %(number)s is newer; publish that one.", number=latest.number),
                       code="version_conflict")
    publish_version(workspace, author, guide, version)
    db.session.commit()
    guides_changed(workspace.id)
    return version


def rollback(workspace: Workspace, author: Author, guide: Guide, number: int) -> GuideVersion:
    """Republish the body of version ``number`` as a new, published version."""
    source, latest = get_version(guide, number), latest_version(guide)
    if guide.published_version_id == source.id:
        raise Conflict(N_("Version %(number)s is already the published one.", number=number),
                       code="already_published")
    version = add_version(guide, source.body, author, "published", latest)
    guide.publish(version)
    audit.record(workspace.id, author, "guide.rollback", guide.key, version=version.number,
                 restored=number)
    db.session.commit()
    guides_changed(workspace.id)
    return version

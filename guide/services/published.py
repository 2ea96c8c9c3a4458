"""Published guides for the hot paths: one small query, bodies from a per-process cache.

Every bootstrap and every envelope needs the workspace's published guides.
Loading them as ORM objects decoded each guide's JSON body on every request
and was most of a bootstrap's time. Versions are immutable, so their bodies
are cached here by version id; the guide rows themselves (which version is
published, kind, priority) are read on every call in one Core query, so a
publish or rollback, in this process or another, is seen by the next request
and the cache can never serve a stale publish. The cache key also holds the
version's number and checksum, read in that same query: an id SQLite reuses
after a deleted guide cannot bring back another body.

The snapshots are read-only stand-ins for ``Guide`` and ``GuideVersion``: the
same attribute names (``id``, ``key``, ``kind``, ``body``, ``step()``, ...),
shared between requests, so nothing may change them, ``body`` included.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Guide, GuideVersion


@dataclass(frozen=True, slots=True)
class PublishedGuide:
    """The guide row as it was read in this request (never cached)."""

    id: int
    workspace_id: int
    key: str
    kind: str
    priority: int
    published_version_id: int


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    """An immutable published version, shared by every request of this process."""

    id: int
    guide_id: int
    number: int
    body: dict[str, Any]
    checksum: str
    state: str = "published"
    _steps: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def step_ids(self) -> list[str]:
        return list(self._steps)

    def step(self, step_id: str) -> dict[str, Any] | None:
        return self._steps.get(step_id)


Pair = tuple[PublishedGuide, PublishedVersion]

VersionKey = tuple[int, int, str]  # id, number, checksum
_CACHE: OrderedDict[VersionKey, PublishedVersion] = OrderedDict()
_CACHE_SIZE = 2048
_lock = Lock()

# Built once, with bind parameters (building them per call cost as much as running them).
_PUBLISHED = (
    sa.select(Guide.id, Guide.workspace_id, Guide.key, Guide.kind, Guide.priority,
              Guide.published_version_id, GuideVersion.number, GuideVersion.checksum)
    .join(GuideVersion, GuideVersion.id == Guide.published_version_id)
    .where(Guide.workspace_id == sa.bindparam("workspace_id"))
)
_ALL = _PUBLISHED.order_by(Guide.priority, Guide.key)
_ONE = _PUBLISHED.where(Guide.key == sa.bindparam("key"))
_BODIES = sa.select(GuideVersion.id, GuideVersion.guide_id, GuideVersion.number,
                    GuideVersion.body, GuideVersion.checksum
                    ).where(GuideVersion.id.in_(sa.bindparam("ids", expanding=True)))


def published_guides(workspace_id: int) -> list[Pair]:
    """Every published guide of a workspace with its version, by priority then key."""
    rows = db.session.connection().execute(_ALL, {"workspace_id": workspace_id}).all()
    return _with_versions(rows)


def published_guide(workspace_id: int, key: str) -> Pair | None:
    rows = db.session.connection().execute(_ONE, {"workspace_id": workspace_id, "key": key}).all()
    pairs = _with_versions(rows)
    return pairs[0] if pairs else None


def _with_versions(rows: list[Any]) -> list[Pair]:
    keys = [(row[5], row[6], row[7]) for row in rows]
    versions = _versions(keys)
    # A version deleted between the two queries (its guide is being deleted) is skipped.
    return [(PublishedGuide(*row[:6]), versions[key]) for row, key in zip(rows, keys, strict=True)
            if key in versions]


def _versions(keys: list[VersionKey]) -> dict[VersionKey, PublishedVersion]:
    found: dict[VersionKey, PublishedVersion] = {}
    with _lock:
        for key in keys:
            version = _CACHE.get(key)
            if version is not None:
                _CACHE.move_to_end(key)
                found[key] = version
    missing = [key for key in keys if key not in found]
    if not missing:
        return found
    rows = db.session.connection().execute(_BODIES, {"ids": [key[0] for key in missing]}).all()
    loaded = {(row.id, row.number, row.checksum): _snapshot(*row) for row in rows}
    with _lock:
        for key, version in loaded.items():
            _CACHE[key] = version
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return {**found, **loaded}


def _snapshot(id: int, guide_id: int, number: int, body: dict[str, Any],  # noqa: A002
              checksum: str) -> PublishedVersion:
    steps = {step["id"]: step for step in body.get("steps", [])}
    return PublishedVersion(id, guide_id, number, body, checksum, _steps=steps)

"""Promote: publish in production what is published in staging (docs/ENVIRONMENTS.md).

``plan`` compares the guides published in a source environment with those
published in the target (same production workspace) and gives, per guide, its
status and a YAML diff: what the admin shows before its confirm button and
``guide content promote`` prints. ``promote`` publishes the source bodies in
the target as new versions (or publishes the target's identical latest draft),
audits ``guide.promote`` in the target's log with the source environment and
version, commits once, then tells the target's widgets. Guides published only
in the target are left alone (reported), never unpublished. Workspace settings,
help articles, the lifecycle and scenarios are not promoted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from guide.errors import Conflict, InvalidPayload, NotFound
from guide.extensions import db
from guide.models import Author, Guide, GuideVersion, Workspace
from guide.services import audit, versions
from guide.services.diff import DiffLine, diff_bodies, unified_text
from guide.services.environments import production_of
from guide.services.push import guides_changed
from guide.services.transaction import owns_transaction
from guide.wording import N_

# What promoting does to a guide.
ADDED, CHANGED, UNCHANGED, LEFT_ALONE = "added", "changed", "unchanged", "only in target"


@dataclass(frozen=True)
class Change:
    key: str
    status: str
    source: GuideVersion | None
    target: GuideVersion | None
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        return self.status in (ADDED, CHANGED)

    def describe(self) -> str:
        source = f"v{self.source.number}" if self.source else "-"
        target = f"v{self.target.number}" if self.target else "-"
        return f"{self.key}: {self.status} (source {source}, target {target})"


@dataclass
class PromotePlan:
    source: Workspace
    target: Workspace
    changes: list[Change]

    @property
    def to_apply(self) -> list[Change]:
        return [change for change in self.changes if change.applies]

    @property
    def fingerprint(self) -> str:
        """Names what the plan saw: a confirm form sends it back, so a promote never applies
        something other than the diff its author reviewed."""
        seen = [(c.key, c.source.id if c.source else 0, c.target.id if c.target else 0)
                for c in self.changes]
        return hashlib.sha256(repr(seen).encode()).hexdigest()[:16]

    def lines(self, diff: bool = True) -> list[str]:
        """What the CLI prints: one line per guide, then its unified diff."""
        out = [f"{self.source.environment} ({self.source.key}) -> "
               f"{self.target.environment} ({self.target.key})"]
        for change in self.changes:
            out.append(change.describe())
            if diff and change.applies:
                out.append(unified_text(change.lines))
        if not self.to_apply:
            out.append("nothing to promote")
        return out


def _published(workspace: Workspace) -> dict[str, tuple[Guide, GuideVersion]]:
    rows = db.session.execute(
        db.select(Guide, GuideVersion).join(GuideVersion, GuideVersion.id ==
                                            Guide.published_version_id)
        .where(Guide.workspace_id == workspace.id).order_by(Guide.key))
    return {guide.key: (guide, version) for guide, version in rows}


def _check_pair(source: Workspace, target: Workspace) -> None:
    if source.id == target.id:
        raise InvalidPayload(N_("Promote from one environment to another, not to itself."),
                             fields={"to": [N_("Same as the source.")]})
    if production_of(source).id != production_of(target).id:
        raise InvalidPayload(N_("%(source)s and %(target)s are not environments of the same "
                                "workspace.", source=source.key, target=target.key),
                             fields={"to": [N_("Another workspace.")]})


def plan(source: Workspace, target: Workspace, keys: list[str] | None = None) -> PromotePlan:
    """What promoting ``keys`` (default: every guide published in ``source``) would change."""
    _check_pair(source, target)
    published, live = _published(source), _published(target)
    missing = [key for key in keys or [] if key not in published]
    if missing:
        raise NotFound(N_("Not published in %(environment)s: %(keys)s.",
                          environment=source.environment, keys=", ".join(missing)))
    chosen = keys or list(published)
    locale = target.default_locale
    changes = []
    for key in sorted(set(chosen)):
        new = published[key][1]
        old = live[key][1] if key in live else None
        if key in live and live[key][0].kind != published[key][0].kind:
            raise InvalidPayload(f"{key} is a {published[key][0].kind} in {source.environment} "
                                 f"but a {live[key][0].kind} in {target.environment}; a guide's "
                                 "kind cannot change.", fields={"keys": [key]})
        status = ADDED if old is None else UNCHANGED if old.checksum == new.checksum else CHANGED
        lines = diff_bodies(old.body if old else None, new.body, locale) if status != UNCHANGED \
            else []
        changes.append(Change(key, status, new, old, lines))
    if keys is None:
        changes += [Change(key, LEFT_ALONE, None, version) for key, (_, version) in live.items()
                    if key not in published]
    return PromotePlan(source, target, changes)


@owns_transaction
def promote(actor: Author | str, source: Workspace, target: Workspace,
            keys: list[str] | None = None, expected: str | None = None) -> PromotePlan:
    """Publish in ``target`` what ``plan`` shows; ``expected`` (a plan's fingerprint) refuses
    with a Conflict if either side changed since that plan was shown. Committed."""
    done = plan(source, target, keys)
    if expected is not None and expected != done.fingerprint:
        raise Conflict(N_("%(source)s or %(target)s changed since you saw the diff; review it "
                          "again.", source=source.environment, target=target.environment),
                       code="promote_stale")
    for change in done.to_apply:
        _publish(actor, source, target, change)
    db.session.commit()
    if done.to_apply:
        guides_changed(target.id)
    return done


def _publish(actor: Author | str, source: Workspace, target: Workspace, change: Change) -> None:
    """The source body as the target's published version: its latest if identical (a draft
    pushed there already), else a new version; one ``guide.promote`` entry."""
    new = change.source
    assert new is not None  # an applying change has a source version
    guide = versions.find_guide(target, change.key) or versions.add_guide(target, new.body)
    version = versions.latest_or_none(guide)
    if version is None or version.checksum != new.checksum:
        version = versions.add_version(guide, new.body, actor, "draft", version)
    guide.publish(version)
    audit.record(target.id, actor, "guide.promote", guide.key, version=version.number,
                 environment=source.environment, source_version=new.number)

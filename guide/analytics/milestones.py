"""The workspace's milestones as the lifecycle report and the portfolio read them.

Read from ``Workspace.lifecycle`` (content/lifecycle.yaml) and the published
guides' ``milestone:`` fields directly: analytics is below ``guide.proactive``
and does not import its compiled ``Lifecycle``.

Order (the funnel's): lifecycle.yaml's milestones in file order, then the
milestones only a stage's ``requires`` names (in stage order), then the ones
only a published guide's ``milestone:`` field names (in the guides' order).

A milestone's **deadline** (``expected_days``): its own ``expected_days``, or
else the smallest ``expected_days`` of the stages that require it, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Workspace
from guide.services.localize import localize
from guide.services.published import published_guides


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    expected_days: int | None
    # Guides whose stall is a stall on the way to this milestone: the guides whose
    # ``milestone:`` it is, and the guide (or the guide of the step) its ``when`` names.
    guides: frozenset[str]


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    requires: tuple[str, ...]
    expected_days: int | None


@dataclass(frozen=True)
class Lifecycle:
    milestones: list[Milestone]
    stages: list[Stage]

    @property
    def first_stage(self) -> str | None:
        return self.stages[0].key if self.stages else None

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.milestones]

    def deadlines(self) -> dict[str, int]:
        """Milestone key -> expected days, for the milestones that have one."""
        return {m.key: m.expected_days for m in self.milestones if m.expected_days is not None}


def lifecycle_of(workspace: Workspace) -> Lifecycle:
    """The workspace's milestones and stages (none of either without lifecycle.yaml)."""
    body: dict[str, Any] = workspace.lifecycle or {}
    locale = workspace.default_locale or "en"

    def title(item: dict[str, Any]) -> str:
        return localize(item.get("title"), locale, locale) or item["key"]

    stages = [Stage(s["key"], title(s), tuple(s.get("requires") or ()), s.get("expected_days"))
              for s in body.get("stages") or []]
    declared = {m["key"]: m for m in body.get("milestones") or []}
    order = list(declared)
    for stage in stages:
        order += [key for key in stage.requires if key not in order]
    by_guide: dict[str, set[str]] = {}
    for guide, version in published_guides(workspace.id):
        key = version.body.get("milestone")
        if isinstance(key, str):
            by_guide.setdefault(key, set()).add(guide.key)
            if key not in order:
                order.append(key)
    milestones = []
    for key in order:
        item = declared.get(key, {"key": key})
        when = item.get("when") or {}
        guides = set(by_guide.get(key, ()))
        if "guide" in when:
            guides.add(when["guide"])
        if "step" in when:
            guides.add(when["step"].split("/", 1)[0])
        own = item.get("expected_days")
        from_stages = [s.expected_days for s in stages
                       if key in s.requires and s.expected_days is not None]
        expected = own if own is not None else min(from_stages, default=None)
        milestones.append(Milestone(key, title(item), expected, frozenset(guides)))
    return Lifecycle(milestones, stages)


def seconds_between(later: Any, earlier: Any) -> Any:
    """SQL: whole seconds from ``earlier`` to ``later`` (two timestamp columns)."""
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = sa.func.extract("epoch", later - earlier)
    else:
        seconds = (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    return sa.cast(sa.func.round(seconds), sa.BigInteger)

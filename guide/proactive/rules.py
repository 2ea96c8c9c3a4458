"""A workspace's scenarios as the engine uses them, cached per process.

Scenarios change only on ``content push``; reading them for every event would
cost a query per envelope. Each process keeps them for ``TTL`` seconds (a
push in this process clears the cache at once, another process sees it within
``TTL``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Lock
from typing import Any

from guide.extensions import db
from guide.models import Scenario
from guide.schemas.proactive import (  # noqa: F401 (holdout_bucket: the tests')
    EVENT_TRIGGERS,
    TRIGGERS,
    holdout_bucket,
    in_holdout,
    scenario_subject,
)

TTL = 5.0
DEFAULT_SETTINGS = {"max_nudges_per_day": 3, "sweep_seconds": 300}


@dataclass(frozen=True)
class Rule:
    """One enabled scenario: its id, key and validated body."""

    id: int
    key: str
    body: dict[str, Any]

    @property
    def trigger(self) -> dict[str, Any]:
        return self.body["trigger"]

    @property
    def kind(self) -> str:
        return next(kind for kind in TRIGGERS if kind in self.trigger)

    @property
    def on_event(self) -> bool:
        return self.kind in EVENT_TRIGGERS

    @property
    def subject_type(self) -> str:
        return scenario_subject(self.body)

    def holds_out(self, external_id: str) -> bool:
        """Is this subject (its external id) in the scenario's holdout (no action when it
        fires)?"""
        return in_holdout(self.key, self.subject_type, external_id, self.body.get("holdout", 0))


_cache: dict[int, tuple[float, list[Rule]]] = {}
_lock = Lock()


def rules_of(workspace_id: int, *, fresh: bool = False) -> list[Rule]:
    """Enabled, configured scenarios of a workspace, in file order."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(workspace_id)
    if cached is not None and not fresh and now - cached[0] < TTL:
        return cached[1]
    rows = db.session.execute(
        db.select(Scenario.id, Scenario.key, Scenario.body)
        .where(Scenario.workspace_id == workspace_id, Scenario.configured.is_(True))
        .order_by(Scenario.position, Scenario.id))
    rules = [Rule(id, key, body) for id, key, body in rows if body.get("enabled", True)]
    with _lock:
        _cache[workspace_id] = (now, rules)
    return rules


def forget(workspace_id: int | None = None) -> None:
    """Drop the cache (after a push in this process; tests)."""
    with _lock:
        if workspace_id is None:
            _cache.clear()
        else:
            _cache.pop(workspace_id, None)


def settings_of(scenario_settings: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **(scenario_settings or {})}

"""Push ``lifecycle.yaml`` and ``scenarios.yaml``, inside ``push_content``'s transaction.

lifecycle.yaml is stored whole on ``Workspace.lifecycle``; scenarios.yaml's
settings on ``Workspace.scenario_settings`` and each scenario as one
``Scenario`` row in file order. A scenario removed from the file is kept
(``configured=False``) for its firing history and comes back if re-added. A
missing file leaves what the database has as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guide.extensions import db
from guide.models import Scenario, Workspace
from guide.models.base import utcnow

if TYPE_CHECKING:
    from guide.content.loader import Content

UNCHANGED = ("unchanged", "no lifecycle.yaml (left as is)", "no scenarios.yaml (left as is)")


@dataclass
class ProactiveResult:
    # "lifecycle", "scenario settings" or "scenario KEY"
    name: str
    # created | updated | restored | removed | unchanged | no ....yaml (left as is)
    status: str

    @property
    def changed(self) -> bool:
        return self.status not in UNCHANGED

    def describe(self) -> str:
        return f"{self.name}: {self.status}"


def sync_proactive(workspace: Workspace, content: Content) -> list[ProactiveResult]:
    """Store the loaded lifecycle and scenarios; one result per line of the push summary."""
    results = [_sync_lifecycle(workspace, content.lifecycle)]
    if content.scenarios is None:
        results.append(ProactiveResult("scenarios", "no scenarios.yaml (left as is)"))
    else:
        results.append(_sync_settings(workspace, content.scenarios["settings"]))
        results += _sync_scenarios(workspace, content.scenarios["scenarios"])
    db.session.flush()
    return results


def _sync_lifecycle(workspace: Workspace, lifecycle: dict[str, Any] | None) -> ProactiveResult:
    if lifecycle is None:
        return ProactiveResult("lifecycle", "no lifecycle.yaml (left as is)")
    if workspace.lifecycle == lifecycle:
        return ProactiveResult("lifecycle", "unchanged")
    status = "created" if workspace.lifecycle is None else "updated"
    workspace.lifecycle = lifecycle
    return ProactiveResult("lifecycle", status)


def _sync_settings(workspace: Workspace, settings: dict[str, Any]) -> ProactiveResult:
    if workspace.scenario_settings == settings:
        return ProactiveResult("scenario settings", "unchanged")
    status = "created" if workspace.scenario_settings is None else "updated"
    workspace.scenario_settings = settings
    return ProactiveResult("scenario settings", status)


def _sync_scenarios(workspace: Workspace, bodies: list[dict[str, Any]]) -> list[ProactiveResult]:
    rows = {row.key: row for row in db.session.scalars(
        db.select(Scenario).where(Scenario.workspace_id == workspace.id))}
    results = []
    now = utcnow()
    for position, body in enumerate(bodies):
        row = rows.pop(body["key"], None)
        if row is None:
            db.session.add(Scenario(workspace_id=workspace.id, key=body["key"], body=body,
                                    position=position, configured=True, created_at=now,
                                    updated_at=now))  # fmt: skip
            results.append(ProactiveResult(f"scenario {body['key']}", "created"))
            continue
        status = "restored" if not row.configured else "updated"
        if row.configured and row.body == body and row.position == position:
            status = "unchanged"
        else:
            row.body, row.position, row.configured, row.updated_at = body, position, True, now
        results.append(ProactiveResult(f"scenario {body['key']}", status))
    for key, row in sorted(rows.items()):
        if row.configured:
            row.configured, row.updated_at = False, now
            results.append(ProactiveResult(f"scenario {key}", "removed"))
    return results

"""The workspace's proactive definitions as stored: the lifecycle and the scenarios.

``lifecycle.yaml`` is stored whole on ``Workspace.lifecycle``; ``scenarios.yaml``'s
settings on ``Workspace.scenario_settings`` and each scenario as one
``Scenario`` row in file order. A scenario removed from the file is kept
(``configured=False``) for its firing history and comes back if re-added. A
missing file (None) leaves what the database has as it is.

``apply`` writes in the caller's transaction (``content push``) and audits
each change; ``document`` reads scenarios back for ``content pull``;
``recent_firings`` lists what fired. Running
them is the proactive engine's job (``guide.proactive``), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import AnalyticsScenarioDay, Author, Scenario, ScenarioFiring, Workspace
from guide.models.base import utcnow
from guide.schemas.proactive import ScenariosFileSchema, scenario_goal
from guide.services import audit

UNCHANGED = ("unchanged", "no lifecycle.yaml (left as is)", "no scenarios.yaml (left as is)")


@dataclass
class ProactiveResult:
    # "lifecycle", "scenario settings" or "scenario KEY"
    name: str
    # created | updated | restored | removed | unchanged | no ....yaml (left as is)
    status: str
    # What the audit entry names: a scenario's key, or "settings".
    target: str | None = None

    @property
    def changed(self) -> bool:
        return self.status not in UNCHANGED

    def describe(self) -> str:
        return f"{self.name}: {self.status}"


def apply(workspace: Workspace, lifecycle: dict[str, Any] | None,
          scenarios: dict[str, Any] | None, actor: Author | str,
          **details: Any) -> list[ProactiveResult]:
    """Store a loaded lifecycle and scenarios file; one result per line of the push summary.

    Each change is audited: ``lifecycle.update`` and ``scenario.update`` (target
    ``settings`` or the scenario key), with its status and ``details``.
    """
    results = [_lifecycle(workspace, lifecycle)]
    if results[0].changed:
        audit.record(workspace.id, actor, "lifecycle.update", status=results[0].status, **details)
    if scenarios is None:
        results.append(ProactiveResult("scenarios", "no scenarios.yaml (left as is)"))
    else:
        results.append(_settings(workspace, scenarios["settings"]))
        results += _scenarios(workspace, scenarios["scenarios"])
        for result in results[1:]:
            if result.changed:
                audit.record(workspace.id, actor, "scenario.update", result.target,
                             status=result.status, **details)
    db.session.flush()
    return results


def _lifecycle(workspace: Workspace, lifecycle: dict[str, Any] | None) -> ProactiveResult:
    if lifecycle is None:
        return ProactiveResult("lifecycle", "no lifecycle.yaml (left as is)")
    if workspace.lifecycle == lifecycle:
        return ProactiveResult("lifecycle", "unchanged")
    status = "created" if workspace.lifecycle is None else "updated"
    workspace.lifecycle = lifecycle
    return ProactiveResult("lifecycle", status)


def _settings(workspace: Workspace, settings: dict[str, Any]) -> ProactiveResult:
    if workspace.scenario_settings == settings:
        return ProactiveResult("scenario settings", "unchanged", "settings")
    status = "created" if workspace.scenario_settings is None else "updated"
    workspace.scenario_settings = settings
    return ProactiveResult("scenario settings", status, "settings")


def _scenarios(workspace: Workspace, bodies: list[dict[str, Any]]) -> list[ProactiveResult]:
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
            results.append(ProactiveResult(f"scenario {body['key']}", "created", body["key"]))
            continue
        status = "restored" if not row.configured else "updated"
        if row.configured and row.body == body and row.position == position:
            status = "unchanged"
        else:
            if scenario_goal(row.body) != scenario_goal(body):
                # Settled conversions answered the old goal: the worker settles them again.
                db.session.execute(sa.update(ScenarioFiring).where(
                    ScenarioFiring.scenario_id == row.id).values(converted=None))
                db.session.execute(sa.delete(AnalyticsScenarioDay).where(
                    AnalyticsScenarioDay.scenario_id == row.id))
            row.body, row.position, row.configured, row.updated_at = body, position, True, now
        results.append(ProactiveResult(f"scenario {body['key']}", status, body["key"]))
    for key, row in sorted(rows.items()):
        if row.configured:
            row.configured, row.updated_at = False, now
            results.append(ProactiveResult(f"scenario {key}", "removed", key))
    return results


def document(workspace: Workspace) -> dict[str, Any] | None:
    """scenarios.yaml's content: the settings and the configured scenarios, in file order;
    None when the workspace has neither."""
    rows = list(db.session.scalars(db.select(Scenario).where(
        Scenario.workspace_id == workspace.id, Scenario.configured.is_(True))
        .order_by(Scenario.position, Scenario.id)))
    if workspace.scenario_settings is None and not rows:
        return None
    settings = ScenariosFileSchema().load({"scenarios": []})["settings"]
    return {"settings": {**settings, **(workspace.scenario_settings or {})},
            "scenarios": [row.body for row in rows]}


def recent_firings(workspace: Workspace, only: str | None = None,
                   limit: int = 50) -> list[tuple[ScenarioFiring, str]]:
    """The newest firings with their scenario's key, newest first; ``only`` one scenario."""
    query = (db.select(ScenarioFiring, Scenario.key)
             .join(Scenario, Scenario.id == ScenarioFiring.scenario_id)
             .where(ScenarioFiring.workspace_id == workspace.id))
    if only:
        query = query.where(Scenario.key == only)
    rows = db.session.execute(query.order_by(ScenarioFiring.id.desc()).limit(limit))
    return [(firing, key) for firing, key in rows]

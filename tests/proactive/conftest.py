"""Rules for one test: lifecycle and scenarios set straight on the workspace.

Content loading (files, push, pull) has its own tests; here each test states
the rules it exercises, validated by the same schemas as scenarios.yaml.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from guide.extensions import db
from guide.models import EndUser, Scenario, Workspace
from guide.models.base import utcnow
from guide.proactive import rules
from guide.schemas.proactive import LifecycleFileSchema, ScenariosFileSchema
from guide.services.unit import Context
from guide.usecases.envelopes import handle
from tests import factories

LIFECYCLE = {
    "milestones": [
        {"key": "connected", "when": {"event": "connected"}},
        {"key": "greeted", "when": {"step": "onboarding/hello"}},
        {"key": "pro", "when": {"traits": {"trait": "plan", "eq": "pro"}}},
        {"key": "exporter", "when": {"event": "exported", "count": 3}},
    ],
    "stages": [
        {"key": "signed_up"},
        {"key": "set_up", "requires": ["connected"]},
        {"key": "activated", "requires": ["connected", "greeted"]},
        {"key": "adopted", "requires": ["connected", "greeted", "onboarded"]},
    ],
}


def set_rules(ws: Workspace, *, lifecycle: dict[str, Any] | None = None,
              scenarios: list[dict[str, Any]] = (), **settings: Any) -> None:
    ws.lifecycle = LifecycleFileSchema().load(lifecycle) if lifecycle else None
    data = ScenariosFileSchema().load({"settings": settings, "scenarios": list(scenarios)})
    ws.scenario_settings = data["settings"]
    db.session.execute(db.update(Scenario).where(Scenario.workspace_id == ws.id)
                       .values(configured=False))
    for position, body in enumerate(data["scenarios"]):
        db.session.add(Scenario(workspace_id=ws.id, key=body["key"], body=body,
                                position=position, configured=True))
    db.session.commit()
    rules.forget()


@pytest.fixture
def ws(open_workspace: Workspace) -> Workspace:
    set_rules(open_workspace, lifecycle=LIFECYCLE)
    return open_workspace


def make_user(ws: Workspace, external_id: str = "ada", *, days_ago: float = 0,
              account: Any = None, **traits: Any) -> EndUser:
    seen = utcnow() - timedelta(days=days_ago)
    user = EndUser(workspace_id=ws.id, external_id=external_id, traits=traits, first_seen=seen,
                   last_seen=seen, account_id=account.id if account else None)
    db.session.add(user)
    db.session.commit()
    return user


def send(ws: Workspace, user: EndUser, kind: str, **data: Any) -> dict[str, Any]:
    """One envelope through the service the socket and HTTP paths share."""
    ack = handle(Context(ws, user), kind, {"id": str(uuid.uuid4()), **data})
    assert ack["ok"], ack
    return ack


def track(ws: Workspace, user: EndUser, name: str, **props: Any) -> dict[str, Any]:
    return send(ws, user, "event:track", name=name, props=props)


__all__ = ["LIFECYCLE", "factories", "make_user", "send", "set_rules", "track"]

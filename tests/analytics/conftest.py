"""Analytics fixtures: a workspace in Europe/Paris with the small checklist, and its users."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from guide import analytics
from guide.extensions import db
from guide.models import EndUser, Event, Workspace
from guide.services.unit import Context
from guide.usecases.envelopes import handle
from tests import factories

PARIS = "Europe/Paris"
# Far enough ahead that every event is settled (rollup.SETTLE).
LATER = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def paris(app: Any) -> Workspace:
    ws = factories.make_workspace(key="paris", require_identity=False, timezone=PARIS)
    factories.publish(ws, factories.checklist_body())
    return ws


def user(ws: Workspace, external_id: str) -> EndUser:
    found = EndUser(workspace_id=ws.id, external_id=external_id, traits={})
    db.session.add(found)
    db.session.commit()
    return found


def send(ws: Workspace, who: EndUser, kind: str, at: datetime, **data: Any) -> dict[str, Any]:
    """One envelope through the widget's use case, recorded at client time ``at``."""
    ack = handle(Context(ws, who), kind, {"id": str(uuid.uuid4()), "at": at.isoformat(), **data})
    assert ack["ok"], ack
    return ack


def offer(ws: Workspace, who: EndUser, guide: str, at: datetime) -> None:
    """The server's record of bootstrap offering ``guide`` (guide.usecases.offers) at ``at``."""
    db.session.add(Event(workspace_id=ws.id, user_id=who.id, type="offer", name=guide,
                         client_id=f"offer:{who.id}:{guide}:{at.isoformat()}", props={},
                         created_at=at))
    db.session.commit()


def roll_all(**options: Any) -> int:
    return analytics.rollup(LATER, max_batches=None, **options).total

"""Analytics fixtures: a workspace in Europe/Paris with the small checklist, and its users."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guide import analytics
from guide.analytics import event_rows, store
from guide.analytics.facts import Folder
from guide.analytics.tally import Tally
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


class OpenBatch:
    """A rollup batch in a thread: the watermark taken, ``user_id``'s events (up to
    ``limit``) folded and written, then left open until ``release`` is set (the worker
    between its writes and its commit). ``written`` is set once its rows are flushed;
    any exception lands in ``errors``, for the test's thread to report."""

    def __init__(self, app: Any, ws_id: int, user_id: int, limit: int, hold: float) -> None:
        self.written, self.release = threading.Event(), threading.Event()
        self.errors: list[Exception] = []
        self.thread = threading.Thread(target=self._run, args=(app, ws_id, user_id, limit,
                                                               hold))

    def _run(self, app: Any, ws_id: int, user_id: int, limit: int, hold: float) -> None:
        with app.app_context():
            try:
                after = store.lock_watermark(ws_id)
                rows = event_rows.events_after(ws_id, after, limit)
                folder = Folder(ZoneInfo(PARIS), store.runs_of(ws_id, {user_id}))
                tally = Tally()
                for row in rows:
                    tally.extend(folder.fold(row))
                store.save(ws_id, tally, folder.runs, folder.changed, rows[-1].id)
                db.session.flush()
                self.written.set()
                self.release.wait(hold)
                db.session.commit()
            except Exception as exc:  # reported in the test's thread
                self.errors.append(exc)
                self.written.set()
            finally:
                db.session.remove()


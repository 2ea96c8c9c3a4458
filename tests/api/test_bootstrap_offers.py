"""Bootstrap records its offers (analytics' "eligible"): once per user, guide and local day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import Event
from guide.usecases import offers
from tests import factories


@pytest.fixture
def ws(app):
    # New York: 03:00 UTC is still the previous local day.
    ws = factories.make_workspace(key="offers", require_identity=False,
                                  timezone="America/New_York")
    factories.publish(ws, factories.checklist_body())
    factories.publish(ws, factories.checklist_body(
        "pros-only", priority=1, audience={"trait": "plan", "eq": "pro"}))
    return ws


@pytest.fixture
def clock(monkeypatch):
    now = {"at": datetime(2026, 3, 1, 3, 0, tzinfo=UTC)}
    monkeypatch.setattr(offers, "utcnow", lambda: now["at"])
    return now


@pytest.fixture
def inserts(app):
    """Counts INSERT statements into the event log."""
    seen: list[str] = []

    def count(conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO EVENT"):
            seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", count)


def offered() -> list[tuple[str, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(Event).where(Event.type == "offer").order_by(Event.id))
    return [(e.name, e.client_id.rsplit(":", 1)[1], e.created_at.isoformat()[:10]) for e in rows]


def test_offered_guides_are_recorded_once_a_local_day_without_a_write_after_the_first(
        client, ws, clock, inserts):
    assert factories.bootstrap(client, ws, "ada").status_code == 200
    # Only what the audience offers, named by key, on the local day (Feb 28 in New York).
    assert offered() == [("onboarding", "2026-02-28", "2026-03-01")]
    assert len(inserts) == 1
    for _ in range(3):
        factories.bootstrap(client, ws, "ada")
    assert offered() == [("onboarding", "2026-02-28", "2026-03-01")]
    assert len(inserts) == 1  # the process remembers: not even an INSERT that conflicts


def test_a_new_offer_the_same_day_and_the_next_local_day_are_recorded(client, ws, clock):
    factories.bootstrap(client, ws, "ada")
    factories.bootstrap(client, ws, "ada", traits={"plan": "pro"})
    assert [o[0] for o in offered()] == ["onboarding", "pros-only"]
    clock["at"] = datetime(2026, 3, 1, 4, 59, tzinfo=UTC)  # 23:59 in New York
    factories.bootstrap(client, ws, "ada")
    assert len(offered()) == 2
    clock["at"] = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # midnight: March 1
    factories.bootstrap(client, ws, "ada")
    assert offered()[2:] == [("onboarding", "2026-03-01", "2026-03-01"),
                             ("pros-only", "2026-03-01", "2026-03-01")]


def test_another_process_or_a_forgotten_memory_never_records_a_day_twice(
        app, client, ws, clock):
    factories.bootstrap(client, ws, "ada")
    factories.bootstrap(client, ws, "bob")
    app.extensions.pop("guide.offers")  # as a second worker process would start
    factories.bootstrap(client, ws, "ada")
    factories.bootstrap(client, ws, "bob")
    assert [o[0] for o in offered()] == ["onboarding", "onboarding"]
    users = db.session.scalars(db.select(Event.user_id).where(Event.type == "offer")).all()
    assert len(set(users)) == 2


def test_a_failed_record_does_not_fail_the_bootstrap(client, ws, clock, monkeypatch):
    def broken(_model):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(offers, "insert_ignoring_conflicts", broken)
    response = factories.bootstrap(client, ws, "ada")
    assert response.status_code == 200 and response.get_json()["guides"]
    assert offered() == []

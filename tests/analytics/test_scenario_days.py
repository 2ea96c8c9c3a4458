"""The Scenarios report's rollup (``analytics_scenario_day``) plus its tail equal the
firings read one by one, whatever was settled, erased, unsettled by a goal change or
reset (docs/ANALYTICS.md, "The Scenarios report").

"Raw" is the same report with no day read from the rollup (``rolled_days`` empty), the
computation the report made before the rollup existed. The workspace is in Paris, so
its local days cut UTC days in two: the range's ends are partial UTC days.
"""

from __future__ import annotations

import importlib.util
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.analytics import scenarios, store
from guide.analytics.scenarios import scenario_report, settle, settle_scenario
from guide.extensions import db
from guide.models import (
    AnalyticsScenarioDay,
    EndUser,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.schemas.proactive import ScenarioSchema
from guide.services import privacy
from guide.services import scenarios as scenario_service
from tests.analytics.conftest import user
from tests.analytics.test_rollup_erasure import _waiting_or_done as waiting_or_done
from tests.pg import PG_URL

BASE = datetime(2026, 3, 1, tzinfo=UTC)
HOURS = 20 * 24
USERS = 5
DEADLINE = 15.0
BODY = {"key": "connect", "holdout": "20%", "goal_days": 3,
        "trigger": {"milestone_missing": "connected", "days": 2},
        "actions": [{"task": {"message": "x"}}]}


@pytest.fixture
def connect(paris: Workspace) -> tuple[Workspace, Scenario, list[int]]:
    row = Scenario(workspace_id=paris.id, key="connect", position=0,
                   body=ScenarioSchema().load(BODY), configured=True)
    db.session.add(row)
    db.session.commit()
    return paris, row, [user(paris, f"u{i}").id for i in range(USERS)]


def _load(scenario: Scenario, users: list[int], firings: list[tuple[int, int, bool]],
          reached: dict[int, int]) -> None:
    """Firings (user, hour, held out) and milestones (user -> hour), from a clean slate."""
    for model in (ScenarioFiring, UserMilestone, AnalyticsScenarioDay):
        db.session.execute(sa.delete(model))
    db.session.add_all([ScenarioFiring(
        workspace_id=scenario.workspace_id, scenario_id=scenario.id, subject_type="user",
        subject_id=users[who], window=f"w{n}", fired_at=BASE + timedelta(hours=hour),
        held_out=held, details={}) for n, (who, hour, held) in enumerate(firings)])
    db.session.add_all([UserMilestone(user_id=users[who], key="connected", source="test",
                                      reached_at=BASE + timedelta(hours=hour))
                        for who, hour in reached.items()])
    db.session.commit()


def _raw(ws: Workspace, start: date, end: date, now: datetime) -> dict[str, Any]:
    with mock.patch.object(scenarios, "rolled_days", lambda since, until, _: (until, since)):
        return scenario_report(ws, start, end, now)


def _rows() -> list[tuple[Any, ...]]:
    t = AnalyticsScenarioDay
    return [tuple(row) for row in db.session.execute(sa.select(
        t.scenario_id, t.day, t.held_out, t.settled, t.converted)
        .where(t.settled != 0).order_by(t.scenario_id, t.day, t.held_out))]


def _backfilled() -> list[tuple[Any, ...]]:
    """The rows migration 0021 writes from the same firings."""
    path = Path(__file__).parents[2] / "guide/migrations/versions/0021_analytics_scenario_day.py"
    spec = importlib.util.spec_from_file_location("scenario_day_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(AnalyticsScenarioDay))
    migration.backfill(db.session.connection())
    rows = _rows()
    db.session.rollback()
    return rows


firing = st.tuples(st.integers(0, USERS - 1), st.integers(0, HOURS), st.booleans())


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(firings=st.lists(firing, max_size=25),
       reached=st.dictionaries(st.integers(0, USERS - 1), st.integers(0, HOURS)),
       settle_at=st.integers(0, HOURS + 5 * 24), batch=st.integers(1, 30),
       now_at=st.integers(0, HOURS + 5 * 24), days=st.tuples(st.integers(0, 21),
                                                             st.integers(0, 21)))
def test_the_rollup_plus_the_tail_equal_the_firings(connect, firings, reached, settle_at,
                                                    batch, now_at, days):
    ws, scenario, users = connect
    _load(scenario, users, firings, reached)
    settle(BASE + timedelta(hours=settle_at), batch=batch)  # some settled, some not
    start, end = (date(2026, 3, 1) + timedelta(days=d) for d in sorted(days))
    now = BASE + timedelta(hours=now_at)
    assert scenario_report(ws, start, end, now) == _raw(ws, start, end, now)
    # Settled a batch at a time, the rows the migration backfills at once; a reset counts
    # the settled firings again, to the same rows.
    rows = _rows()
    assert rows == _backfilled()
    store.reset(ws.id)
    db.session.commit()
    assert _rows() == rows


def test_erasing_a_user_uncounts_their_settled_firings(connect):
    ws, scenario, users = connect
    _load(scenario, users, [(0, 10, False), (1, 12, False), (1, 30, True), (2, 40, True)],
          {0: 20, 1: 20})
    now = BASE + timedelta(days=10)
    assert settle(now) == 4
    assert sum(row[3] for row in _rows()) == 4
    privacy.erase_user(ws, db.session.get(EndUser, users[1]), "cli")
    assert sum(row[3] for row in _rows()) == 2
    report = scenario_report(ws, date(2026, 3, 1), date(2026, 3, 5), now)
    assert [scenario_report(ws, date(2026, 3, 1), date(2026, 3, 5), now)] == \
        [_raw(ws, date(2026, 3, 1), date(2026, 3, 5), now)]
    assert report["scenarios"][0]["treated"]["firings"] == 1


def test_a_goal_change_empties_the_scenario_rows_until_settled_again(connect):
    ws, scenario, users = connect
    _load(scenario, users, [(0, 10, False), (1, 12, True)], {0: 20, 1: 90})
    now = BASE + timedelta(days=10)
    settle(now)
    assert sum(row[3] for row in _rows()) == 2
    scenario_service.apply(ws, None, {"settings": {}, "scenarios": [
        {**BODY, "goal_days": 5}]}, "test")
    db.session.commit()
    assert _rows() == []
    start, end = date(2026, 3, 1), date(2026, 3, 5)
    assert scenario_report(ws, start, end, now) == _raw(ws, start, end, now)
    assert settle(now) == 2
    assert sum(row[4] for row in _rows()) == 2  # u1's milestone, 3.25 days on, now counts
    assert scenario_report(ws, start, end, now) == _raw(ws, start, end, now)


@pytest.mark.skipif(not PG_URL, reason="row locks: PostgreSQL (GUIDE_TEST_DATABASE_URL)")
def test_a_user_erased_while_their_firing_is_settled_is_uncounted(app, connect):
    """A settling pass holds its rows uncommitted; the erasure waits for it (the rollup
    turn, else the firing's row lock), then uncounts the firing as the pass settled it
    (from the row it deletes, not from an earlier read): no row counts a deleted firing."""
    ws, scenario, users = connect
    _load(scenario, users, [(0, 10, False), (1, 12, False)], {0: 20})
    ws_id, scenario_id, leaving = ws.id, scenario.id, users[0]
    written, release, erased = threading.Event(), threading.Event(), threading.Event()
    errors: list[Exception] = []

    def settling() -> None:
        with app.app_context():
            try:
                settle_scenario(db.session.get(Scenario, scenario_id), BASE + timedelta(days=10))
                db.session.flush()
                written.set()
                release.wait(DEADLINE)
                db.session.commit()
            except Exception as exc:  # reported in the test's thread
                errors.append(exc)
                written.set()
            finally:
                db.session.remove()

    def erase() -> None:
        with app.app_context():
            try:
                privacy.erase_user(db.session.get(Workspace, ws_id),
                                   db.session.get(EndUser, leaving), "cli")
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()
                erased.set()

    settler, eraser = threading.Thread(target=settling), threading.Thread(target=erase)
    settler.start()
    try:
        assert written.wait(DEADLINE) and errors == []
        eraser.start()
        # It waits on a lock: not done before the settling commits.
        assert waiting_or_done(erased) and not erased.is_set()
    finally:
        release.set()
        settler.join(DEADLINE)
        if eraser.ident is not None:
            eraser.join(DEADLINE)
    assert errors == [] and erased.is_set()
    db.session.rollback()
    assert sum(row[3] for row in _rows()) == 1  # u1's firing; u0's went with u0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioFiring)) == 1

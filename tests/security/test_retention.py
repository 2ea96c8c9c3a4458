"""Event retention: ``events_retention_days`` in workspace.yaml, enforced by the worker in
bounded batches; only events past the retention go, and only in that workspace."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from guide import analytics, worker
from guide.content.push import ContentInvalid, push_content
from guide.extensions import db
from guide.models import Escalation, Event, Workspace
from guide.models.base import utcnow
from guide.proactive.sweep import sweep
from guide.services import retention
from guide.services.content_export import workspace_document
from tests import factories
from tests.conftest import CONTENT_DIR
from tests.proactive.conftest import make_user, set_rules


def add_events(ws: Workspace, ages_in_days: list[float], user_id: int | None = None) -> None:
    now = utcnow()
    db.session.add_all([Event(workspace_id=ws.id, user_id=user_id, type="event:track",
                              name=f"age-{age}", props={}, created_at=now - timedelta(days=age))
                        for age in ages_in_days])
    db.session.commit()


def names(ws: Workspace) -> list[str]:
    db.session.expire_all()
    found = sorted(db.session.scalars(sa.select(Event.name).where(Event.workspace_id == ws.id)))
    db.session.rollback()  # no transaction left open: SQLite's write lock goes with it
    return found


@pytest.fixture
def two_workspaces(app):
    kept = factories.make_workspace(key="kept", require_identity=False)
    short = factories.make_workspace(key="short", require_identity=False,
                                     events_retention_days=30)
    add_events(kept, [400, 40, 1])
    add_events(short, [400, 40, 31, 29, 1])
    return kept, short


@pytest.fixture
def rolled(two_workspaces):
    """The workspaces once the analytics rollups absorbed their events (the worker's order)."""
    analytics.rollup(max_batches=None)
    return two_workspaces


def test_purge_deletes_only_events_past_the_workspaces_retention(rolled):
    kept, short = rolled
    report = retention.purge()
    assert report.deleted == {"short": 3} and not report.more
    assert names(short) == ["age-1", "age-29"]
    assert names(kept) == ["age-1", "age-40", "age-400"]  # no retention: kept forever


def test_purge_goes_in_bounded_batches_and_works_off_a_backlog(rolled, monkeypatch):
    _, short = rolled
    report = retention.purge(batch=2, max_batches=1)
    assert report.deleted == {"short": 2} and report.more
    assert len(names(short)) == 3
    monkeypatch.setattr(retention, "BATCH", 2)
    monkeypatch.setattr(retention, "MAX_BATCHES", 1)
    monkeypatch.setattr(retention, "_next_pass", 0.0)
    assert retention.purge_due() == 1  # the rest of the backlog, at the next round
    assert retention.purge_due() == 0  # nothing left: the next pass is an hour away
    assert names(short) == ["age-1", "age-29"]


def test_the_worker_enforces_retention(app, two_workspaces, monkeypatch):
    _, short = two_workspaces
    monkeypatch.setattr(retention, "_next_pass", 0.0)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(app, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while names(short) != ["age-1", "age-29"] and time.monotonic() < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
        worker.wake_up.set()
        thread.join(10)
    assert names(short) == ["age-1", "age-29"]


def test_purge_keeps_expired_events_the_rollups_have_not_absorbed(two_workspaces):
    _, short = two_workspaces
    assert retention.purge().deleted == {"short": 0}  # nothing rolled yet: all kept
    assert len(names(short)) == 5
    recent = add_events_and_ids(short, [35])
    analytics.rollup(max_batches=None)
    late = add_events_and_ids(short, [50])  # expired, but above the watermark
    assert retention.purge().deleted == {"short": 4}
    assert names(short) == ["age-1", "age-29", "age-50"]
    assert late > recent


def add_events_and_ids(ws: Workspace, ages_in_days: list[float]) -> int:
    add_events(ws, ages_in_days)
    return db.session.scalar(sa.select(sa.func.max(Event.id)))


def test_purge_command_runs_a_pass_now(two_workspaces, runner):
    result = runner.invoke(args=["guide", "events", "purge"])
    assert result.exit_code == 0, result.output
    assert "short: 3 event(s) deleted" in result.output
    result = runner.invoke(args=["guide", "events", "purge", "--workspace", "kept"])
    assert "keeps events forever" in result.output


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))


def set_line(content_dir: Path, line: str) -> None:
    path = content_dir / "workspace.yaml"
    path.write_text(path.read_text() + f"\n{line}\n")


def test_workspace_yaml_sets_the_retention_and_pull_writes_it_back(db, content_dir):
    set_line(content_dir, "events_retention_days: 90")
    push_content(content_dir)
    ws = factories.workspace("demo")
    assert ws.events_retention_days == 90
    assert workspace_document(ws)["events_retention_days"] == 90
    path = content_dir / "workspace.yaml"
    path.write_text(path.read_text().replace("events_retention_days: 90", ""))
    push_content(content_dir)
    assert factories.workspace("demo").events_retention_days is None  # back to forever
    assert "events_retention_days" not in workspace_document(factories.workspace("demo"))


@pytest.mark.parametrize("value", ["0", "-5", "'30'", "true", "30.5", "99999999"])
def test_a_retention_that_is_not_a_positive_number_of_days_is_refused(db, content_dir, value):
    set_line(content_dir, f"events_retention_days: {value}")
    with pytest.raises(ContentInvalid) as info:
        push_content(content_dir)
    assert "events_retention_days" in str(info.value.errors[0])


def test_inactive_scenario_skips_users_older_than_the_retained_history(open_workspace):
    """A user seen before the oldest kept event may have been active then: not inactive."""
    open_workspace.events_retention_days = 30
    set_rules(open_workspace, scenarios=[{
        "key": "silent", "trigger": {"inactive": True, "days": 7},
        "actions": [{"task": {"message": "Signed up a while ago, never used it."}}]}])
    old = make_user(open_workspace, "old-timer", days_ago=60)  # active 50 days ago, purged
    add_events(open_workspace, [50], user_id=old.id)
    retention.purge()
    make_user(open_workspace, "silent", days_ago=8)
    sweep(open_workspace)
    users = {e.context["user"]["id"] for e in db.session.scalars(sa.select(Escalation))}
    assert users == {"silent"}

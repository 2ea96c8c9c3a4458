"""Group commit's batch (guide.realtime.group_commit.commit_batch): one commit, one savepoint each.

Driven directly, in process, so the batch's content is known: a bad envelope
fails alone, a replay in the same batch answers with the first's result, and
nothing is acked before the one commit.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Event
from guide.realtime import group_commit
from guide.services import idempotency
from tests import factories

STEP = {"guide": "getting-started", "step": "welcome"}


def item(user: EndUser, kind: str, data: dict) -> group_commit.Item:
    return group_commit.Item(user.id, user.workspace_id, None, None, kind, data)


def users(client, workspace, *names):
    for name in names:
        factories.bootstrap(client, workspace, name)
    db.session.commit()
    return [db.session.scalars(sa.select(EndUser).filter_by(external_id=n)).one() for n in names]


def test_a_batch_commits_once_and_a_bad_envelope_fails_alone(client, workspace, monkeypatch):
    ada, ben, cat = users(client, workspace, "batch-ada", "batch-ben", "batch-cat")
    first, broken = str(uuid.uuid4()), str(uuid.uuid4())
    record = idempotency.record

    def fail_after_writing(event):  # cat's progress is changed by then: undone alone
        if event.client_id == broken:
            raise RuntimeError("a bug meeting this envelope")
        record(event)

    monkeypatch.setattr(idempotency, "record", fail_after_writing)
    batch = [
        item(ada, "step:complete", {"id": first, **STEP}),
        item(ada, "step:complete", {"id": str(uuid.uuid4()), "guide": "getting-started",
                                    "step": "no-such-step"}),
        item(ben, "step:complete", {"id": str(uuid.uuid4()), **STEP}),
        item(ada, "step:complete", {"id": first, **STEP}),  # a resend racing the first
        item(ben, "step:complete", {"id": first, "guide": "getting-started",
                                    "step": "connect-data"}),  # the id, another envelope
        item(ben, "event:track", {"id": str(uuid.uuid4()), "name": "clicked", "props": {}}),
        item(cat, "step:complete", {"id": broken, **STEP}),
    ]
    db.session.remove()  # the batch runs in its owner's own session
    commits: list[int] = []

    def commit(conn):
        commits.append(1)

    sa.event.listen(db.engine, "commit", commit)
    try:
        group_commit.commit_batch(batch)
    finally:
        sa.event.remove(db.engine, "commit", commit)
    acks = [i.ack for i in batch]
    assert len(commits) == 1
    assert acks[0]["ok"] and not acks[0]["duplicate"]
    assert acks[1]["ok"] is False and acks[1]["error"]["code"] == "unknown_step"
    assert acks[2]["ok"] and not acks[2]["duplicate"]
    assert acks[3] == {**acks[0], "duplicate": True}
    assert acks[4]["ok"] is False and acks[4]["error"]["code"] == "id_conflict"
    assert acks[5]["ok"]
    assert acks[6]["ok"] is False and acks[6]["error"]["code"] == "envelope_failed"
    db.session.remove()
    recorded = db.session.scalars(sa.select(Event.client_id).where(
        Event.type.in_(["step:complete", "event:track"]))).all()
    assert sorted(recorded) == sorted([first, batch[2].data["id"], batch[5].data["id"]])
    progress = dict(db.session.execute(sa.text(
        "SELECT u.external_id, p.completed_steps FROM progress p JOIN end_user u "
        "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
        "WHERE g.key = 'getting-started'")).all())
    assert set(progress) <= {"batch-ada", "batch-ben", "batch-cat"}
    assert "welcome" not in str(progress.get("batch-cat"))
    assert "welcome" in str(progress["batch-ada"]) and "welcome" in str(progress["batch-ben"])

"""The fold gives the same facts from ``event_rows`` (the fields it reads, extracted in
SQL) as from the whole ``props`` and ``result`` of each event, whatever they hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import event_rows
from guide.analytics.facts import EventRow, Fact, Folder, Run
from guide.extensions import db
from guide.models import Event
from tests.analytics.conftest import PARIS, user

START = datetime(2026, 3, 1, 9, tzinfo=UTC)
DONE = [{"guide": "onboarding", "step": "hello"}]
# (type, name, props, result): well-formed events and odd ones the fold must ignore alike.
EVENTS: list[tuple[str, str, Any, Any]] = [
    ("guide:state", "onboarding", {"guide": "onboarding", "state": "active"}, None),
    ("guide:state", "onboarding", {"guide": "onboarding", "state": ["active"]}, None),
    ("guide:state", "onboarding", {"guide": 7, "state": "active"}, None),
    ("guide:state", "onboarding", {"guide": "", "state": "active"}, None),
    ("guide:state", "onboarding", {"guide": "x" * 101, "state": "active"}, None),
    ("guide:state", "tour", {"guide": "tour", "state": "snoozed"}, {"completed": []}),
    ("event:track", "$step_shown", {"guide": "onboarding", "step": "hello"}, None),
    ("event:track", "$step_shown", {"guide": "onboarding", "step": {"id": "hello"}}, None),
    ("event:track", "$step_shown", {"guide": "onboarding", "step": None}, None),
    ("event:track", "$target_missing", ["onboarding", "hello"], None),
    ("event:track", "$help_open", {"guide": "tour", "step": "it's \"quoted\" \\ é"}, None),
    ("event:track", "$article_view", "just a string", None),
    ("help:escalate", "help:escalate", {"guide": "onboarding", "step": 3}, None),
    ("help:escalate", "help:escalate", {"guide": None}, None),
    ("step:complete", "onboarding/hello", {}, {"completed": DONE, "progress": {
        "onboarding": {"state": "completed"}}}),
    ("step:complete", "onboarding/hello", {}, {"completed": "hello"}),
    ("step:complete", "onboarding/hello", {}, {"completed": {"guide": "onboarding"}}),
    ("step:complete", "onboarding/hello", {}, {"completed": [7, None, {"guide": "tour"}]}),
    ("event:track", "$guide_shown", {"guide": "tour"}, {"completed": [
        {"guide": "tour", "step": "one"}], "progress": {"tour": "completed"}}),
    ("event:track", "connected", {}, [1, 2]),
    ("guide:state", "tour", {"guide": "tour", "state": "completed"}, None),
    ("milestone", "onboarded", {}, None),
    ("offer", "tour", {}, None),
]


def _fold(rows: list[EventRow]) -> tuple[list[Fact], dict[tuple[int, str], Run]]:
    folder = Folder(ZoneInfo(PARIS), {})
    return [fact for row in rows for fact in folder.fold(row)], folder.runs


def test_the_fold_reads_the_same_facts_from_the_extracted_fields(paris):
    who = user(paris, "odd").id
    db.session.add_all([
        Event(workspace_id=paris.id, user_id=who, type=type_, name=name, props=props,
              result=result, created_at=START + timedelta(minutes=n))
        for n, (type_, name, props, result) in enumerate(EVENTS)])
    db.session.commit()
    whole = [EventRow(*row) for row in db.session.execute(
        sa.select(Event.id, Event.user_id, Event.type, Event.name, Event.props, Event.result,
                  Event.client_at, Event.created_at)
        .where(Event.workspace_id == paris.id).order_by(Event.id))]
    read = event_rows.events_after(paris.id, 0, 100)
    facts, runs = _fold(read)
    assert len(read) == len(EVENTS) and [row.id for row in read] == [row.id for row in whole]
    assert (facts, runs) == _fold(whole)
    assert len(facts) > len(EVENTS)  # the well-formed events said something

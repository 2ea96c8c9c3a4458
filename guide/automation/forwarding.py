"""Event forwarding: Guide's own events, as Segment ``track`` calls, to a Segment-compatible
HTTP Tracking API (Segment, RudderStack, ...), batched through the outbox.

Each worker round, for each workspace that forwards: take its settings row (a
write first, so a second worker waits and then sees the moved cursor), read
the settled events after the cursor in id order, turn them into track calls,
queue them as outbox messages of at most ``CALLS`` calls, move the cursor, and
commit; a crash rolls it all back. The outbox then delivers each batch with
its retries; every call has a stable ``messageId`` (``guide-<event id>-<n>``),
which Segment de-duplicates by, so a retried batch is counted once.

Settling, as in the analytics rollup: only events at least ``SETTLE`` old are
read and a batch stops at the first younger one, so an event committed late
with a lower id (PostgreSQL sequences) is not skipped.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from guide.automation.webhooks import deliver, private_allowed
from guide.extensions import db
from guide.models import Account, EndUser, Event, IntegrationSettings, OutboxMessage, Workspace
from guide.models.base import isoformat, utcnow
from guide.models.integrations import SEGMENT_BATCH_URL
from guide.services import outbox

READ = 1000  # events read per batch
CALLS = 100  # track calls per outbox message (well under Segment's 500 KB a batch)
MAX_BATCHES = 10  # per worker round, over all workspaces
SETTLE = timedelta(seconds=10)
TYPES = ("step:complete", "guide:state", "event:track", "survey:answer", "help:escalate",
         "milestone", "stage")
LIBRARY = {"name": "guide", "version": "1"}
TRACKED = {"$guide_shown": "Guide Seen", "$nudge_opened": "Nudge Opened"}
STATES = {"active": "Guide Started", "completed": "Guide Completed",
          "dismissed": "Guide Dismissed"}


def _done(result: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The steps an envelope completed (its ack), then the guides that it finished."""
    result = result if isinstance(result, dict) else {}
    done = [item for item in result.get("completed") or [] if isinstance(item, dict)]
    progress = result.get("progress") if isinstance(result.get("progress"), dict) else {}
    for item in done:
        yield "Step Completed", {"guide": item.get("guide"), "step": item.get("step")}
    for guide in dict.fromkeys(item.get("guide") for item in done):
        if (progress.get(guide) or {}).get("state") == "completed":
            yield "Guide Completed", {"guide": guide}


def tracks(event: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(event name, properties)`` of the Segment calls one Guide event makes."""
    props = event.props if isinstance(event.props, dict) else {}
    kind, calls = event.type, []
    if kind == "guide:state" and props.get("state") in STATES:
        passed = props.get("passed") if isinstance(props.get("passed"), list) else []
        calls += [("Step Completed", {"guide": props.get("guide"), "step": step})
                  for step in passed]
        # A running tour says "active" at each step: only the move into it is a start.
        moving_on = props["state"] == "active" and props.get("from") == "active"
        if not moving_on and (props["state"] != "completed"
                              or not (event.result or {}).get("completed")):
            calls.append((STATES[props["state"]], {"guide": props.get("guide")}))
    elif kind == "event:track" and event.name in TRACKED:
        calls.append((TRACKED[event.name], {k: props.get(k) for k in ("guide", "nudge",
                                                                     "scenario") if k in props}))
    elif kind == "survey:answer":
        calls.append(("Survey Answered", {"survey": props.get("survey"),
                                          "version": props.get("version")}))
    elif kind == "help:escalate":
        calls.append(("Escalation Opened", {k: props.get(k) for k in (
            "reference", "severity", "guide", "step")}))
    elif kind == "milestone":
        calls.append(("Milestone Reached", {"milestone": event.name}))
    elif kind == "stage":
        calls.append(("Stage Changed", {"from": props.get("from"), "to": props.get("to")}))
    if kind in ("step:complete", "guide:state", "event:track"):
        calls += list(_done(event.result))
    return calls


def calls_of(event: Any) -> list[dict[str, Any]]:
    """The Segment track calls of an event row (with the user's and account's ids)."""
    at = event.client_at or event.created_at
    context = {"library": LIBRARY, **({"groupId": event.account} if event.account else {})}
    return [{"type": "track", "messageId": f"guide-{event.id}-{n}", "userId": event.user,
             "event": name, "timestamp": isoformat(at), "context": context,
             "properties": {**{k: v for k, v in properties.items() if v is not None},
                            **({"account": event.account} if event.account else {})}}
            for n, (name, properties) in enumerate(tracks(event))]


def _events_after(workspace_id: int, after: int) -> list[Any]:
    return list(db.session.execute(
        sa.select(Event.id, Event.type, Event.name, Event.props, Event.result, Event.client_at,
                  Event.created_at, EndUser.external_id.label("user"),
                  Account.external_id.label("account"))
        .outerjoin(EndUser, EndUser.id == Event.user_id)
        .outerjoin(Account, Account.id == EndUser.account_id)
        .where(Event.workspace_id == workspace_id, Event.id > after, Event.type.in_(TYPES))
        .order_by(Event.id).limit(READ)))


def forward_batch(workspace_id: int, cutoff: datetime) -> int:
    """Queue one batch of the workspace's settled events; how many events it read."""
    table = IntegrationSettings.__table__
    # The write takes the row lock (PostgreSQL) or the write lock (SQLite) first.
    db.session.execute(sa.update(table).where(table.c.workspace_id == workspace_id)
                       .values(forward_after=table.c.forward_after))
    settings = db.session.get(IntegrationSettings, workspace_id, populate_existing=True)
    if settings is None or not settings.forward_write_key:
        db.session.rollback()
        return 0
    rows = _events_after(workspace_id, settings.forward_after)
    rows = rows[:next((i for i, r in enumerate(rows) if r.created_at > cutoff), len(rows))]
    if not rows:
        db.session.rollback()
        return 0
    calls = [call for row in rows if row.user for call in calls_of(row)]
    workspace = db.session.get(Workspace, workspace_id)
    assert workspace is not None
    now = utcnow()
    outbox.insert_messages([
        outbox.message_row(workspace, "segment", "segment", "segment.batch",
                           {"batch": calls[start:start + CALLS]}, now)
        for start in range(0, len(calls), CALLS)])
    settings.forward_after = rows[-1].id
    db.session.commit()
    return len(rows)


def forward_due(now: datetime | None = None, max_batches: int = MAX_BATCHES) -> int:
    """The worker's call, every round: settled events of every forwarding workspace queued,
    at most ``max_batches`` batches; how many events were read."""
    cutoff = (now or utcnow()) - SETTLE
    ids = list(db.session.scalars(sa.select(IntegrationSettings.workspace_id).where(
        IntegrationSettings.forward_write_key.is_not(None)).order_by(
        IntegrationSettings.workspace_id)))
    db.session.rollback()
    total = 0
    for workspace_id in ids:
        while max_batches > 0:
            max_batches -= 1
            read = forward_batch(workspace_id, cutoff)
            total += read
            if read < READ:
                break
    if total:
        outbox.wake_up.set()
    return total


def prepare(message: OutboxMessage, settings: IntegrationSettings) -> Callable[[], None]:
    """The batch with its ``sentAt``, authenticated by the write key (HTTP Basic, the key as
    the user name, as Segment's libraries send it); the call returned only sends it."""
    assert settings.forward_write_key
    body = json.dumps({"batch": message.payload["batch"], "sentAt": isoformat(utcnow())},
                      ensure_ascii=False).encode()
    auth = base64.b64encode(f"{settings.forward_write_key}:".encode()).decode()
    headers = {"Authorization": f"Basic {auth}", "User-Agent": "Guide-Forwarding/1"}
    url = settings.forward_url or SEGMENT_BATCH_URL
    timeout = current_app.config["GUIDE_WEBHOOK_TIMEOUT"]
    allow_private = private_allowed(message.workspace_id)
    return lambda: deliver(url, body, headers, timeout=timeout, allow_private=allow_private)

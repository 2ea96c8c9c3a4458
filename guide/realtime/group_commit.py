"""Group commit: the envelopes of one server process share transactions, one commit each.

Each socket's handler hands its envelope to the process's one transaction
owner and waits. The owner takes every envelope waiting (those that arrived
while its previous commit was in flight, and those arriving within
``GUIDE_GROUP_COMMIT_WINDOW_MS`` after the first), applies each in its own
SAVEPOINT (``envelopes.handle_nested``: one that fails is rolled back alone),
commits once, and only then hands each handler its ack. So:

- ack after commit: no ack leaves before the commit that holds its writes;
- exactly once: the replay check by envelope id and the event's unique key
  work as alone (two envelopes with one id in a batch: the second is a replay);
- a failed commit (the database gone, a deadlock) redoes each envelope of the
  batch alone, in its own transaction, as without group commit.

The owner is a background task of Flask-SocketIO's async mode (a greenlet
under gevent, a thread otherwise), with that mode's queue and events.
``GUIDE_GROUP_COMMIT=off`` handles every envelope in its own transaction
(``auto``, the default, turns it on under gevent only: see ``enabled``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from guide import metrics
from guide.errors import error_body
from guide.extensions import db, socketio
from guide.services.sessions import context_of
from guide.usecases import envelopes, transactions
from guide.usecases.transactions import AfterCommit

# The envelopes a widget sends all the time; the rare ones (escalations, surveys,
# feedback) commit on their own: they send mail or wake the outbox mid-way.
GROUPED = frozenset({"step:complete", "guide:state", "event:track"})
MAX_BATCH = 200
_STARTING = threading.Lock()  # one owner per app (gevent patches threading)
WAIT_SECONDS = 60  # an ack the owner never gives: the client retries (a replay if it landed)


@dataclass
class Item:
    """One envelope waiting for its batch's commit, and who sent it."""

    user_id: int
    workspace_id: int
    sid: str | None
    user_agent: str | None
    kind: str
    data: Any
    done: Any = None  # the async mode's event, set once ``ack`` is final
    ack: dict[str, Any] = field(default_factory=dict)


class GroupCommit:
    """The transaction owner of one process (one per app, started on first use)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.window = app.config["GUIDE_GROUP_COMMIT_WINDOW_MS"] / 1000
        server = socketio.server.eio
        self.queue = server.create_queue()
        self.empty = server.get_queue_empty_exception()
        self.new_event = server.create_event
        socketio.start_background_task(self._run)

    def submit(self, item: Item) -> dict[str, Any]:
        """Queue the envelope; its ack once its batch has committed."""
        item.done = self.new_event()
        self.queue.put(item)
        if not item.done.wait(WAIT_SECONDS):
            return {"ok": False, **error_body(
                "internal_error", "The server failed to record this in time; retry later.")}
        return item.ack

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            if self.window:
                socketio.sleep(self.window)
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except self.empty:
                    break
            metrics.GROUP_COMMIT_BATCH.observe(len(batch))
            with self.app.app_context():
                try:
                    commit_batch(batch)
                except Exception:  # never leave a handler waiting, never stop the owner
                    current_app.logger.exception("group commit failed")
                finally:
                    db.session.remove()
            for item in batch:
                item.ack = item.ack or {"ok": False, **error_body(
                    "internal_error", "The server failed to record this; retry later.")}
                item.done.set()


def commit_batch(batch: list[Item]) -> None:
    """Apply every envelope in its savepoint, commit once, then set the acks."""
    try:
        results = transactions.commit_shared(lambda: [_nested(item) for item in batch])
    except Exception:
        current_app.logger.exception("a group commit of %d envelopes failed; each is redone "
                                     "alone", len(batch))
        for item in batch:
            item.ack = handle_alone(item)
        return
    for item, (ack, _after) in zip(batch, results, strict=True):
        item.ack = ack
    for _ack, after_commit in results:
        try:
            after_commit()
        except Exception:  # a push that failed does not undo the committed envelope
            current_app.logger.exception("after the commit of an envelope")


def _nested(item: Item) -> tuple[dict[str, Any], AfterCommit]:
    ctx = context_of(item.user_id, item.workspace_id, item.sid, item.user_agent)
    if ctx is None:
        return _gone(), _nothing
    return envelopes.handle_nested(ctx, item.kind, item.data)


def _nothing() -> None:
    return None


def _gone() -> dict[str, Any]:
    return {"ok": False, **error_body("socket_token_invalid",
                                      "This connection's user no longer exists.")}


def handle_alone(item: Item) -> dict[str, Any]:
    """The envelope in its own transaction (group commit off, or its batch's commit failed)."""
    ctx = context_of(item.user_id, item.workspace_id, item.sid, item.user_agent)
    return _gone() if ctx is None else envelopes.handle(ctx, item.kind, item.data)


def enabled(app: Flask) -> bool:
    """GUIDE_GROUP_COMMIT: on, off, or auto (the default): on under gevent only.

    In threading mode (the development server, Flask-SocketIO's test client) a
    handler may run inside a caller's open transaction, and on SQLite the
    owner's transaction would wait for that caller's write lock.
    """
    setting = app.config["GUIDE_GROUP_COMMIT"]
    if setting == "auto":
        return socketio.async_mode == "gevent"
    return setting in ("1", "true", "yes", "on")


def handle(item: Item) -> dict[str, Any]:
    """The envelope's ack: through the process's group commit when it is on."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if item.kind not in GROUPED or not enabled(app):
        return handle_alone(item)
    owner = app.extensions.get("group_commit")
    if owner is None:
        with _STARTING:
            owner = app.extensions.get("group_commit")
            if owner is None:
                owner = app.extensions["group_commit"] = GroupCommit(app)
    return owner.submit(item)

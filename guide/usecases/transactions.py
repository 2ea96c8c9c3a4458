"""Where an envelope's writes end: its own transaction, or its savepoint in a shared one.

``guide.usecases.envelopes`` applies an envelope the same way in both; only
the end differs. Alone (``Transaction``), the envelope commits. Under group
commit (``Savepoint``, guide.realtime.group_commit), it releases its savepoint
and the batch's owner commits every envelope of the batch at once; a failure
rolls back to the savepoint, leaving the others' writes in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from guide.extensions import db

# What to run once the envelope's writes are committed (pushes, the outbox's wake-up).
AfterCommit = Callable[[], None]
T = TypeVar("T")


def commit_shared(apply: Callable[[], T]) -> T:
    """The owner of a shared transaction (group commit): run ``apply`` (each envelope in its
    savepoint) and commit once; on any failure roll everything back and re-raise, so the
    caller can redo each envelope alone."""
    try:
        result = apply()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


class Transaction:
    """An envelope's own transaction."""

    def finish(self) -> None:
        db.session.commit()

    def undo(self) -> None:
        db.session.rollback()

    def read_only(self) -> None:
        """Nothing was written (a replay): the request's end closes the transaction."""


class Savepoint:
    """An envelope's savepoint in a transaction its caller commits."""

    def __init__(self, savepoint: Any) -> None:
        self.savepoint = savepoint

    def finish(self) -> None:
        self.savepoint.commit()  # RELEASE SAVEPOINT (after flushing the envelope's writes)

    def undo(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()

    def read_only(self) -> None:
        self.finish()


Unit = Transaction | Savepoint

"""Users per lifecycle stage now, rolled up (the lifecycle report's "stages now").

The same scheme as the signup rollup (``guide.analytics.signups``): each user
records the stage it is counted in (``end_user.rolled_stage``), a partial index
holds the users whose stage is not counted as it is now (new users, users moved),
the worker folds them (-1 where counted, +1 where they are), and a report adds the
ones not folded yet itself. The erasure takes erased users out
(``AnalyticsStage.forget_users``): stages count users now, so never an erased one.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.extensions import db
from guide.models import AnalyticsStage, EndUser
from guide.models.user import NO_STAGE, STAGE_NEWS


class Moves(NamedTuple):
    counts: Counter[str]  # stage (NO_STAGE: none) -> users in or out
    users: dict[int, str]  # user id -> the stage it is counted in now
    full: bool  # the limit was met: more may be left


def moves(workspace_id: int, limit: int | None = None) -> Moves:
    """The users whose stage is not counted as it is now (at most ``limit``)."""
    u = EndUser
    query = sa.select(u.id, u.lifecycle_stage, u.rolled_stage).where(
        u.workspace_id == workspace_id, STAGE_NEWS)
    rows = db.session.execute(query if limit is None else query.limit(limit)).all()
    counts: Counter[str] = Counter()
    users = {}
    for user_id, stage, rolled in rows:
        users[user_id] = NO_STAGE if stage is None else stage
        counts[users[user_id]] += 1
        if rolled is not None:
            counts[rolled] -= 1
    return Moves(counts, users, limit is not None and len(rows) == limit)


def fold(workspace_id: int, limit: int) -> Moves:
    """Fold up to ``limit`` moves (the caller's transaction, holding the rollup lock)."""
    found = moves(workspace_id, limit)
    rows = [{"workspace_id": workspace_id, "stage": stage, "users": n}
            for stage, n in sorted(found.counts.items()) if n]
    if rows:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        table = AnalyticsStage.__table__
        stmt = dialect.insert(table)
        db.session.connection().execute(stmt.on_conflict_do_update(
            index_elements=["workspace_id", "stage"],
            set_={"users": table.c.users + stmt.excluded.users}), rows)
    if found.users:
        table = EndUser.__table__
        db.session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("uid"))
            .values(rolled_stage=sa.bindparam("stage")),
            [{"uid": uid, "stage": stage} for uid, stage in sorted(found.users.items())])
    return found


def forget(workspace_id: int) -> None:
    """Every user news again (the caller's transaction, holding the rollup lock)."""
    db.session.execute(sa.delete(AnalyticsStage).where(
        AnalyticsStage.workspace_id == workspace_id))
    db.session.execute(sa.update(EndUser).where(EndUser.workspace_id == workspace_id,
                                                EndUser.rolled_stage.is_not(None))
                       .values(rolled_stage=None).execution_options(synchronize_session=False))


def counts(workspace_id: int) -> Counter[str | None]:
    """Users per stage now (None: never moved): the rolled counts and the moves."""
    found: Counter[str] = Counter(dict(db.session.execute(
        sa.select(AnalyticsStage.stage, AnalyticsStage.users)
        .where(AnalyticsStage.workspace_id == workspace_id)).all()))
    found.update(moves(workspace_id).counts)
    return Counter({None if stage == NO_STAGE else stage: n
                    for stage, n in found.items() if n})

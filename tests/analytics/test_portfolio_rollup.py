"""The accounts' rows kept by the worker (guide.analytics.account_rollup) plus their tail
give the statuses ``portfolio.judge`` gives, whatever changed since the worker's pass:
users moved, signed up earlier, added, erased; accounts changed; milestones reached."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide import analytics
from guide.analytics import account_rollup, portfolio_status, store
from guide.analytics.milestones import lifecycle_of
from guide.analytics.portfolio import standings
from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AnalyticsAccount,
    AnalyticsMember,
    EndUser,
    Workspace,
)
from guide.models.base import utcnow
from guide.services import privacy
from guide.services.users import upsert_user
from tests.analytics.test_portfolio_status import NOW, _seed, _times

CHANGES = ("move", "signed_up", "new_user", "milestone", "stage", "created", "erase",
           "new_account")


def _judged(ws: Workspace, users: frozenset[int] | None = None
            ) -> dict[int, tuple[str, str, str | None]]:
    life = lifecycle_of(ws)
    return {s.account.id: (s.status, s.account.lifecycle_stage or life.first_stage, s.csm)
            for s in standings(ws, life, NOW, users=users)}


def _in_sql(ws: Workspace, users: frozenset[int] | None = None
            ) -> dict[int, tuple[str, str, str | None]]:
    life = lifecycle_of(ws)
    rows = portfolio_status.accounts(ws, life, NOW, users)
    listed = {row.id: (row.status, row.stage, row.csm)
              for row in db.session.execute(sa.select(rows))}
    counted = portfolio_status.statuses(ws, life, NOW, users)
    assert {row.account_id: (row.status, row.stage, row.csm)
            for row in db.session.execute(sa.select(counted))} == listed
    return listed


def _dirty(ws: Workspace) -> set[int]:
    return set(db.session.scalars(account_rollup.dirty(ws.id, account_rollup.watermark(ws.id))))


def _change(ws: Workspace, rng: random.Random, change: str, n: int) -> None:
    """One change as the product makes it (a user's new account or sign-up time is written
    with the time they were seen, as ``upsert_user`` does)."""
    accounts = list(db.session.scalars(sa.select(Account).where(Account.workspace_id == ws.id)))
    users = list(db.session.scalars(sa.select(EndUser).where(EndUser.workspace_id == ws.id)))
    days = list(lifecycle_of(ws).deadlines().values())
    account = rng.choice(accounts)
    if change in ("move", "signed_up", "erase") and users:
        who = rng.choice(users)
        if change == "erase":
            privacy.erase_user(ws, who, "cli")
            return
        if change == "move":
            who.account_id = rng.choice([a.id for a in accounts])
        else:
            who.first_seen = _times(rng, days) - timedelta(days=30)
        who.last_seen = utcnow()
    elif change == "new_user":  # backdated, as an import writes them: found by its id
        first = _times(rng, days)
        db.session.add(EndUser(workspace_id=ws.id, external_id=f"new{n}", traits={},
                               account_id=account.id, first_seen=first, last_seen=first))
    elif change == "milestone":
        key = rng.choice(list(lifecycle_of(ws).deadlines()))
        if db.session.scalar(sa.select(AccountMilestone.id).where(
                AccountMilestone.account_id == account.id, AccountMilestone.key == key)) is None:
            db.session.add(AccountMilestone(account_id=account.id, key=key, source="test",
                                            reached_at=_times(rng, days)))
    elif change == "stage":
        account.lifecycle_stage = rng.choice(["active", "gone", None])
        account.traits = {**account.traits, "csm": rng.choice(["ann", "zed", 3])}
    elif change == "created":
        account.created_at = _times(rng, days) - timedelta(days=20)
    else:
        db.session.add(Account(workspace_id=ws.id, external_id=f"new{n}", traits={},
                               created_at=_times(rng, days)))
    db.session.commit()


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), changes=st.lists(st.sampled_from(CHANGES), max_size=12),
       second=st.lists(st.sampled_from(CHANGES), max_size=4))
def test_rows_plus_tail_equal_the_accounts_judged_now(app, seed, changes, second):
    for old in db.session.scalars(sa.select(Workspace.id).where(Workspace.key == "sql-status")):
        store.reset(old)  # the rollups name no workspace by a foreign key
    db.session.execute(sa.delete(Workspace).where(Workspace.key == "sql-status"))
    db.session.commit()
    rng = random.Random(seed)
    ws = _seed(rng, 25)
    account_rollup.refresh(ws.id, utcnow())
    assert _dirty(ws) == set()  # every account from its row
    assert _in_sql(ws) == _judged(ws)
    for n, change in enumerate(changes):
        _change(ws, rng, change, n)
    assert _in_sql(ws) == _judged(ws)
    account_rollup.refresh(ws.id, utcnow())
    assert _dirty(ws) == set()
    assert _in_sql(ws) == _judged(ws)
    for n, change in enumerate(second, start=len(changes)):
        _change(ws, rng, change, n)
    assert _in_sql(ws) == _judged(ws)
    # A filtered portfolio (a segment): the accounts of some users, rows and tail alike.
    ids = sorted(db.session.scalars(sa.select(EndUser.id).where(EndUser.workspace_id == ws.id)))
    some = frozenset(rng.sample(ids, len(ids) // 3))
    assert _in_sql(ws, some) == _judged(ws, some)


def test_the_rows_alone_judge_every_boundary_as_judge_does(app):
    """Rolled, nothing dirty: the instants give the statuses on and around every boundary."""
    ws = _seed(random.Random(5), 200)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsAccount)) == 0
    account_rollup.refresh(ws.id, utcnow())
    assert _dirty(ws) == set()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsAccount)) == 200
    judged = _judged(ws)
    assert _in_sql(ws) == judged
    assert {status for status, *_ in judged.values()} == {"on_track", "behind", "stuck"}


def test_the_worker_rolls_the_accounts_and_a_reset_forgets_them(app):
    ws = _seed(random.Random(6), 30)
    analytics.rollup(utcnow() + timedelta(minutes=5))
    assert _dirty(ws) == set()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsMember)) > 0
    store.reset(ws.id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsAccount)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsMember)) == 0
    assert _in_sql(ws) == _judged(ws)  # judged from the users until the next pass
    analytics.rollup(utcnow() + timedelta(minutes=5))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsAccount)) == 30


def test_erasing_a_user_forgets_their_accounts_rows(app):
    ws = _seed(random.Random(8), 30)
    account_rollup.refresh(ws.id, utcnow())
    who = db.session.scalars(sa.select(EndUser).where(EndUser.workspace_id == ws.id,
                                                      EndUser.account_id.is_not(None))).first()
    account_id, user_id = who.account_id, who.id
    privacy.erase_user(ws, who, "cli")
    assert db.session.get(AnalyticsAccount, (ws.id, account_id)) is None
    assert db.session.scalar(sa.select(AnalyticsMember).where(
        AnalyticsMember.user_id == user_id)) is None
    assert account_id in _dirty(ws)
    assert _in_sql(ws) == _judged(ws)


def test_a_new_account_is_written_with_the_time_the_user_was_seen(app):
    """Within LAST_SEEN_RESOLUTION last_seen is not written, but a move writes it: the
    worker finds the moved user (and both accounts) by last_seen."""
    ws = Workspace(key="moves", name="Moves")
    ws.ensure_signing_secret()
    db.session.add(ws)
    db.session.flush()
    first, second = (Account(workspace_id=ws.id, external_id=x, traits={}) for x in "ab")
    db.session.add_all([first, second])
    db.session.flush()
    user, _ = upsert_user(ws, "u1", {}, first, None)
    db.session.commit()
    seen = user.last_seen
    account_rollup.refresh(ws.id, utcnow())
    upsert_user(ws, "u1", {}, second, None)
    db.session.commit()
    assert user.last_seen > seen
    assert _dirty(ws) == {first.id, second.id}


def test_rows_judged_by_other_deadlines_are_not_used(app):
    """lifecycle.yaml changed since the pass: every account is judged from its users until
    the worker rewrites the rows by the new deadlines."""
    ws = _seed(random.Random(9), 60)
    account_rollup.refresh(ws.id, utcnow())
    judged = _judged(ws)
    ws.lifecycle = {**ws.lifecycle, "milestones": [
        {**m, "expected_days": m["expected_days"] * 3} if m.get("expected_days") else m
        for m in ws.lifecycle["milestones"]]}
    db.session.commit()
    assert _judged(ws) != judged
    assert _in_sql(ws) == _judged(ws)
    assert account_rollup.behind(ws.id)
    account_rollup.refresh(ws.id, utcnow())
    assert not account_rollup.behind(ws.id)
    assert _in_sql(ws) == _judged(ws)

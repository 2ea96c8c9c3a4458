"""The portfolio's statuses computed in SQL (guide.analytics.portfolio_status) are the ones
``portfolio.judge`` gives, account by account, on random accounts whose times sit on and
around every boundary the rules draw (deadlines, twice them, the idle days)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.analytics import portfolio_status
from guide.analytics.milestones import lifecycle_of
from guide.analytics.portfolio import IDLE_DAYS, standings
from guide.extensions import db
from guide.models import Account, AccountMilestone, EndUser, Workspace
from tests import factories
from tests.analytics.lifecycle_history import LIFECYCLE

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TINY = timedelta(microseconds=1)


def _times(rng: random.Random, deadlines: list[int]) -> datetime:
    """A time on, just before or just after a boundary of the rules, or anywhere."""
    if rng.random() < 0.3:
        return NOW - timedelta(seconds=rng.randint(0, 80 * 86400))
    days = rng.choice([*deadlines, *(2 * d for d in deadlines), IDLE_DAYS])
    return NOW - timedelta(days=days) + rng.choice([-TINY, 0 * TINY, TINY])


def _seed(rng: random.Random, count: int) -> Workspace:
    ws = factories.make_workspace(key="sql-status", require_identity=False)
    ws.lifecycle = LIFECYCLE
    deadlines = list(lifecycle_of(ws).deadlines().items())
    days = [d for _, d in deadlines]
    for n in range(count):
        traits = rng.choice([{}, {"name": f"N{n}", "csm": rng.choice(["ann", "bob", ""])},
                             {"name": "", "csm": 7}, {"name": 3}])
        account = Account(workspace_id=ws.id, external_id=f"a{n:03d}", traits=traits,
                          created_at=_times(rng, days),
                          lifecycle_stage=rng.choice([None, "", "active", "gone"]))
        db.session.add(account)
        db.session.flush()
        for u in range(rng.choice([0, 0, 1, 2, 3])):
            first = _times(rng, days)
            last = rng.choice([None, first, _times(rng, days), first + timedelta(days=1),
                               NOW - timedelta(days=IDLE_DAYS)])
            db.session.add(EndUser(workspace_id=ws.id, external_id=f"a{n}u{u}", traits={},
                                   account_id=account.id, first_seen=first, last_seen=last))
        for key, _ in rng.sample(deadlines, rng.randint(0, len(deadlines))):
            db.session.add(AccountMilestone(account_id=account.id, key=key, source="test",
                                            reached_at=_times(rng, days)))
    db.session.commit()
    return ws


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_statuses_are_judges_statuses(app, seed):
    ws = _seed(random.Random(seed), 200)
    life = lifecycle_of(ws)
    judged = {s.account.id: (s.status, s.account.lifecycle_stage or life.first_stage, s.csm,
                             s.name) for s in standings(ws, life, NOW)}
    rows = portfolio_status.accounts(ws, life, NOW, None)
    in_sql = {row.id: (row.status, row.stage, row.csm, row.name)
              for row in db.session.execute(sa.select(rows))}
    assert in_sql == judged
    assert {status for status, *_ in judged.values()} == {"on_track", "behind", "stuck"}


def test_the_list_pages_and_counts_as_judged_in_python(app):
    """Every filter and page of the list against the accounts judged one by one."""
    ws = _seed(random.Random(7), 60)
    life = lifecycle_of(ws)
    everyone = [s.row(life) for s in standings(ws, life, NOW)]
    for status in (None, "stuck", "behind"):
        for stage in (None, "trial", "active"):
            for csm in (None, "ann"):
                for search in (None, "N1", "A0"):
                    chosen = [r for r in everyone
                              if (status is None or r["status"] == status)
                              and (stage is None or r["stage"] == stage)
                              and (csm is None or r["csm"] == csm)
                              and (search is None or search.casefold() in r["name"].casefold()
                                   or search.casefold() in r["account"].casefold())]
                    report = analytics.portfolio(ws, status=status, stage=stage, csm=csm,
                                                 search=search, limit=5, offset=3, now=NOW)
                    assert report["matching"] == len(chosen)
                    assert report["accounts"] == chosen[3:8]
    report = analytics.portfolio(ws, limit=None, now=NOW)
    assert report["accounts"] == everyone
    assert report["counts"] == {**{s: sum(1 for r in everyone if r["status"] == s)
                                   for s in ("on_track", "behind", "stuck")},
                                "total": len(everyone)}
    assert report["csms"] == sorted({r["csm"] for r in everyone if r["csm"]})

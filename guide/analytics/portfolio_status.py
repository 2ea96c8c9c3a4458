"""The portfolio's accounts as SQL: each account's status, stage and CSM, computed by the
database by the rules of ``portfolio.judge`` (docs/ANALYTICS.md, "The customer-success
portfolio"), so the counts and a page of the filterable list read no account into Python.

Most accounts come from their rows kept by the worker (``account_rollup``): the status
is where ``now`` falls among the row's two instants. The dirty ones (changed since the
worker's pass) are judged from their users and milestones now, where every rule
compares a time with ``now`` minus a whole number of days, computed here: ``now > start
+ days`` is ``start < now - days`` (exact on datetimes), so no date arithmetic runs in
SQL and SQLite compares its ISO text as it stores it.
tests/analytics/test_portfolio_status.py proves the statuses equal ``judge``'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.analytics import account_rollup
from guide.analytics.account_rollup import CSM_TRAIT, IDLE_DAYS, SEPARATOR, STUCK_FACTOR
from guide.analytics.filters import accounts_among
from guide.analytics.milestones import Lifecycle
from guide.extensions import db
from guide.models import Account, AnalyticsAccount, Workspace

__all__ = ["CSM_TRAIT", "IDLE_DAYS", "NAME_TRAIT", "STUCK_FACTOR", "accounts", "statuses"]

NAME_TRAIT = "name"


def trait_text(traits: Any, name: str) -> Any:
    """SQL: the trait's value when it is a JSON string, else NULL."""
    value = traits[name].as_string()
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.case((sa.func.jsonb_typeof(traits[name]) == "string", value))
    return sa.case((sa.func.json_type(traits, f'$."{name}"') == "text", value))


def stage_of(life: Lifecycle, stage: Any = Account.lifecycle_stage) -> Any:
    """SQL: the account's stage, or the first stage when it has none (``or``: '' too)."""
    return sa.case((sa.or_(stage.is_(None), stage == ""), sa.literal(life.first_stage)),
                   else_=stage)


def accounts(workspace: Workspace, life: Lifecycle, now: datetime,
             users: frozenset[int] | None, with_status: bool = True) -> Any:
    """A subquery, one row per account of the workspace (with one of ``users``): id,
    external_id, name (the name trait, else the external id), csm, stage and, with
    ``with_status``, status (without: no user or milestone is read)."""
    name = trait_text(Account.traits, NAME_TRAIT)
    columns = [Account.id.label("id"), Account.external_id.label("external_id"),
               sa.case((name != "", name), else_=Account.external_id).label("name"),
               trait_text(Account.traits, CSM_TRAIT).label("csm"),
               stage_of(life).label("stage")]
    query = sa.select(*columns).where(Account.workspace_id == workspace.id,
                                      accounts_among(Account.id, users))
    if with_status:
        judged = statuses(workspace, life, now, users)
        query = query.join(judged, judged.c.account_id == Account.id).add_columns(
            judged.c.status)
    return query.subquery()


def statuses(workspace: Workspace, life: Lifecycle, now: datetime,
             users: frozenset[int] | None) -> Any:
    """A subquery, (account_id, stage, csm, status) of every account of the workspace
    (with one of ``users``): from the rows, and for the dirty accounts from now."""
    mark = account_rollup.watermark(workspace.id)
    if mark.rules != account_rollup.rules_of(life):  # none yet, or judged by other rules
        return _judged(sa.select(_live(workspace, life, now, sa.select(Account.id).where(
            Account.workspace_id == workspace.id, accounts_among(Account.id, users)))))
    dirty = sa.select(account_rollup.dirty(workspace.id, mark).subquery().c.id)
    a = AnalyticsAccount
    status = sa.case((a.stuck_at < now, "stuck"), (a.behind_at < now, "behind"),
                     else_="on_track")
    rolled = sa.select(a.account_id, stage_of(life, a.stage).label("stage"), a.csm,
                       status.label("status")).where(
        a.workspace_id == workspace.id, a.account_id.not_in(dirty),
        accounts_among(a.account_id, users))
    live = _live(workspace, life, now, dirty.where(accounts_among(dirty.selected_columns[0],
                                                                  users)))
    return _judged(sa.union_all(rolled, sa.select(live)))


def _judged(query: Any) -> Any:
    """The statuses computed once, before what joins or filters them: without statistics
    (a new database) PostgreSQL planned them as one row and ran them again for every
    account of a status filter's join (21 s for the demo's 365 accounts)."""
    return query.cte("judged").prefix_with("MATERIALIZED", dialect="postgresql")


def _live(workspace: Workspace, life: Lifecycle, now: datetime, ids: Any) -> Any:
    """A subquery, (account_id, stage, csm, status) of these accounts judged from their
    users' first and last times and the deadline milestones they reached now."""
    seen = account_rollup.live_rows(workspace.id, ids).subquery()
    first = seen.c.first_seen
    start = sa.case((sa.and_(first.is_not(None), first < seen.c.created_at), first),
                    else_=seen.c.created_at)
    deadlines = life.deadlines()
    position = (sa.func.strpos if db.session.get_bind().dialect.name == "postgresql"
                else sa.func.instr)
    # ",key," in ",a,b,": exact, case-sensitive (LIKE is not, on SQLite), no wildcard.
    flags = [(position(seen.c.reached, f"{SEPARATOR}{key}{SEPARATOR}") > 0).label(f"r{n}")
             for n, key in enumerate(deadlines)]
    # OFFSET 0 keeps the subquery: PostgreSQL would otherwise copy its expressions into
    # every use below (the start and each flag, up to three times).
    inner = sa.select(seen.c.account_id, stage_of(life, seen.c.lifecycle_stage).label("stage"),
                      trait_text(seen.c.traits, CSM_TRAIT).label("csm"),
                      start.label("start"), seen.c.last_seen.label("last"),
                      *flags).offset(0).subquery()
    reached = {key: inner.c[f"r{n}"] for n, key in enumerate(deadlines)}

    def before(days: int) -> Any:
        return inner.c.start < now - timedelta(days=days)

    stuck = [sa.and_(~reached[key], before(STUCK_FACTOR * days))
             for key, days in deadlines.items()]
    overdue = [sa.and_(~reached[key], before(days)) for key, days in deadlines.items()]
    done = sa.and_(sa.true(), *reached.values())
    idle_since = now - timedelta(days=IDLE_DAYS)
    idle = sa.and_(sa.or_(inner.c.last.is_(None), inner.c.last < idle_since),
                   before(IDLE_DAYS))
    status = sa.case((sa.or_(sa.false(), *stuck, sa.and_(~done, idle)), "stuck"),
                     (sa.or_(sa.false(), *overdue), "behind"), else_="on_track")
    return sa.select(inner.c.account_id, inner.c.stage, inner.c.csm,
                     status.label("status")).subquery()

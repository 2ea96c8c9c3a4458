"""The portfolio's accounts as SQL: each account's status, stage and CSM, computed by the
database by the rules of ``portfolio.judge`` (docs/ANALYTICS.md, "The customer-success
portfolio"), so the counts and a page of the filterable list read no account into Python.

Every rule compares a time with ``now`` minus a whole number of days, computed here:
``now > start + days`` is ``start < now - days`` (exact on datetimes), so no date
arithmetic runs in SQL and SQLite compares its ISO text as it stores it.
tests/analytics/test_portfolio_status.py proves the statuses equal ``judge``'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.analytics import account_rollup
from guide.analytics.filters import accounts_among
from guide.analytics.milestones import Lifecycle
from guide.extensions import db
from guide.models import Account, Workspace
from guide.models.analytics_accounts import SEPARATOR

# The rules' constants (``portfolio`` re-exports them; defined here, below it).
IDLE_DAYS = 14
STUCK_FACTOR = 2
CSM_TRAIT = "csm"
NAME_TRAIT = "name"


def trait_text(traits: Any, name: str) -> Any:
    """SQL: the trait's value when it is a JSON string, else NULL."""
    value = traits[name].as_string()
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.case((sa.func.jsonb_typeof(traits[name]) == "string", value))
    return sa.case((sa.func.json_type(traits, f'$."{name}"') == "text", value))


def stage_of(life: Lifecycle) -> Any:
    """SQL: the account's stage, or the first stage when it has none (``or``: '' too)."""
    stage = Account.lifecycle_stage
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
        query = _with_status(query, workspace, life, now)
    return query.subquery()


def _with_status(query: Any, workspace: Workspace, life: Lifecycle, now: datetime) -> Any:
    """The query, joined to its accounts' rows (their users' first and last times, the
    milestones they reached: ``account_rollup``), with the status column ``judge`` would
    give."""
    seen = account_rollup.rows(workspace.id)
    first = seen.c.first_seen
    start = sa.case((sa.and_(first.is_not(None), first < Account.created_at), first),
                    else_=Account.created_at)
    query = query.outerjoin(seen, seen.c.account_id == Account.id)
    deadlines = life.deadlines()
    keys = sa.func.coalesce(seen.c.reached, "")
    position = (sa.func.strpos if db.session.get_bind().dialect.name == "postgresql"
                else sa.func.instr)
    # ",key," in ",a,b,": exact, case-sensitive (LIKE is not, on SQLite), no wildcard.
    reached = {key: position(keys, f"{SEPARATOR}{key}{SEPARATOR}") > 0 for key in deadlines}

    def before(days: int) -> Any:
        return start < now - timedelta(days=days)

    stuck = [sa.and_(~reached[key], before(STUCK_FACTOR * days))
             for key, days in deadlines.items()]
    overdue = [sa.and_(~reached[key], before(days)) for key, days in deadlines.items()]
    done = sa.and_(sa.true(), *reached.values())
    idle_since = now - timedelta(days=IDLE_DAYS)
    last = seen.c.last_seen
    idle = sa.and_(sa.or_(last.is_(None), last < idle_since), start < idle_since)
    status = sa.case((sa.or_(sa.false(), *stuck, sa.and_(~done, idle)), "stuck"),
                     (sa.or_(sa.false(), *overdue), "behind"), else_="on_track")
    return query.add_columns(status.label("status"))

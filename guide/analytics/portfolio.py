"""The customer-success portfolio (docs/ANALYTICS.md, "The customer-success portfolio").

Every account of the workspace judged against the milestones' deadlines
(``expected_days`` in lifecycle.yaml, ``milestones.Lifecycle.deadlines``):

- its **start**: the earlier of the account's ``created_at`` and the first
  ``first_seen`` of its users;
- a milestone is **due** ``expected_days`` days after the start, and
  **overdue** when it is due and the account has not reached it;
- **stuck**: a milestone overdue by more than its own expected days (not
  reached ``2 × expected_days`` after the start), or onboarding not done
  (a milestone with a deadline not reached) and no activity (its users'
  latest ``last_seen``; the start when it has none) for ``IDLE_DAYS`` days;
- **behind**: not stuck, and a milestone is overdue;
- **on track**: the rest.

The counts, the CSMs and the list's page come from SQL (``portfolio_status``:
the status of every account computed by the database, most from the worker's rows of
the accounts, ``account_rollup``); only the accounts of
the page are read and judged here (``standings``: their overdue milestones and
next deadline), by three aggregate queries over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.analytics.filters import Filters, accounts_among
from guide.analytics.milestones import Lifecycle, lifecycle_of
from guide.analytics.portfolio_status import (
    CSM_TRAIT,
    IDLE_DAYS,
    NAME_TRAIT,
    STUCK_FACTOR,
    statuses,
)
from guide.analytics.portfolio_status import accounts as account_rows
from guide.errors import GuideError
from guide.extensions import db
from guide.models import Account, AccountMilestone, EndUser, Workspace
from guide.models.base import isoformat, utcnow
from guide.schemas.analytics_lifecycle import MAX_LIMIT, STATUSES

MAX_OFFSET = 2**62


@dataclass
class Standing:
    """One account against its deadlines."""

    account: Any  # a row of Account's id, external_id, traits, lifecycle_stage, created_at
    start: datetime
    last_activity: datetime
    users: int
    reached: dict[str, datetime]
    now: datetime
    status: str = "on_track"
    # (milestone, due at) in milestone order; the earliest deadline not yet due.
    overdue: list[tuple[str, datetime]] = field(default_factory=list)
    next_due: tuple[str, datetime] | None = None

    @property
    def name(self) -> str:
        name = (self.account.traits or {}).get(NAME_TRAIT)
        return name if isinstance(name, str) and name else self.account.external_id

    @property
    def csm(self) -> str | None:
        csm = (self.account.traits or {}).get(CSM_TRAIT)
        return csm if isinstance(csm, str) else None

    def row(self, life: Lifecycle) -> dict[str, Any]:
        deadlines = life.deadlines()
        return {
            "account": self.account.external_id, "name": self.name, "csm": self.csm,
            "stage": self.account.lifecycle_stage or life.first_stage,
            "status": self.status, "started_at": isoformat(self.start),
            "last_activity": isoformat(self.last_activity), "users": self.users,
            "milestones_due": len(deadlines),
            "milestones_reached": sum(1 for key in deadlines if key in self.reached),
            "overdue": [{"milestone": key, "due_at": isoformat(due),
                         "days_overdue": (self.now - due).days} for key, due in self.overdue],
            "next_due": {"milestone": self.next_due[0], "due_at": isoformat(self.next_due[1])}
            if self.next_due else None,
        }


def judge(standing: Standing, deadlines: dict[str, int]) -> Standing:
    """Set the account's status, overdue milestones and next deadline (module docstring)."""
    stuck = False
    start, now = standing.start, standing.now
    for key, days in deadlines.items():
        if key in standing.reached:
            continue
        due = start + timedelta(days=days)
        if now > due:
            standing.overdue.append((key, due))
            stuck = stuck or now > start + timedelta(days=STUCK_FACTOR * days)
        elif standing.next_due is None or due < standing.next_due[1]:
            standing.next_due = (key, due)
    done = all(key in standing.reached for key in deadlines)
    idle = now - standing.last_activity > timedelta(days=IDLE_DAYS)
    if stuck or (not done and idle):
        standing.status = "stuck"
    elif standing.overdue:
        standing.status = "behind"
    return standing


def standings(workspace: Workspace, life: Lifecycle, now: datetime,
              account_ids: list[int] | None = None,
              users: frozenset[int] | None = None) -> list[Standing]:
    """Every account of the workspace (or these; or those with one of ``users``), judged,
    in external id order."""
    # Columns, not ORM objects: thousands of accounts are read and judged in one go.
    accounts = sa.select(Account.id, Account.external_id, Account.traits,
                         Account.lifecycle_stage, Account.created_at).where(
        Account.workspace_id == workspace.id, accounts_among(Account.id, users))
    seen = (sa.select(EndUser.account_id, sa.func.min(EndUser.first_seen),
                      sa.func.max(EndUser.last_seen), sa.func.count())
            .where(EndUser.workspace_id == workspace.id, EndUser.account_id.is_not(None))
            .group_by(EndUser.account_id))
    reached = (sa.select(AccountMilestone.account_id, AccountMilestone.key,
                         AccountMilestone.reached_at)
               .join(Account, Account.id == AccountMilestone.account_id)
               .where(Account.workspace_id == workspace.id))
    if account_ids is not None:
        accounts = accounts.where(Account.id.in_(account_ids))
        seen = seen.where(EndUser.account_id.in_(account_ids))
        reached = reached.where(AccountMilestone.account_id.in_(account_ids))
    times = {account_id: (first, last, count)
             for account_id, first, last, count in db.session.execute(seen)}
    milestones: dict[int, dict[str, datetime]] = {}
    for account_id, key, at in db.session.execute(reached):
        milestones.setdefault(account_id, {})[key] = at
    deadlines = life.deadlines()
    found = []
    for account in db.session.execute(accounts.order_by(Account.external_id)):
        first, last, count = times.get(account.id, (None, None, 0))
        start = min(account.created_at, first) if first else account.created_at
        found.append(judge(Standing(account, start, max(last, start) if last else start,
                                    count, milestones.get(account.id, {}), now), deadlines))
    return found


def portfolio(workspace: Workspace, status: str | None = None, stage: str | None = None,
              csm: str | None = None, search: str | None = None, limit: int | None = 100,
              offset: int = 0, now: datetime | None = None,
              filters: Filters | None = None) -> dict[str, Any]:
    """Counts across the workspace, and the accounts that pass the filters (a page of them;
    ``limit=None``: all of them, for the admin's CSV). With ``filters`` (segment, locale),
    the workspace is the accounts with at least one user they match: counts included."""
    if status is not None and status not in STATUSES:
        raise GuideError("Unknown status.", code="invalid_filter",
                         fields={"status": f"one of {', '.join(STATUSES)}"})
    if (limit is not None and not 1 <= limit <= MAX_LIMIT) or offset < 0:
        raise GuideError("Bad page.", code="invalid_filter",
                         fields={"limit": f"from 1 to {MAX_LIMIT}; offset at least 0"})
    now = now or utcnow()
    life = lifecycle_of(workspace)
    if stage is not None and stage not in {s.key for s in life.stages}:
        raise GuideError("Unknown stage.", code="invalid_filter",
                         fields={"stage": "a stage key of lifecycle.yaml"})
    users = filters.user_ids(workspace, now) if filters else None
    groups = _groups(workspace, life, now, users)
    counts = {name: sum(n for (status_, _, _), n in groups.items() if status_ == name)
              for name in STATUSES}
    chosen = {"status": status, "stage": stage, "csm": csm}
    ids, matching = _page(workspace, life, now, users, chosen, search, limit, offset)
    if matching is None:
        matching = sum(n for key, n in groups.items()
                       if all(want is None or got == want
                              for got, want in zip(key, chosen.values(), strict=True)))
    if limit is None:  # the CSV: every account listed, judged in one pass
        listed = set(ids)
        page = [s for s in standings(workspace, life, now, users=users) if s.account.id in listed]
    else:
        page = standings(workspace, life, now, ids)
    report = {
        "now": isoformat(now), "idle_days": IDLE_DAYS,
        "deadlines": [{"milestone": m.key, "title": m.title, "expected_days": m.expected_days}
                      for m in life.milestones if m.expected_days is not None],
        "stages": [{"stage": s.key, "title": s.title} for s in life.stages],
        "counts": {**counts, "total": sum(groups.values())},
        "csms": sorted({csm_ for _, _, csm_ in groups if csm_}),
        "matching": matching, "offset": offset, "limit": limit,
        "accounts": [s.row(life) for s in page],
    }
    db.session.rollback()
    return filters.tagged(report, users) if filters else report


def _groups(workspace: Workspace, life: Lifecycle, now: datetime,
            users: frozenset[int] | None) -> dict[tuple[str, str | None, str | None], int]:
    """(status, stage, csm) -> accounts: the counts, the CSMs and most lists' sizes."""
    rows = statuses(workspace, life, now, users)  # the accounts' rows: no join to accounts
    return {(status, stage, csm): count for status, stage, csm, count in db.session.execute(
        sa.select(rows.c.status, rows.c.stage, rows.c.csm, sa.func.count())
        .group_by(rows.c.status, rows.c.stage, rows.c.csm))}


def _page(workspace: Workspace, life: Lifecycle, now: datetime, users: frozenset[int] | None,
          chosen: dict[str, str | None], search: str | None, limit: int | None,
          offset: int) -> tuple[list[int], int | None]:
    """The ids of the listed accounts in external id order, and how many match (None: count
    them from the groups). A search is matched here (``casefold``, as Python folds case)
    over the names and external ids of the accounts the other filters keep."""
    rows = account_rows(workspace, life, now, users, with_status=chosen["status"] is not None)
    query = sa.select(rows.c.id, rows.c.external_id, rows.c.name).where(
        *(rows.c[name] == value for name, value in chosen.items() if value is not None)
    ).order_by(rows.c.external_id)
    needle = (search or "").strip().casefold()
    end = None if limit is None else offset + limit
    if not needle:
        if limit is None:
            return [id_ for id_, _, _ in db.session.execute(query)], None
        # OFFSET is a 64-bit integer in SQL; any offset past that is past the end too.
        return list(db.session.scalars(query.with_only_columns(rows.c.id)
                                       .offset(min(offset, MAX_OFFSET)).limit(limit))), None
    found = [id_ for id_, external_id, name in db.session.execute(query)
             if needle in name.casefold() or needle in external_id.casefold()]
    return found[offset:end], len(found)

"""Read models of accounts for customer success (the admin's Accounts pages): one page of
accounts, one account's story.

The list is a page of accounts (LIMIT/OFFSET) with its figures gathered by a
handful of grouped queries over the page's ids, never one query per account.
Overdue plan steps are a SQL expression (one correlated NOT EXISTS per plan
step with a due date), so "has overdue" filters and counts in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    EndUser,
    Guide,
    GuideVersion,
    Scenario,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.proactive.lifecycle import lifecycle_of
from guide.services.localize import localize

PAGE_SIZE = 50
USERS_SHOWN = 200


@dataclass
class Plan:
    """A published plan: its steps with due dates (the only ones that can be overdue)."""

    id: int
    key: str
    title: str
    step_ids: list[str]
    due: dict[str, int] = field(default_factory=dict)


@dataclass
class AccountRow:
    account: Account
    stage: str | None
    milestones: int = 0
    users: int = 0
    last_seen: datetime | None = None
    plans: list[tuple[Plan, int]] = field(default_factory=list)  # (plan, steps done)
    overdue: int = 0


def stages_of(workspace: Workspace) -> list[tuple[str, str]]:
    """(key, title) of the workspace's lifecycle stages, in order."""
    life = lifecycle_of(workspace)
    locale = workspace.default_locale
    return [(s["key"], localize(s.get("title"), locale, locale) or s["key"])
            for s in (life.stages if life else [])]


def published_plans(workspace: Workspace) -> list[Plan]:
    rows = db.session.execute(
        sa.select(Guide.id, Guide.key, GuideVersion.body)
        .join(GuideVersion, Guide.published_version_id == GuideVersion.id)
        .where(Guide.workspace_id == workspace.id, Guide.kind == "plan").order_by(Guide.key))
    locale = workspace.default_locale
    return [Plan(guide_id, key, localize(body.get("title"), locale, locale) or key,
                 [s["id"] for s in body.get("steps", [])],
                 {s["id"]: s["due_days"] for s in body.get("steps", [])
                  if s.get("due_days") is not None})
            for guide_id, key, body in rows]


def overdue_expression(plans: list[Plan], now: datetime) -> sa.ColumnElement[int]:
    """Per account row: how many plan steps are past due and not done."""
    a, c = Account, AccountStepCompletion
    terms: list[sa.ColumnElement[int]] = []
    for plan in plans:
        for step_id, days in plan.due.items():
            done = sa.exists().where(c.account_id == a.id, c.guide_id == plan.id,
                                     c.step_id == step_id)
            terms.append(sa.case((sa.and_(a.created_at < now - timedelta(days=days), ~done), 1),
                                 else_=0))
    return sum(terms[1:], terms[0]) if terms else sa.literal(0)


@dataclass
class AccountPage:
    rows: list[AccountRow]
    total: int
    page: int
    pages: int


def account_page(workspace: Workspace, now: datetime, *, stage: str | None = None,
                 overdue_only: bool = False, page: int = 1) -> AccountPage:
    """One page of the workspace's accounts, ordered by external id, with their figures."""
    plans = published_plans(workspace)
    life = lifecycle_of(workspace)
    stage_col = sa.func.coalesce(Account.lifecycle_stage, life.first_stage if life else None)
    overdue = overdue_expression(plans, now)
    where = [Account.workspace_id == workspace.id]
    if stage:
        where.append(stage_col == stage)
    if overdue_only:
        where.append(overdue > 0)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = db.session.execute(
        sa.select(Account, stage_col, overdue.label("overdue")).where(*where)
        .order_by(Account.external_id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = [AccountRow(account, row_stage, overdue=count or 0)
            for account, row_stage, count in found]
    _fill(rows, plans)
    return AccountPage(rows, total, page, pages)


def _fill(rows: list[AccountRow], plans: list[Plan]) -> None:
    """Milestones, users, last seen and plan progress of a page: three grouped queries."""
    by_id = {row.account.id: row for row in rows}
    if not by_id:
        return
    ids = list(by_id)
    for account_id, count in db.session.execute(
            sa.select(AccountMilestone.account_id, sa.func.count())
            .where(AccountMilestone.account_id.in_(ids)).group_by(AccountMilestone.account_id)):
        by_id[account_id].milestones = count
    for account_id, users, last_seen in db.session.execute(
            sa.select(EndUser.account_id, sa.func.count(), sa.func.max(EndUser.last_seen))
            .where(EndUser.account_id.in_(ids)).group_by(EndUser.account_id)):
        by_id[account_id].users, by_id[account_id].last_seen = users, last_seen
    done: dict[tuple[int, int], int] = {}
    if plans:
        c = AccountStepCompletion
        current = sa.or_(*[sa.and_(c.guide_id == p.id, c.step_id.in_(p.step_ids))
                           for p in plans])
        for account_id, guide_id, count in db.session.execute(
                sa.select(c.account_id, c.guide_id, sa.func.count())
                .where(c.account_id.in_(ids), current).group_by(c.account_id, c.guide_id)):
            done[(account_id, guide_id)] = count
    for row in rows:
        row.plans = [(plan, done.get((row.account.id, plan.id), 0)) for plan in plans]


def account_users(account: Account) -> list[dict[str, Any]]:
    """The account's users (first USERS_SHOWN by first seen) with milestones and firings."""
    workspace = db.session.get(Workspace, account.workspace_id)
    life = lifecycle_of(workspace) if workspace else None
    users = list(db.session.scalars(
        sa.select(EndUser).where(EndUser.account_id == account.id)
        .order_by(EndUser.first_seen, EndUser.id).limit(USERS_SHOWN)))
    ids = [user.id for user in users]
    milestones: dict[int, list[dict[str, Any]]] = {user_id: [] for user_id in ids}
    by_id = {user.id: user for user in users}
    for row in db.session.scalars(sa.select(UserMilestone).where(UserMilestone.user_id.in_(ids))
                                  .order_by(UserMilestone.reached_at)) if ids else ():
        ttv = row.reached_at - by_id[row.user_id].first_seen
        milestones[row.user_id].append({"key": row.key, "reached_at": row.reached_at,
                                        "time_to_value": ttv})
    fired = firings("user", ids)
    return [{"user": user,
             "stage": user.lifecycle_stage or (life.first_stage if life else None),
             "milestones": milestones[user.id], "firings": fired.get(user.id, [])}
            for user in users]


def firings(subject_type: str, ids: list[int], limit: int = 500) -> dict[int, list[dict[str, Any]]]:
    """Scenario firings of these subjects, newest first, with the scenario's key."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return found
    f = ScenarioFiring
    rows = db.session.execute(
        sa.select(f, Scenario.key).join(Scenario, Scenario.id == f.scenario_id)
        .where(f.subject_type == subject_type, f.subject_id.in_(ids))
        .order_by(f.fired_at.desc(), f.id.desc()).limit(limit))
    for firing, key in rows:
        found.setdefault(firing.subject_id, []).append(
            {"scenario": key, "window": firing.window, "fired_at": firing.fired_at,
             "details": firing.details, "held_out": firing.held_out})
    return found


def find_account(workspace: Workspace, external_id: str) -> Account | None:
    return db.session.scalar(sa.select(Account).where(
        Account.workspace_id == workspace.id, Account.external_id == external_id))

"""Where Guide keeps data about one end user or one account: the queries that export
(``privacy_export``) and erasure (``privacy``) share, so both see the same rows.

A user is the subject of their own rows (events, progress, milestones, nudges,
firings, escalations); an account of its milestones, plan steps, firings, the
events that name it (plan steps, stage changes) and the escalations whose context
names it. Outbox payloads (webhooks and emails) name users and accounts in a
few shapes - ``{"user": {"id": ...}}``, ``{"account": "acme"}``,
``{"account": {"id": ...}}`` - which ``redact`` recognizes wherever they nest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    EndUser,
    Escalation,
    Event,
    Nudge,
    OutboxMessage,
    Progress,
    ScenarioFiring,
    UserMilestone,
    Workspace,
)
from guide.models.base import isoformat

# Up to this many names, the database narrows the outbox scan with LIKE first.
PREFILTER_NAMES = 50
SCAN_BATCH = 500


@dataclass
class Names:
    """External ids of the users and accounts being exported or erased."""

    users: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.users or self.accounts)


def subject_digest(workspace: Workspace, kind: str, external_id: str) -> str:
    """What the audit log keeps of an erased user or account instead of its id:
    ``user:`` + the first 16 hex digits of sha256("<workspace key>:<id>"), so an
    operator can check that a given id was erased without the log holding it."""
    digest = hashlib.sha256(f"{workspace.key}:{external_id}".encode()).hexdigest()[:16]
    return f"{kind}:{digest}"


# ---------------------------------------------------------------- rows about a subject


def user_events(user: EndUser) -> sa.ColumnElement[bool]:
    return sa.and_(Event.workspace_id == user.workspace_id, Event.user_id == user.id)


def account_events(account: Account) -> sa.ColumnElement[bool]:
    """Events without a user that name the account: plan steps, the account's stage changes."""
    return sa.and_(Event.workspace_id == account.workspace_id, Event.user_id.is_(None),
                   Event.props["account"].as_string() == account.external_id)


def account_escalations(account: Account) -> list[Escalation]:
    """Escalations whose context names the account: its users' and its own scenario tasks."""
    return list(db.session.scalars(sa.select(Escalation).where(
        Escalation.workspace_id == account.workspace_id,
        Escalation.context[("account", "id")].as_string() == account.external_id,
    ).order_by(Escalation.id)))


def event_view(event: Event) -> dict[str, Any]:
    return {"type": event.type, "name": event.name, "props": event.props or {},
            "url": event.url, "client_id": event.client_id,
            "client_at": isoformat(event.client_at), "at": isoformat(event.created_at)}


def events_page(where: sa.ColumnElement[bool], after: int, limit: int) -> dict[str, Any]:
    """Events in the order they were recorded, ``limit`` after the cursor ``after``;
    ``next`` is the cursor of the following page, None on the last one."""
    rows = list(db.session.scalars(sa.select(Event).where(where, Event.id > after)
                                   .order_by(Event.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [event_view(e) for e in rows], "next": rows[-1].id if more else None}


def count(model: Any, where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where)) or 0


def user_counts(user: EndUser) -> dict[str, int]:
    """How many rows of each kind are about the user (what erasing them touches)."""
    return {
        "events": count(Event, user_events(user)),
        "progress": count(Progress, Progress.user_id == user.id),
        "milestones": count(UserMilestone, UserMilestone.user_id == user.id),
        "escalations": count(Escalation, Escalation.user_id == user.id),
        "nudges": count(Nudge, Nudge.user_id == user.id),
        "firings": count(ScenarioFiring, sa.and_(
            ScenarioFiring.workspace_id == user.workspace_id,
            ScenarioFiring.subject_type == "user", ScenarioFiring.subject_id == user.id)),
    }


def account_counts(account: Account) -> dict[str, int]:
    """How many rows of each kind are about the account."""
    return {
        "users": count(EndUser, EndUser.account_id == account.id),
        "events": count(Event, account_events(account)),
        "milestones": count(AccountMilestone, AccountMilestone.account_id == account.id),
        "plan_steps": count(AccountStepCompletion,
                            AccountStepCompletion.account_id == account.id),
        "escalations": len(account_escalations(account)),
        "firings": count(ScenarioFiring, sa.and_(
            ScenarioFiring.workspace_id == account.workspace_id,
            ScenarioFiring.subject_type == "account", ScenarioFiring.subject_id == account.id)),
    }


# ---------------------------------------------------------------- payloads that name them


def _names_user(value: Any, names: Names) -> bool:
    return isinstance(value, dict) and value.get("id") in names.users


def _names(key: str, value: Any, names: Names) -> bool:
    """A reference to them: ``user``/``account`` (webhooks, Slack), or a Segment call's
    ``userId`` (event forwarding)."""
    return ((key == "user" and _names_user(value, names))
            or (key == "account" and _names_account(value, names))
            or (key == "userId" and isinstance(value, str) and value in names.users))


def _names_account(value: Any, names: Names) -> bool:
    if isinstance(value, str):
        return value in names.accounts
    return isinstance(value, dict) and value.get("id") in names.accounts


def redact(value: Any, names: Names) -> Any:
    """``value`` with every reference to these users and accounts replaced by None."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if _names(key, item, names):
                out[key] = None
            else:
                out[key] = redact(item, names)
        return out
    if isinstance(value, list):
        return [redact(item, names) for item in value]
    return value


def names_any(value: Any, names: Names) -> bool:
    return redact(value, names) != value


def _needles(names: Names) -> list[str]:
    """The ids as JSON strings, as stored: escaped (SQLite's JSON text) and not (JSONB)."""
    out = set()
    for name in names.users | names.accounts:
        out.add(json.dumps(name))
        out.add(json.dumps(name, ensure_ascii=False))
    return sorted(out)


def naming_messages(workspace: Workspace, names: Names) -> Iterator[OutboxMessage]:
    """The workspace's outbox messages whose payload names one of these users or accounts.

    For a few names the database first keeps the rows whose JSON text contains one
    of the ids as a string (a superset); every candidate is then checked by shape,
    so an id that merely occurs in a message (a step called "ada") does not match.
    """
    if not names:
        return
    query = sa.select(OutboxMessage).where(OutboxMessage.workspace_id == workspace.id)
    if len(names.users) + len(names.accounts) <= PREFILTER_NAMES:
        text = sa.cast(OutboxMessage.payload, sa.Text)
        query = query.where(sa.or_(*[text.contains(needle, autoescape=True)
                                     for needle in _needles(names)]))
    after = 0
    while True:
        batch = list(db.session.scalars(query.where(OutboxMessage.id > after)
                                        .order_by(OutboxMessage.id).limit(SCAN_BATCH)))
        yield from (message for message in batch if names_any(message.payload, names))
        if len(batch) < SCAN_BATCH:
            return
        after = batch[-1].id


def delivery_view(message: OutboxMessage) -> dict[str, Any]:
    """A webhook or email that carried the subject's data, and where it went."""
    return {"message_id": message.message_id, "kind": message.kind,
            "target": message.target, "event_type": message.event_type,
            "status": message.status, "attempts": message.attempts,
            "created_at": isoformat(message.created_at),
            "delivered_at": isoformat(message.delivered_at), "payload": message.payload}

"""Who a scenario fires for: candidates a trigger found, subjects, matches, and what a
firing says about itself (``describe``: webhooks, emails and tasks show the same)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Account, EndUser
from guide.models.base import isoformat
from guide.proactive.rules import Rule


@dataclass
class Candidate:
    """A subject a trigger found, the window it fires in and why."""

    subject_id: int
    window: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Subject:
    """What actions and conditions need to know about a user or an account."""

    type: str
    id: int
    external_id: str
    traits: dict[str, Any]
    account_id: int | None
    account_external_id: str | None
    account_traits: dict[str, Any]
    locale: str | None = None

    def ref(self) -> dict[str, Any]:
        if self.type == "user":
            return {"user": {"id": self.external_id, "account": self.account_external_id}}
        return {"account": {"id": self.external_id}}


@dataclass
class Match:
    subject: Subject
    candidate: Candidate
    firing_id: int | None = None
    # In the scenario's holdout: the firing is recorded, no action runs for it.
    held_out: bool = False


@dataclass
class Fired:
    matched: list[Match] = field(default_factory=list)
    fired: list[Match] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def load_subjects(subject_type: str, ids: list[int]) -> dict[int, Subject]:
    if not ids:
        return {}
    if subject_type == "account":
        rows = db.session.execute(sa.select(Account.id, Account.external_id, Account.traits)
                                  .where(Account.id.in_(ids)))
        return {id: Subject("account", id, ext, {}, id, ext, traits or {})
                for id, ext, traits in rows}
    rows = db.session.execute(
        sa.select(EndUser.id, EndUser.external_id, EndUser.traits, EndUser.account_id,
                  EndUser.locale, Account.external_id, Account.traits)
        .outerjoin(Account, Account.id == EndUser.account_id).where(EndUser.id.in_(ids)))
    return {id: Subject("user", id, ext, traits or {}, account_id, account_ext,
                        account_traits or {}, locale)
            for id, ext, traits, account_id, locale, account_ext, account_traits in rows}


def describe(rule: Rule, match: Match, now: datetime) -> dict[str, Any]:
    """The ``scenario.fired`` data: webhooks, emails and tasks show the same thing."""
    return {
        "scenario": rule.key, "title": rule.body.get("title"), "subject": rule.subject_type,
        **match.subject.ref(), "window": match.candidate.window,
        "details": match.candidate.details, "fired_at": isoformat(now),
    }

"""One unit of work: who it is for (``Context``) and what it changed (``Outcome``).

A transaction owner (``guide.usecases``: an envelope, a bootstrap, a backend
call) opens an ``Outcome``, passes it down to the building blocks it calls,
and commits once. The building blocks never call the proactive engine
themselves: they record what happened on the outcome (a step done, a guide
completed, new traits), and the owner hands the outcome to the engine
(``guide.proactive.engine.react``) before its commit, so milestones, stages
and scenario firings commit with the change that caused them or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from guide.models import Account, EndUser, Guide, GuideVersion, Workspace


@dataclass
class Context:
    """Who sent an envelope, and from which socket (to skip it when pushing)."""

    workspace: Workspace
    user: EndUser
    sid: str | None = None
    # The browser's User-Agent (an escalation's context shows it); None from a backend.
    user_agent: str | None = None
    # The user's room, read now: after the commit the user row is expired, and
    # reading ``user.room`` for the push would cost a query per ack.
    room: str = field(init=False)

    def __post_init__(self) -> None:
        self.room = self.user.room


@dataclass(frozen=True)
class StepDone:
    """A user's step became done (their own, or the first of their account's)."""

    user: EndUser
    guide_key: str
    step_id: str
    at: datetime


@dataclass(frozen=True)
class AccountStepDone:
    """A step done for the account by the vendor's team (a plan's vendor step)."""

    account: Account
    guide_key: str
    step_id: str
    at: datetime


@dataclass(frozen=True)
class GuideDone:
    """A user completed a guide; ``milestone`` is the guide's own ``milestone:`` field."""

    user: EndUser
    guide_key: str
    milestone: str | None
    at: datetime


@dataclass(frozen=True)
class TraitsChanged:
    """A user's traits or account were written (identify, group, a bootstrap)."""

    user: EndUser
    at: datetime


Happening = StepDone | AccountStepDone | GuideDone | TraitsChanged


@dataclass
class Outcome:
    """What one unit of work changed, collected while its transaction is open."""

    completed: list[dict[str, str]] = field(default_factory=list)
    touched: dict[int, tuple[Guide, GuideVersion]] = field(default_factory=dict)
    account_guides: set[int] = field(default_factory=set)
    # What the proactive engine reacts to, in the order it happened.
    happened: list[Happening] = field(default_factory=list)
    # More fields for the ack (help:escalate: reference, status), and work to do once
    # the transaction committed (waking the outbox worker).
    extra: dict[str, Any] = field(default_factory=dict)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def touch(self, guide: Guide, version: GuideVersion) -> None:
        self.touched[guide.id] = (guide, version)

    def record(self, happening: Happening) -> None:
        self.happened.append(happening)

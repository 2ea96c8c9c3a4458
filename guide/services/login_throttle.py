"""Progressive delays after failed sign-ins, shared by every process through the database.

A sign-in attempt concerns several keys: the client's address (``ip:...``) and
the account it names (``email:...``: the admin's sign-in, which the support
inbox shares). Each key counts failures; after ``free`` of them the next
attempt must wait ``2 ** (failures - free)`` seconds after the last failure, up
to the key's ``cap``. An attempt made too early is refused without being
checked or counted, so hammering only keeps an attacker waiting; a quiet
``QUIET`` period forgets the count, and a correct password starts the
account's count over.

The owner is never locked out: the account's cap is low (a password guesser
spread over many addresses still gets one try per ``ACCOUNT.cap`` seconds
against it), while one address hammering is slowed to one try a minute.
Nothing sleeps: a refused attempt is answered at once (429 with Retry-After).

Every allowed attempt is charged before the password is checked, in a
transaction holding the keys' rows (``SELECT ... FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so requests sent at the same instant, to any
process, cannot all slip through one open slot; a correct password gives the
address its charge back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from guide.addresses import client_network
from guide.extensions import db
from guide.models import LoginThrottle
from guide.models.base import utcnow
from guide.services.rows import get_or_create


@dataclass(frozen=True)
class Rule:
    """``free`` failures without delay, then doubling delays up to ``cap`` seconds."""

    free: int
    cap: int

    def delay(self, failures: int) -> int:
        return 0 if failures < self.free else min(self.cap, 2 ** min(failures - self.free, 16))


ADDRESS = Rule(free=5, cap=60)
ACCOUNT = Rule(free=5, cap=10)
QUIET = timedelta(minutes=15)
KEY_LENGTH = 255  # of the name after the prefix (the column holds 320)


@dataclass(frozen=True)
class Attempt:
    """``wait``: seconds before an attempt is allowed (0: this one was allowed and charged);
    ``delay_if_wrong``: what the next attempt will have to wait if this one fails."""

    wait: int
    delay_if_wrong: int = 0


def address_key(address: str | None) -> str:
    """``ip:<address>``; an IPv6 client counts as its /64 (one subscriber's whole network)."""
    return f"ip:{client_network(address)[:KEY_LENGTH]}"


def account_key(kind: str, name: str) -> str:
    """``<kind>:<name>`` (e.g. ``email:ada@example.com``), cut to fit the column."""
    return f"{kind}:{name[:KEY_LENGTH]}".replace("\x00", "?")  # PostgreSQL refuses NUL


def begin(keys: Mapping[str, Rule], now: datetime | None = None) -> Attempt:
    """Charge one attempt to every key, or say how long to wait (charging nothing). Commits."""
    now = now or utcnow()
    rows = [(_locked(key, now), rule) for key, rule in sorted(keys.items())]  # one lock order
    for row, _ in rows:
        if now - row.last_failure_at >= QUIET:
            row.failures = 0
    wait = max((_remaining(row, rule, now) for row, rule in rows), default=0)
    if not wait:
        for row, _ in rows:
            row.failures += 1
            row.last_failure_at = now
    delay = max((rule.delay(row.failures) for row, rule in rows), default=0)
    db.session.commit()
    return Attempt(wait=wait, delay_if_wrong=0 if wait else delay)


def succeeded(account: str, address: str, now: datetime | None = None) -> None:
    """A correct password: the account's count starts over and the address gets this
    attempt's charge back (not its history: signing in to one's own account between
    guesses at others must not clear it). Forgets keys quiet for long. Commits."""
    now = now or utcnow()
    db.session.execute(db.delete(LoginThrottle).where(db.or_(
        LoginThrottle.key == account, LoginThrottle.last_failure_at < now - QUIET)))
    db.session.execute(db.update(LoginThrottle).where(
        LoginThrottle.key == address, LoginThrottle.failures > 0,
    ).values(failures=LoginThrottle.failures - 1))
    db.session.commit()


def _locked(key: str, now: datetime) -> LoginThrottle:
    stmt = (db.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
            .execution_options(populate_existing=True))
    row, _ = get_or_create(stmt, lambda: LoginThrottle(key=key, failures=0, last_failure_at=now))
    return row


def _remaining(row: LoginThrottle, rule: Rule, now: datetime) -> int:
    due = row.last_failure_at + timedelta(seconds=rule.delay(row.failures))
    return max(0, math.ceil((due - now).total_seconds()))

"""Proactive onboarding (docs/PROACTIVE.md): lifecycle, success plans, scenarios.

``after_event`` is called by the envelope service for every event it writes
(from the widget, or a backend through ``POST /api/v1/track``), inside the
same transaction: event milestones are reached and event triggers fire
before the event commits, so they commit with it or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Event

if TYPE_CHECKING:
    from guide.services.envelopes import Context, Outcome


def after_event(ctx: Context, event: Event, outcome: Outcome) -> None:
    from guide.proactive import lifecycle
    from guide.proactive.firing import fire
    from guide.proactive.rules import rules_of
    from guide.proactive.triggers import candidate_for, listens_to

    if event.type != "event:track":
        return
    now = event.created_at
    rules = [rule for rule in rules_of(ctx.workspace.id)
             if rule.on_event and listens_to(rule) == event.name]
    if rules or lifecycle.counts(ctx.workspace, event.name):
        _one_at_a_time(ctx.user)
    lifecycle.event_seen(ctx.user, event.name, now)
    found = [(rule, candidate) for rule in rules
             for candidate in [candidate_for(rule, ctx.user, event, now)] if candidate]
    if not found:
        return
    # Written now (its ack is filled in at commit), so a support task's context shows
    # the event that fired it; the triggers above counted it as one more already.
    db.session.add(event)
    db.session.flush()
    for rule, candidate in found:
        outcome.after_commit += fire(ctx.workspace, rule, [candidate], now).after_commit


def _one_at_a_time(user: EndUser) -> None:
    """Counting triggers ("the second failed import") read the user's earlier events:
    two events of one user arriving at once must not both count one. PostgreSQL locks
    the user's row until this transaction ends, so the second waits and then sees the
    first (SQLite's transactions take the database's write lock when they begin)."""
    db.session.execute(sa.select(EndUser.id).where(EndUser.id == user.id).with_for_update())

"""Proactive onboarding (docs/PROACTIVE.md): lifecycle, success plans, scenarios.

``after_event`` is called by the envelope service for every event it writes
(from the widget, or a backend through ``POST /api/v1/track``), inside the
same transaction: event milestones are reached and event triggers fire
before the event commits, so they commit with it or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guide.extensions import db
from guide.models import Event

if TYPE_CHECKING:
    from guide.services.envelopes import Context, Outcome


def after_event(ctx: Context, event: Event, outcome: Outcome) -> None:
    from guide.proactive import lifecycle
    from guide.proactive.firing import fire
    from guide.proactive.rules import rules_of
    from guide.proactive.triggers import candidate_for

    if event.type != "event:track":
        return
    now = event.created_at
    lifecycle.event_seen(ctx.user, event.name, now)
    found = [(rule, candidate) for rule in rules_of(ctx.workspace.id) if rule.on_event
             for candidate in [candidate_for(rule, ctx.user, event, now)] if candidate]
    if not found:
        return
    # Written now (its ack is filled in at commit), so a support task's context shows
    # the event that fired it; the triggers above counted it as one more already.
    db.session.add(event)
    db.session.flush()
    for rule, candidate in found:
        outcome.after_commit += fire(ctx.workspace, rule, [candidate], now).after_commit

"""What the proactive engine does with a unit of work, before its owner commits.

``react`` takes what the building blocks recorded on the ``Outcome`` (steps
done, guides completed, new traits) and reaches the milestones they stand for;
``after_event`` does that and then what an event itself triggers: event
milestones and scenarios listening to it (``event:track`` from the widget, or
a backend through ``POST /api/v1/track``).
"""

from __future__ import annotations

import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Event
from guide.proactive import lifecycle
from guide.proactive.firing import fire
from guide.proactive.rules import rules_of
from guide.proactive.triggers import candidate_for, listens_to
from guide.services.unit import (
    AccountStepDone,
    Context,
    GuideDone,
    Happening,
    Outcome,
    StepDone,
    TraitsChanged,
)


def react(outcome: Outcome) -> None:
    """Milestones and stages for what happened, in order (each happening once)."""
    happened, outcome.happened = outcome.happened, []
    for happening in happened:
        _react(happening)


def _react(happening: Happening) -> None:
    match happening:
        case StepDone(user, guide_key, step_id, at):
            lifecycle.step_completed(user, guide_key, step_id, at)
        case GuideDone(user, guide_key, milestone, at):
            lifecycle.guide_completed(user, guide_key, milestone, at)
        case AccountStepDone(account, guide_key, step_id, at):
            lifecycle.account_step_completed(account, guide_key, step_id, at)
        case TraitsChanged(user, at):
            lifecycle.traits_changed(user, at)


def after_event(ctx: Context, event: Event, outcome: Outcome) -> None:
    """``react``, then the event's own milestones and the scenarios it triggers."""
    react(outcome)
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

"""Fire a scenario for a set of subjects: conditions, caps, the once-only record, actions.

Both paths use it: an event trigger with one subject, inside the transaction
that records the event; the sweep with a batch of subjects found by one
set-based query. A subject in the scenario's holdout (``Rule.holds_out``) gets
a firing row marked ``held_out`` and no action: both arms go through the same
conditions, caps and windows, so they differ only in the action. Nothing here
commits; ``Fired.after_commit`` holds what must wait for the commit (sending
nudges, waking the outbox worker).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guide.extensions import db
from guide.models import ScenarioFiring, Workspace
from guide.proactive.actions import run_actions
from guide.proactive.rules import Rule
from guide.proactive.subjects import Candidate, Fired, Match, Subject, load_subjects
from guide.services.audience import matches

CHUNK = 500


def fire(workspace: Workspace, rule: Rule, candidates: list[Candidate], now: datetime,
         *, dry_run: bool = False) -> Fired:
    """Fire ``rule`` for every candidate that passes its conditions and caps."""
    result = Fired()
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        subjects = load_subjects(rule.subject_type, [c.subject_id for c in chunk])
        allowed = _within_caps(rule, [c.subject_id for c in chunk], now)
        matched = [Match(subjects[c.subject_id], c,
                         held_out=rule.holds_out(subjects[c.subject_id].external_id))
                   for c in chunk
                   if c.subject_id in subjects and c.subject_id in allowed
                   and _conditions_hold(rule, subjects[c.subject_id], now)]
        result.matched += matched
        if dry_run or not matched:
            continue
        fired = _record(workspace, rule, matched, now)
        result.fired += fired
        # A held-out firing is a firing like any other (the caps above, the sweep's
        # "not fired yet" and the unique window count it) but takes no action.
        treated = [m for m in fired if not m.held_out]
        if treated:
            run_actions(workspace, rule, treated, now, result.after_commit)
    return result


def _conditions_hold(rule: Rule, subject: Subject, now: datetime) -> bool:
    conditions = rule.body.get("conditions")
    return conditions is None or matches(conditions, subject.traits, subject.account_traits,
                                         None, now)


def _within_caps(rule: Rule, ids: list[int], now: datetime) -> set[int]:
    """Subjects still under ``max_per_subject`` and outside ``cooldown_days``."""
    rows = db.session.execute(
        sa.select(ScenarioFiring.subject_id, sa.func.count(), sa.func.max(ScenarioFiring.fired_at))
        .where(ScenarioFiring.scenario_id == rule.id,
               ScenarioFiring.subject_type == rule.subject_type,
               ScenarioFiring.subject_id.in_(ids))
        .group_by(ScenarioFiring.subject_id))
    limit = rule.body.get("max_per_subject", 1)
    cooldown = rule.body.get("cooldown_days")
    blocked = set()
    for subject_id, count, last in rows:
        if count >= limit or (cooldown is not None and last is not None
                              and last > now - timedelta(days=cooldown)):
            blocked.add(subject_id)
    return set(ids) - blocked


def _record(workspace: Workspace, rule: Rule, matched: list[Match],
            now: datetime) -> list[Match]:
    """Insert the firings; those already recorded (same window) are skipped, not refired.

    One executemany with ON CONFLICT DO NOTHING, then the rows stamped with this
    call's ``now`` are read back: they are exactly the ones this call inserted (a
    concurrent sweep stamps its own time, and a conflicting row was not written).
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ScenarioFiring.__table__
    stmt = insert(table).on_conflict_do_nothing(
        index_elements=["scenario_id", "subject_type", "subject_id", "window"])
    db.session.execute(stmt, [
        {"workspace_id": workspace.id, "scenario_id": rule.id,
         "subject_type": rule.subject_type, "subject_id": m.subject.id,
         "window": m.candidate.window[:200], "details": m.candidate.details, "fired_at": now,
         "held_out": m.held_out}
        for m in matched])
    inserted = {(subject_id, window): id for id, subject_id, window in db.session.execute(
        sa.select(table.c.id, table.c.subject_id, table.c.window).where(
            table.c.scenario_id == rule.id, table.c.subject_type == rule.subject_type,
            table.c.fired_at == now, table.c.subject_id.in_([m.subject.id for m in matched])))}
    fired = []
    for match in matched:
        firing_id = inserted.get((match.subject.id, match.candidate.window[:200]))
        if firing_id is not None:
            match.firing_id = firing_id
            fired.append(match)
    return fired

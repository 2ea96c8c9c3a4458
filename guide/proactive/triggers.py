"""Triggers evaluated when an event is written (docs/PROACTIVE.md, "Triggers").

They run inside the envelope's transaction, before its event row is flushed,
so counts include the event being recorded as one more.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Event, Guide, Progress
from guide.proactive.rules import Rule
from guide.proactive.subjects import Candidate

HELP_EVENT = "$help_open"
TARGET_MISSING_EVENT = "$target_missing"
MAX_SCANNED = 500


def listens_to(rule: Rule) -> str | None:
    """The event name an event trigger reacts to."""
    return {"event_repeated": rule.trigger.get("event_repeated"), "help_repeated": HELP_EVENT,
            "target_missing": TARGET_MISSING_EVENT}.get(rule.kind)


def candidate_for(rule: Rule, user: EndUser, event: Event, now: datetime) -> Candidate | None:
    """The firing this event makes for ``rule``, if it makes one."""
    trigger, kind = rule.trigger, rule.kind
    if kind == "event_repeated" and event.name == trigger["event_repeated"]:
        return _repeated(trigger, user, event, now)
    props: dict[str, Any] = event.props or {}
    guide, step = props.get("guide"), props.get("step")
    if not (isinstance(guide, str) and isinstance(step, str)):
        return None
    if kind == "help_repeated" and event.name == HELP_EVENT:
        opened = 1 + sum(1 for p in _props_of(user, HELP_EVENT)
                         if p.get("guide") == guide and p.get("step") == step)
        if opened >= trigger.get("count", 2):
            return Candidate(user.id, f"{guide}/{step}",
                             {"guide": guide, "step": step, "opened": opened})
    if kind == "target_missing" and event.name == TARGET_MISSING_EVENT:
        wanted = trigger["target_missing"]
        if wanted in ("*", guide) and _on_step(user, guide, step):
            return Candidate(user.id, f"{guide}/{step}", {
                "guide": guide, "step": step, "selector": props.get("selector"),
                "url": event.url})
    return None


def _repeated(trigger: dict[str, Any], user: EndUser, event: Event,
              now: datetime) -> Candidate | None:
    minutes = trigger["within_minutes"]
    seen = 1 + (db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.user_id == user.id, Event.name == event.name, Event.type == "event:track",
        Event.created_at >= now - timedelta(minutes=minutes))) or 0)
    if seen < trigger["count"]:
        return None
    bucket = int(now.timestamp() // (minutes * 60))
    return Candidate(user.id, f"{event.name}@{bucket}", {
        "event": event.name, "count": seen, "within_minutes": minutes, "props": event.props})


def _props_of(user: EndUser, name: str) -> list[dict[str, Any]]:
    return [props or {} for props in db.session.scalars(
        sa.select(Event.props).where(Event.user_id == user.id, Event.name == name)
        .order_by(Event.id.desc()).limit(MAX_SCANNED))]


def _on_step(user: EndUser, guide_key: str, step: str) -> bool:
    """Is the user on this step of the guide (or has the guide no state yet)?"""
    current = db.session.execute(
        sa.select(Progress.current_step).join(Guide, Guide.id == Progress.guide_id)
        .where(Progress.user_id == user.id, Guide.key == guide_key,
               Guide.workspace_id == user.workspace_id)).first()
    return current is None or current[0] in (None, step)

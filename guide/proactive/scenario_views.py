"""Read models of scenarios for the admin's Scenarios page: rules in words, firing counts,
latest firings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Account, EndUser, Scenario, ScenarioFiring, Workspace
from guide.schemas.proactive import EVENT_TRIGGERS, TRIGGERS, percent_text, scenario_goal
from guide.services.localize import localize

LATEST = 5


def _since(t: dict[str, Any]) -> str:
    return f"entering stage {t['after_stage']}" if t.get("after_stage") else "being first seen"


def _any(value: str, what: str) -> str:
    return f"any {what}" if value == "*" else value


# A trigger in words, per kind (docs/PROACTIVE.md, "Triggers").
TRIGGER_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "milestone_missing": lambda t: (f"Milestone {t['milestone_missing']} not reached "
                                    f"{t['days']} days after {_since(t)}"),
    "guide_stalled": lambda t: (f"Guide {t['guide_stalled']} active with no progress for "
                                f"{t['days']} days"),
    "inactive": lambda t: f"No activity at all {t['days']} days after sign-up",
    "event_repeated": lambda t: (f"Event {t['event_repeated']} seen {t['count']} times within "
                                 f"{t['within_minutes']} minutes"),
    "help_repeated": lambda t: f"Help opened {t.get('count', 2)} times on the same step",
    "target_missing": lambda t: ("A tour element is missing on the user's current step "
                                 f"({_any(t['target_missing'], 'guide')})"),
    "plan_overdue": lambda t: (f"A step of {_any(t['plan_overdue'], 'plan')} is past due and "
                               "not done (per account"
                               + (f", {t['owner']}-side steps)" if t.get("owner") else ")")),
    "survey_answered": lambda t: (f"An answer to {_any(t['survey_answered'], 'survey')}"
                                  + (f" with a score {json.dumps(t['score'])}" if "score" in t
                                     else "")
                                  + (f" choosing {t['choice']}" if "choice" in t else "")),
    "article_unhelpful": lambda t: (f"{_any(t['article_unhelpful'], 'article')} found not "
                                    f"helpful {t.get('count', 3)} times"),
}


def _nudge(spec: dict[str, Any], locale: str) -> str:
    text = f"Nudge: “{localize(spec.get('message'), locale, locale)}”"
    if spec.get("guide"):
        where = spec["guide"] + (f" › {spec['step']}" if spec.get("step") else "")
        text += f" ({'starts' if spec.get('mode') == 'start' else 'Show me opens'} {where})"
    return text


# An action in words, per kind (docs/PROACTIVE.md, "Actions").
ACTION_WORDS: dict[str, Callable[[Any, str], str]] = {
    "nudge": _nudge,
    "webhook": lambda spec, _: "Webhook scenario.fired" + (
        f" with {json.dumps(spec['data'])}" if spec.get("data") else ""),
    "email": lambda spec, _: f"Email to {spec['to']}: “{spec['subject']}”",
    "task": lambda spec, _: f"Support task: “{spec['message']}”",
    "set_trait": lambda spec, _: f"Set trait {spec['key']} = {json.dumps(spec['value'])}",
    "tag": lambda spec, _: f"Tag {spec}",
}


def trigger_words(trigger: dict[str, Any]) -> str:
    kind = next((k for k in TRIGGERS if k in trigger), "")
    words = TRIGGER_WORDS.get(kind)
    return words(trigger) if words else json.dumps(trigger, sort_keys=True)


def action_words(action: dict[str, Any], locale: str) -> str:
    kind, spec = next(iter(action.items()))
    words = ACTION_WORDS.get(kind)
    return words(spec, locale) if words else json.dumps(action, sort_keys=True)


GOAL_WORDS = {"milestone": "reach milestone {key}", "guide": "complete guide {key}",
              "step": "plan step {key} done", "event": "track event {key}",
              "plan_step": "the overdue plan step done"}


def goal_words(body: dict[str, Any]) -> str | None:
    """The scenario's goal in words ("reach milestone x within 7 days"), or None."""
    goal = scenario_goal(body)
    if goal is None:
        return None
    default = "" if "goal" in body else " (the trigger's own)"
    return f"{GOAL_WORDS[goal['kind']].format(key=goal['key'])} within {goal['days']} days{default}"


@dataclass
class ScenarioView:
    scenario: Scenario
    trigger: str
    on_event: bool
    actions: list[str]
    conditions: str | None
    goal: str | None = None
    holdout: str | None = None
    week: int = 0
    total: int = 0
    held_out: int = 0
    latest: list[dict[str, Any]] = field(default_factory=list)


def scenario_views(workspace: Workspace, now: datetime) -> list[ScenarioView]:
    """Configured scenarios in file order, with counts and latest firings (three queries)."""
    locale = workspace.default_locale
    rows = db.session.scalars(sa.select(Scenario).where(
        Scenario.workspace_id == workspace.id, Scenario.configured.is_(True))
        .order_by(Scenario.position, Scenario.id))
    views = {s.id: ScenarioView(
        s, trigger_words(s.body["trigger"]),
        any(k in s.body["trigger"] for k in EVENT_TRIGGERS),
        [action_words(a, locale) for a in s.body.get("actions", [])],
        json.dumps(s.body["conditions"], ensure_ascii=False) if s.body.get("conditions") else None,
        goal_words(s.body), percent_text(s.body["holdout"]) if s.body.get("holdout") else None)
        for s in rows}
    if not views:
        return []
    f = ScenarioFiring
    recent = sa.case((f.fired_at >= now - timedelta(days=7), 1), else_=0)
    held = sa.case((f.held_out, 1), else_=0)
    for scenario_id, total, week, held_out in db.session.execute(
            sa.select(f.scenario_id, sa.func.count(), sa.func.sum(recent), sa.func.sum(held))
            .where(f.scenario_id.in_(list(views))).group_by(f.scenario_id)):
        view = views[scenario_id]
        view.total, view.week, view.held_out = total, week or 0, held_out or 0
    for firing in _latest(list(views)):
        views[firing["scenario_id"]].latest.append(firing)
    return list(views.values())


def _latest(scenario_ids: list[int]) -> list[dict[str, Any]]:
    """The LATEST newest firings of each scenario, with who they fired for."""
    f = ScenarioFiring
    rank = sa.func.row_number().over(partition_by=f.scenario_id,
                                     order_by=(f.fired_at.desc(), f.id.desc())).label("rank")
    ranked = sa.select(f.id, rank).where(f.scenario_id.in_(scenario_ids)).subquery()
    firings = list(db.session.scalars(
        sa.select(f).join(ranked, ranked.c.id == f.id).where(ranked.c.rank <= LATEST)
        .order_by(f.scenario_id, f.fired_at.desc(), f.id.desc())))
    names = {"user": _names(EndUser, {x.subject_id for x in firings if x.subject_type == "user"}),
             "account": _names(Account, {x.subject_id for x in firings
                                         if x.subject_type == "account"})}
    return [{"scenario_id": x.scenario_id, "subject_type": x.subject_type,
             "who": names[x.subject_type].get(x.subject_id, f"#{x.subject_id} (deleted)"),
             "window": x.window, "fired_at": x.fired_at, "held_out": x.held_out}
            for x in firings]


def _names(model: type[EndUser] | type[Account], ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.external_id)
                                   .where(model.id.in_(ids))).all())

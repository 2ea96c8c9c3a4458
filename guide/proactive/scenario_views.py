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
from guide.wording import N_, Message

LATEST = 5


def _since(t: dict[str, Any]) -> Message:
    return (N_("entering stage %(stage)s", stage=t["after_stage"]) if t.get("after_stage")
            else N_("being first seen"))


ANY = {"guide": N_("any guide"), "plan": N_("any plan"), "survey": N_("any survey"),
       "article": N_("any article")}


def _any(value: str, what: str) -> str:
    return ANY[what] if value == "*" else value


def _plan_overdue(t: dict[str, Any]) -> Message:
    if t.get("owner"):
        return N_("A step of %(plan)s is past due and not done (per account, %(owner)s-side "
                  "steps)", plan=_any(t["plan_overdue"], "plan"), owner=t["owner"])
    return N_("A step of %(plan)s is past due and not done (per account)",
              plan=_any(t["plan_overdue"], "plan"))


def _survey_answered(t: dict[str, Any]) -> Message:
    words = N_("An answer to %(survey)s", survey=_any(t["survey_answered"], "survey"))
    if "score" in t:
        words = N_("%(answer)s with a score %(score)s", answer=words, score=json.dumps(t["score"]))
    if "choice" in t:
        words = N_("%(answer)s choosing %(choice)s", answer=words, choice=t["choice"])
    return words


# A trigger in words, per kind (docs/PROACTIVE.md, "Triggers"): Messages (guide/wording.py)
# that read English and that the admin shows in its reader's language.
TRIGGER_WORDS: dict[str, Callable[[dict[str, Any]], Message]] = {
    "milestone_missing": lambda t: N_("Milestone %(key)s not reached %(days)s days after "
                                      "%(since)s", key=t["milestone_missing"], days=t["days"],
                                      since=_since(t)),
    "guide_stalled": lambda t: N_("Guide %(key)s active with no progress for %(days)s days",
                                  key=t["guide_stalled"], days=t["days"]),
    "inactive": lambda t: N_("No activity at all %(days)s days after sign-up", days=t["days"]),
    "event_repeated": lambda t: N_("Event %(event)s seen %(count)s times within %(minutes)s "
                                   "minutes", event=t["event_repeated"], count=t["count"],
                                   minutes=t["within_minutes"]),
    "help_repeated": lambda t: N_("Help opened %(count)s times on the same step",
                                  count=t.get("count", 2)),
    "target_missing": lambda t: N_("A tour element is missing on the user's current step "
                                   "(%(guide)s)", guide=_any(t["target_missing"], "guide")),
    "plan_overdue": _plan_overdue,
    "survey_answered": _survey_answered,
    "article_unhelpful": lambda t: N_("%(article)s found not helpful %(count)s times",
                                      article=_any(t["article_unhelpful"], "article"),
                                      count=t.get("count", 3)),
}


def _nudge(spec: dict[str, Any], locale: str) -> Message:
    text = N_("Nudge: “%(message)s”", message=localize(spec.get("message"), locale, locale))
    if spec.get("guide"):
        where = spec["guide"] + (f" › {spec['step']}" if spec.get("step") else "")
        text = (N_("%(nudge)s (starts %(where)s)", nudge=text, where=where)
                if spec.get("mode") == "start"
                else N_("%(nudge)s (Show me opens %(where)s)", nudge=text, where=where))
    return text


def _webhook(spec: dict[str, Any], _: str) -> Message:
    if spec.get("data"):
        return N_("Webhook scenario.fired with %(data)s", data=json.dumps(spec["data"]))
    return N_("Webhook scenario.fired")


# An action in words, per kind (docs/PROACTIVE.md, "Actions").
ACTION_WORDS: dict[str, Callable[[Any, str], Message]] = {
    "nudge": _nudge,
    "webhook": _webhook,
    "email": lambda spec, _: N_("Email to %(to)s: “%(subject)s”", to=spec["to"],
                                subject=spec["subject"]),
    "task": lambda spec, _: N_("Support task: “%(message)s”", message=spec["message"]),
    "set_trait": lambda spec, _: N_("Set trait %(key)s = %(value)s", key=spec["key"],
                                    value=json.dumps(spec["value"])),
    "tag": lambda spec, _: N_("Tag %(tag)s", tag=str(spec)),
}


def trigger_words(trigger: dict[str, Any]) -> str:
    kind = next((k for k in TRIGGERS if k in trigger), "")
    words = TRIGGER_WORDS.get(kind)
    return words(trigger) if words else json.dumps(trigger, sort_keys=True)


def action_words(action: dict[str, Any], locale: str) -> str:
    kind, spec = next(iter(action.items()))
    words = ACTION_WORDS.get(kind)
    return words(spec, locale) if words else json.dumps(action, sort_keys=True)


GOAL_WORDS = {"milestone": N_("reach milestone %(key)s"), "guide": N_("complete guide %(key)s"),
              "step": N_("plan step %(key)s done"), "event": N_("track event %(key)s"),
              "plan_step": N_("the overdue plan step done")}


def goal_words(body: dict[str, Any]) -> str | None:
    """The scenario's goal in words ("reach milestone x within 7 days"), or None."""
    goal = scenario_goal(body)
    if goal is None:
        return None
    what = N_(GOAL_WORDS[goal["kind"]], key=goal["key"])
    if "goal" in body:
        return N_("%(goal)s within %(days)s days", goal=what, days=goal["days"])
    return N_("%(goal)s within %(days)s days (the trigger's own)", goal=what, days=goal["days"])


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

"""Triggers on what users answered: ``survey_answered`` and ``article_unhelpful``
(docs/SURVEYS.md, section 4).

Evaluated by the ``survey:answer`` and ``feedback:helpful`` envelopes, in their
transaction, after the answer's rows are written; each answer fires a scenario at
most once (its window is the envelope's id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guide.models import Event, Workspace
from guide.proactive.firing import fire
from guide.proactive.rules import Rule, rules_of
from guide.proactive.subjects import Candidate

BOUNDS = {"lt": int.__lt__, "lte": int.__le__, "gt": int.__gt__, "gte": int.__ge__,
          "eq": int.__eq__}
SCALE_TYPES = ("nps", "csat", "rating")


def survey_answered(workspace: Workspace, event: Event, survey: dict[str, Any],
                    answers: dict[str, Any], details: dict[str, Any], now: datetime) -> list[Any]:
    """Fire the scenarios this answer matches; what must wait for the commit."""
    later: list[Any] = []
    for rule in _rules(workspace, "survey_answered"):
        trigger = rule.trigger
        if trigger["survey_answered"] not in ("*", survey["key"]):
            continue
        if not _fits(trigger, survey["steps"], answers):
            continue
        candidate = Candidate(event.user_id, f"answer:{event.client_id}", details)
        later += fire(workspace, rule, [candidate], now).after_commit
    return later


def _fits(trigger: dict[str, Any], questions: list[dict[str, Any]],
          answers: dict[str, Any]) -> bool:
    if "score" in trigger:
        wanted = trigger.get("question") or next(
            (q["id"] for q in questions if q["type"] in SCALE_TYPES), None)
        score = answers.get(wanted) if wanted else None
        if not isinstance(score, int) or not all(
                BOUNDS[name](score, bound) for name, bound in trigger["score"].items()):
            return False
    if "choice" in trigger:
        picked = ([answers.get(trigger["question"])] if "question" in trigger
                  else list(answers.values()))
        flat = [v for value in picked for v in (value if isinstance(value, list) else [value])]
        if trigger["choice"] not in flat:
            return False
    return True


def article_unhelpful(workspace: Workspace, event: Event, article: str, votes: int,
                      comment: str | None, now: datetime) -> list[Any]:
    """Fire when an article's "not helpful" votes reach a multiple of the trigger's count."""
    later: list[Any] = []
    for rule in _rules(workspace, "article_unhelpful"):
        count = rule.trigger["count"]
        if rule.trigger["article_unhelpful"] not in ("*", article) or votes % count:
            continue
        candidate = Candidate(event.user_id, f"{article}#{votes}",
                              {"article": article, "votes": votes, "comment": comment})
        later += fire(workspace, rule, [candidate], now).after_commit
    return later


def _rules(workspace: Workspace, kind: str) -> list[Rule]:
    return [rule for rule in rules_of(workspace.id) if rule.kind == kind]

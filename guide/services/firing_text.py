"""A scenario firing's ``details`` in words, for people: the support task's "Why" box and
the scenario's email (docs/PROACTIVE.md). The webhook keeps the data as it is.

Each detail becomes a label and its lines: a survey's answers one line per question,
"question: answer" with the question's title and the options' labels of the version
answered; the user and account by name and id; times in UTC to the minute; nothing for
an empty value (no ``None``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from guide.errors import NotFound
from guide.extensions import db
from guide.models import Account, EndUser, Workspace
from guide.services.localize import localize
from guide.services.surveys import survey_version

Lines = list[tuple[str, list[str]]]
# Details known to read best in this order; the others follow (a JSONB column, as the
# outbox's and the task's, does not keep the order they were written in).
ORDER = ("survey", "version", "article", "votes", "user", "account", "answers", "score",
         "comment")


def why_lines(workspace: Workspace, details: dict[str, Any] | None) -> Lines:
    """``[(label, [line, ...])]`` of the firing's details, in their order."""
    details = details or {}
    questions = _questions(workspace, details)
    out: Lines = []
    rank = {name: index for index, name in enumerate(ORDER)}
    for name, value in sorted(details.items(), key=lambda item: rank.get(item[0], len(rank))):
        if _empty(value):
            continue
        if name == "answers" and isinstance(value, dict):
            asked = {q: index for index, q in enumerate(questions)}  # the survey's order
            lines = [_answer(questions.get(q), q, v, workspace) for q, v in
                     sorted(value.items(), key=lambda item: asked.get(item[0], len(asked)))]
        elif name == "user":
            lines = [_named(workspace, EndUser, value)]
        elif name == "account":
            lines = [_named(workspace, Account, value)]
        else:
            lines = _plain(name, value)
        out.append((name, lines))
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _questions(workspace: Workspace, details: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The answered version's questions by id (none when the details name no survey)."""
    key, number = details.get("survey"), details.get("version")
    if not isinstance(key, str) or not isinstance(number, int) or "answers" not in details:
        return {}
    try:
        _, version = survey_version(workspace.id, key, number)
    except NotFound:
        return {}
    return {q["id"]: q for q in version.body.get("steps", [])}


def _answer(question: dict[str, Any] | None, question_id: str, value: Any,
            workspace: Workspace) -> str:
    def text(v: Any) -> str:
        return localize(v, workspace.default_locale, workspace.default_locale) or ""

    if question is None:
        return f"{question_id}: {_value(value)}"
    options = {o["id"]: text(o["label"]) for o in question.get("options", [])}
    chosen = value if isinstance(value, list) else [value]
    answer = ", ".join(options.get(v, str(v)) if isinstance(v, str) else str(v) for v in chosen)
    title = text(question.get("title")) or question_id
    # "What should we do better? Too slow", "Plan: Pro".
    return f"{title} {answer}" if title.endswith(("?", ":")) else f"{title}: {answer}"


def _named(workspace: Workspace, model: Any, value: Any) -> str:
    """"Grace Hopper (grace)": the name trait when there is one, and the id."""
    external_id = value.get("id") if isinstance(value, dict) else value
    if not isinstance(external_id, str):
        return _value(value)
    traits = db.session.scalar(sa.select(model.traits).where(
        model.workspace_id == workspace.id, model.external_id == external_id))
    name = (traits or {}).get("name")
    return f"{name} ({external_id})" if isinstance(name, str) and name.strip() else external_id


def _plain(name: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {_value(v)}" for k, v in value.items() if not _empty(v)]
    if name.endswith("_at") and isinstance(value, str):
        return [when_text(value)]
    return [_value(value)]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items() if not _empty(v))
    return str(value)


def when_text(value: str) -> str:
    """An ISO 8601 time as "2026-12-06 21:54 UTC" (the text as it is if it is none)."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    at = at.astimezone(UTC) if at.tzinfo else at
    return at.strftime("%Y-%m-%d %H:%M UTC")

"""Survey answers and "was this helpful?" votes: checked against the version, stored once.

The building blocks of the ``survey:answer`` and ``feedback:helpful`` envelopes
(docs/SURVEYS.md, section 3). The envelope's use case owns the transaction and
calls these; nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.errors import Conflict, NotFound
from guide.extensions import db
from guide.models import Account, EndUser, Guide, GuideVersion, Progress
from guide.models.base import isoformat
from guide.models.survey import COMMENT, HelpfulVote, SurveyResponse
from guide.services.messages import BAND_SCORES, scale_of
from guide.services.progress import get_or_create_progress

MAX_TEXT = 2000
# An answer given offline counts on the day it was given, up to this long ago.
MAX_LATE = timedelta(days=7)


def survey_version(workspace_id: int, key: str, number: int) -> tuple[Guide, GuideVersion]:
    """The survey and the version the user answered (published now or before)."""
    guide = db.session.scalar(sa.select(Guide).where(Guide.workspace_id == workspace_id,
                                                     Guide.key == key))
    if guide is None or guide.published_version_id is None or guide.kind != "survey":
        raise NotFound(f"No published survey {key!r} in this workspace.", code="unknown_guide")
    version = db.session.scalar(sa.select(GuideVersion).where(
        GuideVersion.guide_id == guide.id, GuideVersion.number == number,
        GuideVersion.state != "draft"))
    if version is None:
        raise NotFound(f"Survey {key!r} has no published version {number}.",
                       code="unknown_version")
    return guide, version


def answer_errors(body: dict[str, Any], answers: dict[str, Any]) -> dict[str, list[str]]:
    """Why these answers do not fit the version's questions, by question id (empty: they do)."""
    questions = {q["id"]: q for q in body["steps"]}
    errors = {qid: [f"No question {qid!r} in this version of the survey."]
              for qid in answers if qid not in questions}
    errors.update({qid: [message] for qid, value in answers.items() if qid in questions
                   for message in [_value_error(questions[qid], value)] if message})
    if errors:
        return errors
    for question in body["steps"]:
        asked, qid = shown(question, answers), question["id"]
        if not asked and qid in answers:
            errors[qid] = ["Not asked for this score (its show_if hides it); leave it out."]
        elif asked and qid not in answers and question.get("required", question["type"] != "text"):
            errors[qid] = ["This question needs an answer."]
    if not answers:
        errors["_schema"] = ["Answer at least one question."]
    return errors


def shown(question: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Is the question asked, given the answers (its show_if's NPS score band)?"""
    rule = question.get("show_if")
    if rule is None:
        return True
    bands = rule["band"] if isinstance(rule["band"], list) else [rule["band"]]
    score = answers.get(rule["question"])
    return isinstance(score, int) and any(score in BAND_SCORES[band] for band in bands)


def _value_error(question: dict[str, Any], value: Any) -> str | None:
    kind = question["type"]
    if kind in ("nps", "csat", "rating"):
        low, high = scale_of(question)
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"Must be an integer from {low} to {high}."
    ids = [option["id"] for option in question.get("options", [])]
    if kind == "single":
        return None if value in ids else f"Must be one of: {', '.join(ids)}."
    if kind == "multiple":
        most = question.get("max", len(ids))
        ok = (isinstance(value, list) and 0 < len(value) <= most
              and len(set(map(str, value))) == len(value) and all(v in ids for v in value))
        return None if ok else (f"Must be a list of 1 to {most} different options of: "
                                f"{', '.join(ids)}.")
    ok = isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT
    return None if ok else f"Must be a text of 1 to {MAX_TEXT} characters."


def answered_at(client_at: datetime | None, now: datetime) -> datetime:
    """When it was answered: the client's time (offline answers), within MAX_LATE of now."""
    if client_at is None:
        return now
    return min(max(client_at, now - MAX_LATE), now)


def record_answer(user: EndUser, guide: Guide, version: GuideVersion, answers: dict[str, Any],
                  comment: str | None, event_id: int, at: datetime) -> None:
    """The response rows, and the survey marked answered on the user's progress."""
    progress = get_or_create_progress(user, guide)
    if version.body.get("frequency", "once") == "once" and progress.state == "completed":
        raise Conflict(f"{guide.key!r} was already answered (frequency: once).",
                       code="already_answered")
    common = {"workspace_id": guide.workspace_id, "guide_id": guide.id,
              "version": version.number, "user_id": user.id, "account_id": user.account_id,
              "event_id": event_id, "answered_at": at}
    types = {q["id"]: q["type"] for q in version.body["steps"]}
    rows = [{**common, "question": qid, "type": types[qid], **_value_columns(types[qid], value)}
            for qid, values in answers.items()
            for value in (values if types[qid] == "multiple" else [values])]
    if comment:
        rows.append({**common, "question": COMMENT, "type": "comment", "score": None,
                     "choice": None, "text": comment})
    db.session.execute(sa.insert(SurveyResponse.__table__), rows)
    _answered(progress, list(answers), at)


def _value_columns(kind: str, value: Any) -> dict[str, Any]:
    return {"score": value if kind in ("nps", "csat", "rating") else None,
            "choice": value if kind in ("single", "multiple") else None,
            "text": value if kind == "text" else None}


def _answered(progress: Progress, question_ids: list[str], at: datetime) -> None:
    progress.state = "completed"
    progress.completed_steps = question_ids
    progress.completed_at = progress.updated_at = at
    progress.started_at = progress.started_at or at


def nps_score(version: GuideVersion, answers: dict[str, Any]) -> int | None:
    """The answer to the survey's first NPS question, if it has one and it was answered."""
    first = next((q["id"] for q in version.body["steps"] if q["type"] == "nps"), None)
    return answers.get(first) if first else None


def set_account_nps(account_id: int | None, score: int, at: datetime) -> None:
    """The account's latest NPS as traits ``nps`` and ``nps_at`` (docs/SURVEYS.md)."""
    account = db.session.get(Account, account_id) if account_id else None
    if account is not None:
        account.traits = {**(account.traits or {}), "nps": score, "nps_at": isoformat(at)}


def record_vote(user: EndUser, vote: dict[str, Any], event_id: int, at: datetime) -> int:
    """Store a helpful vote; the article's "not helpful" votes so far (0 for a step's vote)."""
    db.session.add(HelpfulVote(
        workspace_id=user.workspace_id, user_id=user.id, account_id=user.account_id,
        event_id=event_id, article=vote.get("article"), guide=vote.get("guide"),
        step=vote.get("step"), helpful=vote["helpful"], comment=vote.get("comment"), voted_at=at))
    if vote.get("article") is None or vote["helpful"]:
        return 0
    db.session.flush()
    return db.session.scalar(sa.select(sa.func.count()).select_from(HelpfulVote).where(
        HelpfulVote.workspace_id == user.workspace_id, HelpfulVote.article == vote["article"],
        HelpfulVote.helpful.is_(False))) or 0

"""Results of surveys, "was this helpful?" and messages (docs/SURVEYS.md, section 6).

Answers are read from their own narrow tables (``survey_response``,
``helpful_vote``: one row per answer, indexed by survey and time). The users shown a
survey, and of those who answered it, are sums over days of the rollups
(``survey_reach``) plus what they have not absorbed yet; for a filter's users, read
from their ``$survey_shown`` events. Who saw a message comes from its ``$`` events in
the range (docs/ANALYTICS.md, "Surveys").
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import survey_reach
from guide.analytics.filters import Filters, among
from guide.analytics.ranges import check_range, midnight
from guide.errors import NotFound
from guide.extensions import db
from guide.models import Account, EndUser, Event, Guide, GuideVersion, Workspace
from guide.models.base import isoformat
from guide.models.survey import COMMENT, HelpfulVote, SurveyResponse

MAX_COMMENTS = 500
# $ events per message kind: what each counts (docs/SURVEYS.md, section 3).
MESSAGE_EVENTS = {
    "announcement": {"seen": "$announcement_seen", "clicked": "$announcement_clicked",
                     "dismissed": "$announcement_dismissed"},
    "hotspot": {"seen": "$hotspot_seen", "clicked": "$hotspot_opened",
                "dismissed": "$hotspot_dismissed"},
    "tooltip": {"seen": "$tooltip_shown"},
    "survey": {"seen": "$survey_shown", "dismissed": "$survey_dismissed"},
}


def _window(workspace: Workspace, start: date, end: date) -> tuple[datetime, datetime]:
    check_range(start, end)
    zone = ZoneInfo(workspace.timezone)
    return midnight(start, zone), midnight(end + timedelta(days=1), zone)


def _guide(workspace: Workspace, key: str, kinds: tuple[str, ...]) -> tuple[Guide, GuideVersion]:
    guide = db.session.scalar(sa.select(Guide).where(Guide.workspace_id == workspace.id,
                                                     Guide.key == key, Guide.kind.in_(kinds)))
    if guide is None or guide.published_version is None:
        raise NotFound(f"No published {' or '.join(kinds)} {key!r} in this workspace.",
                       code="unknown_guide")
    return guide, guide.published_version


def published_survey(workspace: Workspace, key: str) -> GuideVersion:
    """The survey's published version: its questions' titles and options for a results page."""
    return _guide(workspace, key, ("survey",))[1]


def _shown(workspace: Workspace, names: list[str], prop: str, key: str, low: datetime,
           high: datetime, users: frozenset[int] | None) -> dict[str, set[tuple[int, Any]]]:
    """Per event name, the (user, step) pairs whose event names ``key``."""
    found: dict[str, set[tuple[int, Any]]] = {name: set() for name in names}
    rows = db.session.execute(sa.select(Event.name, Event.user_id, Event.props).where(
        Event.workspace_id == workspace.id, Event.type == "event:track", Event.name.in_(names),
        Event.created_at >= low, Event.created_at < high, among(Event.user_id, users)))
    for name, user_id, props in rows:
        if user_id is not None and (props or {}).get(prop) == key:
            found[name].add((user_id, (props or {}).get("step")))
    return found


def survey_report(workspace: Workspace, key: str, start: date, end: date,
                  filters: Filters | None = None) -> dict[str, Any]:
    """Per survey: shows, responses, response rate, and each question's numbers.

    Counted in the database (a few grouped rows come back, whatever the answers): at
    100,000 answers, loading them to count in Python took seconds (docs/BENCHMARKS.md).
    """
    guide, version = _guide(workspace, key, ("survey",))
    low, high = _window(workspace, start, end)
    users = filters.user_ids(workspace) if filters else None
    answered = (SurveyResponse.guide_id == guide.id, SurveyResponse.answered_at >= low,
                SurveyResponse.answered_at < high, among(SurveyResponse.user_id, users))
    if users is None:  # the rollups (survey_reach): a sum over days
        shown, shown_answered = survey_reach.shown_counts(workspace.id, guide.id, key, start,
                                                          end, low, high)
    else:  # a filter's users: their shows, read
        shown, shown_answered = _shown_users(workspace, answered, key, low, high, users)
    responses, respondents = db.session.execute(sa.select(
        sa.func.count(SurveyResponse.event_id.distinct()),
        sa.func.count(SurveyResponse.user_id.distinct())).where(*answered)).one()
    counts = _counts(answered, any(q["type"] == "multiple" for q in version.body["steps"]))
    report = {
        "survey": key, "start": start.isoformat(), "end": end.isoformat(),
        "shown": shown, "responses": responses, "respondents": respondents,
        "response_rate": round(shown_answered / shown, 4) if shown else None,
        "questions": [_question(q, counts.get(q["id"], _Counts())) for q in version.body["steps"]],
        "comments": _comments(answered),
    }
    return filters.tagged(report, users) if filters else report


def _shown_users(workspace: Workspace, answered: tuple[Any, ...], key: str, low: datetime,
                 high: datetime, users: frozenset[int]) -> tuple[int, int]:
    """(users shown the survey, of whom answered it) among ``users``, from the events."""
    shown_users = sa.select(Event.user_id).where(
        *survey_reach.shows(workspace.id), Event.created_at >= low, Event.created_at < high,
        Event.props["survey"].as_string() == key, among(Event.user_id, users)
    ).distinct().subquery()
    respondent_ids = sa.select(SurveyResponse.user_id).where(*answered)
    shown, shown_answered = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(shown_users.c.user_id.in_(respondent_ids)),
    ).select_from(shown_users)).one()
    return shown, shown_answered


class _Counts:
    """One question's answers in the range: rows and envelopes, and rows per score/choice."""

    def __init__(self) -> None:
        self.rows = self.answers = 0
        self.scores: Counter[int] = Counter()
        self.choices: Counter[str] = Counter()


def _counts(answered: tuple[Any, ...], multiple: bool) -> dict[str, _Counts]:
    """Per question id: its answers counted by the database, in one grouped scan (and a
    second one, of the multiple-choice rows only, when the survey has such a question:
    one answer there is a row per choice)."""
    out: dict[str, _Counts] = {}
    for question, score, choice, rows in db.session.execute(
            sa.select(SurveyResponse.question, SurveyResponse.score, SurveyResponse.choice,
                      sa.func.count()).where(*answered)
            .group_by(SurveyResponse.question, SurveyResponse.score, SurveyResponse.choice)):
        counts = out.setdefault(question, _Counts())
        counts.rows += rows
        if score is not None:
            counts.scores[score] += rows
        if choice is not None:
            counts.choices[choice] += rows
    for counts in out.values():
        counts.answers = counts.rows  # one row per answer, but for multiple choice:
    if multiple:
        for question, answers in db.session.execute(
                sa.select(SurveyResponse.question,
                          sa.func.count(SurveyResponse.event_id.distinct()))
                .where(*answered, SurveyResponse.type == "multiple")
                .group_by(SurveyResponse.question)):
            out[question].answers = answers
    return out


def _responses(guide: Guide, low: datetime, high: datetime,
               users: frozenset[int] | None) -> list[Any]:
    return list(db.session.execute(_answer_rows().where(
        SurveyResponse.guide_id == guide.id, SurveyResponse.answered_at >= low,
        SurveyResponse.answered_at < high, among(SurveyResponse.user_id, users))))


def _answer_rows() -> sa.Select[Any]:
    """Answers with their user's and account's ids in the product, newest first."""
    return (sa.select(SurveyResponse.user_id, SurveyResponse.event_id, SurveyResponse.question,
                      SurveyResponse.type, SurveyResponse.score, SurveyResponse.choice,
                      SurveyResponse.text, SurveyResponse.answered_at, SurveyResponse.version,
                      EndUser.external_id.label("user"), Account.external_id.label("account"))
            .join(EndUser, EndUser.id == SurveyResponse.user_id)
            .outerjoin(Account, Account.id == SurveyResponse.account_id)
            .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc()))


def _question(question: dict[str, Any], counts: _Counts) -> dict[str, Any]:
    kind = question["type"]
    out: dict[str, Any] = {"id": question["id"], "type": kind, "answers": counts.rows}
    scores = counts.scores
    total = sum(scores.values())
    if kind == "nps":
        promoters = sum(n for score, n in scores.items() if score >= 9)
        detractors = sum(n for score, n in scores.items() if score <= 6)
        out.update(promoters=promoters, passives=total - promoters - detractors,
                   detractors=detractors,
                   nps=round(100 * (promoters - detractors) / total, 1) if total else None)
    elif kind in ("csat", "rating"):
        high = 5 if kind == "csat" else question.get("scale", 5)
        out.update(average=round(sum(s * n for s, n in scores.items()) / total, 2)
                   if total else None,
                   distribution={str(n): scores[n] for n in range(1, high + 1)})
    elif kind in ("single", "multiple"):
        out["answers"] = counts.answers
        out["choices"] = {o["id"]: counts.choices[o["id"]] for o in question["options"]}
    return out


def _comments(answered: tuple[Any, ...]) -> list[dict[str, Any]]:
    rows = db.session.execute(_answer_rows().where(*answered, SurveyResponse.text.is_not(None))
                              .limit(MAX_COMMENTS))
    return [{"user": row.user, "account": row.account,
             "question": None if row.question == COMMENT else row.question, "text": row.text,
             "at": isoformat(row.answered_at)} for row in rows]


CSV_COLUMNS = ("answered_at", "user", "account", "version", "question", "score", "choice", "text")


def survey_csv_rows(workspace: Workspace, key: str, start: date, end: date,
                    filters: Filters | None = None) -> list[tuple[Any, ...]]:
    """One line per response row, oldest first (docs/SURVEYS.md)."""
    guide, _ = _guide(workspace, key, ("survey",))
    low, high = _window(workspace, start, end)
    users = filters.user_ids(workspace) if filters else None
    return [(isoformat(r.answered_at), r.user, r.account, r.version, r.question, r.score,
             r.choice, r.text) for r in reversed(_responses(guide, low, high, users))]


def helpful_report(workspace: Workspace, start: date, end: date,
                   filters: Filters | None = None) -> dict[str, Any]:
    """Per article and per guide step: yes, no, the helpful share and the comments."""
    low, high = _window(workspace, start, end)
    users = filters.user_ids(workspace) if filters else None
    rows = db.session.execute(
        sa.select(HelpfulVote.article, HelpfulVote.guide, HelpfulVote.step, HelpfulVote.helpful,
                  HelpfulVote.comment, HelpfulVote.voted_at, EndUser.external_id,
                  Account.external_id)
        .join(EndUser, EndUser.id == HelpfulVote.user_id)
        .outerjoin(Account, Account.id == HelpfulVote.account_id)
        .where(HelpfulVote.workspace_id == workspace.id, HelpfulVote.voted_at >= low,
               HelpfulVote.voted_at < high, among(HelpfulVote.user_id, users))
        .order_by(HelpfulVote.voted_at.desc(), HelpfulVote.id.desc()))
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for article, guide, step, helpful, comment, at, user, account in rows:
        subject = ("article", article) if article else ("step", f"{guide}/{step}")
        item = items.setdefault(subject, {subject[0]: subject[1], "yes": 0, "no": 0,
                                          "comments": []})
        item["yes" if helpful else "no"] += 1
        if comment and len(item["comments"]) < MAX_COMMENTS:
            item["comments"].append({"user": user, "account": account, "helpful": helpful,
                                     "text": comment, "at": isoformat(at)})
    for item in items.values():
        item["share"] = round(item["yes"] / (item["yes"] + item["no"]), 4)
    report = {"start": start.isoformat(), "end": end.isoformat(),
              "articles": [v for (kind, _), v in sorted(items.items()) if kind == "article"],
              "steps": [v for (kind, _), v in sorted(items.items()) if kind == "step"]}
    return filters.tagged(report, users) if filters else report


def message_report(workspace: Workspace, key: str, start: date, end: date,
                   filters: Filters | None = None) -> dict[str, Any]:
    """An announcement, hotspot or tooltip: users who saw, clicked and dismissed it, per step."""
    guide, version = _guide(workspace, key, ("announcement", "hotspot", "tooltip"))
    low, high = _window(workspace, start, end)
    users = filters.user_ids(workspace) if filters else None
    metrics = MESSAGE_EVENTS[guide.kind]
    found = _shown(workspace, list(metrics.values()), guide.kind, key, low, high, users)
    report: dict[str, Any] = {"key": key, "kind": guide.kind, "start": start.isoformat(),
                              "end": end.isoformat()}
    for metric in ("seen", "clicked", "dismissed"):
        pairs = found.get(metrics.get(metric, ""), set())
        report[metric] = len({user for user, _ in pairs}) if metric in metrics else None
    per_step = {name: found[event] for name, event in metrics.items()}
    report["steps"] = [{"id": step["id"], **{
        name: len({user for user, at in pairs if at == step["id"]}) for name, pairs in
        per_step.items() if name != "dismissed"}} for step in version.body["steps"]]
    return filters.tagged(report, users) if filters else report

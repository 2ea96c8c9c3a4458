"""Results of surveys, "was this helpful?" and messages (docs/SURVEYS.md, section 6).

Answers are read from their own narrow tables (``survey_response``,
``helpful_vote``: one row per answer, indexed by survey and time); who was shown
a survey or a message comes from its ``$`` events in the range. Not rolled up:
the work grows with the answers and the shows in the range, never with the
workspace's other events (docs/ANALYTICS.md, "Surveys").
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

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
    "hotspot": {"clicked": "$hotspot_opened", "dismissed": "$hotspot_dismissed"},
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
    """Per survey: shows, responses, response rate, and each question's numbers."""
    guide, version = _guide(workspace, key, ("survey",))
    low, high = _window(workspace, start, end)
    users = filters.user_ids(workspace) if filters else None
    shown = {user for user, _ in _shown(workspace, ["$survey_shown"], "survey", key, low, high,
                                        users)["$survey_shown"]}
    rows = _responses(guide, low, high, users)
    respondents = {row.user_id for row in rows}
    report = {
        "survey": key, "start": start.isoformat(), "end": end.isoformat(),
        "shown": len(shown), "responses": len({row.event_id for row in rows}),
        "respondents": len(respondents),
        "response_rate": round(len(shown & respondents) / len(shown), 4) if shown else None,
        "questions": [_question(q, [r for r in rows if r.question == q["id"]])
                      for q in version.body["steps"]],
        "comments": _comments(rows),
    }
    return filters.tagged(report, users) if filters else report


def _responses(guide: Guide, low: datetime, high: datetime,
               users: frozenset[int] | None) -> list[Any]:
    return list(db.session.execute(
        sa.select(SurveyResponse.user_id, SurveyResponse.event_id, SurveyResponse.question,
                  SurveyResponse.type, SurveyResponse.score, SurveyResponse.choice,
                  SurveyResponse.text, SurveyResponse.answered_at, SurveyResponse.version,
                  EndUser.external_id.label("user"), Account.external_id.label("account"))
        .join(EndUser, EndUser.id == SurveyResponse.user_id)
        .outerjoin(Account, Account.id == SurveyResponse.account_id)
        .where(SurveyResponse.guide_id == guide.id, SurveyResponse.answered_at >= low,
               SurveyResponse.answered_at < high, among(SurveyResponse.user_id, users))
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())))


def _question(question: dict[str, Any], rows: list[Any]) -> dict[str, Any]:
    kind = question["type"]
    out: dict[str, Any] = {"id": question["id"], "type": kind, "answers": len(rows)}
    scores = [row.score for row in rows if row.score is not None]
    if kind == "nps":
        promoters = sum(score >= 9 for score in scores)
        detractors = sum(score <= 6 for score in scores)
        out.update(promoters=promoters, passives=len(scores) - promoters - detractors,
                   detractors=detractors,
                   nps=round(100 * (promoters - detractors) / len(scores), 1) if scores else None)
    elif kind in ("csat", "rating"):
        high = 5 if kind == "csat" else question.get("scale", 5)
        counts = Counter(scores)
        out.update(average=round(sum(scores) / len(scores), 2) if scores else None,
                   distribution={str(n): counts[n] for n in range(1, high + 1)})
    elif kind in ("single", "multiple"):
        counts = Counter(row.choice for row in rows)
        out["answers"] = len({row.event_id for row in rows})
        out["choices"] = {o["id"]: counts[o["id"]] for o in question["options"]}
    return out


def _comments(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"user": row.user, "account": row.account,
             "question": None if row.question == COMMENT else row.question, "text": row.text,
             "at": isoformat(row.answered_at)}
            for row in rows if row.text is not None][:MAX_COMMENTS]


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

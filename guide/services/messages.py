"""Surveys, announcements, hotspots and tooltips as the widget sees them (docs/SURVEYS.md).

``render`` is the localized, sanitized view of one version (cached with the
guides' views, by checksum); ``for_user`` adds what the widget needs to decide
what to show now (a survey due or not, an announcement unread), from the user's
progress rows on these kinds, read in one query and only when there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import EndUser, Guide, Progress, Workspace
from guide.models.base import isoformat
from guide.schemas.kinds import BANDS, MESSAGE_KINDS
from guide.services.markdown import render_markdown

# What an NPS score's band covers (docs/SURVEYS.md).
BAND_SCORES = {"detractor": range(0, 7), "passive": range(7, 9), "promoter": range(9, 11)}
SCALES = {"nps": (0, 10), "csat": (1, 5)}
# The standard ends of the scales, in the widget's languages; an author's labels win.
STANDARD_LABELS = {
    "nps": {"low": {"en": "Not at all likely", "fr": "Pas du tout probable",
                    "de": "Überhaupt nicht wahrscheinlich"},
            "high": {"en": "Extremely likely", "fr": "Très probable",
                     "de": "Äußerst wahrscheinlich"}},
    "csat": {"low": {"en": "Very unsatisfied", "fr": "Très insatisfait",
                     "de": "Sehr unzufrieden"},
             "high": {"en": "Very satisfied", "fr": "Très satisfait", "de": "Sehr zufrieden"}},
}
LISTS = {"survey": "surveys", "announcement": "announcements", "hotspot": "hotspots",
         "tooltip": "tooltips"}

Text = Callable[[Any], str | None]


def band_of(score: int) -> str:
    return next(band for band in BANDS if score in BAND_SCORES[band])


def scale_of(question: dict[str, Any]) -> tuple[int, int]:
    return SCALES.get(question["type"], (1, question.get("scale", 5)))


def render(body: dict[str, Any], number: int, text: Text) -> dict[str, Any]:
    """The widget's view of one version of a survey, announcement, hotspot or tooltip."""
    kind = body["kind"]
    view: dict[str, Any] = {"key": body["key"], "kind": kind, "version": number,
                            "title": text(body.get("title")),
                            "description": text(body.get("description")),
                            "priority": body.get("priority", 0)}
    if kind == "survey":
        view.update(display=body.get("display", "card"),
                    questions=[_question(q, text) for q in body["steps"]])
        return view
    if kind == "announcement":
        banner = body["style"] == "banner"
        view.update(style=body["style"], position=body.get("position", "top") if banner else None,
                    mode=body.get("mode", "overlay") if banner else None,
                    starts_at=_iso(body.get("starts_at")), ends_at=_iso(body.get("ends_at")))
    view["steps"] = [_step(kind, step, text) for step in body["steps"]]
    return view


def _question(question: dict[str, Any], text: Text) -> dict[str, Any]:
    kind = question["type"]
    view: dict[str, Any] = {"id": question["id"], "type": kind,
                            "title": text(question["title"]),
                            "body_html": render_markdown(text(question.get("body")) or ""),
                            "required": question.get("required", kind != "text")}
    if kind in ("nps", "csat", "rating"):
        low, high = scale_of(question)
        labels = {**STANDARD_LABELS.get(kind, {}), **question.get("labels", {})}
        view.update(min=low, max=high,
                    labels={end: text(labels.get(end)) for end in ("low", "high")})
    if kind in ("single", "multiple"):
        view["options"] = [{"id": o["id"], "label": text(o["label"])}
                           for o in question["options"]]
    if kind == "multiple":
        view["max_choices"] = question.get("max", len(question["options"]))
    if "show_if" in question:
        bands = question["show_if"]["band"]
        bands = bands if isinstance(bands, list) else [bands]
        view["show_if"] = {"question": question["show_if"]["question"], "bands": bands,
                           "scores": sorted(s for band in bands for s in BAND_SCORES[band])}
    return view


def _step(kind: str, step: dict[str, Any], text: Text) -> dict[str, Any]:
    view = {"id": step["id"], "title": text(step.get("title")),
            "body_html": render_markdown(text(step.get("body")) or "")}
    if kind == "announcement":
        cta = step.get("cta")
        view["cta"] = ({"label": text(cta["label"]),
                        **{k: cta[k] for k in ("url", "guide", "help") if k in cta}}
                       if cta else None)
    else:
        view.update(target=step["target"], placement=step.get("placement", "auto"),
                    page=step.get("page"), on_missing=step.get("on_missing", "skip"))
    return view


def _iso(value: str | None) -> str | None:
    return isoformat(datetime.fromisoformat(value).astimezone(UTC)) if value else None


def in_dates(body: dict[str, Any], now: datetime) -> bool:
    """An announcement between its starts_at and ends_at (either may be absent)."""
    starts, ends = body.get("starts_at"), body.get("ends_at")
    return ((starts is None or datetime.fromisoformat(starts) <= now)
            and (ends is None or now < datetime.fromisoformat(ends)))


def for_user(workspace: Workspace, user: EndUser, items: list[tuple[Any, Any, dict[str, Any]]],
             now: datetime, previewed: int | None = None) -> dict[str, Any]:
    """The bootstrap's lists: ``items`` are (guide, version, view) of the offered messages.

    ``previewed``: the id of the guide an author previews (docs/SURVEYS.md, "Preview"):
    shown as to a user who never saw it, whatever show_when, the frequency, the survey cap,
    the dates, and what this user already saw, answered or dismissed; the only survey due.
    """
    out: dict[str, Any] = {name: [] for name in LISTS.values()}
    rows = _rows(user) if items else {}
    survey_due = (_cap_open(workspace, rows, now)
                  and not any(g.id == previewed and g.kind == "survey" for g, _, _ in items))
    for guide, version, view in items:
        preview = guide.id == previewed
        row = None if preview else rows.get(guide.id)
        state = row.state if row else "not_started"
        if guide.kind == "survey":
            due = preview or (survey_due and _due(version.body, row, user, now))
            survey_due &= not due  # one due survey at a time, the first by priority
            out["surveys"].append({**view, "due": due, "state": _survey_state(row)})
        elif state == "dismissed" or (guide.kind == "announcement" and not preview
                                      and not in_dates(version.body, now)):
            continue
        elif guide.kind == "announcement":
            out["announcements"].append({**view, "state": state,
                                         "unread": state == "not_started"})
        elif guide.kind == "hotspot":
            opened = set(row.completed_steps) if row else set()
            out["hotspots"].append({**view, "state": state, "steps": [
                {**step, "seen": step["id"] in opened} for step in view["steps"]]})
        else:
            out["tooltips"].append(view)
    out["announcements_unread"] = sum(a["unread"] for a in out["announcements"])
    return out


# Built once, on the tables (no ORM entities): it runs for every bootstrap that lists a
# survey or message, and building it per call, then going through the ORM's execution,
# cost more than the query itself.
_PROGRESS, _GUIDE = Progress.__table__.c, Guide.__table__.c
_ROWS = (sa.select(_PROGRESS.guide_id, _PROGRESS.state, _PROGRESS.shown_count,
                   _PROGRESS.last_shown_at, _PROGRESS.completed_at, _PROGRESS.completed_steps,
                   _GUIDE.kind)
         .join_from(Progress.__table__, Guide.__table__, _GUIDE.id == _PROGRESS.guide_id)
         .where(_PROGRESS.user_id == sa.bindparam("user_id"), _GUIDE.kind.in_(MESSAGE_KINDS)))


def _rows(user: EndUser) -> dict[int, Any]:
    """The user's progress on every survey and message of the workspace, by guide id."""
    rows = db.session.connection().execute(_ROWS, {"user_id": user.id})
    return {row.guide_id: row for row in rows}


def _cap_open(workspace: Workspace, rows: dict[int, Any], now: datetime) -> bool:
    """No survey was shown within the workspace's survey_cap_days (0: no cap)."""
    days = workspace.survey_cap_days
    shown = [r.last_shown_at for r in rows.values() if r.kind == "survey" and r.last_shown_at]
    return not days or not shown or max(shown) + timedelta(days=days) <= now


def _due(body: dict[str, Any], row: Any, user: EndUser, now: datetime) -> bool:
    """The survey's own rules: show_when's visit, then its frequency."""
    if (user.visits or 1) < body.get("show_when", {}).get("visit", 1):
        return False
    if row is None or not row.shown_count:
        return True
    frequency = body.get("frequency", "once")
    if frequency == "once":
        return row.state not in ("completed", "dismissed")
    return (row.last_shown_at + timedelta(days=frequency["every_days"]) <= now
            and row.shown_count < frequency.get("max", 10**6))


def _survey_state(row: Any) -> dict[str, Any]:
    return {"state": row.state if row else "not_started",
            "shown": row.shown_count if row else 0,
            "last_shown_at": isoformat(row.last_shown_at) if row else None,
            "answered_at": isoformat(row.completed_at) if row else None}

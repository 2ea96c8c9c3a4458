"""Users shown a survey, and shown it and answered it, over any range of days, without
reading a row per user (issue #15; docs/ANALYTICS.md, "Surveys").

The rollup batches add, beside the guides' facts, three user-days per survey under the
pseudo guide ``$survey`` (the step is the survey's key): ``survey_shown`` (a
``$survey_shown`` event, on the local day of its server time, as the report counts
it), ``survey_answered`` (an answer, on the local day of its ``answered_at``, read from
its response rows) and ``survey_either`` (either of the two). ``analytics_reach`` keeps
each metric's chains of days (guide/analytics/reach.py), so a range's users of each is
a sum over days; the users shown it *and* who answered it in the range are then
``shown + answered - either`` (inclusion-exclusion), with no intersection of two sets
of users. What the rollups have not absorbed yet (the tail: events above the
watermark, answers whose envelope is) is read per user and counted only for users not
rolled already, against one watermark (``store.consistent``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guide.analytics import reach, store
from guide.analytics.facts import MAX_KEY, EventRow
from guide.extensions import db
from guide.models import AnalyticsUserDay, Event, Guide
from guide.models.survey import SurveyResponse

# Not a guide key (keys are slugs, which never start with "$").
SURVEYS = "$survey"
SHOWN, ANSWERED, EITHER = "survey_shown", "survey_answered", "survey_either"
SHOW_EVENT, ANSWER_TYPE = "$survey_shown", "survey:answer"
UserDay = tuple[str, str, str, date, int]
CHUNK = 5000


def shows(workspace_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    """A ``$survey_shown`` event of a known user (the report's and the rollup's rows)."""
    return (Event.workspace_id == workspace_id, Event.name == SHOW_EVENT,
            Event.type == "event:track", Event.user_id.is_not(None))


def _survey() -> sa.ColumnElement[str]:
    return Event.props["survey"].as_string()


def user_days(workspace_id: int, zone: ZoneInfo, rows: Sequence[EventRow]) -> set[UserDay]:
    """The survey user-days of a rollup batch (``rows``: its events, in id order)."""
    found: set[UserDay] = set()
    if not rows:
        return found
    if any(row.name == SHOW_EVENT for row in rows):
        # The batch's id range (on the primary key: a batch's events may span any time).
        for key, user, at in db.session.execute(
                sa.select(_survey(), Event.user_id, Event.created_at).where(
                    *shows(workspace_id), Event.id.between(rows[0].id, rows[-1].id))):
            if key is not None and len(key) <= MAX_KEY:
                found |= _both(key, SHOWN, _day(at, zone), user)
    answers = [row.id for row in rows if row.type == ANSWER_TYPE]
    for first in range(0, len(answers), CHUNK):
        for key, user, at in db.session.execute(
                sa.select(Guide.key, SurveyResponse.user_id, SurveyResponse.answered_at)
                .distinct().join(Guide, Guide.id == SurveyResponse.guide_id)
                .where(SurveyResponse.event_id.in_(answers[first:first + CHUNK]))):
            found |= _both(key, ANSWERED, _day(at, zone), user)
    return found


def _day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _both(key: str, metric: str, day: date, user: int) -> set[UserDay]:
    return {(SURVEYS, key, metric, day, user), (SURVEYS, key, EITHER, day, user)}


def shown_counts(workspace_id: int, guide_id: int, key: str, start: date, end: date,
                 low: datetime, high: datetime) -> tuple[int, int]:
    """(users shown the survey, users shown it who answered it) on days ``start..end``
    (``low..high`` in the workspace's time): the rollups plus the tail."""

    def read(after: int) -> tuple[int, int]:
        rolled = reach.uniques(workspace_id, start, end, SURVEYS, key)
        tail = {SHOWN: set(db.session.scalars(sa.select(Event.user_id).distinct().where(
                    *shows(workspace_id), Event.id > after, Event.created_at >= low,
                    Event.created_at < high, _survey() == key))),
                ANSWERED: set(db.session.scalars(sa.select(SurveyResponse.user_id).distinct()
                    .where(SurveyResponse.guide_id == guide_id, SurveyResponse.event_id > after,
                           SurveyResponse.answered_at >= low,
                           SurveyResponse.answered_at < high)))}
        tail[EITHER] = tail[SHOWN] | tail[ANSWERED]
        # No user rolled on these days (a new survey, rollups far behind): none to look up.
        known = _rolled(workspace_id, key, start, end, tail[EITHER]) if any(
            rolled[(SURVEYS, key, metric)] for metric in tail) else set()
        n = {metric: rolled[(SURVEYS, key, metric)] + len(
             {user for user in users if (metric, user) not in known})
             for metric, users in tail.items()}
        return n[SHOWN], n[SHOWN] + n[ANSWERED] - n[EITHER]

    return store.consistent(workspace_id, read)


def _rolled(workspace_id: int, key: str, start: date, end: date,
            users: set[int]) -> set[tuple[str, int]]:
    """(metric, user) of these users already rolled for the survey on days ``start..end``."""
    ids, u, found = sorted(users), AnalyticsUserDay, set()
    for first in range(0, len(ids), CHUNK):
        found.update((metric, user) for metric, user in db.session.execute(
            sa.select(u.metric, u.user_id).distinct().where(
                u.workspace_id == workspace_id, u.guide_key == SURVEYS, u.step_id == key,
                u.day.between(start, end), u.user_id.in_(ids[first:first + CHUNK]))))
    return found

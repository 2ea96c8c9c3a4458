"""Users shown a survey, and the response rate, from the rollups (guide/analytics/
survey_reach.py): the same numbers before any rollup, part rolled and all rolled, and
as the events say for a filter's users. Worked out by hand.

Workspace in Europe/Paris (UTC+1 in early March 2026); range 2..4 March.

| user | shown (server time, Paris) | answered (answered_at, Paris) |
|---|---|---|
| a | 2 Mar 10:00 | 2 Mar 10:05 |
| b | 1 Mar 23:30 (the day before), 5 Mar 09:00 (after) | 2 Mar 09:00 |
| c | 3 Mar 09:00, 3 Mar 15:00, 4 Mar 00:30 | |
| d | 3 Mar 23:30 | 4 Mar 00:10, received 6 Mar 08:00 (offline) |
| e | 3 Mar 10:00, of another survey | |
| f | | 3 Mar 00:30, received 6 Mar 12:00 (offline) |
| (none) | 3 Mar 11:00 (no user) | |

Shown in the range: a, c, d (3). Respondents: a, b, d, f. Shown and answered: a, d:
the response rate is 2/3.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.analytics import survey_reach
from guide.analytics.filters import Filters
from guide.analytics.surveys import survey_report
from guide.extensions import db
from guide.models import AnalyticsReach, AnalyticsUserDay, EndUser, Event, Guide
from guide.models.base import utcnow
from guide.models.survey import SurveyResponse
from tests.analytics.conftest import LATER, PARIS, roll_all, send, user
from tests.factories import publish

ZONE = ZoneInfo(PARIS)
RANGE = (date(2026, 3, 2), date(2026, 3, 4))
SURVEY = {"key": "nps", "kind": "survey", "title": {"en": "How are we doing?"},
          "steps": [{"id": "score", "type": "nps", "title": {"en": "Recommend us?"}}]}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def shown(ws: Any, who: EndUser | None, when: datetime, survey: str = "nps") -> None:
    db.session.add(Event(workspace_id=ws.id, user_id=who.id if who else None,
                         type="event:track", name="$survey_shown", client_id=str(uuid.uuid4()),
                         props={"survey": survey}, client_at=when, created_at=when))
    db.session.commit()


def answered(ws: Any, who: EndUser, when: datetime, received: datetime | None = None,
             score: int = 9) -> None:
    """An answer as the ``survey:answer`` envelope leaves it: its event, at the server's
    time ``received``, and its response row, at ``answered_at`` (the client's time)."""
    guide = db.session.scalar(sa.select(Guide).where(Guide.workspace_id == ws.id,
                                                    Guide.key == "nps"))
    event = Event(workspace_id=ws.id, user_id=who.id, type="survey:answer", name="nps",
                  client_id=str(uuid.uuid4()), props={"survey": "nps", "version": 1},
                  client_at=when, created_at=received or when)
    db.session.add(event)
    db.session.flush()
    db.session.add(SurveyResponse(workspace_id=ws.id, guide_id=guide.id, version=1,
                                  user_id=who.id, event_id=event.id, question="score",
                                  type="nps", score=score, answered_at=when))
    db.session.commit()


@pytest.fixture
def surveyed(paris):
    publish(paris, SURVEY)
    publish(paris, {**SURVEY, "key": "other"})
    db.session.commit()
    a, b, c, d, e, f = (user(paris, k) for k in "abcdef")
    for who in (a, b, c, d, e, f):
        who.traits = {"plan": "pro"}  # a segment of everyone: the filtered path
    shown(paris, a, at(2, 10))
    answered(paris, a, at(2, 10, 5))
    shown(paris, b, at(1, 23, 30))
    answered(paris, b, at(2, 9), score=3)
    shown(paris, b, at(5, 9))
    for when in (at(3, 9), at(3, 15), at(4, 0, 30)):  # the last: 3 March 23:30 UTC
        shown(paris, c, when)
    shown(paris, d, at(3, 23, 30))
    answered(paris, d, at(4, 0, 10), received=at(6, 8), score=7)
    shown(paris, e, at(3, 10), survey="other")
    answered(paris, f, at(3, 0, 30), received=at(6, 12), score=10)
    shown(paris, None, at(3, 11))
    return paris


def numbers(report: dict[str, Any]) -> tuple[Any, ...]:
    return report["shown"], report["respondents"], report["response_rate"]


def test_shown_and_the_response_rate_are_the_same_unrolled_part_rolled_and_rolled(surveyed):
    expected = (3, 4, round(2 / 3, 4))
    before = survey_report(surveyed, "nps", *RANGE)
    assert numbers(before) == expected
    analytics.rollup(LATER, batch=5, max_batches=1)  # the first 5 events rolled
    assert survey_report(surveyed, "nps", *RANGE) == before
    roll_all()
    assert survey_report(surveyed, "nps", *RANGE) == before
    # Read from the rollups: their user-days, on the days the report counts them.
    days = set(map(tuple, db.session.execute(sa.select(
        AnalyticsUserDay.metric, AnalyticsUserDay.day).where(
        AnalyticsUserDay.guide_key == survey_reach.SURVEYS, AnalyticsUserDay.step_id == "nps",
        AnalyticsUserDay.user_id == _id("d")))))
    assert days == {("survey_shown", date(2026, 3, 3)), ("survey_answered", date(2026, 3, 4)),
                    ("survey_either", date(2026, 3, 3)), ("survey_either", date(2026, 3, 4))}


@pytest.mark.parametrize("start, end, expected", [
    ((1,), (1,), (1, 0, 0.0)),          # b shown on the 1st, answered on the 2nd
    ((1,), (2,), (2, 2, 1.0)),          # a and b shown and answered
    ((4,), (5,), (2, 1, 0.0)),          # b and c shown; d answered, shown on the 3rd
    ((3,), (3,), (2, 1, 0.0)),          # c and d shown; f answered, not shown
])
def test_any_range_of_days_counts_as_the_events_do(surveyed, start, end, expected):
    roll_all()
    days = (date(2026, 3, *start), date(2026, 3, *end))
    assert numbers(survey_report(surveyed, "nps", *days)) == expected
    # A filter's users are counted from their events: the same numbers.
    everyone = Filters.parse("{trait: plan, eq: pro}")
    assert numbers(survey_report(surveyed, "nps", *days, filters=everyone)) == expected


def test_a_filter_reads_its_users_shows_and_agrees_with_the_rollups(surveyed):
    roll_all()
    everyone = Filters.parse("{trait: plan, eq: pro}")
    filtered = survey_report(surveyed, "nps", *RANGE, filters=everyone)
    assert filtered["filters"]["users"] == 6
    assert numbers(filtered) == numbers(survey_report(surveyed, "nps", *RANGE))


def test_no_show_is_read_from_the_event_log_once_rolled(surveyed):
    """The rolled report reads no ``$survey_shown`` event: the shows are sums of days."""
    roll_all()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert numbers(survey_report(surveyed, "nps", *RANGE))[0] == 3
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    reads = [s for s in statements if "FROM event" in s and "survey" in s]
    assert all("event.id >" in s for s in reads), reads  # only the (empty) tail


def test_the_reach_rows_of_a_survey_are_its_users_chains(surveyed):
    roll_all()
    c = sorted(map(tuple, db.session.execute(sa.select(AnalyticsReach.day, AnalyticsReach.prev_day,
                                            AnalyticsReach.users).where(
        AnalyticsReach.guide_key == survey_reach.SURVEYS, AnalyticsReach.step_id == "nps",
        AnalyticsReach.metric == "survey_shown"))))
    # a: 2; b: 1 then 5; c: 3 then 4; d: 3.
    first = date(1, 1, 1)
    assert c == [(date(2026, 3, 1), first, 1), (date(2026, 3, 2), first, 1),
                 (date(2026, 3, 3), first, 2), (date(2026, 3, 4), date(2026, 3, 3), 1),
                 (date(2026, 3, 5), date(2026, 3, 1), 1)]


def _id(external_id: str) -> int:
    return db.session.scalar(sa.select(EndUser.id).where(EndUser.external_id == external_id))


def test_the_widgets_envelopes_are_rolled_as_the_report_counts_them(paris):
    """A show and an answer through the widget's use case (not rows made by hand): the
    rollups count them on the days the report does."""
    publish(paris, SURVEY)
    db.session.commit()
    g = user(paris, "g")
    now = utcnow()  # the server records them now (a client time is at most MAX_LATE old)
    send(paris, g, "event:track", now, name="$survey_shown", props={"survey": "nps"})
    send(paris, g, "survey:answer", now, survey="nps", version=1, answers={"score": 4})
    today = now.astimezone(ZONE).date()
    days = (today - timedelta(days=1), today + timedelta(days=1))
    before = survey_report(paris, "nps", *days)
    assert numbers(before) == (1, 1, 1.0)
    roll_all()
    rolled = set(db.session.scalars(sa.select(AnalyticsUserDay.metric).where(
        AnalyticsUserDay.guide_key == survey_reach.SURVEYS, AnalyticsUserDay.user_id == g.id)))
    assert rolled == {"survey_shown", "survey_answered", "survey_either"}
    assert survey_report(paris, "nps", *days) == before

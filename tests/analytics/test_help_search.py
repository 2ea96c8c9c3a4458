"""Help searches: top queries and zero-result queries over local days, worked out by hand.

Workspace in Europe/Paris (UTC+1 in early March 2026). Rows as the widget's
``$help_search`` envelopes leave them:

| user | client time (Paris) | received | query | results |
|---|---|---|---|---|
| a | 2 Mar 23:30 | on time | "Export CSV" | 0 |
| b | 3 Mar 10:00 | on time | "export  csv " | 0 |
| a | 3 Mar 11:00 | 3 days later (offline) | "SSO" | 2 |
| b | 4 Mar 00:30 | on time | "sso" | 0 |
| c | 1 Mar 23:59 | on time | "export csv" | 0 (the day before the range) |
| c | 3 Mar 09:00 | 10 days later: beyond MAX_LATE, counts when received | "billing" | 0 |
| c | 3 Mar 12:00 | on time | "" | 5 (no query: not counted) |

Range 2..4 March: "export csv" 2 searches (a, b), both zero; "sso" 2
searches (a, b), one zero. "billing" was received on 13 March: out of range.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from guide import analytics
from guide.analytics.facts import MAX_LATE
from guide.analytics.filters import Filters
from guide.analytics.rollup import rebuild
from guide.errors import GuideError
from guide.extensions import db
from guide.models import AnalyticsSearch, EndUser, Event
from guide.services import privacy
from tests.analytics.conftest import LATER, PARIS, roll_all, user

ZONE = ZoneInfo(PARIS)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def search(ws, who: EndUser, when: datetime, query: str, results: int,
           received: datetime | None = None) -> None:
    db.session.add(Event(workspace_id=ws.id, user_id=who.id, type="event:track",
                         name="$help_search", client_id=str(uuid.uuid4()),
                         props={"query": query, "results": results},
                         client_at=when, created_at=received or when))


@pytest.fixture
def searches(paris):
    a, b, c = (user(paris, k) for k in "abc")
    search(paris, a, at(2, 23, 30), "Export CSV", 0)
    search(paris, b, at(3, 10), "export  csv ", 0)
    search(paris, a, at(3, 11), "SSO", 2, received=at(3, 11) + timedelta(days=3))
    search(paris, b, at(4, 0, 30), "sso", 0)
    search(paris, c, at(1, 23, 59), "export csv", 0)
    search(paris, c, at(3, 9), "billing", 0, received=at(13, 9))
    search(paris, c, at(3, 12), "", 5)
    db.session.commit()
    return paris


def test_top_and_zero_result_queries_on_local_days(searches):
    report = analytics.help_search_report(searches, date(2026, 3, 2), date(2026, 3, 4))
    assert report == {
        "timezone": PARIS, "start": "2026-03-02", "end": "2026-03-04",
        "searches": 4, "zero_result_searches": 3,
        "top_queries": [
            {"query": "export csv", "searches": 2, "users": 2, "zero_results": 2},
            {"query": "sso", "searches": 2, "users": 2, "zero_results": 1},
        ],
        "zero_result_queries": [
            {"query": "export csv", "searches": 2, "users": 2, "zero_results": 2},
            {"query": "sso", "searches": 2, "users": 2, "zero_results": 1},
        ],
    }


def test_a_search_received_late_beyond_max_late_counts_on_its_day_of_receipt(searches):
    report = analytics.help_search_report(searches, date(2026, 3, 13), date(2026, 3, 13))
    assert [q["query"] for q in report["zero_result_queries"]] == ["billing"]
    day_before = analytics.help_search_report(searches, date(2026, 3, 1), date(2026, 3, 1))
    assert day_before["searches"] == 1 and day_before["top_queries"][0]["query"] == "export csv"


def test_a_bad_range_is_refused(paris):
    with pytest.raises(GuideError) as err:
        analytics.help_search_report(paris, date(2026, 3, 5), date(2026, 3, 4))
    assert err.value.code == "invalid_range"


def test_a_locale_or_segment_filter_counts_only_the_searches_of_matched_users(searches):
    # a speaks French; b is on the pro plan. a: "Export CSV" (0), "SSO" (2 results, late).
    # b: "export  csv " (0), "sso" (0).
    a, b = (db.session.scalar(db.select(EndUser).where(EndUser.external_id == k)) for k in "ab")
    a.locale, b.traits = "fr-CA", {"plan": "pro"}
    db.session.commit()
    days = (searches, date(2026, 3, 2), date(2026, 3, 4))
    french = analytics.help_search_report(*days, filters=Filters.parse(locale="fr"))
    assert french == {
        "timezone": PARIS, "start": "2026-03-02", "end": "2026-03-04",
        "searches": 2, "zero_result_searches": 1,
        "top_queries": [
            {"query": "export csv", "searches": 1, "users": 1, "zero_results": 1},
            {"query": "sso", "searches": 1, "users": 1, "zero_results": 0},
        ],
        "zero_result_queries": [
            {"query": "export csv", "searches": 1, "users": 1, "zero_results": 1},
        ],
        "filters": {"segment": None, "locale": "fr", "users": 1},
    }
    pro = analytics.help_search_report(*days, filters=Filters.parse("{trait: plan, eq: pro}"))
    assert (pro["searches"], pro["zero_result_searches"]) == (2, 2)
    assert [(q["query"], q["searches"], q["zero_results"]) for q in pro["zero_result_queries"]] \
        == [("export csv", 1, 1), ("sso", 1, 1)]
    assert pro["filters"] == {"segment": "{trait: plan, eq: pro}", "locale": None, "users": 1}
    nobody = analytics.help_search_report(*days, filters=Filters.parse(locale="de"))
    assert (nobody["searches"], nobody["top_queries"]) == (0, [])


def test_only_text_queries_count_and_only_the_integer_zero_is_no_result(paris):
    # On 3 March: "Tabs\tand  spaces" twice (results 0, then 0.0), a number as query,
    # results false and "0" (not zero-result), and one search with no user.
    d = user(paris, "d")
    for query, results in (("Tabs\tand  spaces", 0), ("tabs and spaces ", 0.0), (5, 0),
                           ("TABS AND SPACES", False), (" tabs and spaces", "0")):
        search(paris, d, at(3, 10), query, results)
    db.session.add(Event(workspace_id=paris.id, user_id=None, type="event:track",
                         name="$help_search", client_id=str(uuid.uuid4()),
                         props={"query": "tabs and spaces", "results": 0},
                         client_at=at(3, 11), created_at=at(3, 11)))
    db.session.commit()
    report = analytics.help_search_report(paris, date(2026, 3, 3), date(2026, 3, 3))
    # 5 text searches, 2 found nothing (d's first, and the one without a user); users d and none.
    assert report["top_queries"] == [
        {"query": "tabs and spaces", "searches": 5, "users": 2, "zero_results": 2}]
    assert (report["searches"], report["zero_result_searches"]) == (5, 2)


def test_a_search_counts_on_its_event_time_to_the_microsecond(paris):
    """On the edges of ``facts.event_time`` (PostgreSQL computes it in SQL, SQLite places
    the searches in Python): a client time MAX_LATE before receipt or equal to it counts;
    a microsecond further back, or a client clock ahead of the server, the receipt counts."""
    e = user(paris, "e")
    tiny = timedelta(microseconds=1)
    received = at(10, 12)
    for query, client in (("late edge", received - MAX_LATE), ("same", received),
                          ("too late", received - MAX_LATE - tiny), ("ahead", received + tiny)):
        search(paris, e, client, query, 1, received=received)
    # Received on 10 March, in the range only through their client time: the range's end
    # a microsecond after the client time, and the range starting at it.
    search(paris, e, at(3, 0) - tiny, "before the range", 1, received=at(5, 0))
    search(paris, e, at(3, 0), "first instant", 1, received=at(9, 0))
    db.session.commit()

    def queries(first: int, last: int) -> set[str]:
        report = analytics.help_search_report(paris, date(2026, 3, first), date(2026, 3, last))
        return {row["query"] for row in report["top_queries"]}

    assert queries(3, 3) == {"late edge", "first instant"}
    assert queries(10, 10) == {"same", "too late", "ahead"}
    assert queries(4, 9) == set()
    assert queries(2, 2) == {"before the range"}


def _reports(ws) -> list[dict]:
    return [analytics.help_search_report(ws, date(2026, 3, first), date(2026, 3, last), top)
            for first, last in ((1, 13), (2, 4), (3, 3), (13, 13)) for top in (20, 1)]


def test_the_rolled_up_searches_plus_the_tail_give_the_event_logs_numbers(searches):
    from_the_log = _reports(searches)
    analytics.rollup(LATER, batch=3, max_batches=1)  # 3 searches rolled, the rest in the tail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsSearch)) == 3
    assert _reports(searches) == from_the_log
    roll_all()
    assert _reports(searches) == from_the_log
    # The empty query is not a search.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsSearch)) == 6


def test_erasing_a_user_removes_their_rolled_up_searches(searches):
    roll_all()
    a = db.session.scalar(db.select(EndUser).where(EndUser.external_id == "a"))
    erased = a.id

    def rows() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsSearch)
                                 .where(AnalyticsSearch.user_id == erased))

    assert rows() == 2
    privacy.erase_user(searches, a, "cli")
    assert rows() == 0
    report = analytics.help_search_report(searches, date(2026, 3, 2), date(2026, 3, 4))
    assert (report["searches"], report["top_queries"][0]["users"]) == (2, 1)


def test_a_rebuild_forgets_the_rolled_searches_and_writes_them_again(searches):
    roll_all()
    rolled = _reports(searches)
    rebuild(searches.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticsSearch)) == 0
    assert _reports(searches) == rolled
    roll_all()
    assert _reports(searches) == rolled

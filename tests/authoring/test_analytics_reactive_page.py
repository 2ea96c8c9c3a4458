"""The admin's proactive vs reactive page and CSV, and the report filters on the admin pages,
on the hand-computed histories of tests/analytics (test_reactive_report.py and
test_guide_report.py). The page's ``now`` is today: every help opening there is judged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import Account, EndUser
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import history  # noqa: F401 (fixture)
from tests.analytics.test_reactive_report import history as reactive_history  # noqa: F401
from tests.authoring.forms_util import soup
from tests.authoring.test_analytics_pages import cells, member  # noqa: F401 (fixture)

BASE = "/admin/w/paris/analytics"
RANGE = "start=2026-03-04&end=2026-03-12"
GOLD = "{trait: account.tier, eq: gold}"


def rows_of(page, testid):
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
            for row in page.select(f'[data-testid="{testid}"] tbody tr')]


def test_the_page_shows_the_weeks_their_totals_against_the_weeks_before_and_the_chart(
        reactive_history, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/reactive?{RANGE}")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    headline = cells(page, "headline")
    # Two weeks: 3 of the 7 user-weeks that needed a human or progressed needed a human.
    # The two weeks before (16 Feb to 1 March) hold nothing.
    assert headline["Reactive share, users"] == ["42.9%", "none", "not comparable"]
    assert headline["Reactive share, accounts"] == ["60.0%", "none", "not comparable"]
    assert headline["Needed a human, user-weeks"] == ["3", "0", "+3"]
    assert headline["Self-service, user-weeks"] == ["4", "0", "+4"]
    assert headline["Escalations"] == ["4", "0", "+4"]
    assert headline["Escalations per 100 active onboarding users"] == [
        "44.4", "none", "not comparable"]
    # u6's opening on 15 March is judged by now: resolved. u7's and u1's were escalated.
    assert headline["Help resolved without a human within 24 hours"] == [
        "50.0%", "none", "not comparable"]
    text = page.select_one('[data-testid="range"]').get_text(" ", strip=True)
    assert "2026-03-02 to 2026-03-15" in text and "2026-02-16 to 2026-03-01" in text
    weeks = rows_of(page, "weeks")
    assert weeks[0] == ["2026-03-02", "Users", "5", "5", "1", "3", "1", "25.0%", "2", "40.0",
                        "2", "1 (50.0%)", "1", "0"]
    assert weeks[1][:8] == ["2026-03-02", "Accounts", "3", "3", "1", "2", "0", "33.3%"]
    assert weeks[2] == ["2026-03-09", "Users", "5", "4", "2", "1", "1", "66.7%", "2", "50.0",
                        "2", "1 (50.0%)", "1", "0"]
    assert rows_of(page, "shares") == [["2026-03-02", "25.0%", "33.3%", "yes"],
                                       ["2026-03-09", "66.7%", "100.0%", "yes"]]
    svg = page.select_one('svg[data-testid="share-chart"]')
    assert svg["role"] == "img" and svg.title.string and svg.desc.string
    assert [g["class"][1] for g in svg.select("g.series")] == [
        "series-users", "series-accounts", "series-target"]
    # The target line is flat: both its points at the same height.
    target = svg.select("g.series-target circle")
    assert len(target) == 2 and target[0]["cy"] == target[1]["cy"]
    assert rows_of(page, "where-steps") == [["onboarding / connect", "2"],
                                            ["onboarding / hello", "1"], ["tour / intro", "1"]]
    assert rows_of(page, "where-pages")[0] == ["/settings/db", "3"]


def _gold(ws):
    a = db.session.scalars(sa.select(Account).where(Account.workspace_id == ws.id,
                                                    Account.external_id == "A")).one()
    a.traits = {"tier": "gold"}
    db.session.commit()


def test_the_page_and_its_csv_apply_the_filters(reactive_history, member):  # noqa: F811
    _gold(reactive_history)
    viewer = member("viewer")
    query = f"{RANGE}&segment={quote(GOLD)}"
    page = soup(viewer.get(f"{BASE}/reactive?{query}").get_data(as_text=True))
    assert cells(page, "headline")["Reactive share, users"] == ["33.3%", "none",
                                                                 "not comparable"]
    assert GOLD in page.select_one('[data-testid="filters"]').get_text()
    assert page.select_one('input[name="segment"]')["value"] == GOLD
    # The preset links and the CSV link keep the filter.
    assert all("segment=" in a["href"] for a in page.select('[data-testid="range-presets"] a'))
    response = viewer.get(page.select_one('[data-testid="csv"]')["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=reactive-2026-03-02-2026-03-15.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[:7] == [["start", "2026-03-02"], ["end", "2026-03-15"],
                        ["timezone", "Europe/Paris"], ["target", "0.1"],
                        ["filter_segment", GOLD], ["filter_locale", ""], ["filter_users", "2"]]
    header = rows[8]
    week = dict(zip(header, rows[9], strict=True))
    assert week["week"] == "2026-03-02" and week["users_needed_human"] == "0"
    assert week["users_self_service"] == "2" and week["help_resolved_rate"] == "1.0"
    total = dict(zip(header, rows[11], strict=True))
    assert total["week"] == "total" and total["users_reactive_share"] == str(1 / 3)
    assert ["steps", "onboarding", "hello", "", "", "1"] in rows


def test_the_unfiltered_csv_has_every_week_and_where_escalations_start(
        reactive_history, member):  # noqa: F811
    rows = list(csv.reader(io.StringIO(member("viewer").get(
        f"{BASE}/reactive.csv?{RANGE}").get_data(as_text=True))))
    assert rows[5][:4] == ["week", "end", "users_onboarding", "accounts_onboarding"]
    assert [row[0] for row in rows[6:9]] == ["2026-03-02", "2026-03-09", "total"]
    assert ["guides", "", "", "", "", "2"] in rows  # the two escalations naming no guide
    assert ["pages", "", "", "", "/settings/db", "3"] in rows


def test_the_guide_page_applies_the_filters_to_both_periods(history, member):  # noqa: F811
    ws, d0, today = history
    db.session.execute(sa.update(EndUser).where(EndUser.external_id.in_(["u1", "u3"]))
                       .values(traits={"plan": "pro"}))
    db.session.commit()
    segment = quote("{trait: plan, eq: pro}")
    page = soup(member("viewer").get(
        f"{BASE}/guides/onboarding?start={d0}&end={today}&segment={segment}"
    ).get_data(as_text=True))
    headline = cells(page, "headline")
    assert headline["Started, unique users"] == ["2", "0", "+2"]
    assert headline["Completion rate"] == ["100.0%", "none", "not comparable"]
    # completed, drop-off, its rate, no friction (target missing, Stuck?, help,
    # escalations); last: shown, expanded, clicked (u1).
    connect = cells(page, "funnel")["connect"]
    assert connect[:7] == ["2", "0", "0.0%", "0", "0", "0", "0"]
    assert connect[-3:] == ["0", "1", "1"]
    csv_rows = list(csv.reader(io.StringIO(member("viewer").get(
        f"{BASE}/guides/onboarding/report.csv?start={d0}&end={today}&segment={segment}"
    ).get_data(as_text=True))))
    assert ["filter_totals", "user_days"] in csv_rows and ["started", "2", "2"] in csv_rows


@pytest.mark.parametrize(("query", "says"), [
    ("segment=" + quote("{trait: plan}"), "exactly one operator"),
    ("segment=" + quote("{url: /x}"), "url conditions are not allowed"),
    ("locale=french", "not a locale tag"),
])
def test_a_bad_filter_is_a_400_page_that_says_why(paris, member, query, says):  # noqa: F811
    viewer = member("viewer")
    for url in (f"{BASE}/reactive?{query}", f"{BASE}/reactive.csv?{query}",
                f"{BASE}/guides/onboarding?{query}"):
        response = viewer.get(url)
        assert response.status_code == 400, url
        assert says in response.get_data(as_text=True), url


def test_viewers_may_read_it_support_may_not_and_the_list_links_it(paris, member):  # noqa: F811
    assert member("viewer").get(f"{BASE}/reactive").status_code == 200
    support = member("support")
    for url in (f"{BASE}/reactive", f"{BASE}/reactive.csv"):
        assert support.get(url).status_code == 403, url
    page = soup(member("viewer").get(BASE).get_data(as_text=True))
    link = page.select_one('[data-testid="reports"] a')
    assert link["href"] == f"{BASE}/reactive?days=30"


def test_the_guide_page_shows_the_trend_by_week_on_request(history, member):  # noqa: F811
    ws, d0, today = history
    page = soup(member("viewer").get(
        f"{BASE}/guides/onboarding?start={d0}&end={today}&by=week").get_data(as_text=True))
    mondays = sorted({(d0 + timedelta(days=n - (d0 + timedelta(days=n)).weekday())).isoformat()
                      for n in range((today - d0).days + 1)})
    trend = cells(page, "trend")
    assert list(trend) == mondays
    # eligible, seen, started, completed, dismissed, snoozed over the weeks: the report's totals.
    assert [sum(int(row[i]) for row in trend.values()) for i in range(6)] == [3, 2, 3, 2, 1, 1]
    current = page.select_one('[data-testid="trend-by"] a[aria-current]')
    assert current.get_text(strip=True) == "By week"
    assert "by=week" in page.select_one('[data-testid="csv"]')["href"]
    assert page.select_one("#trend-h").get_text() == "Trend by week"
    assert member("viewer").get(f"{BASE}/guides/onboarding?by=month").status_code == 400


def test_the_guide_page_pages_its_users_table_and_the_csv_has_them_all(
        history, member, monkeypatch):  # noqa: F811
    from guide.authoring import views_analytics
    ws, d0, today = history
    monkeypatch.setattr(views_analytics, "USERS_PER_PAGE", 3)
    viewer = member("viewer")
    page = soup(viewer.get(f"{BASE}/guides/onboarding?start={d0}&end={today}")
                .get_data(as_text=True))
    d1 = (d0 + timedelta(days=1)).isoformat()
    # user: status, progress, account, last active
    assert rows_of(page, "users") == [
        ["u4", "snoozed", "0 of 4 (0.0%)", "none", today.isoformat()],
        ["u1", "completed", "4 of 4 (100.0%)", "none", d1],
        ["u2", "dismissed", "1 of 4 (25.0%)", "none", d1]]
    following = page.select_one('[data-testid="users-pages"] a')
    assert following.get_text(strip=True) == "Next page" and "page=2" in following["href"]
    second = soup(viewer.get(following["href"]).get_data(as_text=True))
    assert [r[0] for r in rows_of(second, "users")] == ["u3"]
    response = viewer.get(page.select_one('[data-testid="users-csv"]')["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=guide-onboarding-users-{d0}-{today}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["user", "account", "status", "completed_steps", "progress",
                       "last_active", "steps"]
    assert rows[1:] == [["u4", "", "snoozed", "0", "0.0", today.isoformat(), "4"],
                        ["u1", "", "completed", "4", "1.0", d1, "4"],
                        ["u2", "", "dismissed", "1", "0.25", d1, "4"],
                        ["u3", "", "completed", "4", "1.0", d1, "4"]]
    assert viewer.get(f"{BASE}/guides/onboarding?page=0").status_code == 400
    assert member("support").get(f"{BASE}/guides/onboarding/users.csv").status_code == 403

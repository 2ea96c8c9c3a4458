"""The admin's Analytics section on the seeded history of tests/analytics/test_guide_report.py,
whose numbers are worked out by hand there: the list, one guide's report beside the previous
period, the range picker, the CSV, and who may read them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from guide import analytics
from guide.authoring.analytics_csv import filename, safe_cell
from guide.services.authors import ensure_author
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.test_guide_report import expected, history  # noqa: F401 (fixture)
from tests.authoring.conftest import PASSWORD, AdminClient
from tests.authoring.forms_util import soup

BASE = "/admin/w/paris/analytics"


@pytest.fixture
def member(app, paris):  # noqa: F811
    """``member("viewer")``: a client signed in with that role in the paris workspace."""

    def make(role: str) -> AdminClient:
        ensure_author(f"{role}@paris.example", PASSWORD, paris, role)
        return AdminClient(app.test_client(), f"{role}@paris.example")

    return make


def cells(page, testid: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell's text (its step id for the funnel)."""
    rows = {}
    for row in page.select(f'[data-testid="{testid}"] tbody tr'):
        key = row.get("data-step", row.get("data-day")) or row.find(["th", "td"]).get_text(
            " ", strip=True)
        rows[key] = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])][1:]
    return rows


def test_the_guide_page_shows_the_hand_computed_report(history, member):  # noqa: F811
    ws, d0, today = history
    response = member("viewer").get(f"{BASE}/guides/onboarding?start={d0}&end={today}")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    funnel = cells(page, "funnel")
    # completed, drop-off, rate; the friction: target missing, Stuck?, help, escalations,
    # time median, p90; then shown, expanded, clicked
    assert funnel["hello"] == ["3", "0", "0.0%", "0", "0", "0", "0", "10m", "20m", "0", "1", "0"]
    assert funnel["connect"] == ["2", "1", "33.3%", "3", "0", "1", "1", "20m", "30m", "0", "1",
                                 "1"]
    assert funnel["visit"] == ["2", "0", "0.0%", "0", "0", "0", "0", "10m", "1d 0h", "0", "0",
                               "0"]
    assert funnel["team"] == ["2", "0", "0.0%", "0", "0", "0", "0", "10m", "30m", "0", "0", "0"]
    headline = cells(page, "headline")
    # This period, the previous five days (nothing happened), the change.
    assert headline["Started, unique users"] == ["3", "0", "+3"]
    assert headline["Started, total"] == ["3", "0", "+3"]
    assert headline["Completed, unique users"] == ["2", "0", "+2"]
    assert headline["Dismissed, total"] == ["1", "0", "+1"]
    assert headline["Seen, total"] == ["2", "0", "+2"]
    # Offered to u1 on two days and to u2 once; the panel opened on it three times by two users.
    assert headline["Eligible (offered), unique users"] == ["2", "0", "+2"]
    assert headline["Eligible (offered), total"] == ["3", "0", "+3"]
    assert headline["Checklist opened, total"] == ["3", "0", "+3"]
    assert headline["Completion rate"] == ["66.7%", "none", "not comparable"]
    # u3 in 70 minutes, u1 in 25.5 hours (nearest rank).
    assert headline["Time to complete, median"] == ["1h 10m", "none", "not comparable"]
    assert headline["Time to complete, 90th percentile"] == ["1d 1h", "none", "not comparable"]
    trend = cells(page, "trend")
    assert list(trend) == [(d0 + timedelta(days=n)).isoformat() for n in range(5)]
    # eligible, seen, started, completed, dismissed, snoozed
    assert trend[(d0 + timedelta(days=1)).isoformat()] == ["1", "1", "1", "2", "1", "0"]
    assert "1 help openings" in page.select_one('[data-testid="unattributed"]').get_text()
    for chart in ("funnel-chart", "trend-chart"):
        svg = page.select_one(f'svg[data-testid="{chart}"]')
        assert svg["role"] == "img" and svg.title.string and svg.desc.string
        labelled = svg["aria-labelledby"].split()
        assert labelled == [f"{chart}-title", f"{chart}-desc"]
    assert [bar.get_text(strip=True) for bar in page.select("svg .bar .value")] == [
        "3", "3", "2", "2", "2"]


def test_the_comparison_is_the_report_of_the_previous_period(history, member):  # noqa: F811
    ws, d0, today = history
    d1 = d0 + timedelta(days=1)  # four days, d1..today; before: d0 - 3 .. d0
    page = soup(member("viewer").get(
        f"{BASE}/guides/onboarding?start={d1}&end={today}").get_data(as_text=True))
    before = analytics.guide_report(ws, "onboarding", d0 - timedelta(days=3), d0)
    assert before["started"] == {"total": 2, "unique": 2}
    headline = cells(page, "headline")
    assert headline["Started, unique users"] == ["1", "2", "-1"]
    assert headline["Completed, unique users"] == ["2", "0", "+2"]
    assert headline["Completion rate"] == ["200.0%", "0.0%", "+200.0 pts"]
    # Of u3 (started on d1), one completed; of u1 and u2 (d0), u1 (on d1, after d0).
    assert headline["Cohort completion rate"] == ["100.0%", "50.0%", "+50.0 pts"]
    text = page.select_one('[data-testid="range"]').get_text(" ", strip=True)
    assert f"compared with {d0 - timedelta(days=3)} to {d0}" in text


def test_the_list_shows_each_published_guide_for_the_last_30_days_by_default(history, member):  # noqa: F811
    response = member("viewer").get(BASE)
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    row = page.select_one('[data-testid="analytics-list"] tr[data-guide="onboarding"]')
    numbers = {td["data-metric"]: td.get_text(strip=True) for td in row.select("td[data-metric]")}
    assert numbers == {"eligible": "2", "seen": "2", "started": "3", "completed": "2", "dismissed": "1",
                       "completion_rate": "66.7%", "median": "1h 10m"}
    current = page.select_one('[data-testid="range-presets"] a[aria-current]')
    assert current.get_text(strip=True) == "Last 30 days"
    link = row.select_one("a")["href"]
    assert link == f"{BASE}/guides/onboarding?days=30"


def test_a_preset_range_ends_today_in_the_workspace_timezone(history, member):  # noqa: F811
    ws, d0, today = history
    page = soup(member("viewer").get(f"{BASE}/guides/onboarding?days=7").get_data(as_text=True))
    assert list(cells(page, "trend"))[-1] == today.isoformat()
    assert len(cells(page, "trend")) == 7


@pytest.mark.parametrize(("query", "status", "says"), [
    ("?days=8", 400, "Must be one of"),
    ("?start=2026-03-02&end=2026-03-01", 400, "starts after it ends"),
    ("?start=2020-01-01&end=2026-03-01", 400, "at most 731 days"),
    ("?start=yesterday", 400, "Not a valid date"),
    ("?start=1969-12-31", 400, "A day from 1970-01-01"),
    ("?days=7&start=2026-03-01", 400, "not both"),
    ("?colour=red", 400, "Unknown field"),
])
def test_a_bad_range_is_a_400_page_that_says_why(paris, member, query, status, says):  # noqa: F811
    viewer = member("viewer")
    for url in (f"{BASE}/guides/onboarding{query}", f"{BASE}{query}",
                f"{BASE}/guides/onboarding/report.csv{query}"):
        response = viewer.get(url)
        assert response.status_code == status, url
        assert says in response.get_data(as_text=True), url


def test_an_unknown_guide_is_a_404(paris, member):  # noqa: F811
    viewer = member("viewer")
    assert viewer.get(f"{BASE}/guides/nope").status_code == 404
    assert viewer.get(f"{BASE}/guides/nope/report.csv").status_code == 404


def test_the_support_role_may_not_read_analytics(paris, member):  # noqa: F811
    support = member("support")
    for url in (BASE, f"{BASE}/guides/onboarding", f"{BASE}/guides/onboarding/report.csv"):
        assert support.get(url).status_code == 403, url


def test_the_nav_links_analytics_for_viewers(paris, member):  # noqa: F811
    page = soup(member("viewer").get(BASE).get_data(as_text=True))
    assert page.select_one('nav.mainnav a[href="/admin/w/paris/analytics"]').text == "Analytics"


def test_the_csv_holds_the_headline_numbers_and_the_funnel(history, member):  # noqa: F811
    ws, d0, today = history
    response = member("viewer").get(
        f"{BASE}/guides/onboarding/report.csv?start={d0}&end={today}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=guide-onboarding-{d0}-{today}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    want = expected(d0, today)
    assert rows[:5] == [["guide", "onboarding"], ["kind", "checklist"], ["start", str(d0)],
                        ["end", str(today)], ["timezone", "Europe/Paris"]]
    assert rows[6:12] == [["metric", "total", "unique"], ["eligible", "3", "2"], ["seen", "2", "2"],
                          ["checklist_open", "3", "2"], ["started", "3", "3"],
                          ["completed", "2", "2"]]
    assert ["completion_rate", str(want["completion_rate"]), ""] in rows
    assert ["cohort_completion_rate", str(2 / 3), ""] in rows
    assert ["time_to_complete_median_seconds", "4200.0", ""] in rows
    funnel = rows[rows.index(["time_to_complete_p90_seconds", "91800.0", ""]) + 2:]
    assert funnel[0][:3] == ["step", "completed", "drop_off"]
    assert funnel[0][4:11] == ["shown", "expanded", "clicked", "target_missing", "stuck",
                               "help_opened", "escalations"]
    assert funnel[2] == ["connect", "2", "1", str(1 / 3), "0", "1", "1", "3", "0", "1", "1",
                         "1200.0", "1800.0"]
    assert [row[0] for row in funnel[1:]] == ["hello", "connect", "visit", "team"]


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
    ("hello", "hello"), (-1, -1), (0.5, 0.5), (None, ""),
])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_made_inert(value, written):
    assert safe_cell(value) == written


def test_the_csv_filename_keeps_only_safe_characters():
    report = {"guide": 'a"b/../c;\r\nd', "start": "2026-01-01", "end": "2026-01-31"}
    assert filename(report) == "guide-a_b_.._c_d-2026-01-01-2026-01-31.csv"

"""Analytics › Scenarios on the hand-computed dataset of tests/analytics/test_scenario_report.py
(read now, long after March 2026: nothing is pending any more), its chart, CSV and who may
read it."""

from __future__ import annotations

import csv
import io

import pytest

from guide.services.authors import ensure_author
from tests.analytics.test_scenario_report import dataset, ws  # noqa: F401 (fixtures)
from tests.authoring.conftest import PASSWORD, AdminClient
from tests.authoring.forms_util import soup

BASE = "/admin/w/paris/analytics"
RANGE = "?start=2026-03-01&end=2026-03-15"


@pytest.fixture
def member(app, ws):  # noqa: F811
    def make(role: str) -> AdminClient:
        ensure_author(f"{role}@paris.example", PASSWORD, ws, role)
        return AdminClient(app.test_client(), f"{role}@paris.example")

    return make


def rows_of(page, scenario: str) -> dict[str, list[str]]:
    body = page.select_one(f'[data-testid="scenario-report"] tbody[data-scenario="{scenario}"]')
    return {row["data-arm"]: [cell.get_text(" ", strip=True)
                              for cell in row.find_all("td")] for row in body.find_all("tr")}


def test_the_page_shows_both_arms_the_lift_and_its_interval(dataset, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/scenarios{RANGE}")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    connect = rows_of(page, "connect")
    # t1, t2, t6, t9 and now t7 converted of 8 treated; h1 of 4 held out.
    # Wilson 5/8: centre (0.625 + z²/16) / (1 + z²/8) = 0.865091 / 1.480182 = 0.584449,
    # half-width 1.324138 * sqrt(0.029297 + 0.015006) = 0.278708: 30.6% to 86.3%.
    assert connect["treated"] == ["8", "0", "5 of 8", "62.5%", "30.6% to 86.3%"]
    assert connect["held_out"] == ["4", "0", "1 of 4", "25.0%", "4.6% to 69.9%"]
    # Newcombe: 0.375 - sqrt(0.319258² + 0.449358²) = -0.176225;
    # 0.375 + sqrt(0.238156² + 0.204413²) = 0.688852.
    assert connect["lift"] == ["treated rate − held-out rate", "+37.5 pts", "-17.6 to +68.9 pts"]
    assert rows_of(page, "help")["treated"][2:4] == ["no goal", "none"]
    chart = page.select_one('[data-testid="conversion-chart"]')
    arms = [(g["data-scenario"], g["data-arm"]) for g in chart.select("g.interval")]
    assert arms == [(s, a) for s in ("connect", "stalled", "plan", "export")
                    for a in ("treated", "held_out")]
    # The whisker spans the interval on the 0-100% axis from x=90 to x=584.
    treated = chart.select_one('g[data-scenario="connect"][data-arm="treated"]')
    whisker = treated.select_one("line.whisker")
    assert (whisker["x1"], whisker["x2"]) == (f"{90 + 494 * 0.305742:.1f}",
                                              f"{90 + 494 * 0.863156:.1f}")
    assert treated.select_one("circle")["cx"] == f"{90 + 494 * 0.625:.1f}"


def test_the_analytics_index_links_the_scenarios_report(ws, member):  # noqa: F811
    page = soup(member("viewer").get(BASE).get_data(as_text=True))
    link = page.select_one('[data-testid="report-scenarios"] a')
    assert link["href"].startswith(f"{BASE}/scenarios?")


def test_the_csv_has_one_row_per_scenario(dataset, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/scenarios/report.csv{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=scenarios-2026-03-01-2026-03-15.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["start", "2026-03-01"]
    header = rows[5]
    connect = dict(zip(header, next(r for r in rows[6:] if r[0] == "connect"), strict=True))
    assert (connect["goal_kind"], connect["goal_key"], connect["goal_days"],
            connect["holdout_percent"]) == ("milestone", "connected", "7", "20")
    assert [connect[f"treated_{c}"] for c in ("firings", "pending", "matured", "converted")] == [
        "8", "0", "8", "5"]
    assert connect["held_out_converted"] == "1" and float(connect["lift"]) == 0.375
    assert float(connect["lift_low"]) == pytest.approx(-0.176225, abs=1e-6)


@pytest.mark.parametrize("query", ["?start=2026-03-02&end=2026-03-01", "?days=8"])
def test_a_bad_range_is_a_400(ws, member, query):  # noqa: F811
    viewer = member("viewer")
    assert viewer.get(f"{BASE}/scenarios{query}").status_code == 400
    assert viewer.get(f"{BASE}/scenarios/report.csv{query}").status_code == 400


def test_the_support_role_may_not_read_it(ws, member):  # noqa: F811
    support = member("support")
    for url in (f"{BASE}/scenarios", f"{BASE}/scenarios/report.csv"):
        assert support.get(url).status_code == 403, url


def test_the_locale_filters_the_page_and_the_csv(dataset, member):  # noqa: F811
    from guide.extensions import db
    from guide.models import EndUser

    db.session.scalar(db.select(EndUser).where(EndUser.external_id == "t9")).locale = "fr-CA"
    db.session.commit()
    viewer = member("viewer")
    page = soup(viewer.get(f"{BASE}/scenarios{RANGE}&locale=fr").get_data(as_text=True))
    assert page.select_one('input[name="locale"]')["value"] == "fr"
    assert "fr" in page.select_one('[data-testid="filters"]').get_text()
    rows = list(csv.reader(io.StringIO(viewer.get(
        page.select_one('[data-testid="csv"]')["href"]).get_data(as_text=True))))
    assert ["filter_locale", "fr"] in rows and ["filter_users", "1"] in rows
    header = next(r for r in rows if r and r[0] == "scenario")
    connect = dict(zip(header, next(r for r in rows if r and r[0] == "connect"), strict=True))
    assert (connect["treated_firings"], connect["held_out_firings"]) == ("1", "0")


@pytest.mark.parametrize("query", [f"{RANGE}&segment=%7Btrait%3A%20plan%7D",
                                   f"{RANGE}&locale=fr_FR"])
def test_a_bad_filter_is_a_400(ws, member, query):  # noqa: F811
    viewer = member("viewer")
    assert viewer.get(f"{BASE}/scenarios{query}").status_code == 400
    assert viewer.get(f"{BASE}/scenarios/report.csv{query}").status_code == 400


def test_the_page_compares_each_scenario_with_the_previous_period(dataset, member):  # noqa: F811
    # 2026-03-01..15 against 2026-02-14..28, when no scenario fired yet.
    page = soup(member("viewer").get(f"{BASE}/scenarios{RANGE}").get_data(as_text=True))
    rows = {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
            for row in page.select('[data-testid="headline"] tbody tr')}
    connect = {label.removeprefix("connect, "): cells for label, cells in rows.items()
               if label.startswith("connect, ")}
    assert connect["firings"] == ["12", "0", "+12"]
    assert connect["treated conversion"] == ["62.5%", "none", "not comparable"]
    assert connect["lift over the holdout"] == ["+37.5 pts", "none", "not comparable"]
    # A scenario without a goal has no conversion to compare.
    assert not any(label.startswith("help,") for label in rows)

"""Analytics › Help searches on the hand-computed dataset of tests/analytics/test_help_search.py
plus hostile queries: the page, its comparison, its CSV, and who may read it."""

from __future__ import annotations

import csv
import io

import pytest

from guide.extensions import db
from tests.analytics.conftest import paris, user  # noqa: F401 (fixture)
from tests.analytics.test_help_search import at, search, searches  # noqa: F401 (fixture)
from tests.authoring.forms_util import soup
from tests.authoring.test_analytics_pages import member  # noqa: F401 (fixture)

BASE = "/admin/w/paris/analytics"
RANGE = "?start=2026-03-02&end=2026-03-04"


@pytest.fixture
def hostile(searches):  # noqa: F811
    """Two zero-result searches whose text a browser or a spreadsheet would run."""
    mallory = user(searches, "mallory")
    search(searches, mallory, at(3, 15), "<script>alert(1)</script>", 0)
    search(searches, mallory, at(3, 16), "=HYPERLINK(\"http://evil\",\"x\")", 0)
    db.session.commit()
    return searches


def table(page, testid: str) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
            for row in page.select(f'[data-testid="{testid}"] tbody tr')]


def test_the_page_lists_zero_result_and_top_queries_with_the_period_before(searches, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/help-searches{RANGE}")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    assert table(page, "zero-result-queries") == [["export csv", "2", "2", "2"],
                                                   ["sso", "2", "2", "1"]]
    assert table(page, "top-queries") == [["export csv", "2", "2", "2"], ["sso", "2", "2", "1"]]
    # The period before is 27 Feb..1 Mar: c's "export csv" on 1 March, found nothing.
    headline = {row[0]: row[1:] for row in table(page, "headline")}
    assert headline["Searches"][:2] == ["4", "1"]
    assert headline["Searches with no result"][:2] == ["3", "1"]
    assert headline["Share of searches with no result"][:2] == ["75.0%", "100.0%"]
    assert "compared with 2026-02-27 to 2026-03-01" in page.select_one(
        '[data-testid="range"]').get_text()
    nav = page.select_one('[data-testid="analytics-nav"] a[aria-current="page"]')
    assert nav.get_text(strip=True) == "Help searches"


def test_a_query_is_text_on_the_page_never_markup(hostile, member):  # noqa: F811
    html = member("viewer").get(f"{BASE}/help-searches{RANGE}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    rows = table(soup(html), "zero-result-queries")
    assert ["<script>alert(1)</script>", "1", "1", "1"] in rows


def test_the_csv_lists_both_rankings_and_keeps_formulas_inert(hostile, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/help-searches.csv{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=help-searches-2026-03-02-2026-03-04.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[:5] == [["start", "2026-03-02"], ["end", "2026-03-04"],
                        ["timezone", "Europe/Paris"], ["searches", "6"],
                        ["zero_result_searches", "5"]]
    assert rows[6] == ["list", "query", "searches", "users", "zero_results"]
    zero = [r[1:] for r in rows[7:] if r[0] == "zero_result_queries"]
    # The query is normalized to lower case, then written with its apostrophe.
    assert ["'=hyperlink(\"http://evil\",\"x\")", "1", "1", "1"] in zero
    assert ["<script>alert(1)</script>", "1", "1", "1"] in zero
    assert zero[0] == ["export csv", "2", "2", "2"]
    assert [r[1] for r in rows[7:] if r[0] == "top_queries"][:2] == ["export csv", "sso"]


def test_viewers_may_read_it_support_may_not_and_the_index_links_it(paris, member):  # noqa: F811
    for url in (f"{BASE}/help-searches", f"{BASE}/help-searches.csv"):
        assert member("viewer").get(url).status_code == 200, url
        assert member("support").get(url).status_code == 403, url
    page = soup(member("viewer").get(BASE).get_data(as_text=True))
    link = page.select_one('[data-testid="report-help-searches"] a')
    assert link["href"].startswith(f"{BASE}/help-searches?")


def test_a_bad_range_is_a_400(paris, member):  # noqa: F811
    response = member("viewer").get(f"{BASE}/help-searches?start=2026-03-05&end=2026-03-04")
    assert response.status_code == 400


def test_the_locale_filters_the_page_and_the_csv(searches, member):  # noqa: F811
    from guide.models import EndUser

    db.session.scalar(db.select(EndUser).where(EndUser.external_id == "a")).locale = "fr-CA"
    db.session.commit()
    viewer = member("viewer")
    page = soup(viewer.get(f"{BASE}/help-searches{RANGE}&locale=fr").get_data(as_text=True))
    assert page.select_one('input[name="locale"]')["value"] == "fr"
    # a: "Export CSV" found nothing, "SSO" found 2.
    assert table(page, "zero-result-queries") == [["export csv", "1", "1", "1"]]
    assert table(page, "top-queries") == [["export csv", "1", "1", "1"], ["sso", "1", "1", "0"]]
    rows = list(csv.reader(io.StringIO(viewer.get(
        page.select_one('[data-testid="csv"]')["href"]).get_data(as_text=True))))
    assert ["filter_locale", "fr"] in rows and ["filter_users", "1"] in rows
    assert ["searches", "2"] in rows


@pytest.mark.parametrize("query", [f"{RANGE}&segment=%7Btrait%3A%20plan%7D",
                                   f"{RANGE}&locale=fr_FR"])
def test_a_bad_filter_is_a_400(paris, member, query):  # noqa: F811
    viewer = member("viewer")
    assert viewer.get(f"{BASE}/help-searches{query}").status_code == 400
    assert viewer.get(f"{BASE}/help-searches.csv{query}").status_code == 400

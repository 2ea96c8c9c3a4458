"""The admin's lifecycle report, accounts portfolio and account timeline pages on the
hand-worked history of tests/analytics/lifecycle_history.py: the numbers shown, the filters,
the CSVs, and who may read them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest

from guide.extensions import db
from guide.models import EndUser, UserMilestone
from guide.services.authors import ensure_author
from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.analytics.lifecycle_history import PRO, frozen_now, mark_pro, seed
from tests.authoring.conftest import PASSWORD, AdminClient
from tests.authoring.forms_util import soup

BASE = "/admin/w/paris/analytics"
RANGE = "start=2026-03-04&end=2026-03-17"


@pytest.fixture
def member(app, paris):  # noqa: F811
    seed(paris)

    def make(role: str) -> AdminClient:
        ensure_author(f"{role}@paris.example", PASSWORD, paris, role)
        return AdminClient(app.test_client(), f"{role}@paris.example")

    with frozen_now():
        yield make


def rows(page, testid: str, key: str) -> dict[str, list[str]]:
    return {row[key]: [cell.get_text(" ", strip=True) for cell in row.find_all(["td"])]
            for row in page.select(f'[data-testid="{testid}"] tbody tr') if row.get(key)}


def test_the_lifecycle_page_shows_the_hand_computed_report(member):
    response = member("viewer").get(f"{BASE}/lifecycle?{RANGE}")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    assert page.select_one('[data-testid="signups"]').get_text() == "6"
    milestones = rows(page, "milestones", "data-milestone")
    # reached, share, drop-off, rate, ttv median, ttv p90, expected
    assert milestones["connected"] == ["5", "83.3%", "1", "16.7%", "2h 0m", "1d 0h", "3 days"]
    assert milestones["dashboard"] == ["3", "50.0%", "2", "40.0%", "3d 0h", "8d 0h", "7 days"]
    assert milestones["onboarded"] == ["0", "0.0%", "1", "100.0%", "none", "none", "none"]
    stalls = page.select('[data-testid="stalls"] tbody tr')
    assert [row["data-milestone"] for row in stalls] == [
        "dashboard", "connected", "onboarded", "invited"]
    cohorts = rows(page, "cohorts", "data-week")
    assert cohorts["2026-03-02"] == ["2", "100.0% (100.0%)", "50.0% (50.0%)", "50.0% (0.0%)",
                                     "0.0% (0.0%)"]
    assert "maturing" in page.select_one('[data-week="2026-03-09"]').get_text()
    stages = rows(page, "stages", "data-stage")
    assert stages == {"trial": ["4", "4"], "active": ["3", "2"], "adopted": ["1", "1"],
                      "legacy": ["1", "0"]}
    assert page.select_one('[data-testid="milestone-chart"]') is not None
    nav = page.select_one('[data-testid="analytics-nav"] [aria-current="page"]')
    assert nav.get_text() == "Milestones and lifecycle"


def test_the_headline_compares_with_the_previous_period(member):
    """18 Feb .. 3 Mar: u7 signed up (3 March) and connected an hour later."""
    page = soup(member("viewer").get(f"{BASE}/lifecycle?{RANGE}").get_data(as_text=True))
    headline = {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row("td")]
                for row in page.select('[data-testid="headline"] tbody tr')}
    assert headline["Signups"] == ["6", "1", "+5"]
    assert headline["Connected data, share of signups"] == ["83.3%", "100.0%", "-16.7 pts"]
    assert headline["Connected data, time to value (median)"] == ["2h 0m", "1h 0m", "+1h 0m"]
    assert headline["First dashboard, time to value (median)"] == ["3d 0h", "none",
                                                                   "not comparable"]


def test_the_cohort_window_is_a_parameter(member):
    page = soup(member("viewer").get(f"{BASE}/lifecycle?{RANGE}&within_days=14")
                .get_data(as_text=True))
    assert rows(page, "cohorts", "data-week")["2026-03-02"][3] == "50.0% (50.0%)"


@pytest.mark.parametrize(("query", "says"), [
    ("start=2026-03-05&end=2026-03-04", "starts after it ends"),
    (f"{RANGE}&within_days=0", "within_days"),
    (f"{RANGE}&within_days=x", "within_days"),
    ("days=12", "days"),
])
def test_a_bad_range_or_window_is_a_400_page(member, query, says):
    response = member("viewer").get(f"{BASE}/lifecycle?{query}")
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)


def test_the_portfolio_shows_counts_and_filters(member):
    viewer = member("viewer")
    page = soup(viewer.get(f"{BASE}/accounts").get_data(as_text=True))
    counts = {cell["data-status"]: cell.get_text() for cell in
              page.select('[data-testid="status-counts"] td')}
    assert counts == {"on_track": "3", "behind": "1", "stuck": "3", "total": "7"}
    listed = rows(page, "portfolio", "data-account")
    assert list(listed) == list("ABCDEFG")
    assert listed["C"][0] == "stuck" and listed["E"][0] == "behind"
    assert listed["C"][4] == "connected: 6 days dashboard: 2 days"
    stuck = soup(viewer.get(f"{BASE}/accounts?status=stuck&csm=ann").get_data(as_text=True))
    assert list(rows(stuck, "portfolio", "data-account")) == ["C", "G"]
    found = soup(viewer.get(f"{BASE}/accounts?q=dun").get_data(as_text=True))
    assert list(rows(found, "portfolio", "data-account")) == ["D"]
    assert viewer.get(f"{BASE}/accounts?status=late").status_code == 400
    assert viewer.get(f"{BASE}/accounts?stage=nope").status_code == 400


def test_the_timeline_page_draws_and_lists_every_item(member):
    response = member("viewer").get(f"{BASE}/accounts/C")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    assert page.select_one('[data-testid="status"]').get_text() == "stuck"
    items = page.select('[data-testid="timeline"] tbody tr')
    assert [(row["data-lane"], row["data-kind"]) for row in items][:4] == [
        ("milestones", "start"), ("nudges", "fired"), ("escalations", "user"), ("plan", "done")]
    assert len(items) == 12
    chart = page.select_one('[data-testid="timeline-chart"]')
    assert len(chart.select("g.marker")) == 12 and len(chart.select("g.hollow")) == 4
    assert member("viewer").get(f"{BASE}/accounts/nope").status_code == 404


def test_the_csvs(member):
    viewer = member("viewer")
    lifecycle = viewer.get(f"{BASE}/lifecycle.csv?{RANGE}")
    assert lifecycle.status_code == 200 and lifecycle.mimetype == "text/csv"
    assert "lifecycle-2026-03-04-2026-03-17.csv" in lifecycle.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(lifecycle.get_data(as_text=True))))
    assert ["connected", "Connected data", "3", "5", str(5 / 6), "1", str(1 / 6), "7200",
            "86400"] in table
    assert ["users", "legacy", "legacy", "1", "False"] in table
    accounts = list(csv.reader(io.StringIO(
        viewer.get(f"{BASE}/accounts.csv?status=stuck").get_data(as_text=True))))
    assert [row[0] for row in accounts[1:]] == ["C", "D", "G"]
    assert accounts[1][-3:] == ["connected dashboard", "invited", "2026-04-10T11:00:00+00:00"]
    timeline = list(csv.reader(io.StringIO(
        viewer.get(f"{BASE}/accounts/C/timeline.csv").get_data(as_text=True))))
    assert timeline[0] == ["account", "C"] and len(timeline) == 4 + 12


def test_a_csv_cell_a_spreadsheet_would_run_is_made_inert(member, paris):  # noqa: F811
    from guide.extensions import db
    from guide.models import Account

    account = db.session.scalar(db.select(Account).where(Account.external_id == "D"))
    account.traits = {"name": "=HYPERLINK(\"x\")"}
    db.session.commit()
    accounts = member("viewer").get(f"{BASE}/accounts.csv?q=hyperlink").get_data(as_text=True)
    assert "'=HYPERLINK" in accounts


def test_the_support_role_may_not_read_them(member):
    support = member("support")
    for path in (f"lifecycle?{RANGE}", f"lifecycle.csv?{RANGE}", "accounts", "accounts.csv",
                 "accounts/C", "accounts/C/timeline.csv"):
        assert support.get(f"{BASE}/{path}").status_code == 403, path


def test_the_analytics_index_links_the_new_reports(member):
    page = soup(member("viewer").get(BASE).get_data(as_text=True))
    links = [a["href"] for a in page.select('[data-testid="analytics-nav"] a')]
    assert f"{BASE}/lifecycle" in links and f"{BASE}/accounts" in links


def test_the_account_page_links_its_timeline(member):
    page = soup(member("viewer").get("/admin/w/paris/accounts/C").get_data(as_text=True))
    assert page.select_one('[data-testid="timeline-link"]')["href"] == f"{BASE}/accounts/C"


def test_the_segment_filters_the_lifecycle_page_its_csv_and_the_portfolio(member, paris):  # noqa: F811
    mark_pro(paris, "u3", "u4", "u8")  # accounts B, C, F
    viewer = member("viewer")
    query = f"{RANGE}&segment={quote(PRO)}"
    page = soup(viewer.get(f"{BASE}/lifecycle?{query}").get_data(as_text=True))
    assert page.select_one('input[name="segment"]')["value"] == PRO
    assert PRO in page.select_one('[data-testid="filters"]').get_text()
    # The cohort window's form and the CSV link keep the filter.
    assert page.select_one('[data-testid="within"] input[name="segment"]')["value"] == PRO
    table = list(csv.reader(io.StringIO(viewer.get(
        page.select_one('[data-testid="csv"]')["href"]).get_data(as_text=True))))
    assert ["signups", "2"] in table and ["filter_segment", PRO] in table
    assert ["filter_users", "3"] in table
    accounts = soup(viewer.get(f"{BASE}/accounts?segment={quote(PRO)}").get_data(as_text=True))
    assert list(rows(accounts, "portfolio", "data-account")) == ["B", "C", "F"]
    assert accounts.select_one('[data-testid="portfolio-filters"] input[name="segment"]')[
        "value"] == PRO
    sheet = list(csv.reader(io.StringIO(viewer.get(
        accounts.select_one('[data-testid="csv"]')["href"]).get_data(as_text=True))))
    # The filters (segment, locale, users), an empty row, the header, the accounts.
    assert sheet[0] == ["filter_segment", PRO] and sheet[4][0] == "account"
    assert [r[0] for r in sheet[5:]] == ["B", "C", "F"]


@pytest.mark.parametrize("path", [f"lifecycle?{RANGE}&", f"lifecycle.csv?{RANGE}&",
                                  "accounts?", "accounts.csv?"])
def test_a_bad_segment_or_locale_is_a_400_page(member, path):
    viewer = member("viewer")
    response = viewer.get(f"{BASE}/{path}segment={quote('{trait: plan}')}")
    assert response.status_code == 400
    assert "segment" in response.get_data(as_text=True)
    assert viewer.get(f"{BASE}/{path}locale=fr_FR").status_code == 400


def test_a_milestone_reached_out_of_order_says_so_instead_of_a_negative_drop_off(member, paris):  # noqa: F811
    """u2, u3 and u5 also invited the team: 4 reached it against 3 for the dashboard."""
    client = member("viewer")
    users = {u.external_id: u for u in db.session.scalars(db.select(EndUser))}
    for name in ("u2", "u3", "u5"):
        db.session.add(UserMilestone(user_id=users[name].id, key="invited", source="test",
                                     reached_at=users[name].first_seen + timedelta(days=1)))
    db.session.commit()
    page = soup(client.get(f"{BASE}/lifecycle?{RANGE}").get_data(as_text=True))
    invited = rows(page, "milestones", "data-milestone")["invited"]
    assert invited[2:4] == ["+1 more than the milestone before",
                            "not a funnel step: reached out of order"]
    assert "-1" not in " ".join(invited) and "−" not in " ".join(invited)
    stall = rows(page, "stalls", "data-milestone")["invited"]
    assert stall[2] == "none: +1 more than the milestone before"
    # Without a title the key names it, once.
    assert page.select_one('[data-milestone="invited"] th').get_text(" ", strip=True) == "invited"

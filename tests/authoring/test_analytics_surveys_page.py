"""Analytics › Surveys and messages: the admin pages show the numbers the results API
computes (hand-checked in tests/api/test_survey_results_api.py), to viewers too."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from guide.models.base import utcnow
from tests.api.test_survey_results_api import seeded  # noqa: F401 (fixture)
from tests.api.test_surveys import boot, demo, track  # noqa: F401 (fixture)
from tests.authoring.forms_util import soup

BASE = "/admin/w/demo/analytics"
ADMIN_CSS = Path(__file__).resolve().parents[2] / "guide/authoring/static/admin.css"


@pytest.fixture
def workspace(demo):  # noqa: F811
    return demo


@pytest.fixture
def viewer(seeded, as_role):  # noqa: F811
    return as_role("viewer")


def today():
    return {"start": utcnow().date().isoformat(), "end": utcnow().date().isoformat()}


def page(client, path, **query):
    response = client.get(f"{BASE}/{path}", query_string={**today(), **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    return soup(response.get_data(as_text=True))


def metrics(node):
    return {cell["data-metric"]: cell.text.strip() for cell in node.select("[data-metric]")}


def test_the_nps_page_shows_rate_bands_chart_table_and_comments(viewer):
    html = page(viewer, "surveys/nps")
    assert metrics(html.select_one('[data-testid="survey-headline"]')) == {
        "shown": "6", "responses": "5", "respondents": "5", "response_rate": "83.3%"}
    score = html.select_one('[data-question="score"]')
    assert score.select_one('[data-metric="nps"]').text == "+40.0"
    assert metrics(score.select_one("table")) == {
        "Promoters (9-10)": "3", "Passives (7-8)": "1", "Detractors (0-6)": "1"}
    chart = score.select_one("svg.chart")
    assert [t.text for t in chart.select("text.value")] == ["3", "1", "1"]
    rows = [[td.text for td in tr.select("td")][1:] for tr in
            html.select('[data-testid="comments"] tbody tr')]
    assert rows == [["u5", "acme", "comment", "=Too slow"],
                    ["u5", "acme", "what-went-wrong", "Exports"],
                    ["u2", "acme", "comment", "Love it"]]


def test_each_nps_band_has_its_own_colour_and_none_is_the_funnels_grey(viewer):
    chart = page(viewer, "surveys/nps").select_one('[data-question="score"] svg.chart')
    bands = [(g.select_one("text.axis").text, g["class"]) for g in chart.select("g.bar")]
    assert bands == [("Promoters (9-10)", ["bar", "bar-promoter"]),
                     ("Passives (7-8)", ["bar", "bar-passive"]),
                     ("Detractors (0-6)", ["bar", "bar-detractor"])]
    fills = {rule.group(1): rule.group(2) for rule in re.finditer(
        r"svg\.chart \.bar-(\w+) rect \{ fill: ([^;]+); \}", ADMIN_CSS.read_text())}
    colours = [fills[tone] for tone in ("promoter", "passive", "detractor")]
    assert len(set(colours)) == 3 and fills["start"] not in colours
    assert fills["detractor"] == "var(--danger)" and fills["promoter"] == "var(--ok)"


def test_csat_average_distribution_and_choices(viewer):
    html = page(viewer, "surveys/pulse")
    csat = html.select_one('[data-question="csat"]')
    assert csat.select_one('[data-metric="average"]').text == "4.33"
    assert metrics(csat.select_one("table")) == {"1": "0", "2": "0", "3": "0", "4": "2", "5": "1"}
    assert metrics(html.select_one('[data-question="used-most"] table')) == {
        "dashboards": "1", "reports": "2"}
    assert metrics(html.select_one('[data-question="wishes"] table')) == {
        "api": "2", "mobile": "0", "sso": "1"}


def test_the_segment_filter_narrows_the_survey(viewer):
    html = page(viewer, "surveys/nps", segment="{trait: plan, eq: trial}")
    assert metrics(html.select_one('[data-testid="survey-headline"]')) == {
        "shown": "3", "responses": "2", "respondents": "2", "response_rate": "66.7%"}
    assert "of the 3 users the filters match" in html.select_one('[data-testid="range"]').text


def test_the_csv_lists_every_answer_with_formulas_made_inert(viewer):
    response = viewer.get(f"{BASE}/surveys/nps.csv", query_string=today())
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["answered_at", "user", "account", "version", "question", "score",
                       "choice", "text"]
    body = sorted((user, question, score, text) for _, user, _, _, question, score, _, text
                  in rows[1:])
    assert body == sorted([("u1", "score", "10", ""), ("u2", "score", "9", ""),
                           ("u3", "score", "9", ""), ("u4", "score", "7", ""),
                           ("u5", "score", "3", ""), ("u5", "what-went-wrong", "", "Exports"),
                           ("u2", "$comment", "", "Love it"),
                           ("u5", "$comment", "", "'=Too slow")])


def test_helpful_share_and_comments(viewer):
    html = page(viewer, "helpful")
    assert metrics(html.select_one('[data-testid="helpful-articles"]')) == {
        "yes": "2", "no": "1", "share": "66.7%"}
    comments = html.select('[data-testid^="comments-articles"] tbody tr td')
    assert [td.text for td in comments][1:] == ["u2", "acme", "not helpful", "Outdated"]


def test_announcement_seen_clicked_dismissed(viewer):
    html = page(viewer, "messages/new-reports")
    assert metrics(html.select_one('[data-testid="message-totals"]')) == {
        "seen": "3", "clicked": "1", "dismissed": "1"}
    assert metrics(html.select_one('[data-testid="message-steps"]')) == {
        "seen": "0", "clicked": "1"}


def test_a_hotspot_counts_who_saw_its_beacon_and_a_tooltip_says_what_it_does_not_record(
        client, demo, viewer):  # noqa: F811
    """$hotspot_seen (a beacon drawn; the widget sends it once per page view) is the
    hotspot's seen: it showed "not recorded"."""
    for user, events in [("u1", ["$hotspot_seen", "$hotspot_seen", "$hotspot_opened"]),
                         ("u2", ["$hotspot_seen", "$hotspot_dismissed"]), ("u3", [])]:
        token = boot(client, demo, user)["socket"]["token"]
        for name in events:
            assert track(client, token, name, hotspot="export-button", step="export")["ok"]
    html = page(viewer, "messages/export-button")
    assert metrics(html.select_one('[data-testid="message-totals"]')) == {
        "seen": "2", "clicked": "1", "dismissed": "1"}
    assert metrics(html.select_one('[data-testid="message-steps"]')) == {
        "seen": "2", "clicked": "1"}
    tooltip = page(viewer, "messages/filters-tip")
    assert metrics(tooltip.select_one('[data-testid="message-totals"]')) == {
        "seen": "0", "clicked": "not recorded", "dismissed": "not recorded"}


def test_the_list_links_each_survey_and_message_and_the_nav_links_the_list(viewer):
    html = page(viewer, "surveys")
    links = {a["href"].split("?")[0] for a in html.select("table a")}
    assert {f"{BASE}/surveys/nps", f"{BASE}/surveys/pulse", f"{BASE}/messages/new-reports",
            f"{BASE}/messages/export-button", f"{BASE}/messages/filters-tip"} <= links
    nav = page(viewer, "help-searches").select_one('[data-testid="nav-surveys"]')
    assert nav["href"] == f"{BASE}/surveys"
    home = soup(viewer.get(BASE).get_data(as_text=True))
    listed = {row["data-guide"] for row in home.select('[data-testid="analytics-list"] tr[data-guide]')}
    assert "getting-started" in listed and not listed & {"nps", "new-reports", "export-button"}
    assert home.select_one('[data-testid="report-surveys"] a')["href"].startswith(
        f"{BASE}/surveys?")


@pytest.mark.parametrize(("key", "results"), [("nps", "surveys/nps"),
                                              ("new-reports", "messages/new-reports")])
def test_the_editor_links_a_published_survey_or_message_to_its_results(viewer, key, results):
    html = soup(viewer.get(f"/admin/w/demo/guides/{key}").get_data(as_text=True))
    assert html.select_one('[data-testid="results"]')["href"] == f"{BASE}/{results}"


@pytest.mark.parametrize("path", ["surveys/nope", "surveys/export-button",
                                  "messages/nps", "surveys/nope.csv"])
def test_an_unknown_survey_or_message_is_a_404(viewer, path):
    assert viewer.get(f"{BASE}/{path}").status_code == 404


def test_a_bad_range_is_a_400(viewer):
    assert viewer.get(f"{BASE}/surveys/nps", query_string={
        "start": "2026-12-06", "end": "2026-01-01"}).status_code == 400

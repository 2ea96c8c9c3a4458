"""The form editor authors surveys, announcements, hotspots and tooltips: every field of
docs/SURVEYS.md goes in through the form, saves as a valid draft, and comes back unchanged."""

from __future__ import annotations

import pytest

from guide.content.yamlfile import parse_yaml
from tests.api.test_surveys import demo  # noqa: F401 (fixture)
from tests.authoring.forms_util import form_data, soup
from tests.authoring.test_editor import EDITOR, latest, load, save
from tests.survey_content import FILES

KINDS = ["nps", "pulse", "new-reports", "export-button", "filters-tip"]


@pytest.fixture
def workspace(demo):  # noqa: F811
    """The admin's authors in the workspace that holds the survey content files."""
    return demo


def file_body(key):
    return parse_yaml(FILES[f"{key}.yaml"]).data


def bands(html, prefix):
    """Checked checkboxes: form_data keeps one value per name, a browser sends each."""
    return [box["value"] for box in soup(html).select(f'input[name="{prefix}show_if_band"]')
            if box.has_attr("checked")]


@pytest.mark.parametrize("key", KINDS)
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_each_new_kind_round_trips_through_the_form_unchanged(db, as_role, key, locale):
    """The form shows every field of the file: sending it back saves nothing new."""
    author = as_role("author")
    before = latest(db, key).number
    html = author.get(EDITOR.format(key=key) + f"?locale={locale}").get_data(as_text=True)
    data = form_data(html)
    for index in range(int(data["step_count"])):
        data[f"steps-{index}-show_if_band"] = bands(html, f"steps-{index}-")
    response = save(author, data, key, locale)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert latest(db, key).number == before


def test_every_survey_field_is_authored_in_the_form(db, as_role):
    """Today's bug: saving a survey through the admin failed validation (the editor wrote
    checklist fields). Each survey field set in the form lands in the draft as in a file."""
    author = as_role("author")
    data = load(author, "nps")
    data.update({"display": "panel", "frequency": "{every_days: 30, max: 3}",
                 "show_when_visit": "3", "steps-0-label_low": "Never",
                 "steps-0-label_high": "Surely", "steps-1-required": "true",
                 "steps-2-show_if_band": ["passive", "promoter"],
                 "steps-3-id": "used-most", "steps-3-orig": "", "steps-3-title": "Used most?",
                 "steps-3-type": "multiple", "steps-3-max": "2",
                 "steps-3-options": "dashboards: Dashboards\nreports: Reports",
                 "step_count": "4"})
    data["steps-1-show_if_band"] = ["detractor"]
    response = save(author, data, "nps")
    assert response.status_code == 302, response.get_data(as_text=True)
    body = latest(db, "nps").body
    assert (body["display"], body["frequency"], body["show_when"]) == (
        "panel", {"every_days": 30, "max": 3}, {"visit": 3})
    score, wrong, love, used = body["steps"]
    assert score["labels"] == {"low": "Never", "high": "Surely"}
    assert (wrong["required"], wrong["show_if"]) == (True, {"question": "score",
                                                             "band": "detractor"})
    assert love["show_if"] == {"question": "score", "band": ["passive", "promoter"]}
    assert used == {"id": "used-most", "title": "Used most?", "type": "multiple", "max": 2,
                    "options": [{"id": "dashboards", "label": "Dashboards"},
                                {"id": "reports", "label": "Reports"}]}


def test_option_labels_translate_per_locale(db, as_role):
    author = as_role("author")
    data = load(author, "pulse", "fr")
    assert data["steps-2-options"] == "dashboards: \nreports: Rapports"
    data["steps-2-options"] = "dashboards: Tableaux\nreports: Rapports"
    assert save(author, data, "pulse", "fr").status_code == 302
    assert latest(db, "pulse").body["steps"][2]["options"] == [
        {"id": "dashboards", "label": {"en": "Dashboards", "fr": "Tableaux"}},
        {"id": "reports", "label": {"en": "Reports", "fr": "Rapports"}}]


def test_announcement_fields_and_call_to_action(db, as_role):
    author = as_role("author")
    data = load(author, "new-reports")
    data.update({"style": "modal", "position": "", "mode": "", "starts_at": "",
                 "ends_at": "2030-01-01T00:00:00Z", "steps-0-cta_type": "help",
                 "steps-0-cta_value": "", "steps-0-cta_label": "Read more"})
    assert save(author, data, "new-reports").status_code == 302
    body = latest(db, "new-reports").body
    assert (body["style"], body["ends_at"]) == ("modal", "2030-01-01T00:00:00Z")
    assert "position" not in body and "starts_at" not in body
    assert body["steps"][0]["cta"] == {"label": "Read more", "help": True}


def test_a_banner_position_on_a_modal_is_shown_beside_the_field(db, as_role):
    author = as_role("author")
    data = load(author, "new-reports")
    data["style"] = "modal"
    response = save(author, data, "new-reports")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Only banners have position." in html and "Only banners have mode." in html


@pytest.mark.parametrize("key", ["export-button", "filters-tip"])
def test_hotspot_and_tooltip_fields(db, as_role, key):
    author = as_role("author")
    data = load(author, key)
    data.update({"steps-0-target": "#new-target", "steps-0-placement": "top",
                 "steps-0-page": "/app/**", "steps-0-on_missing": "center"})
    assert save(author, data, key).status_code == 302
    step = latest(db, key).body["steps"][0]
    assert (step["target"], step["placement"], step["page"], step["on_missing"]) == (
        "#new-target", "top", "/app/**", "center")


def test_a_hotspot_without_a_target_is_refused_at_the_field(db, as_role):
    author = as_role("author")
    data = load(author, "export-button")
    data["steps-0-target"] = ""
    response = save(author, data, "export-button")
    assert response.status_code == 400
    assert "give its CSS selector" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["survey", "announcement", "hotspot", "tooltip"])
def test_new_guide_creates_each_kind_and_opens_its_editor(db, as_role, kind):
    author = as_role("author")
    response = author.post("/admin/w/demo/guides/new", {"key": f"new-{kind}", "kind": kind,
                                                        "title": "New one"})
    assert response.status_code == 302, response.get_data(as_text=True)
    version = latest(db, f"new-{kind}")
    assert version.body["kind"] == kind and version.state == "draft"
    html = author.get(EDITOR.format(key=f"new-{kind}")).get_data(as_text=True)
    assert "Milestone" not in html and "Help article key" not in html


def test_one_line_inputs_hold_yaml_in_flow_style(db, as_role):
    """A browser strips the newlines of an <input>'s value: block YAML there (the demo
    NPS's frequency) came back as one unparsable line and saving the form unchanged failed."""
    author = as_role("author")
    field = soup(author.get(EDITOR.format(key="nps")).get_data(as_text=True)).select_one(
        'input[name="frequency"]')
    assert field["value"] == "{every_days: 90, max: 2}"

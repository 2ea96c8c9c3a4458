"""The form and YAML editors as a browser drives them: fields in, drafts out, errors beside fields."""

from __future__ import annotations

import pytest

from guide.models import Guide
from guide.schemas.fields import SLUG_PATTERN
from guide.services import versions
from tests.authoring.forms_util import form_data, soup

EDITOR = "/admin/w/demo/guides/{key}"


def latest(db, key="getting-started"):
    guide = db.session.scalar(db.select(Guide).where(Guide.key == key))
    return versions.latest_version(guide)


def load(client, key="getting-started", locale="en"):
    html = client.get(EDITOR.format(key=key) + f"?locale={locale}").get_data(as_text=True)
    return form_data(html)


def save(client, data, key="getting-started", locale="en"):
    return client.client.post(EDITOR.format(key=key) + f"?locale={locale}", data=data)


@pytest.mark.parametrize("key", ["getting-started", "dashboard-tour", "pro-features"])
@pytest.mark.parametrize("locale", ["en", "fr", "de"])
def test_submitting_the_form_unchanged_saves_nothing(db, as_role, key, locale):
    """The form shows every field of the file: what it sends back is the same guide."""
    author = as_role("author")
    before = latest(db, key).number
    response = save(author, load(author, key, locale), key, locale)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert latest(db, key).number == before


def test_editing_one_locale_keeps_the_others(db, as_role):
    author = as_role("author")
    data = load(author, locale="fr")
    assert data["steps-0-title"] == "Faites connaissance"
    data["steps-0-title"] = "Bonjour !"
    assert save(author, data, locale="fr").status_code == 302
    version = latest(db)
    assert version.state == "draft" and version.author == "author@example.com"
    assert version.body["steps"][0]["title"] == {"en": "Say hello", "fr": "Bonjour !"}


def test_a_new_locale_turns_a_plain_string_into_translations(db, as_role):
    author = as_role("author")
    author.post("/admin/w/demo/guides/new", {"key": "plain", "kind": "checklist",
                                             "title": "Plain title"})
    data = load(author, "plain", "de")
    assert data["title"] == "" and data["steps-0-title"] == ""
    data["title"] = "Auf Deutsch"
    assert save(author, data, "plain", "de").status_code == 302
    body = latest(db, "plain").body
    assert body["title"] == {"en": "Plain title", "de": "Auf Deutsch"}
    assert body["steps"][0]["title"] == "First step"


def test_steps_can_be_added_removed_and_reordered(db, as_role):
    """What admin.js does: renumber the fields in their new order."""
    author = as_role("author")
    data = load(author)
    steps = [{k.split("-", 2)[2]: v for k, v in data.items() if k.startswith(f"steps-{i}-")}
             for i in range(int(data["step_count"]))]
    steps = [steps[1], steps[0], *steps[3:]]  # swap the first two, drop the third
    steps.append({"orig": "", "id": "brand-new", "title": "A new step", "body": "",
                  "complete_type": "event", "complete_value": "thing_done", "scope": "user"})
    data = {k: v for k, v in data.items() if not k.startswith("steps-")}
    for index, step in enumerate(steps):
        data.update({f"steps-{index}-{name}": value for name, value in step.items()})
    data["step_count"] = str(len(steps))
    assert save(author, data).status_code == 302
    body = latest(db).body
    assert [s["id"] for s in body["steps"]] == ["connect-data", "welcome", "invite-teammate",
                                                "create-dashboard", "brand-new"]
    assert body["steps"][1]["title"]["fr"] == "Faites connaissance"  # translations followed
    assert body["steps"][-1]["complete_when"] == {"event": "thing_done"}


def test_errors_are_shown_beside_their_fields_and_nothing_is_saved(db, as_role):
    author = as_role("author")
    before = latest(db).number
    data = load(author)
    data["steps-1-action_value"] = "javascript:alert(1)"
    data["steps-2-complete_type"], data["steps-2-complete_value"] = "url", "no-slash"
    data["audience"] = "{trait: plan, between: [1, 2]}"
    response = save(author, data)
    assert response.status_code == 400
    page = soup(response.get_data(as_text=True))
    steps = page.select("fieldset.step")
    assert "javascript" in steps[1].get_text() and "not allowed" in steps[1].get_text()
    assert "URL pattern" in steps[2].select_one(".error").get_text()
    audience = page.select_one('textarea[name="audience"]').find_parent("label")
    assert audience.select(".error")
    assert page.select_one('input[name="steps-1-action_value"]')["value"] == "javascript:alert(1)"
    assert latest(db).number == before


def test_tour_fields_round_trip_through_the_form(db, as_role):
    author = as_role("author")
    data = load(author, "dashboard-tour")
    data["steps-0-target"] = "[data-tour=kpis]"
    data["steps-0-placement"] = "left-start"
    data["steps-0-advance_type"] = "event"
    data["steps-0-advance_value"] = "kpi_opened"
    data["steps-0-wait_ms"] = "800"
    data["steps-0-buttons"] = "next, dismiss"
    assert save(author, data, "dashboard-tour").status_code == 302
    step = latest(db, "dashboard-tour").body["steps"][0]
    assert step["target"] == "[data-tour=kpis]" and step["placement"] == "left-start"
    assert step["advance_on"] == {"event": "kpi_opened"} and step["wait_ms"] == 800
    assert step["buttons"] == ["next", "dismiss"]


def test_a_tour_repeat_rule_round_trips_through_its_one_line_input(db, as_role):
    """``{every_days: N, max: M}`` shows in flow style: in block style the browser's
    one-line input dropped its newline, and the unchanged form failed to save."""
    author = as_role("author")
    data = load(author, "dashboard-tour")
    data["repeat"] = "{every_days: 7, max: 3}"
    assert save(author, data, "dashboard-tour").status_code == 302
    saved = latest(db, "dashboard-tour")
    assert saved.body["repeat"] == {"every_days": 7, "max": 3}
    again = load(author, "dashboard-tour")
    assert again["repeat"] == "{every_days: 7, max: 3}"
    assert save(author, again, "dashboard-tour").status_code == 302
    assert latest(db, "dashboard-tour").number == saved.number


def test_the_markdown_preview_is_sanitized_html(as_role):
    response = as_role("author").post("/admin/w/demo/markdown",
                                      {"text": "**bold** <script>alert(1)</script> [x](javascript:y)"})
    html = response.get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_the_yaml_editor_saves_drafts_and_reports_lines(db, as_role):
    author = as_role("author")
    page = soup(author.get(EDITOR.format(key="getting-started") + "/yaml").get_data(as_text=True))
    text = page.select_one("textarea[name=yaml]").text.lstrip("\n")
    bad = text.replace("  complete_when:\n    event: integration_connected",
                       "  complete_when:\n    evnt: integration_connected")
    assert bad != text
    response = author.post(EDITOR.format(key="getting-started") + "/yaml", {"yaml": bad})
    assert response.status_code == 400
    assert 'line' in response.get_data(as_text=True) and "evnt" in response.get_data(as_text=True)
    good = text.replace("Say hello", "Say hello there")
    assert author.post(EDITOR.format(key="getting-started") + "/yaml",
                       {"yaml": good}).status_code == 302
    assert latest(db).body["steps"][0]["title"]["en"] == "Say hello there"


def test_a_new_guide_starts_as_a_draft(db, as_role):
    author = as_role("author")
    response = author.post("/admin/w/demo/guides/new", {"key": "billing", "kind": "tour",
                                                         "title": "Billing tour"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/billing")
    version = latest(db, "billing")
    assert version.state == "draft" and version.body["kind"] == "tour"
    bad = author.post("/admin/w/demo/guides/new", {"key": "Bad Key", "title": "x"})
    assert bad.status_code == 400 and "slug" in bad.get_data(as_text=True)


def test_publish_from_the_editor_then_history_and_diff(db, as_role):
    publisher = as_role("publisher")
    data = load(publisher)
    data["steps-0-title"] = "Hello again"
    save(publisher, data)
    number = latest(db).number
    response = publisher.post(EDITOR.format(key="getting-started") + "/publish",
                              {"version": str(number)})
    assert response.status_code == 302
    assert latest(db).state == "published"
    history = publisher.get(EDITOR.format(key="getting-started") + "/versions")
    assert f'data-version="{number}"' in history.get_data(as_text=True)
    diff = publisher.get(EDITOR.format(key="getting-started") + f"/diff?a={number - 1}&b={number}")
    rows = soup(diff.get_data(as_text=True)).select("table.diff tr.add")
    assert any("Hello again" in row.get_text() for row in rows)


def test_guide_list_shows_status_and_last_editor(db, as_role):
    author = as_role("author")
    data = load(author)
    data["steps-0-title"] = "Changed"
    save(author, data)
    page = soup(author.get("/admin/w/demo/").get_data(as_text=True))
    row = page.select_one('tr[data-guide="getting-started"]').get_text(" ", strip=True)
    assert "unpublished changes" in row and "author@example.com" in row
    other = page.select_one('tr[data-guide="pro-features"]').get_text(" ", strip=True)
    assert "up to date" in other


def test_step_id_inputs_carry_the_one_slug_pattern(db, as_role):
    """The browser checks step ids with the schema's own pattern (schemas.fields.SLUG_PATTERN)."""
    html = as_role("author").client.get(EDITOR.format(key="getting-started")).get_data(
        as_text=True)
    inputs = [i for i in soup(html).select("input[pattern]") if i["name"].endswith("id")]
    assert inputs and {i["pattern"] for i in inputs} == {SLUG_PATTERN}

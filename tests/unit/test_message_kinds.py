"""Survey, announcement, hotspot and tooltip files (docs/SURVEYS.md): strict, per-kind fields,
file:line errors from ``content validate``, and push then pull as the identity."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from marshmallow import ValidationError

from guide.content.loader import load_content
from guide.content.pull import pull_content
from guide.content.push import push_content
from guide.schemas.content import GuideFileSchema
from guide.services.guides import guide_view
from tests.conftest import CONTENT_DIR
from tests.survey_content import FILES, write_files


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load(FILES[name])


def errors(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        GuideFileSchema().load(data)
    return info.value.messages_dict


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_kind_loads_in_the_authors_shape(name):
    data = load(name)
    body = GuideFileSchema().load(data)
    assert body == {"priority": 0, **data}


def test_a_question_must_fit_its_type():
    data = load("pulse.yaml")
    data["steps"][0]["options"] = [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    data["steps"][1]["scale"] = 11
    data["steps"][2]["options"] = [{"id": "a", "label": "A"}]
    data["steps"][3]["type"] = "essay"
    messages = errors(data)["steps"]
    assert messages[0] == {"options": ["A csat question has no options."]}
    assert "scale" in messages[1]
    assert messages[2] == {"options": ["A single question has 2 to 20 options."]}
    assert messages[3]["type"] == ["Must be one of: nps, csat, rating, single, multiple, text."]


def test_show_if_must_name_an_earlier_nps_question_and_a_band():
    data = load("nps.yaml")
    data["steps"][1]["show_if"] = {"question": "what-you-love", "band": "detractor"}
    data["steps"][2]["show_if"] = {"question": "score", "band": "fans"}
    messages = errors(data)["steps"]
    assert messages[1]["show_if"] == ["show_if names an nps question that comes before this one."]
    assert "band" in messages[2]["show_if"]


def test_fields_of_another_kind_are_errors():
    survey = load("nps.yaml") | {"style": "banner", "start": {"url": "/a"}}
    survey["steps"][0]["target"] = "#a"
    messages = errors(survey)
    assert messages["style"] == ["A survey has no style."]
    assert messages["start"] == ["A survey has no start."]
    assert messages["steps"][0]["target"] == ["A survey step has no target."]
    checklist = {"key": "c", "kind": "checklist", "title": "C", "frequency": "once",
                 "steps": [{"id": "a", "title": "A", "type": "nps", "cta": {"label": "x",
                                                                            "url": "/x"}}]}
    messages = errors(checklist)
    assert messages["frequency"] == ["Only surveys have frequency."]
    assert messages["steps"][0] == {"type": ["Only survey questions have type."],
                                    "cta": ["Only announcement steps have cta."]}


def test_a_banner_has_one_step_and_a_cta_one_target():
    data = load("new-reports.yaml")
    data["steps"].append({"id": "more", "title": "More"})
    data["steps"][0]["cta"] = {"label": "Go", "url": "/a", "guide": "g"}
    data["starts_at"] = "2026-01-01"
    messages = errors(data)
    assert messages["steps"]["_schema"] == ["A banner has one step; a modal 1 to 5 pages."]
    assert messages["steps"][0]["cta"] == {"_schema": ["A cta needs exactly one of url, guide "
                                                       "or help."]}
    assert "timezone" in messages["starts_at"][0]
    modal = load("new-reports.yaml") | {"style": "modal"}
    assert errors(modal)["position"] == ["Only banners have position."]


def test_a_hotspot_needs_a_target():
    data = load("export-button.yaml")
    del data["steps"][0]["target"]
    assert errors(data)["steps"][0]["target"] == [
        "A hotspot points at an element: give its CSS selector."]


def test_helpful_goes_on_checklist_and_tour_steps_only():
    checklist = {"key": "c", "kind": "checklist", "title": "C",
                 "steps": [{"id": "a", "title": "A", "helpful": True}]}
    assert GuideFileSchema().load(checklist)["steps"][0]["helpful"] is True
    plan = {**checklist, "kind": "plan"}
    assert errors(plan)["steps"][0]["helpful"] == ["Only checklist and tour steps have helpful."]


def test_the_widget_view_of_a_step_says_helpful_only_when_the_author_asked():
    body = {"key": "c", "kind": "checklist", "title": "C", "steps": [
        {"id": "a", "title": "A", "helpful": True, "complete_when": {"manual": True}},
        {"id": "b", "title": "B", "complete_when": {"manual": True}}]}
    version = SimpleNamespace(checksum="helpful-test", number=1, body=body)
    steps = guide_view(SimpleNamespace(default_locale="en"), version, "en")["steps"]
    assert [step.get("helpful") for step in steps] == [True, None]


def test_validate_reports_a_bad_answer_type_at_its_line(app, tmp_path):
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    write_files(content / "guides")
    path = content / "guides" / "nps.yaml"
    path.write_text(path.read_text().replace("    type: nps", "    type: nps\n    scale: 4"))
    result = app.test_cli_runner().invoke(args=["guide", "content", "validate", str(content)])
    assert result.exit_code == 1
    assert f"{path}:9: steps[0].scale: A nps question has no scale." in result.stderr, \
        result.stderr


def test_push_then_pull_is_the_identity(app, tmp_path):
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    write_files(content / "guides")
    assert load_content(content).ok
    push_content(content)
    assert pull_content(content).written == []
    out = tmp_path / "pulled"
    pull_content(out, "demo")
    for name in FILES:
        pulled = GuideFileSchema().load(yaml.safe_load((out / "guides" / name).read_text()))
        assert pulled == GuideFileSchema().load(load(name))
    assert not push_content(out).changed


TRIGGERS = """
  - key: detractors
    trigger: {survey_answered: nps, question: score, score: {lte: 6, gte: 0}}
    actions: [{task: {message: Call them}}]
  - key: unhelpful
    trigger: {article_unhelpful: "*"}
    actions: [{task: {message: Rewrite it}}]
"""


def test_survey_triggers_push_and_pull_unchanged(app, tmp_path):
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    write_files(content / "guides")
    with (content / "scenarios.yaml").open("a") as file:
        file.write(TRIGGERS)
    push_content(content)
    out = tmp_path / "pulled"
    pull_content(out, "demo")
    pulled = (out / "scenarios.yaml").read_text()
    assert "trigger:\n    survey_answered: nps\n    question: score\n    score:\n" \
           "      gte: 0\n      lte: 6\n" in pulled
    assert "trigger:\n    article_unhelpful: '*'\n  actions" in pulled  # count 3 left out
    assert not push_content(out).changed


def test_a_survey_trigger_must_name_a_survey_and_its_question(app, tmp_path):
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    write_files(content / "guides")
    with (content / "scenarios.yaml").open("a") as file:
        file.write(TRIGGERS.replace("survey_answered: nps, question: score",
                                    "survey_answered: getting-started, question: score")
                   + "  - key: typo\n    trigger: {survey_answered: nps, question: scor}\n"
                     "    actions: [{task: {message: x}}]\n")
    result = app.test_cli_runner().invoke(args=["guide", "content", "validate", str(content)])
    assert result.exit_code == 1
    assert '"getting-started" is a checklist, not a survey.' in result.stderr
    assert 'trigger.question: ' in result.stderr and '"scor"' in result.stderr, result.stderr

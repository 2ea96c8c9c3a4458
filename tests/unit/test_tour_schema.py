"""Tour files (docs/TOURS.md): strict fields, kind-specific fields, selectors checked."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from guide.schemas.content import GuideFileSchema


def tour(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": "dashboard-tour",
        "kind": "tour",
        "title": "Tour",
        "steps": [{"id": "kpis", "title": "Numbers", "target": "#kpis"}],
    }
    data.update(overrides)
    return data


def errors(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as info:
        GuideFileSchema().load(data)
    return info.value.messages_dict


def test_a_full_tour_loads_in_the_authors_shape():
    steps = [
        {"id": "a", "title": "A", "target": "main > .card:nth-of-type(2)", "placement": "bottom-start",
         "advance_on": "click", "page": "/app/**", "wait_ms": 2000, "on_missing": "center",
         "spotlight": False, "buttons": ["back", "next", "dismiss", "later"]},
        {"id": "b", "title": "B", "advance_on": {"url": "/app/reports"}},
        {"id": "c", "title": "C", "advance_on": {"event": "report_opened"}},
    ]
    body = GuideFileSchema().load(tour(start={"url": "/app/dashboard"}, repeat={"every_days": 7, "max": 3},
                                       snooze_days=2, on_missing="skip", spotlight=True, steps=steps))
    assert body["steps"] == steps
    assert body["start"] == {"url": "/app/dashboard"} and body["repeat"] == {"every_days": 7, "max": 3}
    assert "complete_when" not in body["steps"][0]  # checklist defaults are not added to tours


@pytest.mark.parametrize("selector", ["#kpis >", "div[", "a::", ""])
def test_invalid_css_selectors_are_caught_before_users_hit_them(selector):
    messages = errors(tour(steps=[{"id": "a", "title": "A", "target": selector}]))
    assert "target" in messages["steps"][0]


@pytest.mark.parametrize("field, value", [
    ("placement", "middle"), ("advance_on", "hover"), ("advance_on", {"url": "reports"}),
    ("advance_on", {"event": "bad name!"}), ("wait_ms", 60_000), ("wait_ms", "5s"),
    ("on_missing", "hide"), ("buttons", ["next", "explode"]), ("page", "reports"),
])
def test_bad_step_fields_are_rejected(field, value):
    messages = errors(tour(steps=[{"id": "a", "title": "A", "target": "#a", field: value}]))
    assert field in messages["steps"][0]


@pytest.mark.parametrize("field, value", [
    ("repeat", "twice"), ("repeat", {"every_days": 0}), ("repeat", {"every_days": 3, "x": 1}),
    ("start", {"url": "dashboard"}), ("snooze_days", -1), ("spotlight", "yes"),
])
def test_bad_tour_fields_are_rejected(field, value):
    assert field in errors(tour(**{field: value}))


def test_click_and_input_need_a_target():
    messages = errors(tour(steps=[{"id": "a", "title": "A", "advance_on": "click"}]))
    assert messages["steps"][0]["advance_on"] == ["advance_on: click needs a target to watch."]


def test_fields_must_fit_the_guide_kind():
    checklist = errors({"key": "c", "kind": "checklist", "title": "C", "start": {"url": "/x"},
                        "steps": [{"id": "a", "title": "A", "target": "#a", "wait_ms": 5}]})
    assert checklist["start"] == ["Only tours have start; remove it or use kind: tour."]
    assert set(checklist["steps"][0]) == {"target", "wait_ms"}
    tour_errors = errors(tour(steps=[{"id": "a", "title": "A", "complete_when": "manual",
                                      "action": {"label": "Go", "url": "/x"}}]))
    assert set(tour_errors["steps"][0]) == {"complete_when", "action"}


def test_checklist_steps_can_start_and_wait_for_a_tour():
    body = GuideFileSchema().load({
        "key": "c", "kind": "checklist", "title": "C",
        "steps": [{"id": "a", "title": "A", "action": {"label": "Take the tour", "tour": "dashboard-tour"},
                   "complete_when": {"tour": "dashboard-tour"}}],
    })
    assert body["steps"][0]["complete_when"] == {"tour": "dashboard-tour"}
    both = errors({"key": "c", "kind": "checklist", "title": "C",
                   "steps": [{"id": "a", "title": "A", "action": {"label": "x", "url": "/a", "tour": "t"}}]})
    assert both["steps"][0]["action"] == {"_schema": ["An action needs exactly one of url or tour."]}

"""``expected_days`` in lifecycle.yaml: the portfolio's deadlines (docs/CONTENT.md)."""

from __future__ import annotations

import pytest
import yaml
from marshmallow import ValidationError

from guide.content.loader import load_content
from guide.schemas.proactive import LifecycleFileSchema
from guide.schemas.yaml_form import lifecycle_yaml
from tests.conftest import CONTENT_DIR

DOC = {"milestones": [{"key": "connected", "when": {"event": "connected"}, "expected_days": 3}],
       "stages": [{"key": "trial"}, {"key": "active", "requires": ["connected"],
                                     "expected_days": 10}]}


def test_expected_days_load_and_are_written_back_after_when_and_requires():
    loaded = LifecycleFileSchema().load(DOC)
    assert loaded["milestones"][0]["expected_days"] == 3
    assert loaded["stages"][1]["expected_days"] == 10
    text = lifecycle_yaml(loaded)
    assert "    event: connected\n  expected_days: 3\n" in text
    assert "  - connected\n  expected_days: 10\n" in text
    assert LifecycleFileSchema().load(yaml.safe_load(text)) == loaded


@pytest.mark.parametrize(("doc", "where"), [
    ({**DOC, "milestones": [{**DOC["milestones"][0], "expected_days": 0}]}, "milestones"),
    ({**DOC, "milestones": [{**DOC["milestones"][0], "expected_days": "3"}]}, "milestones"),
    ({**DOC, "milestones": [{**DOC["milestones"][0], "expected_days": 3651}]}, "milestones"),
    ({**DOC, "stages": [{"key": "trial", "expected_days": 2}, DOC["stages"][1]]}, "stages"),
])
def test_bad_expected_days_are_refused(doc, where):
    with pytest.raises(ValidationError) as raised:
        LifecycleFileSchema().load(doc)
    assert where in raised.value.messages


def test_the_demo_lifecycle_has_deadlines():
    content = load_content(CONTENT_DIR)
    assert content.ok
    days = {m["key"]: m.get("expected_days") for m in content.lifecycle["milestones"]}
    assert days == {"data_connected": 3, "first_dashboard": 7, "team_invited": 14,
                    "power_user": 45, "paying": None, "activated": None}
    assert content.lifecycle["stages"][-1]["expected_days"] == 30

"""lifecycle.yaml, scenarios.yaml and plan guides: validation, references, push and pull."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from guide.content.loader import load_content
from guide.content.pull import pull_content
from guide.content.push import ContentInvalid, push_content
from guide.models import Scenario, Workspace
from tests.conftest import CONTENT_DIR

TASK = "[{task: {message: x}}]"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the repository's content/ that a test may edit."""
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))


def errors_of(directory: Path) -> list[str]:
    return [str(error) for error in load_content(directory).errors]


def scenarios_file(*scenarios: tuple[str, str]) -> str:
    """One scenario per (trigger, actions), four lines each: scenario i's trigger is on
    line 3 + 4i and its first action on line 5 + 4i."""
    lines = ["scenarios:"]
    for index, (trigger, actions) in enumerate(scenarios):
        lines += [f"  - key: s{index}", f"    trigger: {trigger}", "    actions:",
                  f"      - {actions}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def test_every_demo_milestone_has_a_title_in_english_and_french() -> None:
    """The analytics pages name milestones by title (the key only when there is none)."""
    content = load_content(CONTENT_DIR)
    assert content.lifecycle is not None
    declared = {m["key"]: m.get("title") for m in content.lifecycle["milestones"]}
    named = {key for stage in content.lifecycle["stages"] for key in stage["requires"]}
    named |= {g.body["milestone"] for g in content.guides if "milestone" in g.body}
    assert named <= set(declared), named - set(declared)
    assert all(isinstance(title, dict) and title.get("en") and title.get("fr")
               for title in declared.values()), declared
    assert declared["activated"] == {"en": "Finished getting started",
                                     "fr": "Prise en main terminée"}


def test_the_demo_lifecycle_scenarios_and_plan_load() -> None:
    content = load_content(CONTENT_DIR)
    assert content.ok, [str(e) for e in content.errors]
    assert content.lifecycle is not None and content.scenarios is not None
    assert [s["key"] for s in content.lifecycle["stages"]] == [
        "signed_up", "set_up", "activated", "adopted"]
    by_key = {s["key"]: s for s in content.scenarios["scenarios"]}
    assert by_key["import-trouble"]["trigger"] == {
        "event_repeated": "import_failed", "count": 2, "within_minutes": 10}
    nudge = by_key["import-trouble"]["actions"][0]["nudge"]
    assert (nudge["guide"], nudge["step"], set(nudge["message"])) == (
        "getting-started", "connect-data", {"en", "fr"})
    plan = next(g.body for g in content.guides if g.body["kind"] == "plan")
    assert [s["owner"] for s in plan["steps"]] == [
        "vendor", "customer", "vendor", "customer", "customer"]
    assert all(s["scope"] == "account" and "due_days" in s for s in plan["steps"])


def test_lifecycle_references_are_checked_line_by_line(content_dir: Path) -> None:
    (content_dir / "scenarios.yaml").unlink()
    path = content_dir / "lifecycle.yaml"
    path.write_text(
        "milestones:\n"
        "  - key: a\n"
        "    when: {guide: nope}\n"
        "  - key: b\n"
        "    when: {step: getting-started/nope}\n"
        "  - key: c\n"
        "    when: {step: nope/x}\n"
        "stages:\n"
        "  - key: start\n"
        "  - key: next\n"
        "    requires: [a, activated, zzz]\n"
    )
    assert errors_of(content_dir) == [
        f'{path}:3: milestones[0].when.guide: No guide "nope" in this directory.',
        f'{path}:5: milestones[1].when.step: No step "nope" in guide "getting-started".',
        f'{path}:7: milestones[2].when.step: No guide "nope" in this directory.',
        f'{path}:11: stages[1].requires[2]: No milestone "zzz": declare it under milestones, '
        "or as a guide's milestone: field.",
    ]


def test_scenario_references_are_checked_line_by_line(content_dir: Path) -> None:
    path = content_dir / "scenarios.yaml"
    path.write_text(scenarios_file(
        ("{milestone_missing: nope, days: 2}", TASK[1:-1]),
        ("{milestone_missing: data_connected, days: 2, after_stage: nope}", TASK[1:-1]),
        ("{guide_stalled: nope, days: 3}", TASK[1:-1]),
        ("{target_missing: getting-started}", TASK[1:-1]),
        ("{target_missing: nope}", TASK[1:-1]),
        ("{plan_overdue: getting-started}", TASK[1:-1]),
        ("{plan_overdue: nope}", TASK[1:-1]),
        ("{help_repeated: true}", "nudge: {message: Hi, guide: nope}"),
        ("{help_repeated: true}", "nudge: {message: Hi, guide: getting-started, step: nope}"),
        ('{target_missing: "*"}', "nudge: {message: Hi, guide: dashboard-tour, step: kpis}"),
        ('{plan_overdue: "*", owner: vendor}', "nudge: {message: Hi, guide: onboarding-plan}"),
        ("{milestone_missing: activated, days: 1, after_stage: set_up}", TASK[1:-1]),
    ))
    assert errors_of(content_dir) == [
        f'{path}:3: scenarios[0].trigger.milestone_missing: No milestone "nope" in '
        "lifecycle.yaml or in a guide's milestone: field.",
        f'{path}:7: scenarios[1].trigger.after_stage: No stage "nope" in lifecycle.yaml.',
        f'{path}:11: scenarios[2].trigger.guide_stalled: No guide "nope" in this directory.',
        f'{path}:15: scenarios[3].trigger.target_missing: "getting-started" is a checklist, '
        "not a tour.",
        f'{path}:19: scenarios[4].trigger.target_missing: No tour "nope" in this directory.',
        f'{path}:23: scenarios[5].trigger.plan_overdue: "getting-started" is a checklist, '
        "not a plan.",
        f'{path}:27: scenarios[6].trigger.plan_overdue: No plan "nope" in this directory.',
        f'{path}:33: scenarios[7].actions[0].nudge.guide: No guide "nope" in this directory.',
        f'{path}:37: scenarios[8].actions[0].nudge.step: No step "nope" in guide '
        '"getting-started".',
    ]


def test_lifecycle_triggers_without_lifecycle_yaml(content_dir: Path) -> None:
    """A guide's milestone: is still a milestone; a stage needs lifecycle.yaml."""
    (content_dir / "lifecycle.yaml").unlink()
    path = content_dir / "scenarios.yaml"
    path.write_text(scenarios_file(
        ("{milestone_missing: activated, days: 2}", TASK[1:-1]),
        ("{milestone_missing: data_connected, days: 2}", TASK[1:-1]),
        ("{milestone_missing: activated, days: 2, after_stage: set_up}", TASK[1:-1]),
    ))
    assert errors_of(content_dir) == [
        f'{path}:7: scenarios[1].trigger.milestone_missing: No milestone "data_connected": '
        "there is no lifecycle.yaml and no guide has milestone: data_connected.",
        f'{path}:11: scenarios[2].trigger.after_stage: No stage "set_up": stages are declared '
        "in lifecycle.yaml, which is missing.",
    ]


def test_a_vendor_plan_step_cannot_complete_on_a_url(content_dir: Path) -> None:
    path = content_dir / "guides" / "onboarding-plan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    assignee: Your success manager\n    due_days: 3\n",
                                 "    assignee: Your success manager\n    due_days: 3\n"
                                 "    complete_when: {url: /demo/calls}\n"), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index(
        "    complete_when: {url: /demo/calls}") + 1
    assert errors_of(content_dir) == [
        f"{path}:{line}: steps[0].complete_when: A vendor step is done by your team, not by a "
        "page the customer visits: use manual (ticked in the admin or the API) or "
        "{event: NAME} sent from your backend."]  # and no second error from scenarios.yaml


BAD_RULES = scenarios_file(
    ("{user_sad: true, days: 2}", TASK[1:-1]),
    ("{inactive: true, guide_stalled: getting-started, days: 2}", TASK[1:-1]),
    ("{inactive: true}", TASK[1:-1]),
    ("{help_repeated: true}", 'call: {phone: "555"}'),
)


def test_validate_refuses_bad_rules_with_file_line_messages(app: Flask, content_dir: Path) -> None:
    path = content_dir / "scenarios.yaml"
    path.write_text(BAD_RULES)
    result = app.test_cli_runner().invoke(args=["guide", "content", "validate", str(content_dir)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'{path}:3: scenarios[0].trigger: Unknown field "user_sad".',
        f"{path}:7: scenarios[1].trigger: A trigger needs exactly one of: milestone_missing, "
        "guide_stalled, inactive, event_repeated, help_repeated, target_missing, plan_overdue, "
        "survey_answered, article_unhelpful (found guide_stalled, inactive).",
        f"{path}:11: scenarios[2].trigger.days: inactive needs days.",
        f'{path}:17: scenarios[3].actions[0]: Unknown field "call".',
        "4 errors",
    ]


def scenario_rows(db: Any) -> list[tuple[str, int, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(Scenario).order_by(Scenario.key))
    return [(row.key, row.position, row.configured) for row in rows]


def test_push_creates_scenarios_and_the_lifecycle_then_writes_nothing(db: Any,
                                                                       content_dir: Path) -> None:
    report = push_content(content_dir)
    assert "lifecycle: created" in report.lines()
    assert "scenario import-trouble: created" in report.lines()
    workspace = db.session.scalars(db.select(Workspace)).one()
    assert workspace.lifecycle["stages"][1] == {
        "key": "set_up", "title": {"en": "Set up", "fr": "Configuré"},
        "requires": ["data_connected"]}
    assert workspace.scenario_settings == {"max_nudges_per_day": 3, "sweep_seconds": 30}
    rows = scenario_rows(db)
    assert len(rows) == 8 and all(configured for _, _, configured in rows)
    assert ("import-trouble", 0, True) in rows and ("plan-overdue", 6, True) in rows
    stamp = db.session.scalars(db.select(Scenario.updated_at)).first()
    again = push_content(content_dir)
    assert not again.changed and again.lines()[-1] == "unchanged"
    assert {p.status for p in again.proactive} == {"unchanged"}
    assert db.session.scalars(db.select(Scenario.updated_at)).first() == stamp


def test_push_updates_removes_and_restores_scenarios(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    path = content_dir / "scenarios.yaml"
    original = path.read_text(encoding="utf-8")
    start = original.index("  - key: help-loop")
    end = original.index("  - key: tour-broken")
    edited = original[:start] + original[end:]
    path.write_text(edited.replace("max_nudges_per_day: 3", "max_nudges_per_day: 5")
                    .replace("days: 7}", "days: 14}"), encoding="utf-8")
    report = push_content(content_dir)
    lines = report.lines()
    assert "scenario settings: updated" in lines
    assert "scenario inactive-week: updated" in lines
    assert "scenario help-loop: removed" in lines
    assert "scenario tour-broken: updated" in lines  # moved up one place
    assert "scenario import-trouble: unchanged" in lines
    assert ("help-loop", 4, False) in scenario_rows(db)
    row = db.session.scalars(db.select(Scenario).where(Scenario.key == "inactive-week")).one()
    assert row.body["trigger"] == {"inactive": True, "days": 14}
    assert "scenario help-loop" not in " ".join(push_content(content_dir).lines())
    path.write_text(original, encoding="utf-8")
    lines = push_content(content_dir).lines()
    assert "scenario help-loop: restored" in lines
    assert ("help-loop", 4, True) in scenario_rows(db)


def test_missing_files_leave_the_database_as_it_is(db: Any, content_dir: Path) -> None:
    push_content(content_dir)
    (content_dir / "lifecycle.yaml").unlink()
    (content_dir / "scenarios.yaml").unlink()
    report = push_content(content_dir)
    assert "lifecycle: no lifecycle.yaml (left as is)" in report.lines()
    assert "scenarios: no scenarios.yaml (left as is)" in report.lines()
    assert not report.changed
    assert db.session.scalars(db.select(Workspace)).one().lifecycle is not None
    assert len([r for r in scenario_rows(db) if r[2]]) == 8


def test_invalid_scenarios_write_nothing(db: Any, content_dir: Path) -> None:
    (content_dir / "scenarios.yaml").write_text(BAD_RULES)
    with pytest.raises(ContentInvalid):
        push_content(content_dir)
    assert db.session.scalars(db.select(Workspace)).all() == []


def test_pull_writes_configured_scenarios_and_round_trips(db: Any, content_dir: Path,
                                                         tmp_path: Path) -> None:
    push_content(content_dir)
    scenarios = content_dir / "scenarios.yaml"
    text = scenarios.read_text(encoding="utf-8")
    scenarios.write_text(text[:text.index("  - key: help-loop")], encoding="utf-8")
    push_content(content_dir)
    out = tmp_path / "pulled"
    report = pull_content(out, "demo")
    assert {"lifecycle.yaml", "scenarios.yaml", "guides/onboarding-plan.yaml"} <= set(
        report.written)
    pulled = load_content(out)
    assert pulled.ok, [str(e) for e in pulled.errors]
    assert [s["key"] for s in pulled.scenarios["scenarios"]] == [
        "import-trouble", "connect-data-reminder", "getting-started-stalled", "inactive-week"]
    plan = (out / "guides" / "onboarding-plan.yaml").read_text(encoding="utf-8")
    assert "owner: vendor" in plan and "owner: customer" not in plan
    assert "scope:" not in plan and "manual" not in plan
    assert not push_content(out).changed
    assert pull_content(out).written == []
    # The hand-written files load to what the server has: left byte for byte.
    assert pull_content(content_dir).written == []


def test_webhooks_may_subscribe_to_proactive_events_but_not_by_default() -> None:
    from marshmallow import ValidationError

    from guide.schemas.support import SupportSchema

    hooks = SupportSchema().load({"webhooks": [
        {"url": "https://a.example/h", "events": ["scenario.fired", "milestone.reached",
                                                 "lifecycle.stage_changed"]},
        {"url": "https://b.example/h"}]})["webhooks"]
    assert hooks[1]["events"] == ["escalation.created", "escalation.updated"]
    with pytest.raises(ValidationError):  # support emails are written for escalations only
        SupportSchema().load({"email": {"to": ["a@b.io"], "events": ["scenario.fired"]}})


def scenarios_with(*scenarios: tuple[str, str]) -> str:
    """One scenario per (extra line, trigger), five lines each: scenario i's extra line is
    on line 4 + 5i."""
    lines = ["scenarios:"]
    for index, (extra, trigger) in enumerate(scenarios):
        lines += [f"  - key: s{index}", f"    trigger: {trigger}", f"    {extra}",
                  "    actions:", "      - {task: {message: x}}"]
    return "\n".join(lines) + "\n"


def test_holdout_and_goal_are_validated_line_by_line(content_dir: Path) -> None:
    path = content_dir / "scenarios.yaml"
    path.write_text(scenarios_with(
        ("holdout: 60%", "{milestone_missing: data_connected, days: 2}"),
        ("holdout: ten", "{milestone_missing: data_connected, days: 2}"),
        ("holdout: 10", "{milestone_missing: data_connected, days: 2}"),
        ("holdout: 10%", "{help_repeated: true}"),
        ("goal: {guide: g, event: e}", "{help_repeated: true}"),
        ("goal_days: 0", "{guide_stalled: getting-started, days: 3}"),
    ))
    assert errors_of(content_dir) == [
        f"{path}:4: scenarios[0].holdout: At most 50%: a holdout larger than the treated group "
        "only delays the action for most subjects.",
        f'{path}:9: scenarios[1].holdout: Must be a percentage such as "10%" (0% to 50%).',
        f'{path}:14: scenarios[2].holdout: Must be a percentage such as "10%" (0% to 50%).',
        f"{path}:19: scenarios[3].holdout: A holdout measures the lift on a goal, and this "
        "trigger has none of its own: add goal: {milestone|guide|step|event: ...}.",
        f"{path}:24: scenarios[4].goal: A goal needs exactly one of: milestone, guide, step, "
        "event (found guide, event).",
        f"{path}:29: scenarios[5].goal_days: Must be greater than or equal to 1 and less than "
        "or equal to 365.",
    ]


def test_goal_references_are_checked_line_by_line(content_dir: Path) -> None:
    path = content_dir / "scenarios.yaml"
    path.write_text(scenarios_with(
        ("goal: {milestone: nope}", "{help_repeated: true}"),
        ("goal: {step: getting-started/connect-data}", "{help_repeated: true}"),
        ("goal: {step: onboarding-plan/nope}", "{help_repeated: true}"),
        # Fine: an explicit goal on a trigger without one, a plan step, a decimal share.
        ("goal: {event: exported}", '{target_missing: "*"}'),
        ("goal: {step: onboarding-plan/kickoff-call}", "{help_repeated: true}"),
        ("holdout: 2.5%", "{guide_stalled: getting-started, days: 3}"),
    ))
    assert errors_of(content_dir) == [
        f'{path}:4: scenarios[0].goal.milestone: No milestone "nope" in lifecycle.yaml or in '
        "a guide's milestone: field.",
        f'{path}:9: scenarios[1].goal.step: "getting-started" is a checklist, not a plan. A '
        "step goal names a plan step (they record when they were done); for another step "
        "declare a milestone with when: {step: getting-started/connect-data} in lifecycle.yaml "
        "and use goal: {milestone: ...}.",
        f'{path}:14: scenarios[2].goal.step: No step "nope" in guide "onboarding-plan".',
    ]


def test_holdout_and_goal_round_trip(db: Any, content_dir: Path, tmp_path: Path) -> None:
    path = content_dir / "scenarios.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "    trigger: {inactive: true, days: 7}\n",
        "    trigger: {inactive: true, days: 7}\n    goal: {event: report_viewed}\n"
        "    goal_days: 14\n    holdout: 2.5%\n"), encoding="utf-8")
    push_content(content_dir)
    body = db.session.scalars(db.select(Scenario.body).where(Scenario.key == "inactive-week")).one()
    assert (body["goal"], body["goal_days"], body["holdout"]) == (
        {"event": "report_viewed"}, 14, 2.5)
    stalled = db.session.scalars(db.select(Scenario.body)
                                 .where(Scenario.key == "getting-started-stalled")).one()
    assert stalled["holdout"] == 10
    out = tmp_path / "pulled"
    pull_content(out, "demo")
    pulled = (out / "scenarios.yaml").read_text(encoding="utf-8")
    assert "\n  holdout: 2.5%\n" in pulled and "\n  holdout: 10%\n" in pulled
    assert "\n  goal:\n    event: report_viewed\n  goal_days: 14\n" in pulled
    assert not push_content(out).changed

"""Load ``lifecycle.yaml`` and ``scenarios.yaml`` and check their references (docs/PROACTIVE.md).

Both files are optional. Each is validated on its own by its schema; the
references between files (a stage requiring a milestone, a scenario naming a
guide, a step or a stage) are checked here, where the whole directory is
known, and reported as ``file:line: path: message`` like every other error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guide.content.files import ContentError, display_name, format_path, load_file
from guide.content.yamlfile import YamlDocument
from guide.schemas.proactive import LifecycleFileSchema, ScenariosFileSchema

if TYPE_CHECKING:
    from guide.content.loader import Content

LIFECYCLE_FILE = "lifecycle.yaml"
SCENARIOS_FILE = "scenarios.yaml"


@dataclass
class _Check:
    """What references may name, and where to report the ones that name nothing."""

    guides: dict[str, dict[str, Any]]
    invalid_guides: set[str]
    lifecycle: dict[str, Any] | None
    guide_milestones: set[str]
    errors: list[ContentError]

    @property
    def milestones(self) -> set[str]:
        declared = {m["key"] for m in (self.lifecycle or {}).get("milestones", [])}
        return declared | self.guide_milestones

    @property
    def stages(self) -> set[str]:
        return {s["key"] for s in (self.lifecycle or {}).get("stages", [])}

    def report(self, source: tuple[str, YamlDocument], path: tuple[Any, ...], message: str) -> None:
        file, document = source
        self.errors.append(ContentError(file, document.line_of(path),
                                        f"{format_path(path)}: {message}"))

    def guide(self, key: str, kind: str | None = None) -> str | None:
        """Why ``key`` is not a guide (of ``kind``) in the directory, or None if it is.

        A guide whose file has errors is not checked: its own errors say what to fix.
        """
        body = self.guides.get(key)
        if key in self.invalid_guides:
            return None
        if body is None:
            return f'No {kind or "guide"} "{key}" in this directory.'
        if kind is not None and body["kind"] != kind:
            return f'"{key}" is a {body["kind"]}, not a {kind}.'
        return None

    def step(self, guide_key: str, step_id: str) -> str | None:
        missing = self.guide(guide_key)
        if missing or guide_key in self.invalid_guides:
            return missing
        if step_id not in {s["id"] for s in self.guides[guide_key]["steps"]}:
            return f'No step "{step_id}" in guide "{guide_key}".'
        return None

    def milestone(self, key: str) -> str | None:
        if key in self.milestones:
            return None
        if self.lifecycle is None:
            return (f'No milestone "{key}": there is no {LIFECYCLE_FILE} and no guide has '
                    f"milestone: {key}.")  # fmt: skip
        return f'No milestone "{key}" in {LIFECYCLE_FILE} or in a guide\'s milestone: field.'

    def stage(self, key: str) -> str | None:
        if self.lifecycle is None:
            return f'No stage "{key}": stages are declared in {LIFECYCLE_FILE}, which is missing.'
        return None if key in self.stages else f'No stage "{key}" in {LIFECYCLE_FILE}.'


def load_proactive(directory: Path, content: Content) -> None:
    """Load the two optional files into ``content`` and check every reference they make."""
    for name, schema, attribute in ((LIFECYCLE_FILE, LifecycleFileSchema(), "lifecycle"),
                                    (SCENARIOS_FILE, ScenariosFileSchema(), "scenarios")):
        path = directory / name
        if not path.is_file():
            continue
        data, document, errors = load_file(path, schema)
        content.errors.extend(errors)
        setattr(content, attribute, data)
        if data is not None and document is not None:
            content.sources[attribute] = (display_name(path), document)
    check = _Check(
        guides={g.body["key"]: g.body for g in content.guides},
        invalid_guides=content.invalid_guides,
        lifecycle=content.lifecycle,
        guide_milestones={g.body["milestone"] for g in content.guides if "milestone" in g.body},
        errors=content.errors,
    )
    if content.lifecycle is not None:
        _check_lifecycle(content.lifecycle, content.sources["lifecycle"], check)
    if content.scenarios is not None:
        _check_scenarios(content.scenarios, content.sources["scenarios"], check)


def _check_lifecycle(data: dict[str, Any], source: tuple[str, YamlDocument], check: _Check) -> None:
    for index, milestone in enumerate(data["milestones"]):
        when, path = milestone["when"], ("milestones", index, "when")
        if "guide" in when and (problem := check.guide(when["guide"])):
            check.report(source, (*path, "guide"), problem)
        if "step" in when and (problem := check.step(*when["step"].split("/", 1))):
            check.report(source, (*path, "step"), problem)
    for index, stage in enumerate(data["stages"]):
        for position, key in enumerate(stage["requires"]):
            if key not in check.milestones:
                message = (f'No milestone "{key}": declare it under milestones, or as a '
                           "guide's milestone: field.")  # fmt: skip
                check.report(source, ("stages", index, "requires", position), message)


def _trigger_problems(trigger: dict[str, Any], check: _Check) -> dict[str, str | None]:
    """Field -> why its reference is unknown, for the trigger's references."""
    problems: dict[str, str | None] = {}
    if "milestone_missing" in trigger:
        problems["milestone_missing"] = check.milestone(trigger["milestone_missing"])
    if "after_stage" in trigger:
        problems["after_stage"] = check.stage(trigger["after_stage"])
    if "guide_stalled" in trigger:
        problems["guide_stalled"] = check.guide(trigger["guide_stalled"])
    if trigger.get("target_missing", "*") != "*":
        problems["target_missing"] = check.guide(trigger["target_missing"], "tour")
    if trigger.get("plan_overdue", "*") != "*":
        problems["plan_overdue"] = check.guide(trigger["plan_overdue"], "plan")
    if trigger.get("survey_answered", "*") != "*":
        problems["survey_answered"] = check.guide(trigger["survey_answered"], "survey")
        if "question" in trigger and not problems["survey_answered"]:
            problems["question"] = check.step(trigger["survey_answered"], trigger["question"])
    return problems


def _goal_problem(goal: dict[str, Any], check: _Check) -> str | None:
    """Why an explicit goal names nothing measurable (an event goal names any event)."""
    if "milestone" in goal:
        return check.milestone(goal["milestone"])
    if "guide" in goal:
        return check.guide(goal["guide"])
    if "step" in goal:
        guide_key, step_id = goal["step"].split("/", 1)
        problem = check.guide(guide_key, "plan")
        if problem and problem.endswith("not a plan."):
            return (f"{problem} A step goal names a plan step (they record when they were "
                    f"done); for another step declare a milestone with when: {{step: "
                    f"{goal['step']}}} in {LIFECYCLE_FILE} and use goal: {{milestone: ...}}.")
        return problem or check.step(guide_key, step_id)
    return None


def _check_scenarios(data: dict[str, Any], source: tuple[str, YamlDocument], check: _Check) -> None:
    for index, scenario in enumerate(data["scenarios"]):
        path = ("scenarios", index)
        for name, problem in _trigger_problems(scenario["trigger"], check).items():
            if problem:
                check.report(source, (*path, "trigger", name), problem)
        if "goal" in scenario and (problem := _goal_problem(scenario["goal"], check)):
            check.report(source, (*path, "goal", next(iter(scenario["goal"]))), problem)
        for position, action in enumerate(scenario["actions"]):
            nudge = action.get("nudge")
            if not nudge or "guide" not in nudge:
                continue
            where = (*path, "actions", position, "nudge")
            if "step" in nudge:
                problem = check.step(nudge["guide"], nudge["step"])
                field = "guide" if problem and problem.startswith("No guide") else "step"
                if problem:
                    check.report(source, (*where, field), problem)
            elif problem := check.guide(nudge["guide"]):
                check.report(source, (*where, "guide"), problem)

"""``flask guide content pull``: push then pull, and pull then push, change nothing."""

from __future__ import annotations

import filecmp
import itertools
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guide.content.loader import load_content
from guide.content.pull import pull_content
from guide.content.push import push_content
from guide.schemas import yaml_form
from guide.schemas.content import GuideFileSchema
from guide.schemas.proactive import LifecycleFileSchema, ScenariosFileSchema
from tests.conftest import CONTENT_DIR


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_pulling_into_the_pushed_files_leaves_them_byte_for_byte(app, tmp_path):
    """Comments, quoting and key order of hand-written files survive (nothing is rewritten)."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    push_content(copy)
    report = pull_content(copy)
    assert report.written == []
    assert tree(copy) == tree(CONTENT_DIR)


def test_a_pull_into_an_empty_directory_pushes_back_as_unchanged(app, tmp_path):
    push_content(CONTENT_DIR)
    out = tmp_path / "pulled"
    report = pull_content(out, "demo")
    assert sorted(report.written) == sorted(tree(CONTENT_DIR))
    assert load_content(out).ok
    assert not push_content(out).changed
    again = pull_content(out)
    assert again.written == [] and again.lines()[-1] == "unchanged"


def test_pull_writes_only_what_changed_and_leaves_unknown_files_alone(app, tmp_path, workspace,
                                                                     as_role):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    (copy / "guides" / "local-only.yaml").write_text(
        "key: local-only\nkind: checklist\ntitle: Local\nsteps: [{id: a, title: A}]\n")
    admin = as_role("publisher")
    from tests.authoring.forms_util import form_data

    html = admin.get("/admin/w/demo/guides/getting-started").get_data(as_text=True)
    data = form_data(html)
    data["steps-0-title"] = "Edited in the admin"
    assert admin.client.post("/admin/w/demo/guides/getting-started", data=data).status_code == 302
    report = pull_content(copy, drafts=True)
    assert report.written == ["guides/getting-started.yaml"]
    assert ("guides/local-only.yaml", "left alone") in report.files
    assert "Edited in the admin" in (copy / "guides" / "getting-started.yaml").read_text()
    # What is live did not change, so a pull of published content rewrites it back.
    assert pull_content(copy).written == ["guides/getting-started.yaml"]
    assert filecmp.cmp(copy / "guides/getting-started.yaml",
                       CONTENT_DIR / "guides/getting-started.yaml", shallow=False) is False


def test_the_cli_pulls_and_reports(app, runner, tmp_path):
    push_content(CONTENT_DIR)
    result = runner.invoke(args=["guide", "content", "pull", str(tmp_path / "x"),
                                 "--workspace", "demo"])
    assert result.exit_code == 0, result.output
    assert "guides/getting-started.yaml: written" in result.output
    result = runner.invoke(args=["guide", "content", "pull", str(tmp_path / "y"),
                                 "--workspace", "nope"])
    assert result.exit_code == 1 and 'No workspace "nope"' in result.output


# ---- the property: any valid directory survives push -> pull -> push ----

LOCALES = ["en", "fr", "de", "no", "fr-CA", "pt-BR"]
TRICKY = ["yes", "no", "3.10", "null", "2025-01-31", "- item", "a: b", "#hash", "'quoted'",
          '"double"', "  leading spaces", "trailing  ", "tab\there", "ünïcødé ✓", "line\nbreak",
          "two\n\nparagraphs\n", "ends with newline\n", "{flow}", "[list]", "*star", "&amp"]
text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
            | st.sampled_from("\n :#-'\"|>"), min_size=1, max_size=30),
).filter(lambda s: s.strip())
localized = st.one_of(text, st.dictionaries(st.sampled_from(LOCALES), text, min_size=1,
                                            max_size=3))
slugs = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True)
audiences = st.sampled_from([
    {"trait": "plan", "in": ["trial", "pro"]},
    {"all": [{"trait": "seats", "gte": 2.5}, {"url": "/app/**"}]},
    {"any": [{"not": {"trait": "beta", "eq": True}}, {"trait": "signed_up_at", "after": "-14d"}]},
    {"trait": "name", "exists": False},
])


@st.composite
def guide_docs(draw):
    kind = draw(st.sampled_from(["checklist", "tour", "plan"]))
    ids = draw(st.lists(slugs, min_size=1, max_size=4, unique=True))
    steps = []
    for step_id in ids:
        step = {"id": step_id, "title": draw(localized)}
        if draw(st.booleans()):
            step["body"] = draw(localized)
        if kind == "checklist":
            if draw(st.booleans()):
                step["action"] = {"label": draw(localized),
                                  "url": draw(st.sampled_from(["/settings", "https://x.io/a?b=1",
                                                               "mailto:a@b.c"]))}
            step["complete_when"] = draw(st.sampled_from(
                ["manual", {"manual": True}, {"event": "done it"}, {"url": "/a/**"}]))
            if draw(st.booleans()):
                step["scope"] = draw(st.sampled_from(["user", "account"]))
        elif kind == "plan":
            step.update(draw(plan_step_fields()))
        else:
            if draw(st.booleans()):
                step["target"] = draw(st.sampled_from(["#kpis", "[data-tour='x y']",
                                                       ".a > .b:nth-child(2)"]))
                step["placement"] = draw(st.sampled_from(["auto", "bottom-start", "left"]))
                step["advance_on"] = draw(st.sampled_from(["next", "click", {"url": "/r/*"},
                                                           {"event": "opened"}]))
            if draw(st.booleans()):
                step["wait_ms"] = draw(st.integers(0, 30_000))
        steps.append(step)
    doc = {"key": draw(slugs), "kind": kind, "title": draw(localized), "steps": steps}
    if draw(st.booleans()):
        doc["priority"] = draw(st.integers(-100, 100))
    if draw(st.booleans()):
        doc["audience"] = draw(audiences)
    if kind == "tour" and draw(st.booleans()):
        doc["repeat"] = draw(st.sampled_from(["always", {"every_days": 7, "max": 3}]))
    return doc


@st.composite
def plan_step_fields(draw):
    owner = draw(st.sampled_from([None, "customer", "vendor"]))
    rules = ["manual", {"event": "kickoff_done"}] + ([{"url": "/a/**"}] if owner != "vendor" else [])
    fields = {"owner": owner, "assignee": draw(st.one_of(st.none(), text.map(str.strip))),
              "due_days": draw(st.one_of(st.none(), st.integers(0, 90))),
              "complete_when": draw(st.one_of(st.none(), st.sampled_from(rules))),
              "scope": draw(st.sampled_from([None, "account"]))}
    return {key: value for key, value in fields.items() if value not in (None, "")}


@st.composite
def lifecycle_docs(draw, docs):
    """Milestones reached by events, traits, or the generated guides and steps; stages
    requiring some of them (the first none)."""
    whens = [{"event": "opened"}, {"event": "exported", "count": 5},
             {"traits": {"trait": "plan", "in": ["pro"]}}]
    whens += [{"guide": d["key"]} for d in docs]
    whens += [{"step": f"{d['key']}/{s['id']}"} for d in docs for s in d["steps"]]
    keys = draw(st.lists(slugs, max_size=4, unique=True))
    milestones = [{"key": key, "when": draw(st.sampled_from(whens))} for key in keys]
    for milestone in milestones:
        if draw(st.booleans()):
            milestone["title"] = draw(localized)
        if draw(st.booleans()):
            milestone["expected_days"] = draw(st.integers(1, 3650))
    stages = [{"key": key} for key in draw(st.lists(slugs, min_size=1, max_size=4, unique=True))]
    for stage in stages[1:]:
        if keys and draw(st.booleans()):
            stage["requires"] = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
        if draw(st.booleans()):
            stage["expected_days"] = draw(st.integers(1, 3650))
    doc = {"stages": stages}
    if milestones or draw(st.booleans()):
        doc["milestones"] = milestones
    return doc


@st.composite
def scenarios_docs(draw, docs, lifecycle):
    """Scenarios whose references name what the directory has."""
    tours = [d["key"] for d in docs if d["kind"] == "tour"] + ["*"]
    plans = [d["key"] for d in docs if d["kind"] == "plan"] + ["*"]
    triggers = [{"inactive": True, "days": 7}, {"help_repeated": True},
                {"help_repeated": True, "count": 3},
                {"event_repeated": "import failed", "count": 2, "within_minutes": 10},
                {"guide_stalled": docs[0]["key"], "days": 3},
                {"target_missing": draw(st.sampled_from(tours))},
                {"plan_overdue": draw(st.sampled_from(plans)), "owner": "vendor"}]
    if lifecycle and lifecycle.get("milestones"):
        trigger = {"milestone_missing": lifecycle["milestones"][0]["key"], "days": 2}
        triggers += [trigger, {**trigger, "after_stage": lifecycle["stages"][-1]["key"]}]
    step = docs[0]["steps"][0]["id"]
    actions = [{"nudge": {"message": draw(localized)}},
               {"nudge": {"title": draw(localized), "message": "Hi", "guide": docs[0]["key"],
                          "step": step, "mode": draw(st.sampled_from(["card", "start"]))}},
               {"webhook": {}}, {"webhook": {"data": {"team": "cs", "b": 1}}},
               {"email": {"to": "csm", "subject": draw(text).strip() or "x", "text": "Hello"}},
               {"task": {"message": draw(text).strip() or "x"}},
               {"set_trait": {"key": "stuck", "value": draw(st.sampled_from([True, None, 2.5]))}},
               {"tag": "needs-help"}]
    scenarios = []
    for key in draw(st.lists(slugs, min_size=1, max_size=3, unique=True)):
        scenario = {"key": key, "trigger": draw(st.sampled_from(triggers)),
                    "actions": draw(st.lists(st.sampled_from(actions), min_size=1, max_size=3))}
        for name, values in (("enabled", [True, False]), ("max_per_subject", [1, 2]),
                             ("cooldown_days", [0, 7]), ("conditions", [AUDIENCE_TRAITS]),
                             ("title", ["Stuck users", "yes"])):
            if draw(st.booleans()):
                scenario[name] = draw(st.sampled_from(values))
        scenarios.append(scenario)
    doc = {"scenarios": scenarios}
    if draw(st.booleans()):
        doc["settings"] = draw(st.sampled_from([{}, {"max_nudges_per_day": 5},
                                                {"sweep_seconds": 300, "max_nudges_per_day": 3}]))
    return doc


AUDIENCE_TRAITS = {"all": [{"trait": "plan", "in": ["trial"]}, {"trait": "account.seats", "gte": 5}]}


@st.composite
def directories(draw):
    """Guides, and sometimes a lifecycle.yaml and a scenarios.yaml that refer to them."""
    docs = draw(st.lists(guide_docs(), min_size=1, max_size=3, unique_by=lambda d: d["key"]))
    lifecycle = draw(st.one_of(st.none(), lifecycle_docs(docs)))
    scenarios = draw(st.one_of(st.none(), scenarios_docs(docs, lifecycle)))
    return docs, lifecycle, scenarios


_workspaces = itertools.count()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(directory=directories())
def test_push_then_pull_is_the_identity_and_pull_then_push_writes_nothing(app, tmp_path,
                                                                          directory):
    docs, lifecycle, scenarios = directory
    key = f"prop{next(_workspaces)}"
    source = tmp_path / key / "source"
    (source / "guides").mkdir(parents=True)
    (source / "workspace.yaml").write_text(yaml_form.workspace_yaml(
        {"key": key, "name": "Property", "default_locale": "en", "allowed_origins": [],
         "require_identity": False, "allow_unsigned_groups": False,
         "identity_token_max_age": 86400, "help_enabled": True}), encoding="utf-8")
    for doc in docs:
        body = GuideFileSchema().load(doc)
        (source / "guides" / f"{doc['key']}.yaml").write_text(yaml_form.guide_yaml(body),
                                                              encoding="utf-8")
    if lifecycle is not None:
        (source / "lifecycle.yaml").write_text(yaml_form.lifecycle_yaml(
            LifecycleFileSchema().load(lifecycle)), encoding="utf-8")
    if scenarios is not None:
        (source / "scenarios.yaml").write_text(yaml_form.scenarios_yaml(
            ScenariosFileSchema().load(scenarios)), encoding="utf-8")
    assert load_content(source).ok, [str(e) for e in load_content(source).errors]
    push_content(source)
    pulled = tmp_path / key / "pulled"
    pull_content(pulled, key)
    assert tree(pulled) == tree(source)
    assert pull_content(source).written == []
    assert not push_content(pulled).changed

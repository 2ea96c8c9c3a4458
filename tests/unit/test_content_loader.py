"""Content files: every problem is reported as file:line: message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from guide.content.loader import load_content
from guide.content.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "key: demo\nname: Demo\n"
GUIDE = """\
key: getting-started
kind: checklist
title: {en: Get set up, fr: Prêt}
steps:
  - id: welcome
    title: Say hello
  - id: connect-data
    title: Connect your data
    complete_when: {event: integration_connected}
"""


@pytest.fixture
def content_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty valid content directory; file names print relative to tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content" / "guides").mkdir(parents=True)
    (tmp_path / "content" / "workspace.yaml").write_text(WORKSPACE)
    return tmp_path / "content"


def write(content_dir: Path, name: str, text: str) -> None:
    (content_dir / "guides" / name).write_text(textwrap.dedent(text), encoding="utf-8")


def messages(content_dir: Path) -> list[str]:
    return [str(error) for error in load_content(content_dir).errors]


def test_valid_files_load(content_dir: Path) -> None:
    write(content_dir, "getting-started.yaml", GUIDE)
    content = load_content(content_dir)
    assert content.ok, content.errors
    assert content.workspace is not None and content.workspace["key"] == "demo"
    [guide] = content.guides
    assert guide.file == "content/guides/getting-started.yaml"
    assert guide.body["steps"][1]["complete_when"] == {"event": "integration_connected"}


def test_the_repositorys_content_validates() -> None:
    content = load_content(ROOT / "content")
    assert content.ok, [str(e) for e in content.errors]
    guides = {guide.body["key"]: guide.body for guide in content.guides}
    assert set(guides) == {"dashboard-tour", "export-hotspot", "getting-started", "nps",
                           "onboarding-plan", "pro-features", "whats-new"}
    steps = guides["getting-started"]["steps"]
    assert [s["id"] for s in steps] == [
        "welcome", "connect-data", "review-settings", "invite-teammate", "create-dashboard",
    ]  # fmt: skip
    assert [s["complete_when"] for s in steps] == [
        {"manual": True},
        {"event": "integration_connected"},
        {"url": "/demo/settings"},
        {"manual": True},
        {"event": "dashboard_created"},
    ]
    assert steps[3]["scope"] == "account"
    assert all(isinstance(s["body"], dict) and {"en", "fr"} <= set(s["body"]) for s in steps)
    assert guides["pro-features"]["audience"] == {"trait": "plan", "in": ["pro", "enterprise"]}


def test_unknown_field_names_the_key_at_its_line(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("{event: integration_connected}", "\n      evnt: x"))
    assert messages(content_dir) == [
        'content/guides/g.yaml:10: steps[1].complete_when: Unknown field "evnt".'
    ]


def test_unknown_top_level_field(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "titel: oops\n")
    assert messages(content_dir) == ['content/guides/g.yaml:10: Unknown field "titel".']


def test_bad_slug_points_at_the_value(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("id: connect-data", "id: Connect Data"))
    [message] = messages(content_dir)
    assert message.startswith("content/guides/g.yaml:7: steps[1].id: Must be a slug")


def test_duplicate_step_ids(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("id: connect-data", "id: welcome"))
    assert messages(content_dir) == [
        'content/guides/g.yaml:7: steps[1].id: Duplicate step id "welcome" (also steps[0]).'
    ]


def test_missing_required_field_points_at_its_parent(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("    title: Connect your data\n", ""))
    assert messages(content_dir) == [
        "content/guides/g.yaml:7: steps[1].title: Missing data for required field."
    ]


def test_bad_link_scheme_in_action_url(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "    action: {label: Go, url: 'javascript:alert(1)'}\n")
    assert messages(content_dir) == [
        'content/guides/g.yaml:10: steps[1].action.url: Link scheme "javascript:" is not allowed;'
        " use a relative URL, http(s) or mailto."
    ]


def test_bad_locale_key_in_a_localized_string(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("fr: Prêt", "fr_CA: Prêt"))
    assert messages(content_dir) == [
        "content/guides/g.yaml:3: title.fr_CA: Not a valid locale tag (e.g. en, fr, fr-CA)."
    ]


def test_audience_errors_point_into_the_rule(content_dir: Path) -> None:
    rule = "audience:\n  all:\n    - {trait: plan, in: [pro]}\n    - {trait: plan, equals: pro}\n"
    write(content_dir, "g.yaml", GUIDE + rule)
    assert messages(content_dir) == [
        'content/guides/g.yaml:13: audience.all[1]: Unknown field "equals".'
    ]


def test_tour_fields_in_a_checklist(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "    target: '#save'\n")
    assert messages(content_dir) == [
        "content/guides/g.yaml:10: steps[1].target: Only tour steps have target;"
        " remove it or use kind: tour."
    ]


def test_every_error_of_a_file_is_reported_in_line_order(content_dir: Path) -> None:
    bad = GUIDE.replace("kind: checklist", "kind: wizard").replace("id: welcome", "id: Welcome")
    write(content_dir, "g.yaml", bad)
    lines = [message.split(":")[1] for message in messages(content_dir)]
    assert lines == ["2", "5"]


def test_yaml_syntax_error_gives_the_parsers_line(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE.replace("title: Say hello", "title: [Say hello"))
    [message] = messages(content_dir)
    assert message.startswith("content/guides/g.yaml:7: YAML syntax error:")


def test_duplicate_keys_in_a_mapping(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "title: Again\n")
    assert messages(content_dir) == [
        'content/guides/g.yaml:10: Duplicate key "title" (first at line 3).'
    ]


def test_duplicate_guide_keys_across_files_name_both(content_dir: Path) -> None:
    write(content_dir, "a.yaml", GUIDE)
    write(content_dir, "b.yaml", GUIDE)
    assert messages(content_dir) == [
        'content/guides/b.yaml:1: key: Duplicate guide key "getting-started"'
        " (also in content/guides/a.yaml:1)."
    ]


@pytest.mark.parametrize(
    "text",
    [
        "key: !!python/object/apply:os.system ['echo pwned']\n",
        "key: !!python/name:os.system\n",
        "key: !custom x\n",
    ],
)
def test_only_safe_yaml(content_dir: Path, text: str) -> None:
    write(content_dir, "g.yaml", text)
    [message] = messages(content_dir)
    assert message.startswith("content/guides/g.yaml:1: Unsupported YAML tag")


def test_aliases_are_refused(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "description: &d Hello\nmilestone: *d\n")
    assert messages(content_dir) == [
        "content/guides/g.yaml:11: Anchors and aliases (&name, *name) are not supported;"
        " repeat the content."
    ]


def test_large_files_are_refused(content_dir: Path) -> None:
    write(content_dir, "g.yaml", GUIDE + "# " + "x" * 300_000 + "\n")
    assert messages(content_dir) == [
        "content/guides/g.yaml:1: The file is 293 KB; content files are limited to 256 KB."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "content/guides/g.yaml:1: The file is empty."),
        ("- a\n- b\n", "content/guides/g.yaml:1: The file must be a YAML mapping (key: value)."),
        (
            GUIDE + "---\nkey: x\n",
            "content/guides/g.yaml:11: One document per file (remove the ---).",
        ),
    ],
)
def test_file_shape(content_dir: Path, text: str, expected: str) -> None:
    write(content_dir, "g.yaml", text)
    assert messages(content_dir) == [expected]


def test_invalid_utf8(content_dir: Path) -> None:
    (content_dir / "guides" / "g.yaml").write_bytes(b"key: caf\xe9\n")
    assert messages(content_dir) == ["content/guides/g.yaml:1: Not valid UTF-8 (byte 8)."]


def test_workspace_errors_and_missing_workspace(content_dir: Path) -> None:
    (content_dir / "workspace.yaml").write_text(WORKSPACE + "allowed_origins: [localhost]\n")
    assert messages(content_dir) == [
        'content/workspace.yaml:3: allowed_origins[0]: "localhost" is not an origin;'
        " write scheme://host[:port]."
    ]
    (content_dir / "workspace.yaml").unlink()
    assert messages(content_dir) == [
        "content/workspace.yaml: Missing: every content directory needs a workspace.yaml"
        " (key, name, ...)."
    ]


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert messages(tmp_path / "nope") == ["nope: No such content directory."]


def test_yaml_keeps_dates_and_norwegian_as_text() -> None:
    document = parse_yaml("title: {en: Hi, no: Hei}\nwhen: 2026-01-01\n")
    assert document.data == {"title": {"en": "Hi", "no": "Hei"}, "when": "2026-01-01"}
    assert document.lines[("title", "no")] == 1 and document.lines[("when",)] == 2


def test_checklist_steps_must_name_a_tour_that_exists(tmp_path: Path) -> None:
    (tmp_path / "guides").mkdir()
    (tmp_path / "workspace.yaml").write_text("key: demo\nname: Demo\n")
    (tmp_path / "guides" / "tour.yaml").write_text(
        "key: real-tour\nkind: tour\ntitle: T\nsteps:\n  - id: a\n    title: A\n")
    (tmp_path / "guides" / "list.yaml").write_text(
        "key: list\nkind: checklist\ntitle: L\nsteps:\n"
        "  - id: a\n    title: A\n    action: {label: Go, tour: real-tour}\n"
        "  - id: b\n    title: B\n    complete_when:\n      tour: missing-tour\n")
    content = load_content(tmp_path)
    assert [str(e).split(":", 1)[1] for e in content.errors] == [
        '11: steps[1].complete_when.tour: No tour "missing-tour" in this directory.'
    ]

"""The workspace theme: its format and the WCAG 2.2 AA contrast check (guide/schemas/theme.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import ValidationError

from guide.content.loader import load_content
from guide.schemas.content import WorkspaceFileSchema
from guide.schemas.theme import ThemeSchema, contrast, contrast_problems

WORKSPACE = "key: demo\nname: Demo\n"


@pytest.mark.parametrize(("fg", "bg", "ratio"), [
    ("#000000", "#ffffff", 21.0),  # the extremes
    ("#ffffff", "#ffffff", 1.0),
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white (WebAIM, WCAG examples)
    ("#777777", "#ffffff", 4.48),  # one step lighter fails
    ("#999", "#fff", 2.85),  # shorthand hex
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 4.0),
])
def test_contrast_ratio_of_known_pairs(fg: str, bg: str, ratio: float) -> None:
    assert contrast(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast(bg, fg) == pytest.approx(ratio, abs=0.01)  # symmetric


def test_a_translucent_colour_is_seen_over_what_is_behind_it() -> None:
    assert contrast("#00000080", "#ffffff") == pytest.approx(contrast("#7f7f7f", "#ffffff"), abs=0.01)


def test_problems_name_the_pair_the_ratio_and_the_minimum() -> None:
    problems = contrast_problems({"accent": "#4f46e5", "background": "#fff", "text": "#999"})
    assert problems == {"text": "text #999 on #fff is 2.84:1; needs 4.5:1 (WCAG 2.2 AA)."}
    problems = contrast_problems({"accent": "#facc15", "background": "#ffffff", "text": "#111"})
    assert problems["accent"].startswith("button text #ffffff on #facc15 is 1.")
    assert problems["accent"].endswith("; needs 4.5:1 (WCAG 2.2 AA).")


def test_accent_against_background_needs_3_to_1() -> None:
    # White button text on a dark accent passes; the accent vanishes into a dark background.
    problems = contrast_problems({"accent": "#1e1b4b", "background": "#111827", "text": "#f9fafb"})
    assert problems == {"accent": "accent #1e1b4b on #111827 is 1.10:1; needs 3:1 (WCAG 2.2 AA)."}


def test_ratio_just_under_the_minimum_is_not_rounded_up() -> None:
    # #777 on white is 4.478: refused, and it must not read "4.48 ... needs 4.5" as a pass would.
    assert "4.47:1" in contrast_problems({"accent": "#4f46e5", "background": "#fff",
                                          "text": "#777"})["text"]


def test_the_full_format_loads() -> None:
    theme = {"accent": "#4f46e5", "background": "#ffffff", "text": "#111827", "radius": 12,
             "font": "Inter, sans-serif",
             "launcher": {"position": "top-left", "label": "Get started"},
             "mode": "auto", "dark": {"accent": "#635bff", "background": "#0b0f19",
                                      "text": "#f9fafb"}}
    assert ThemeSchema().load(theme) == theme


def test_old_themes_stay_valid() -> None:
    old = {"accent": "#4f46e5", "background": "#ffffff", "text": "#111827", "radius": 12,
           "font": "system-ui, sans-serif"}
    assert ThemeSchema().load(old) == old
    assert ThemeSchema().load({}) == {}


@pytest.mark.parametrize(("theme", "where", "text"), [
    ({"text": "#999999"}, ("text",), "text #999999 on #ffffff is 2.84:1; needs 4.5:1"),
    ({"background": "#000000"}, ("text",), "text #1f2937 on #000000"),
    ({"accent": "#fde047"}, ("accent",), "button text #ffffff on #fde047"),
    ({"dark": {"text": "#374151"}}, ("dark", "text"), "text #374151 on #111827"),
    ({"mode": "dark", "dark": {"background": "#5e5ce6"}}, ("dark", "accent"), "accent #5e5ce6 on #5e5ce6 is 1.00:1; needs 3:1"),
])
def test_low_contrast_is_refused_at_the_field_to_change(theme: dict, where: tuple, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ThemeSchema().load(theme)
    found = caught.value.messages
    for key in where:
        found = found[key]
    assert text in found[0]


@pytest.mark.parametrize("theme", [
    {"launcher": {"position": "middle"}},
    {"launcher": {"label": ""}},
    {"launcher": {"label": "x" * 41}},
    {"launcher": {"side": "left"}},
    {"mode": "sepia"},
    {"dark": {"accent": "red"}},
    {"dark": {"radius": 4}},
])
def test_bad_values_are_refused(theme: dict) -> None:
    with pytest.raises(ValidationError):
        ThemeSchema().load(theme)


def test_content_validation_reports_low_contrast_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content" / "guides").mkdir(parents=True)
    (tmp_path / "content" / "workspace.yaml").write_text(
        WORKSPACE + "theme:\n  accent: '#4f46e5'\n  text: '#999'\n  dark:\n"
        "    background: '#111827'\n    text: '#333333'\n")
    assert [str(e) for e in load_content(tmp_path / "content").errors] == [
        "content/workspace.yaml:5: theme.text: text #999 on #ffffff is 2.84:1; "
        "needs 4.5:1 (WCAG 2.2 AA).",
        "content/workspace.yaml:8: theme.dark.text: text #333333 on #111827 is 1.40:1; "
        "needs 4.5:1 (WCAG 2.2 AA).",
    ]


def test_the_workspace_file_keeps_its_theme() -> None:
    data = WorkspaceFileSchema().load({"key": "demo", "name": "Demo", "theme": {
        "mode": "dark", "launcher": {"position": "bottom-left"}}})
    assert data["theme"] == {"mode": "dark", "launcher": {"position": "bottom-left"}}

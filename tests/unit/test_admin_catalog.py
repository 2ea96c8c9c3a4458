"""The admin's French catalog holds every string the code asks for, translated, and no
admin or support template shows English that ``_()`` does not wrap.

Extraction runs here as ``make translations`` runs it (pybabel and babel.cfg), into a
temporary directory, so a string added without a translation fails this test by name.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.template_text import untranslated

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "guide" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
TEMPLATE_DIRS = [ROOT / "guide" / "authoring" / "templates", ROOT / "guide" / "support" / "templates"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%%")
# Literal text that is not English to translate: CSS classes given through a block, a
# time zone's name, and placeholders that show the syntax of a field (YAML, paths, URLs).
ALLOWED = {
    "narrow", "page wide", "UTC", "fr", "#export", "/app/**", "/app/dashboard",
    "dashboards: Dashboards", "https://app.example.com/dashboard",
    "https://hooks.slack.com/services/T…/B…/…", "{trait: plan, eq: pro}",
    "once | {every_days: 90, max: 4}", "once | always | {every_days: 7, max: 3}",
    "all: [{trait: plan, in: [trial, pro]}, {url: /app/**}]",
    "staging", "https://staging.example.com", "system-ui, sans-serif",
}


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return (message_id,) if isinstance(message_id, str) else tuple(message_id)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as source:
        return {_ids(m.id): m for m in read_po(source) if m.id}


@pytest.fixture(scope="module")
def french() -> dict:
    with CATALOG.open("rb") as source:
        return {_ids(m.id): m for m in read_po(source) if m.id}


def test_every_extracted_string_is_translated_into_french(extracted: dict, french: dict) -> None:
    missing = sorted(ids[0] for ids in extracted if ids not in french)
    empty = sorted(ids[0] for ids in extracted if ids in french
                   and not all(_ids(french[ids].string)) )
    fuzzy = sorted(ids[0] for ids in extracted if ids in french and french[ids].fuzzy)
    assert not missing, f"not in fr/messages.po (run `make translations`): {missing}"
    assert not empty, f"untranslated in fr/messages.po: {empty}"
    assert not fuzzy, f"fuzzy (check, then remove the flag): {fuzzy}"


def test_french_keeps_every_placeholder(french: dict) -> None:
    wrong = []
    for ids, message in french.items():
        for source, text in zip(ids, _ids(message.string), strict=False):
            # A plural's singular may spell out its count: "la semaine précédente (%(num)d)".
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert not wrong


def test_the_catalog_has_no_stale_strings(extracted: dict, french: dict) -> None:
    stale = sorted(ids[0] for ids in french if ids not in extracted)
    assert not stale, f"no longer in the code (run `make translations`): {stale}"


@pytest.mark.parametrize("folder", TEMPLATE_DIRS, ids=lambda p: p.parent.name)
def test_templates_show_no_unwrapped_english(folder: Path) -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {text}"
             for path in sorted(folder.rglob("*.html"))
             for line, text in untranslated(path) if text not in ALLOWED]
    assert not found, "wrap these in {{ _(...) }}:\n" + "\n".join(found)


def test_the_scan_catches_hardcoded_text_and_attributes(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '{% extends "base.html" %}{% block content %}\n'
        '<h1>{{ _("Guides") }}</h1>\n'
        '<p>Signed in as {{ user.email }}.</p>\n'
        '<a href="{{ url }}" title="Open the guide">{{ name }}</a>\n'
        '<button aria-label="{{ _("Close") }}">×</button>\n'
        '<script>const label = "Not text a reader sees";</script>\n'
        '<code>flask guide content push</code>\n'
        '{% endblock %}\n'
    )
    assert [text for _, text in untranslated(page)] == ["Signed in as", "Open the guide"]

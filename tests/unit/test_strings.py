"""The widget's own words: every language has every key the widget knows."""

from __future__ import annotations

import json
import re
from pathlib import Path

from guide.services.strings import STRINGS, widget_strings

WIDGET = Path(__file__).resolve().parents[2] / "static" / "widget"


def widget_keys() -> set[str]:
    """The keys the widget reads (the StringKey type in i18n.ts): the server is their one source."""
    block = (WIDGET / "src" / "i18n.ts").read_text().split("type StringKey =", 1)[1].split(";", 1)[0]
    return set(re.findall(r'"(\w+)"', block))


def test_server_and_widget_know_the_same_keys():
    assert widget_keys() == set(STRINGS["en"])


def test_the_widget_tests_play_the_server_with_its_own_english_words():
    block = (WIDGET / "test" / "strings.ts").read_text().split("EN: Strings = {", 1)[1].split("};", 1)[0]
    fixture = dict(re.findall(r'^\s+(\w+): "((?:[^"\\]|\\.)*)",?$', block, re.M))
    decoded = {key: json.loads(f'"{text}"') for key, text in fixture.items()}
    assert decoded == STRINGS["en"]


def test_every_language_translates_every_key_with_the_same_placeholders():
    for lang, table in STRINGS.items():
        assert set(table) == set(STRINGS["en"]), lang
        for key, text in table.items():
            assert re.findall(r"\{\w+\}", text) == re.findall(r"\{\w+\}", STRINGS["en"][key]), (lang, key)


def test_region_falls_back_to_language_then_workspace_default():
    assert widget_strings("fr-CA", "en")["mark_done"] == "Marquer comme fait"
    assert widget_strings("ja", "de")["close"] == "Schließen"
    assert widget_strings("ja", "xx")["close"] == "Close"


def test_a_right_to_left_language_ships_every_word():
    """Arabic (guide/services/strings_rtl.py): the widget lays it out right to left."""
    words = widget_strings("ar-EG", "en")
    assert words["stuck"] == "هل أنت عالق؟" and words["mark_done"] == "وضع علامة كمنجز"
    assert all(words[key] != english for key, english in STRINGS["en"].items())


def test_hebrew_ships_every_word_too():
    """Hebrew, right to left like Arabic (static/widget/src/locale.ts lists he and iw)."""
    words = widget_strings("he-IL", "en")
    assert words["stuck"] == "נתקעתם?" and words["help"] == "עזרה"
    assert all(words[key] != english for key, english in STRINGS["en"].items())

"""Localized strings resolve to the best translation, and never to nothing."""

from __future__ import annotations

import pytest

from guide.services.localize import localize, resolve_locale

TITLE = {"en": "Get set up", "fr": "Prêt", "fr-CA": "Prêt (Québec)"}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr-CA", "Prêt (Québec)"),  # exact tag
        ("fr-ca", "Prêt (Québec)"),  # tags are case-insensitive
        ("fr_CA", "Prêt (Québec)"),  # underscores are accepted
        ("fr-FR", "Prêt"),  # language
        ("fr", "Prêt"),
        ("de", "Get set up"),  # default locale
        (None, "Get set up"),
        ("", "Get set up"),
    ],
)
def test_localize_fallback_chain(locale: str | None, expected: str) -> None:
    assert localize(TITLE, locale, "en") == expected


def test_plain_string_is_returned_as_is() -> None:
    assert localize("Hello", "fr", "en") == "Hello"


def test_first_value_when_neither_locale_nor_default_exist() -> None:
    assert localize({"de": "Hallo", "it": "Ciao"}, "fr", "en") == "Hallo"


def test_regional_variant_beats_another_language() -> None:
    assert localize({"en": "Hi", "fr-CA": "Allo"}, "fr", "en") == "Allo"


def test_longer_tags_fall_back_step_by_step() -> None:
    value = {"en": "Hi", "zh-Hant": "繁體"}
    assert localize(value, "zh-Hant-TW", "en") == "繁體"


def test_none_and_empty_maps() -> None:
    assert localize(None, "fr", "en") is None
    assert localize({}, "fr", "en") is None


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("fr-FR", "fr"),
        ("FR", "fr"),
        ("de", "en"),
        (None, "en"),
        ("de-DE,fr;q=0.8,en;q=0.5", "fr"),  # Accept-Language, by quality
        ("es;q=0.2,fr;q=0.9", "fr"),
    ],
)
def test_resolve_locale(requested: str | None, expected: str) -> None:
    assert resolve_locale(requested, ["en", "fr"], "en") == expected


def test_resolve_locale_returns_the_available_spelling() -> None:
    assert resolve_locale("pt-br", ["en", "pt-BR"], "en") == "pt-BR"

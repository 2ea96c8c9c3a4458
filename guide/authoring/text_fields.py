"""Text fields of the editor's forms: one locale's text merged into a guide's translations,
and values typed as numbers or YAML (kept raw when they do not parse, so the schema names
the mistake)."""

from __future__ import annotations

from typing import Any

import yaml


def text_in(value: Any, locale: str, default: str) -> str:
    """What the field shows for ``locale``: a plain string is the default locale's text."""
    if isinstance(value, dict):
        return value.get(locale, "")
    return value if isinstance(value, str) and locale == default else ""


def merged(old: Any, locale: str, text: str, default: str) -> Any:
    """``old`` (a string, a locale map or None) with ``locale``'s text set (or removed)."""
    text = text.replace("\r\n", "\n") if text else ""
    if isinstance(old, dict):
        out = {**old, locale: text} if text.strip() else {k: v for k, v in old.items()
                                                           if k != locale}
        return out or None
    if not text.strip():
        return None if locale == default else old
    if locale == default or old is None:
        return text if locale == default else {locale: text}
    return {default: old, locale: text}


def int_or_raw(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return value


def yaml_value(text: str) -> Any:
    """A value typed as YAML (audience rules, repeat); the raw text if it does not parse."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text

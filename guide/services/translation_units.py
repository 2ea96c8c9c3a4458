"""The author strings of a guide as translation units, and writing translations back.

Every localized field the content schema declares (``LocalizedString``: titles,
bodies, button and choice labels...) is one unit with a stable key built from
the guide key and step/option ids, never list positions, so a file exported
before a step was moved still imports: ``guide/getting-started/steps/connect/body``.
The walk reads the schema itself, so a new localized field is a new unit with
no change here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from guide.schemas.content import GuideFileSchema
from guide.schemas.fields import LocalizedString
from guide.services.localize import normalize_tag

# What the translator is told about each kind of field (the last part of the key).
FIELD_NOTES = {
    "title": "Title.",
    "description": "Description.",
    "body": "Markdown: keep link targets (the part in parentheses) and {placeholders}.",
    "label": "Button or choice label: keep it short.",
    "low": "Label of the low end of a rating scale.",
    "high": "Label of the high end of a rating scale.",
}


@dataclass(frozen=True)
class Unit:
    """One author string: ``key``, its ``source`` text and the ``target`` if translated."""

    key: str
    source: str
    target: str | None
    note: str
    max_length: int = 200

    @property
    def translated(self) -> bool:
        return self.target is not None


def has_locale(value: Any, locale: str) -> bool:
    """Whether a localized value has a text for exactly ``locale`` (tags case-insensitive)."""
    wanted = normalize_tag(locale)
    return isinstance(value, Mapping) and any(normalize_tag(tag) == wanted for tag in value)


def text_in(value: Any, locale: str) -> str | None:
    if isinstance(value, Mapping):
        wanted = normalize_tag(locale)
        for tag, text in value.items():
            if normalize_tag(tag) == wanted:
                return text
    return None


def source_text(value: Any, source_locale: str) -> str:
    """The text translators start from: the source locale's, else the first one."""
    if isinstance(value, str):
        return value
    return text_in(value, source_locale) or next(iter(value.values()))


def _item_id(item: Any, index: int) -> str:
    if isinstance(item, Mapping) and isinstance(item.get("id"), str):
        return item["id"]
    return str(index)


Place = tuple[tuple[str, ...], Mapping[str, Any], str, LocalizedString]


def _walk(schema: Schema, data: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[Place]:
    """(path, the mapping holding the value, field name, field) for each localized field."""
    for name, field in schema.fields.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(field, LocalizedString):
            yield (*path, name), data, name, field
        elif isinstance(field, fields.Nested) and isinstance(value, Mapping):
            yield from _walk(field.schema, value, (*path, name))
        elif (isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)
              and isinstance(value, list)):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from _walk(field.inner.schema, item, (*path, name, _item_id(item, index)))


def _places(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], str, int]]:
    prefix = ("guide", body["key"])
    for path, holder, name, field in _walk(GuideFileSchema(), body, prefix):
        yield "/".join(path), holder, name, field.max_length


def guide_units(body: Mapping[str, Any], locale: str, source_locale: str) -> list[Unit]:
    """Every author string of a stored guide body, with its ``locale`` text if any."""
    title = source_text(body["title"], source_locale)
    units = []
    for key, holder, name, max_length in _places(body):
        value = holder[name]
        note = f'Guide "{title}" ({body["kind"]}). {FIELD_NOTES.get(name, "")}'.strip()
        units.append(Unit(key, source_text(value, source_locale), text_in(value, locale), note,
                          max_length))
    return units


def locales_of(body: Mapping[str, Any]) -> set[str]:
    """Every locale tag a guide's strings are written in."""
    found: set[str] = set()
    for _, holder, name, _ in _places(body):
        if isinstance(holder[name], Mapping):
            found.update(holder[name].keys())
    return found


def with_translations(body: Mapping[str, Any], locale: str, source_locale: str,
                      texts: Mapping[str, str]) -> dict[str, Any]:
    """A copy of ``body`` with ``texts`` ({unit key: text}) as its ``locale`` translations.

    A plain string becomes ``{source_locale: string, locale: text}``; an existing
    text for the same tag (any case) is replaced, keeping the author's spelling.
    """
    result = copy.deepcopy(dict(body))
    for key, holder, name, _ in list(_places(result)):
        if key not in texts:
            continue
        value = holder[name]
        mapping = dict(value) if isinstance(value, Mapping) else {source_locale: value}
        tag = next((t for t in mapping if normalize_tag(t) == normalize_tag(locale)), locale)
        mapping[tag] = texts[key]
        holder[name] = mapping  # type: ignore[index]
    return result

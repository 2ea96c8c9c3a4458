"""The author strings of a workspace's documents as translation units, and writing them back.

A document is a guide, a help article (its front matter: the body is one
Markdown text, not localized), the lifecycle or a scenario. Every localized
field its schema declares (``LocalizedString``: titles, bodies, button and
choice labels, nudge messages...) is one unit with a stable key built from the
document's key and item ids or keys, never list positions, so a file exported
before a step was moved still imports: ``guide/getting-started/steps/connect/body``,
``help/connect-data-sources/title``, ``lifecycle/milestones/data_connected/title``,
``scenario/import-trouble/actions/nudge/message``. The walk reads the schema
itself, so a new localized field is a new unit with no change here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from guide.schemas.content import GuideFileSchema
from guide.schemas.fields import LocalizedString
from guide.schemas.help import HelpFrontMatterSchema
from guide.schemas.proactive import LifecycleFileSchema, ScenarioSchema
from guide.services.localize import normalize_tag

# What the translator is told about each kind of field (the last part of the key).
FIELD_NOTES = {
    "title": "Title.",
    "description": "Description.",
    "body": "Markdown: keep link targets (the part in parentheses) and {placeholders}.",
    "label": "Button or choice label: keep it short.",
    "low": "Label of the low end of a rating scale.",
    "high": "Label of the high end of a rating scale.",
    "message": "Nudge message: keep {placeholders}.",
}

# The kinds of documents, in the order files list them; each walks its own schema.
FAMILIES = ("guide", "help", "lifecycle", "scenario")
SCHEMAS: dict[str, type[Schema]] = {"guide": GuideFileSchema, "help": HelpFrontMatterSchema,
                                    "lifecycle": LifecycleFileSchema, "scenario": ScenarioSchema}
LIFECYCLE = "lifecycle"


@dataclass(frozen=True)
class Document:
    """A document with author strings: ``family`` (a guide, a help article, the lifecycle, a
    scenario), its ``key`` ("lifecycle" for the one lifecycle) and its stored ``body``."""

    family: str
    key: str
    body: Mapping[str, Any]

    @property
    def prefix(self) -> tuple[str, ...]:
        return (LIFECYCLE,) if self.family == LIFECYCLE else (self.family, self.key)

    @property
    def title(self) -> Any:
        return self.body.get("title") if self.family != LIFECYCLE else None

    def note(self, source_locale: str) -> str:
        """Where a unit comes from, for the translator."""
        title = source_text(self.body["title"], source_locale) if self.title else ""
        if self.family == "guide":
            return f'Guide "{title}" ({self.body["kind"]}).'
        if self.family == "help":
            return f'Help article "{title}".'
        if self.family == "scenario":
            return f'Scenario "{self.key}" (a nudge shown to users).'
        return "Lifecycle (milestones and stages, shown in analytics and plans)."


def document_of(key: str) -> tuple[str, str] | None:
    """(family, document key) a unit key belongs to, or None when no family has it."""
    parts = key.split("/")
    if parts[0] == LIFECYCLE:
        return LIFECYCLE, LIFECYCLE
    if parts[0] in SCHEMAS and len(parts) > 2:
        return parts[0], parts[1]
    return None


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
    """A list item's id, else its key (milestones, stages), else its position."""
    for name in ("id", "key"):
        if isinstance(item, Mapping) and isinstance(item.get(name), str):
            return item[name]
    return str(index)


def _one_of(schema: Schema, item: Mapping[str, Any]) -> str | None:
    """The kind of a one-of item (a scenario action: ``{nudge: {...}}``), if it is one."""
    if len(item) != 1 or "id" in item or "key" in item:
        return None
    [name] = item
    field = schema.fields.get(name)
    return name if isinstance(field, fields.Nested) and isinstance(item[name], Mapping) else None


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
            schema_of_item, seen = field.inner.schema, {}
            for index, item in enumerate(value):
                if not isinstance(item, Mapping):
                    continue
                kind = _one_of(schema_of_item, item)
                if kind is None:
                    yield from _walk(schema_of_item, item, (*path, name, _item_id(item, index)))
                    continue
                # Keyed by kind, numbered from the second of a kind: actions/nudge, nudge-2.
                seen[kind] = seen.get(kind, 0) + 1
                item_id = kind if seen[kind] == 1 else f"{kind}-{seen[kind]}"
                nested = schema_of_item.fields[kind]
                yield from _walk(nested.schema, item[kind], (*path, name, item_id))


def places(document: Document) -> Iterator[tuple[str, Mapping[str, Any], str, LocalizedString]]:
    """(unit key, the mapping holding the value, field name, field) of each author string."""
    for path, holder, name, field in _walk(SCHEMAS[document.family](), document.body,
                                           document.prefix):
        yield "/".join(path), holder, name, field


def document_units(document: Document, locale: str, source_locale: str) -> list[Unit]:
    """Every author string of a stored document, with its ``locale`` text if any."""
    where = document.note(source_locale)
    units = []
    for key, holder, name, field in places(document):
        value = holder[name]
        note = f"{where} {FIELD_NOTES.get(name, '')}".strip()
        units.append(Unit(key, source_text(value, source_locale), text_in(value, locale), note,
                          field.max_length))
    return units


def guide_units(body: Mapping[str, Any], locale: str, source_locale: str) -> list[Unit]:
    """Every author string of a stored guide body, with its ``locale`` text if any."""
    return document_units(Document("guide", body["key"], body), locale, source_locale)


def document_locales(document: Document) -> set[str]:
    """Every locale tag a document's strings are written in."""
    found: set[str] = set()
    for _, holder, name, _ in places(document):
        if isinstance(holder[name], Mapping):
            found.update(holder[name].keys())
    return found


def locales_of(body: Mapping[str, Any]) -> set[str]:
    """Every locale tag a guide's strings are written in."""
    return document_locales(Document("guide", body["key"], body))


def translated(document: Document, locale: str, source_locale: str,
               texts: Mapping[str, str]) -> dict[str, Any]:
    """A copy of the document's body with ``texts`` ({unit key: text}) as its ``locale``
    translations, each localized value checked by its field (``ValidationError``).

    A plain string becomes ``{source_locale: string, locale: text}``; an existing
    text for the same tag (any case) is replaced, keeping the author's spelling.
    """
    result = copy.deepcopy(dict(document.body))
    for key, holder, name, field in list(places(Document(document.family, document.key,
                                                         result))):
        if key not in texts:
            continue
        value = holder[name]
        mapping = dict(value) if isinstance(value, Mapping) else {source_locale: value}
        tag = next((t for t in mapping if normalize_tag(t) == normalize_tag(locale)), locale)
        mapping[tag] = texts[key]
        holder[name] = field.deserialize(mapping)  # type: ignore[index]
    return result


def with_translations(body: Mapping[str, Any], locale: str, source_locale: str,
                      texts: Mapping[str, str]) -> dict[str, Any]:
    """``translated`` for a guide body."""
    return translated(Document("guide", body["key"], body), locale, source_locale, texts)

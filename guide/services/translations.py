"""Translate a workspace's guides through files: export, import, completeness.

Export writes every author string of each guide's latest version (draft or
published) that has no text for a locale, or all of them, as XLIFF 2.0 or PO.
Import checks the whole file first (unknown keys, a source that changed since
the export, placeholders and link targets, empty translations) and writes
nothing if anything is wrong; otherwise each guide it touches gets a new
draft version (published with ``publish=True``), through the same building
blocks as ``content push``, audited as ``guide.save`` with ``source:
translations import``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from guide.errors import InvalidPayload
from guide.extensions import db
from guide.models import Author, Workspace
from guide.schemas.content import GuideFileSchema
from guide.schemas.fields import check_locale
from guide.services import audit, translation_checks, versions
from guide.services.localize import normalize_tag
from guide.services.push import guides_changed
from guide.services.translation_files import (
    WRITERS,
    Entry,
    Problem,
    TranslationFileError,
    read,
)
from guide.services.translation_units import Unit, guide_units, locales_of, with_translations

SOURCE = "translations import"


class TranslationsInvalid(InvalidPayload):
    """The file has problems (each with its line); nothing was written."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        lines = [problem.where(filename) for problem in problems]
        super().__init__(f"{len(problems)} problem(s) in {filename}; nothing was imported.",
                         code="translations_invalid", fields={"file": lines})
        self.lines = lines


@dataclass
class ImportResult:
    locale: str
    strings: int
    # (guide key, new version number)
    versions: list[tuple[str, int]] = field(default_factory=list)
    published: bool = False

    def lines(self) -> list[str]:
        state = "published" if self.published else "draft"
        out = [f"{key}: new version {number} {state}" for key, number in self.versions]
        return [*out, f"{self.strings} {self.locale} string(s) imported"]


def _latest_bodies(workspace: Workspace) -> list[dict[str, Any]]:
    return [status.latest.body for status in versions.statuses(workspace)]


def units(workspace: Workspace, locale: str, *, missing_only: bool = True) -> list[Unit]:
    """The guides' strings for ``locale``: only the untranslated ones unless ``missing_only``
    is False."""
    found = [unit for body in _latest_bodies(workspace)
             for unit in guide_units(body, locale, workspace.default_locale)]
    return [unit for unit in found if not (missing_only and unit.translated)]


def check_target_locale(workspace: Workspace, locale: str) -> str:
    """``locale`` if it is a tag translations can be written in, else ``InvalidPayload``."""
    try:
        check_locale(locale)
    except ValidationError as error:
        raise InvalidPayload(f'"{locale}" is not a valid locale tag (e.g. fr, fr-CA).',
                             fields={"locale": error.messages}) from error
    if normalize_tag(locale) == normalize_tag(workspace.default_locale):
        raise InvalidPayload(f'"{locale}" is the workspace\'s default locale: the source '
                             "language, which authors write in.", fields={"locale": ["Source."]})
    return locale


def export(workspace: Workspace, locale: str, fmt: str, *, missing_only: bool = True) -> bytes:
    """A translation file for ``locale`` in ``fmt`` (``xliff`` or ``po``)."""
    check_target_locale(workspace, locale)
    return WRITERS[fmt](units(workspace, locale, missing_only=missing_only),
                        workspace=workspace.key, source=workspace.default_locale, locale=locale)


def _problems(entries: list[Entry], known: dict[str, Unit]) -> list[Problem]:
    found: list[Problem] = []
    seen: dict[str, int] = {}
    for entry in entries:
        unit = known.get(entry.key)
        if unit is None:
            found.append(Problem(entry.line, f'Unknown key "{entry.key}": no guide string has '
                                 "it (renamed or removed since the export?)."))
            continue
        if entry.key in seen:
            found.append(Problem(entry.line, f'"{entry.key}" is translated twice (also line '
                                 f"{seen[entry.key]})."))
            continue
        seen[entry.key] = entry.line
        if entry.source.strip() and entry.source.strip() != unit.source.strip():
            found.append(Problem(entry.line, f'The source of "{entry.key}" changed since this '
                                 "file was exported; export again and translate the new text."))
            continue
        messages = translation_checks.problems(unit.source, entry.target)
        if len(entry.target) > unit.max_length:
            messages.append(f"The translation has {len(entry.target)} characters; this field "
                            f"takes at most {unit.max_length}.")
        found += [Problem(entry.line, f'"{entry.key}": {message}') for message in messages]
    return found


def import_file(workspace: Workspace, data: bytes, filename: str, actor: Author | str, *,
                publish: bool = False) -> ImportResult:
    """Check a translation file and store it as new guide versions in one transaction.

    Raises ``TranslationsInvalid`` (every problem with its line; nothing written).
    """
    try:
        parsed = read(data, filename)
        locale = check_target_locale(workspace, parsed.locale)
    except TranslationFileError as error:
        raise TranslationsInvalid(filename, [error.problem]) from error
    except InvalidPayload as error:
        raise TranslationsInvalid(filename, [Problem(1, error.message)]) from error
    statuses = versions.statuses(workspace)
    known = {unit.key: unit for status in statuses
             for unit in guide_units(status.latest.body, locale, workspace.default_locale)}
    problems = _problems(parsed.entries, known)
    if not parsed.entries:
        problems.append(Problem(1, "The file has no translation units."))
    changed = [] if problems else _translated_bodies(workspace, statuses, locale, parsed.entries,
                                                     problems)
    if problems:
        raise TranslationsInvalid(filename, problems)
    result = ImportResult(locale, len(parsed.entries), published=publish)
    for status, body, count in changed:
        version = versions.add_version(status.guide, body, actor, "draft", status.latest)
        audit.record(workspace.id, actor, "guide.save", status.guide.key,
                     version=version.number, source=SOURCE, locale=locale, strings=count)
        if publish:
            versions.publish_version(workspace, actor, status.guide, version, source=SOURCE)
        result.versions.append((status.guide.key, version.number))
    db.session.commit()
    if publish and result.versions:
        guides_changed(workspace.id)
    return result


def _translated_bodies(workspace: Workspace, statuses: list[versions.GuideStatus], locale: str,
                       entries: list[Entry], problems: list[Problem]
                       ) -> list[tuple[versions.GuideStatus, dict[str, Any], int]]:
    """(guide, its new body, strings changed) for each guide the entries change; a body the
    schema refuses (a translation longer than its field allows) adds to ``problems``."""
    by_guide: dict[str, dict[str, str]] = defaultdict(dict)
    first_line: dict[str, int] = {}
    for entry in entries:
        guide_key = entry.key.split("/")[1]
        by_guide[guide_key][entry.key] = entry.target
        first_line.setdefault(guide_key, entry.line)
    out = []
    for status in statuses:
        texts = by_guide.get(status.guide.key)
        if not texts:
            continue
        body = with_translations(status.latest.body, locale, workspace.default_locale, texts)
        try:
            body = GuideFileSchema().load(body)
        except ValidationError as error:
            problems.append(Problem(first_line[status.guide.key],
                                    f"guide {status.guide.key}: {error.messages}"))
            continue
        if body != status.latest.body:
            out.append((status, body, len(texts)))
    return out


@dataclass
class Completeness:
    locales: list[str]
    # (guide key, title, {locale: (translated, total)})
    rows: list[tuple[str, Any, dict[str, tuple[int, int]]]]

    def percent(self, done: int, total: int) -> int:
        return 100 if total == 0 else (100 * done) // total


def completeness(workspace: Workspace, extra: list[str] | None = None) -> Completeness:
    """Translated strings per guide and locale: every locale the guides use, plus ``extra``."""
    bodies = _latest_bodies(workspace)
    tags = {tag for body in bodies for tag in locales_of(body)} | set(extra or [])
    default = normalize_tag(workspace.default_locale)
    locales = sorted({normalize_tag(tag): tag for tag in tags
                      if normalize_tag(tag) != default}.values())
    rows = []
    for body in bodies:
        counts = {}
        for locale in locales:
            found = guide_units(body, locale, workspace.default_locale)
            counts[locale] = (sum(unit.translated for unit in found), len(found))
        rows.append((body["key"], body["title"], counts))
    return Completeness(locales, rows)


def untranslated(workspace: Workspace, body: dict[str, Any]) -> dict[str, int]:
    """{locale: strings without a translation} of a guide body, for each locale any guide of
    the workspace is translated to (the editor's "untranslated" markers)."""
    missing = {}
    for locale in completeness(workspace).locales:
        count = sum(not unit.translated
                    for unit in guide_units(body, locale, workspace.default_locale))
        if count:
            missing[locale] = count
    return missing

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
        if entry.source.strip() != unit.source.strip():
            found.append(Problem(entry.line, f'The source of "{entry.key}" changed since this '
                                 "file was exported; export again and translate the new text."))
            continue
        found += [Problem(entry.line, f'"{entry.key}": {message}')
                  for message in translation_checks.problems(unit.source, entry.target)]
    return found


def import_file(workspace: Workspace, data: bytes, filename: str, actor: Author | str, *,
                publish: bool = False) -> ImportResult:
    """Check a translation file and store it as new guide versions in one transaction.

    Raises ``TranslationsInvalid`` (every problem with its line; nothing written).
    """
    try:
        parsed = read(data, filename)
    except TranslationFileError as error:
        raise TranslationsInvalid(filename, [error.problem]) from error
    try:
        locale = check_target_locale(workspace, parsed.locale)
    except InvalidPayload as error:
        raise TranslationsInvalid(filename, [Problem(1, error.message)]) from error
    statuses = versions.statuses(workspace)
    known = {unit.key: unit for status in statuses
             for unit in guide_units(status.latest.body, locale, workspace.default_locale)}
    problems = _problems(parsed.entries, known)
    if not parsed.entries:
        problems.append(Problem(1, "The file has no translation units."))
    if problems:
        raise TranslationsInvalid(filename, problems)
    texts = {entry.key: entry.target for entry in parsed.entries}
    by_guide: dict[str, dict[str, str]] = defaultdict(dict)
    for key, text in texts.items():
        by_guide[key.split("/")[1]][key] = text
    result = ImportResult(locale, len(texts), published=publish)
    for status in statuses:
        changes = by_guide.get(status.guide.key)
        if changes:
            _store(workspace, status, locale, changes, actor, publish, result, filename,
                   parsed.entries)
    db.session.commit()
    if publish and result.versions:
        guides_changed(workspace.id)
    return result


def _store(workspace: Workspace, status: versions.GuideStatus, locale: str,
           changes: dict[str, str], actor: Author | str, publish: bool, result: ImportResult,
           filename: str, entries: list[Entry]) -> None:
    body = with_translations(status.latest.body, locale, workspace.default_locale, changes)
    try:
        body = GuideFileSchema().load(body)
    except ValidationError as error:
        # A translation longer than its field allows (a 100-character button label...).
        db.session.rollback()
        line = min(entry.line for entry in entries if entry.key in changes)
        raise TranslationsInvalid(filename, [Problem(line, f"guide {status.guide.key}: "
                                                     f"{error.messages}")]) from error
    if body == status.latest.body:
        return
    version = versions.add_version(status.guide, body, actor, "draft", status.latest)
    audit.record(workspace.id, actor, "guide.save", status.guide.key, version=version.number,
                 source=SOURCE, locale=locale, strings=len(changes))
    if publish:
        versions.publish_version(workspace, actor, status.guide, version, source=SOURCE)
    result.versions.append((status.guide.key, version.number))


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

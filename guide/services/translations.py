"""Translate a workspace's author strings through files: export, import, completeness.

Export writes every author string (guides' latest versions, draft or published;
help article titles; the lifecycle's milestones and stages; scenario nudges)
that has no text for a locale, or all of them, as XLIFF 2.0 or PO. Import
checks the whole file first (unknown keys, a source that changed since the
export, placeholders and link targets, empty translations) and writes nothing
if anything is wrong; otherwise each document it touches is written through
the building block ``content push`` uses (``translation_documents``), in one
transaction, audited with ``source: translations import``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from guide.errors import Forbidden, InvalidPayload
from guide.extensions import db
from guide.models import Author, Workspace
from guide.schemas.content import GuideFileSchema
from guide.schemas.fields import check_locale
from guide.services import translation_checks
from guide.services.localize import normalize_tag
from guide.services.push import guides_changed
from guide.services.translation_documents import (
    SOURCE,
    Stored,
    stored,
    texts_by_document,
    write,
)
from guide.services.translation_files import (
    WRITERS,
    Entry,
    Problem,
    TranslationFileError,
    read,
)
from guide.services.translation_units import (
    Document,
    Unit,
    document_locales,
    document_of,
    document_units,
    guide_units,
    translated,
)
from guide.wording import N_, ngettext

__all__ = ["SOURCE", "ImportResult", "TranslationsInvalid", "completeness", "export",
           "import_file", "units", "untranslated"]


class TranslationsInvalid(InvalidPayload):
    """The file has problems (each with its line); nothing was written."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        lines = [problem.where(filename) for problem in problems]
        # One English text for any count (what the API documents); plural forms elsewhere.
        super().__init__(ngettext("%(num)d problem(s) in %(file)s; nothing was imported.",
                                  "%(num)d problem(s) in %(file)s; nothing was imported.",
                                  len(problems), file=filename),
                         code="translations_invalid", fields={"file": lines})
        self.lines = lines


@dataclass
class ImportResult:
    locale: str
    strings: int
    # (guide key, new version number)
    versions: list[tuple[str, int]] = field(default_factory=list)
    published: bool = False
    # "help KEY", "lifecycle", "scenario KEY": updated in place (they have no drafts)
    updated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        state = "published" if self.published else "draft"
        out = [f"{key}: new version {number} {state}" for key, number in self.versions]
        out += [f"{name}: updated" for name in self.updated]
        return [*out, f"{self.strings} {self.locale} string(s) imported"]


def units(workspace: Workspace, locale: str, *, missing_only: bool = True) -> list[Unit]:
    """The workspace's author strings for ``locale``: only the untranslated ones unless
    ``missing_only`` is False."""
    found = [unit for document in stored(workspace).documents
             for unit in document_units(document, locale, workspace.default_locale)]
    return [unit for unit in found if not (missing_only and unit.translated)]


def check_target_locale(workspace: Workspace, locale: str) -> str:
    """``locale`` if it is a tag translations can be written in, else ``InvalidPayload``."""
    try:
        check_locale(locale)
    except ValidationError as error:
        raise InvalidPayload(N_('"%(locale)s" is not a valid locale tag (e.g. fr, fr-CA).',
                                locale=locale), fields={"locale": error.messages}) from error
    if normalize_tag(locale) == normalize_tag(workspace.default_locale):
        raise InvalidPayload(N_('"%(locale)s" is the workspace\'s default locale: the source '
                                "language, which authors write in.", locale=locale),
                             fields={"locale": [N_("Source.")]})
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
            found.append(Problem(entry.line, N_('Unknown key "%(key)s": no author string has it '
                                                "(renamed or removed since the export?).",
                                                key=entry.key)))
            continue
        if entry.key in seen:
            found.append(Problem(entry.line, N_('"%(key)s" is translated twice (also line '
                                                "%(line)d).", key=entry.key,
                                                line=seen[entry.key])))
            continue
        seen[entry.key] = entry.line
        if entry.source.strip() and entry.source.strip() != unit.source.strip():
            found.append(Problem(entry.line, N_(
                'The source of "%(key)s" changed since this file was exported; export again '
                "and translate the new text.", key=entry.key)))
            continue
        messages = translation_checks.problems(unit.source, entry.target)
        if len(entry.target) > unit.max_length:
            messages.append(N_("The translation has %(length)d characters; this field takes at "
                               "most %(most)d.", length=len(entry.target),
                               most=unit.max_length))
        found += [Problem(entry.line, N_('"%(key)s": %(problem)s', key=entry.key,
                                         problem=message)) for message in messages]
    return found


def import_file(workspace: Workspace, data: bytes, filename: str, actor: Author | str, *,
                publish: bool = False, live: bool = True) -> ImportResult:
    """Check a translation file and store its translations in one transaction.

    Guides get new draft versions (published with ``publish``); help articles, the
    lifecycle and scenarios are updated at once (refused with ``Forbidden`` unless
    ``live``). Raises ``TranslationsInvalid`` (every problem with its line; nothing written).
    """
    try:
        parsed = read(data, filename)
        locale = check_target_locale(workspace, parsed.locale)
    except TranslationFileError as error:
        raise TranslationsInvalid(filename, [error.problem]) from error
    except InvalidPayload as error:
        raise TranslationsInvalid(filename, [Problem(1, error.message)]) from error
    store = stored(workspace)
    known = {unit.key: unit for document in store.documents
             for unit in document_units(document, locale, workspace.default_locale)}
    problems = _problems(parsed.entries, known)
    if not parsed.entries:
        problems.append(Problem(1, N_("The file has no translation units.")))
    changed = [] if problems else _translated(workspace, store, locale, parsed.entries, problems)
    if problems:
        raise TranslationsInvalid(filename, problems)
    if not live and any(document.family != "guide" for document, _, _ in changed):
        raise Forbidden(N_("Only publishers can import translations of help articles, the "
                        "lifecycle or scenarios: they have no drafts and take effect at once."))
    written = write(workspace, store, changed, locale, actor, publish=publish)
    db.session.commit()
    if publish and written.versions:
        guides_changed(workspace.id)
    return ImportResult(locale, len(parsed.entries), written.versions, publish, written.updated)


def _translated(workspace: Workspace, store: Stored, locale: str, entries: list[Entry],
                problems: list[Problem]) -> list[tuple[Document, dict[str, Any], int]]:
    """(document, its new body, strings changed) for each document the entries change; a
    body its schema refuses adds to ``problems``."""
    first_line: dict[tuple[str, str] | None, int] = {}
    for entry in entries:
        first_line.setdefault(document_of(entry.key), entry.line)
    out = []
    grouped = texts_by_document([(entry.key, entry.target) for entry in entries])
    for (family, key), texts in grouped.items():
        document = store.find(family, key)
        if document is None:
            continue
        try:
            body = translated(document, locale, workspace.default_locale, texts)
            if family == "guide":
                body = GuideFileSchema().load(body)
        except ValidationError as error:
            problems.append(Problem(first_line[family, key], N_(
                "%(family)s %(key)s: %(problems)s", family=family, key=key,
                problems=str(error.messages))))
            continue
        if body != document.body:
            out.append((document, body, len(texts)))
    return out


@dataclass
class Completeness:
    locales: list[str]
    # (family, document key, title, {locale: (translated, total)}); title None: the lifecycle
    rows: list[tuple[str, str, Any, dict[str, tuple[int, int]]]]

    def percent(self, done: int, total: int) -> int:
        return 100 if total == 0 else (100 * done) // total


def completeness(workspace: Workspace, extra: list[str] | None = None) -> Completeness:
    """Translated strings per document and locale: every locale the documents use, plus
    ``extra``."""
    documents = stored(workspace).documents
    locales = _locales(workspace, documents, extra or [])
    rows = []
    for document in documents:
        if document.family != "guide" and not document_units(document, workspace.default_locale,
                                                             workspace.default_locale):
            continue  # a scenario without a nudge: nothing to translate
        counts = {}
        for locale in locales:
            found = document_units(document, locale, workspace.default_locale)
            counts[locale] = (sum(unit.translated for unit in found), len(found))
        rows.append((document.family, document.key, document.title, counts))
    return Completeness(locales, rows)


def _locales(workspace: Workspace, documents: list[Document], extra: list[str]) -> list[str]:
    """Every locale the documents are written in, plus ``extra``, but the default one."""
    tags = {tag for document in documents for tag in document_locales(document)} | set(extra)
    default = normalize_tag(workspace.default_locale)
    return sorted({normalize_tag(tag): tag for tag in tags
                   if normalize_tag(tag) != default}.values())


def untranslated(workspace: Workspace, body: dict[str, Any]) -> dict[str, int]:
    """{locale: strings without a translation} of a guide body, for each locale any document
    of the workspace is translated to (the editor's "untranslated" markers)."""
    missing = {}
    for locale in _locales(workspace, stored(workspace).documents, []):
        count = sum(not unit.translated
                    for unit in guide_units(body, locale, workspace.default_locale))
        if count:
            missing[locale] = count
    return missing

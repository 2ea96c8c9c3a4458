"""Translation files: XLIFF 2.0 (built with lxml's element API) and PO (Babel).

No well-kept XLIFF 2.0 library fits an MIT server (translate-toolkit's
``xliff2`` is GPL-3.0), so the document is built element by element with lxml,
never as text, and read back with a parser that resolves no entities and
fetches nothing. PO files are written and read by ``babel.messages.pofile``.
Reading keeps each unit's line so import errors can say ``file:line``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from lxml import etree

from guide.services.translation_units import Unit
from guide.wording import N_

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
FORMATS = ("xliff", "po")
SUFFIXES = {"xliff": "xlf", "po": "po"}


@dataclass(frozen=True)
class Entry:
    """A translation read from a file, at ``line``."""

    key: str
    source: str
    target: str
    line: int


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def where(self, filename: str) -> str:
        return N_("%(file)s:%(line)d: %(problem)s", file=filename, line=self.line,
                  problem=self.message)


class TranslationFileError(Exception):
    """The file cannot be read at all (not XML, not PO, not XLIFF 2.0)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(line, message)


@dataclass
class TranslationFile:
    locale: str
    entries: list[Entry]


def _q(name: str) -> str:
    return f"{{{XLIFF_NS}}}{name}"


def xliff_document(units: Iterable[Unit], *, workspace: str, source: str, locale: str) -> bytes:
    """An XLIFF 2.0 document: one ``<unit>`` per string, ``name`` holding its key."""
    root = etree.Element(_q("xliff"), nsmap={None: XLIFF_NS},
                         attrib={"version": "2.0", "srcLang": source, "trgLang": locale})
    # Step bodies are Markdown: their line breaks and indentation are meaning.
    file_node = etree.SubElement(root, _q("file"), id=f"workspace-{workspace}",
                                 attrib={"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    for unit in units:
        node = etree.SubElement(file_node, _q("unit"), id=unit.key.replace("/", "."),
                                name=unit.key)
        notes = etree.SubElement(node, _q("notes"))
        etree.SubElement(notes, _q("note"), category="description").text = unit.note
        segment = etree.SubElement(node, _q("segment"),
                                   state="translated" if unit.translated else "initial")
        etree.SubElement(segment, _q("source")).text = unit.source
        if unit.translated:
            etree.SubElement(segment, _q("target")).text = unit.target
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def po_document(units: Iterable[Unit], *, workspace: str, source: str, locale: str) -> bytes:
    """A PO catalog: ``msgctxt`` is the key, ``msgid`` the source, ``msgstr`` the translation."""
    catalog = Catalog(locale=locale.replace("-", "_"), project=f"Guide workspace {workspace}",
                      fuzzy=False)
    for unit in units:
        catalog.add(unit.source, unit.target or "", context=unit.key, auto_comments=[unit.note])
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False)
    return out.getvalue()


WRITERS = {"xliff": xliff_document, "po": po_document}


def read(data: bytes, filename: str) -> TranslationFile:
    """Entries of an XLIFF 2.0 or PO file (chosen by its content, then its name).

    Raises ``TranslationFileError`` when the file cannot be read at all.
    """
    xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")  # after a BOM, if any
    if xml or filename.endswith((".xlf", ".xliff", ".xml")):
        return read_xliff(data)
    return read_po_file(data)


def read_xliff(data: bytes) -> TranslationFile:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise TranslationFileError(error.lineno or 1, N_("Not well-formed XML: %(why)s.",
                                                         why=error.msg)) from error
    if root.tag != _q("xliff") or not root.get("version", "").startswith("2."):
        raise TranslationFileError(root.sourceline or 1, N_(
            'Not an XLIFF 2.0 document (expected <xliff version="2.0" xmlns="%(namespace)s">).',
            namespace=XLIFF_NS))
    locale = root.get("trgLang")
    if not locale:
        raise TranslationFileError(root.sourceline or 1, N_(
            "The <xliff> element has no trgLang: the file does not say which language it "
            "translates to."))
    entries = []
    for unit in root.iter(_q("unit")):
        key = unit.get("name") or (unit.get("id") or "").replace(".", "/")
        source = "".join(unit.findtext(f"{_q('segment')}/{_q('source')}") or "")
        target_node = unit.find(f"{_q('segment')}/{_q('target')}")
        target = "" if target_node is None else "".join(target_node.itertext())
        line = (target_node if target_node is not None else unit).sourceline or 1
        entries.append(Entry(key, source, target, line))
    return TranslationFile(locale, entries)


def _not_po(error: Exception) -> str:
    return N_("Not a valid PO file: %(why)s.", why=str(error))


def read_po_file(data: bytes) -> TranslationFile:
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as error:
        raise TranslationFileError(error.lineno + 1, _not_po(error)) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise TranslationFileError(1, _not_po(error)) from error
    if not catalog.locale_identifier:
        raise TranslationFileError(1, N_('The PO header has no "Language:": the file does not '
                                      "say which language it translates to."))
    entries = []
    for message in catalog:
        if not message.id:
            continue  # the header
        text = message.string if isinstance(message.string, str) else ""
        entries.append(Entry(message.context or "", str(message.id), text, message.lineno or 1))
    return TranslationFile(catalog.locale_identifier.replace("_", "-"), entries)

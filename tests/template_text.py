"""Finds the words a reader sees in a Jinja HTML template that are not wrapped in
``_()``: text nodes and the attributes people read (title, placeholder, aria-label,
alt), after every Jinja construct is replaced by a marker.

Jinja's own lexer splits the template (so ``{{ }}``, ``{% %}`` and ``{# #}`` are found
as Jinja finds them, strings with braces included) and the standard library's HTML
parser reads what is left, so an attribute value or a text node is seen whole even
when an expression sits in the middle of it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

MARK = "\ue000"  # where a Jinja construct was: its output is not literal text
READ_ATTRS = {"title", "placeholder", "aria-label", "alt", "data-confirm"}
SKIP_TAGS = {"script", "style", "code", "kbd", "pre", "textarea"}
# A word: two letters in a row (so "·", "→", "%", "#", "1." are not words).
WORD = re.compile(r"[^\W\d_]{2}")


def strip_jinja(source: str) -> str:
    """The template's literal text, each Jinja construct replaced by ``MARK``."""
    out: list[str] = []
    depth = 0
    for _, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind in {"variable_begin", "block_begin", "comment_begin"}:
            depth += 1
            out.append(MARK)
        elif kind in {"variable_end", "block_end", "comment_end"}:
            depth -= 1
        elif kind == "data" and depth == 0:
            out.append(value)
        elif kind == "raw_begin":
            out.append(MARK)
    return "".join(out)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRS and value:
                self._note(name, value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._note("text", data)

    def _note(self, where: str, text: str) -> None:
        for piece in text.split(MARK):
            if WORD.search(piece):
                self.found.append((self.getpos()[0], " ".join(piece.split())))


def untranslated(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each run of literal words a reader would see, outside ``_()``.

    Line numbers count from the stripped text, so they are close to, not exactly,
    the template's.
    """
    reader = _Reader()
    reader.feed(strip_jinja(path.read_text(encoding="utf-8")))
    reader.close()
    return reader.found

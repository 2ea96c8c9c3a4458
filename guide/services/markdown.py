"""Author Markdown to sanitized HTML, for step bodies the widget shows as-is.

Two layers, on purpose: markdown-it never emits raw HTML (``html: False``
escapes it) and refuses dangerous link schemes; nh3 then enforces a strict
allowlist of tags, attributes and URL schemes, so a bug in either layer alone
cannot put script into a customer's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p", "a", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote",
        "h3", "h4", "h5", "h6", "br", "hr", "del", "s",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# target/rel are only ever set by our renderer; nh3 keeps nothing but these values.
ALLOWED_ATTRIBUTE_VALUES = {"a": {"target": {"_blank"}, "rel": {"noopener noreferrer"}}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Tags removed together with their content (the rest keep their text).
DROP_CONTENT_TAGS = frozenset({"script", "style"})
# `#` becomes <h3>: the widget is a small panel and h1/h2 belong to the host page.
HEADING_OFFSET = 2
CACHE_SIZE = 2048


def _heading_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    level = min(int(tokens[idx].tag[1]) + HEADING_OFFSET, 6)
    return f"<h{level}>"


def _heading_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    level = min(int(tokens[idx].tag[1]) + HEADING_OFFSET, 6)
    return f"</h{level}>\n"


def _link_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Open absolute links in a new tab, without giving the target page a handle on ours."""
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if urlsplit(href).scheme.lower() in {"http", "https"}:
        token.attrSet("target", "_blank")
        token.attrSet("rel", "noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


def _table_cell_open(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    # Alignment comes as an inline style, which a strict CSP would block anyway.
    return f"<{tokens[idx].tag}>"


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.disable("image")  # no images for now: `![alt](url)` stays a plain link
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("th_open", _table_cell_open)
    md.add_render_rule("td_open", _table_cell_open)
    return md


_PARSER = _build_parser()


def sanitize_html(html: str) -> str:
    """Apply the allowlist to HTML (also usable on HTML that did not come from Markdown)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_CONTENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
    )


@lru_cache(maxsize=CACHE_SIZE)
def render_markdown(text: str) -> str:
    """Render author Markdown to HTML that is safe to insert into the widget.

    Cached because the same published step bodies are rendered for every
    bootstrap; the cache is bounded so arbitrary input cannot grow it forever.
    """
    return sanitize_html(_PARSER.render(text)).strip()

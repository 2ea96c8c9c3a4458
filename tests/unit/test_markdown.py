"""Author Markdown becomes HTML safe to insert into a customer's page."""

from __future__ import annotations

import pytest

from guide.services.markdown import render_markdown, sanitize_html


def test_renders_commonmark_with_tables_and_strikethrough() -> None:
    html = render_markdown("Hello **bold** _em_ `code` ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<s>gone</s>" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_table_alignment_styles_are_dropped() -> None:
    html = render_markdown("| a |\n|:-:|\n| 1 |")
    assert "style" not in html
    assert "<th>a</th>" in html


def test_raw_html_is_escaped_not_rendered() -> None:
    html = render_markdown('<script>alert(1)</script> <b onclick="x()">hi</b>')
    assert "<script" not in html and "<b" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_never_become_links(link: str) -> None:
    html = render_markdown(link)
    assert "href" not in html


def test_sanitizer_strips_script_and_bad_hrefs_even_from_raw_html() -> None:
    html = sanitize_html('<p>ok<script>alert(1)</script><a href="javascript:x()">y</a></p>')
    assert html == "<p>ok<a>y</a></p>"


def test_sanitizer_drops_forbidden_attribute_values() -> None:
    html = sanitize_html('<a href="/x" target="_top" rel="opener" onclick="x()">y</a>')
    assert html == '<a href="/x">y</a>'


def test_external_links_open_in_a_new_tab_without_opener() -> None:
    html = render_markdown('[docs](https://example.com/docs "Docs")')
    assert html == (
        '<p><a href="https://example.com/docs" title="Docs" target="_blank" '
        'rel="noopener noreferrer">docs</a></p>'
    )


@pytest.mark.parametrize("href", ["/settings", "settings#team", "mailto:help@example.com"])
def test_relative_and_mailto_links_stay_in_place(href: str) -> None:
    html = render_markdown(f"[go]({href})")
    assert f'<a href="{href}">go</a>' in html
    assert "target" not in html


def test_headings_are_demoted_below_the_host_pages_own() -> None:
    assert render_markdown("# Title") == "<h3>Title</h3>"
    assert render_markdown("## Sub") == "<h4>Sub</h4>"
    assert render_markdown("###### Deep") == "<h6>Deep</h6>"


def test_images_are_not_rendered() -> None:
    html = render_markdown("![logo](https://example.com/x.png)")
    assert "<img" not in html


def test_rendering_is_cached() -> None:
    render_markdown.cache_clear()
    render_markdown("cached *text*")
    render_markdown("cached *text*")
    assert render_markdown.cache_info().hits == 1

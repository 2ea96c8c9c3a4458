"""One definition per contract: one locale pattern for content and for end users."""

from __future__ import annotations

import pytest

from guide.schemas import fields, widget


def test_content_and_widget_share_one_locale_pattern() -> None:
    assert widget.LOCALE is fields.LOCALE


@pytest.mark.parametrize("tag", ["en", "fr-CA", "zh-Hans-CN", "es-419", "de-CH-1996",
                                 "en-US-u-hc-h12"])
def test_bcp47_tags_are_accepted(tag: str) -> None:
    assert fields.LOCALE.match(tag)


@pytest.mark.parametrize("tag", ["e", "english", "fr_CA", "en-", "en--US", "<script>",
                                 "en" + "-abcdefgh" * 5])
def test_other_strings_are_refused(tag: str) -> None:
    assert not fields.LOCALE.match(tag)

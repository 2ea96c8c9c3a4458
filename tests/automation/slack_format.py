"""Slack's published message format, the parts Guide uses, as a checker for test payloads.

From Slack's Block Kit reference (api.slack.com/reference/block-kit): a message
is ``text`` (the notification's fallback) and up to 50 ``blocks``; a header holds
plain text up to 150 characters; a section has mrkdwn ``text`` up to 3000 or up
to 10 ``fields`` of 2000; an actions block holds up to 25 elements, a link
button's text is plain text up to 75 and its url up to 3000 characters.
"""

from __future__ import annotations

from typing import Any


def _text(obj: dict[str, Any], kind: str, limit: int) -> None:
    assert set(obj) <= {"type", "text", "emoji"} and obj["type"] == kind, obj
    assert isinstance(obj["text"], str) and 1 <= len(obj["text"]) <= limit, obj


def check_message(message: dict[str, Any]) -> None:
    """Assert ``message`` is a valid incoming-webhook body of the blocks Guide sends."""
    assert set(message) == {"text", "blocks"}
    assert isinstance(message["text"], str) and message["text"]
    assert 1 <= len(message["blocks"]) <= 50
    for block in message["blocks"]:
        kind = block["type"]
        if kind == "header":
            assert set(block) == {"type", "text"}
            _text(block["text"], "plain_text", 150)
        elif kind == "section":
            assert set(block) in ({"type", "text"}, {"type", "fields"}), block
            if "text" in block:
                _text(block["text"], "mrkdwn", 3000)
            else:
                assert 1 <= len(block["fields"]) <= 10
                for field in block["fields"]:
                    _text(field, "mrkdwn", 2000)
        elif kind == "actions":
            assert set(block) == {"type", "elements"} and 1 <= len(block["elements"]) <= 25
            for button in block["elements"]:
                assert button["type"] == "button" and button.get("style") in (None, "primary")
                _text(button["text"], "plain_text", 75)
                assert button["url"].startswith(("https://", "http://"))
                assert len(button["url"]) <= 3000
        else:
            raise AssertionError(f"unexpected block {kind!r}")

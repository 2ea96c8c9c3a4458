"""Slack messages in Block Kit, posted to a workspace's incoming webhook.

The outbox row holds the event as webhooks carry it; the message is rendered
when it is sent (like an email), from that snapshot. User text (the message,
the comment, the page, names) is escaped for Slack's mrkdwn (``&``, ``<``,
``>``), so it can neither link nor mention (``<!channel>``). Nothing secret is
in a message: the user's traits are not, only their id, name and email.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import current_app

from guide.automation.webhooks import deliver
from guide.config import SLACK_WEBHOOK_BASE
from guide.extensions import db
from guide.models import OutboxMessage, Workspace

HEADER_LENGTH = 150  # Slack's limits: header text, section text and fields, button URL
TEXT_LENGTH = 3000
FIELD_LENGTH = 2000
Blocks = list[dict[str, Any]]


def escape(text: Any) -> str:
    """User text made inert in mrkdwn: Slack's own three escapes."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, HEADER_LENGTH)}}


def _fields(pairs: list[tuple[str, str | None]]) -> dict[str, Any] | None:
    """Labelled facts, two columns (the values escaped here); None when there are none."""
    fields = [{"type": "mrkdwn", "text": _cut(f"*{label}*\n{escape(value)}", FIELD_LENGTH)}
              for label, value in pairs if value]
    return {"type": "section", "fields": fields} if fields else None


def _quote(text: str | None) -> dict[str, Any] | None:
    """The user's words as a block quote (every line quoted, escaped)."""
    if not text:
        return None
    quoted = "\n".join(f">{escape(line)}" for line in text.strip().splitlines())
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(quoted, TEXT_LENGTH)}}


def _button(label: str, url: str | None) -> dict[str, Any] | None:
    if not url:
        return None
    return {"type": "actions", "elements": [{"type": "button", "style": "primary",
            "text": {"type": "plain_text", "text": label}, "url": url}]}


def _person(user: dict[str, Any] | None) -> str | None:
    """``ada (Ada Lovelace, ada@example.com)`` from the context's user, or just the id."""
    if not user:
        return None
    traits = user.get("traits") or {}
    extra = [str(traits[k]) for k in ("name", "email") if isinstance(traits.get(k), str)]
    return f"{user['id']} ({', '.join(extra)})" if extra else str(user["id"])


def _escalation(data: dict[str, Any]) -> tuple[str, Blocks]:
    e = data["escalation"]
    c = e.get("context") or {}
    guide = c.get("guide") or {}
    step = (guide.get("step") or {}).get("title")
    where = " › ".join(str(part) for part in (guide.get("title"), step) if part) or None
    account = c.get("account") or {}
    if e.get("origin") == "scenario":
        title = f"Task {e['reference']} from scenario {e.get('scenario')}"
    else:
        title = f"Escalation {e['reference']} ({e['severity']})"
    person = _person(c.get("user")) or (e.get("user") or {}).get("id")
    blocks = [_header(title),
              _fields([("User", person),
                       ("Account", _person(account) if account else e.get("account")),
                       ("Page", e.get("url") or c.get("url")), ("Guide / step", where)]),
              _quote(e.get("message")),
              _button("Open in the support inbox", (e.get("links") or {}).get("inbox"))]
    return f"{title}: {e.get('summary', '')}", [b for b in blocks if b]


def _detractor(workspace: Workspace, data: dict[str, Any]) -> tuple[str, Blocks]:
    user = (data.get("user") or {}).get("id")
    title = f"Survey detractor: NPS {data['score']} on {data['survey']}"
    base = current_app.config.get("GUIDE_PUBLIC_URL")
    link = (f"{base.rstrip('/')}/support/w/{workspace.key}/users/{quote(str(user), safe='')}"
            if base and user else None)
    blocks = [_header(title),
              _fields([("User", user), ("Account", data.get("account")),
                       ("Survey", f"{data['survey']} (version {data.get('version')})"),
                       ("Score", str(data["score"]))]),
              _quote(data.get("comment")),
              _button("Open the user in the support inbox", link)]
    return title, [b for b in blocks if b]


def _test(data: dict[str, Any]) -> tuple[str, Blocks]:
    title = "Guide: test message"
    text = (f"Slack notifications of the Guide workspace *{escape(data['workspace'])}* reach "
            f"this channel (sent by {escape(data['by'])}).")
    return title, [_header(title), {"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def render(message: OutboxMessage, workspace: Workspace) -> dict[str, Any]:
    """The Slack message: ``text`` (the notification's fallback) and ``blocks``."""
    kind, data = message.payload["type"], message.payload["data"]
    if kind == "escalation.created":
        text, blocks = _escalation(data)
    elif kind == "survey.answered":
        text, blocks = _detractor(workspace, data)
    elif kind == "slack.test":
        text, blocks = _test(data)
    else:
        raise ValueError(f"no Slack message for {kind!r}")
    return {"text": escape(text), "blocks": blocks}


def prepare(message: OutboxMessage, url: str) -> Callable[[], None]:
    """Render the message for ``url`` (the workspace's, read by the caller); the call
    returned only sends it. Slack answers 200 ``ok``; anything else is retried."""
    workspace = db.session.get(Workspace, message.workspace_id)
    assert workspace is not None  # the row cascades away with its workspace
    body = json.dumps(render(message, workspace), ensure_ascii=False).encode()
    timeout = current_app.config["GUIDE_WEBHOOK_TIMEOUT"]
    # The host is the operator's (GUIDE_SLACK_WEBHOOK_BASE), checked when the URL was
    # saved; a base other than Slack's is trusted, loopback and plain http included.
    allow_private = current_app.config["GUIDE_SLACK_WEBHOOK_BASE"] != SLACK_WEBHOOK_BASE

    return lambda: deliver(url, body, {"User-Agent": "Guide-Slack/1"}, timeout=timeout,
                           allow_private=allow_private)

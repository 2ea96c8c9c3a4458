"""Escalation emails over SMTP (``GUIDE_SMTP_URL``): plain text and HTML, both readable.

``smtp://user:pass@host:587?starttls=true`` (STARTTLS), ``smtps://host:465``
(TLS from the start) or ``smtp://host:25`` (no TLS, e.g. a local relay).
``file:///path/to/dir`` sends nothing: each email is written there as an ``.eml`` file
(a development mail sink; ``make demo`` uses one and the demo's /demo/mail reads it).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from jinja2 import Environment, FileSystemLoader, select_autoescape

from guide.extensions import db
from guide.models import OutboxMessage, Workspace
from guide.services.firing_text import when_text, why_lines

TIMEOUT = 30
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
)


def render(message: OutboxMessage) -> tuple[str, str, str]:
    """``(subject, text, html)`` for an escalation or scenario event."""
    data: dict[str, Any] = message.payload["data"]
    if message.payload["type"] == "scenario.fired":
        return _render_scenario(message.workspace_id, data)
    escalation = data["escalation"]
    change = data.get("change")
    what = f"{change['to']}" if change else escalation["severity"]
    subject = f"[{escalation['reference']}] {what}: {escalation['summary']}"
    values = {"e": escalation, "c": escalation.get("context") or {}, "change": change,
              "event": message.payload["type"]}
    return (subject, _templates.get_template("escalation.txt").render(values),
            _templates.get_template("escalation.html").render(values))


def _render_scenario(workspace_id: int, data: dict[str, Any]) -> tuple[str, str, str]:
    """A scenario's email to a CSM or owner: the author's subject and text, then the facts
    in words (``firing_text``: answers by question, people by name, no empty ones)."""
    workspace = db.session.get(Workspace, workspace_id)
    why = why_lines(workspace, data.get("details")) if workspace else []
    values = {"d": data, "email": data.get("email") or {}, "why": why,
              "fired": when_text(data.get("fired_at") or "")}
    return (values["email"].get("subject") or f"Guide: {data['scenario']}",
            _templates.get_template("scenario.txt").render(values),
            _templates.get_template("scenario.html").render(values))


def _smtp(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("GUIDE_SMTP_URL must look like smtp://user:pass@host:587?starttls=true")
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, parts.port or 465,
                                                timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=TIMEOUT)
        if options.get("starttls") in ("1", "true", "yes"):
            client.starttls(context=context)
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def prepare(message: OutboxMessage) -> Callable[[], None]:
    """Render the email; the call returned only sends it, and any SMTP or network
    error it raises is retried."""
    url = current_app.config["GUIDE_SMTP_URL"]
    if not url:
        raise RuntimeError("GUIDE_SMTP_URL is not set")
    subject, text, html = render(message)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = message.payload.get("from") or current_app.config["GUIDE_SMTP_FROM"]
    email["To"] = message.target
    email["Message-ID"] = f"<{message.message_id}@guide>"
    email.set_content(text)
    email.add_alternative(html, subtype="html")

    sink = mail_sink(url)

    def send() -> None:
        if sink is not None:
            sink.mkdir(parents=True, exist_ok=True)
            # Named by the message: a retried delivery rewrites the same file.
            (sink / f"{message.message_id}.eml").write_bytes(email.as_bytes())
            return
        with _smtp(url) as client:
            client.send_message(email)

    return send


def mail_sink(url: str | None) -> Path | None:
    """The directory of a ``file://`` GUIDE_SMTP_URL (emails written, not sent), or None."""
    parts = urlsplit(url or "")
    return Path(unquote(parts.path)) if parts.scheme == "file" and parts.path else None

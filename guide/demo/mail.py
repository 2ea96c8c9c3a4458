"""/demo/mail: the demo's mail outbox, the emails Guide "sent" (a scenario's email to the
account's CSM, an escalation's to the support team).

``make demo`` points ``GUIDE_SMTP_URL`` at a directory (``file://.../instance/mail``):
the worker writes each email there as an ``.eml`` file instead of sending it
(guide/automation/email.py), and this page lists them, newest first, so the demo
shows what a CSM would have received without a mail server.
"""

from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

from flask import current_app

from guide.automation.email import mail_sink

SHOWN = 50


@dataclass(frozen=True)
class Mail:
    to: str
    sender: str
    subject: str
    written: datetime
    text: str


def mail_dir() -> Path | None:
    """Where the emails are written, or None when GUIDE_SMTP_URL really sends them."""
    return mail_sink(current_app.config.get("GUIDE_SMTP_URL"))


def outbox(directory: Path | None) -> list[Mail]:
    """The newest SHOWN emails written to ``directory``."""
    if directory is None or not directory.is_dir():
        return []
    paths = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [_read(path) for path in paths[:SHOWN]]


def _read(path: Path) -> Mail:
    message = cast(EmailMessage, email.message_from_bytes(path.read_bytes(),
                                                           policy=policy.default))
    body = message.get_body(("plain",))
    return Mail(to=str(message["To"]), sender=str(message["From"]),
                subject=str(message["Subject"]),
                written=datetime.fromtimestamp(path.stat().st_mtime, UTC),
                text=body.get_content() if body is not None else "")

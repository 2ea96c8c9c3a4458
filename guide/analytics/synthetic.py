"""Events in the exact shapes the server records them, for generated histories.

One place for the row shapes (docs/ANALYTICS.md, "What the server records"):
the demo's 90-day history (``history``) builds its events with these
functions, and the analytics benchmark (bench/analytics.py) builds the
templates it multiplies in SQL with them too. Each function returns the
columns of one ``event`` row except ``workspace_id`` and ``user_id``: the
envelope as ``usecases.envelopes`` stores it, with its acknowledgement in
``result`` (``completed`` and the guides' ``progress`` states are what the
fold reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

Row = dict[str, Any]
# A user's envelope reaches the server this long after the client recorded it.
DELIVERY = timedelta(milliseconds=300)


def ack(completed: Iterable[tuple[str, str]] = (),
        states: dict[str, str] | None = None) -> dict[str, Any]:
    """An envelope's acknowledgement: the steps it newly completed, the guides' states after."""
    return {"ok": True, "duplicate": False,
            "completed": [{"guide": g, "step": s} for g, s in completed],
            "progress": {g: {"state": state} for g, state in (states or {}).items()}}


def _row(kind: str, name: str, props: dict[str, Any], at: datetime, *,
         result: dict[str, Any] | None = None, url: str | None = None,
         delay: timedelta = DELIVERY, client: bool = True) -> Row:
    return {"type": kind, "name": name, "props": props, "url": url, "result": result,
            "client_at": at if client else None, "created_at": at + delay}


def guide_state(guide: str, state: str, at: datetime, *, step: str | None = None,
                completed: Iterable[tuple[str, str]] = (),
                states: dict[str, str] | None = None, delay: timedelta = DELIVERY) -> Row:
    """``guide:state``: a guide opened (``active``), a tour finished, dismissed, snoozed."""
    return _row("guide:state", guide, {"guide": guide, "state": state, "step": step}, at,
                result=ack(completed, states or {guide: state}), delay=delay)


def step_complete(guide: str, step: str, at: datetime, *, done: str = "active",
                  delay: timedelta = DELIVERY) -> Row:
    """``step:complete``: a manual step ticked; ``done`` is the guide's state afterwards."""
    return _row("step:complete", f"{guide}/{step}", {"guide": guide, "step": step}, at,
                result=ack([(guide, step)], {guide: done}), delay=delay)


def track(name: str, at: datetime, props: dict[str, Any] | None = None, *,
          completed: Iterable[tuple[str, str]] = (), states: dict[str, str] | None = None,
          url: str | None = None, delay: timedelta = DELIVERY) -> Row:
    """``event:track``: a product event or a page (``$page``), and the steps it completed."""
    return _row("event:track", name, props or {}, at, result=ack(completed, states), url=url,
                delay=delay)


def offer(guide: str, at: datetime) -> Row:
    """The server's record that bootstrap offered ``guide`` (one per user, guide and day)."""
    return _row("offer", guide, {}, at, delay=timedelta(0), client=False)


def shown(guide: str, at: datetime, step: str | None = None, *,
          delay: timedelta = DELIVERY) -> Row:
    """``$guide_shown`` (no step) or ``$step_shown``."""
    if step is None:
        return track("$guide_shown", at, {"guide": guide}, delay=delay)
    return track("$step_shown", at, {"guide": guide, "step": step}, delay=delay)


def target_missing(guide: str, step: str, selector: str, at: datetime, *,
                   delay: timedelta = DELIVERY) -> Row:
    return track("$target_missing", at, {"guide": guide, "step": step, "selector": selector},
                 delay=delay)


def help_open(guide: str | None, step: str | None, article: str | None, at: datetime, *,
              delay: timedelta = DELIVERY) -> Row:
    return track("$help_open", at, {"guide": guide, "step": step, "article": article},
                 delay=delay)


def escalate(reference: str, guide: str | None, step: str | None, at: datetime, *,
             severity: str = "blocked", url: str | None = None,
             delay: timedelta = DELIVERY) -> Row:
    """``help:escalate``; the ``escalation`` row (``escalation_row``) holds the rest."""
    return _row("help:escalate", "help:escalate",
                {"reference": reference, "severity": severity, "guide": guide, "step": step},
                at, result={"ok": True, "duplicate": False, "completed": [], "progress": {},
                            "reference": reference, "status": "open"}, url=url, delay=delay)


def milestone(key: str, source: str, at: datetime) -> Row:
    """The server's ``milestone`` event (``proactive.lifecycle.milestone_reached``)."""
    return _row("milestone", key, {"source": source}, at, delay=timedelta(0), client=False)


def escalation_row(reference: str, message: str, guide: str | None, step: str | None,
                   article: str | None, url: str | None, at: datetime, *,
                   status: str = "resolved", severity: str = "blocked") -> Row:
    """The ``escalation`` row a ``help:escalate`` records (``origin`` user)."""
    history = [] if status == "open" else [
        {"status": status, "note": None, "at": (at + timedelta(hours=3)).isoformat()}]
    return {"message": message, "severity": severity, "status": status, "origin": "user",
            "guide_key": guide, "step_id": step, "article_key": article, "url": url,
            "reference": reference, "context": {}, "history": history, "created_at": at,
            "updated_at": at + (timedelta(hours=3) if history else timedelta(0))}

"""A success plan's due dates and overdue steps for one account (no queries).

Due dates count from the account's start (``Account.created_at``); a step
past due and not done is overdue. Used for the widget's progress (a plan's
entry in ``progress``) and for the plan views of ``guide.proactive.plans``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from guide.models import Account, GuideVersion
from guide.models.base import isoformat


def plan_progress_extras(
    account: Account, version: GuideVersion, done_step_ids: Iterable[str], now: datetime
) -> dict[str, Any]:
    """``{"due": {step: iso date}, "overdue": [step, ...]}``."""
    done = set(done_step_ids)
    due: dict[str, str | None] = {}
    overdue = []
    for step in version.body.get("steps", []):
        if step.get("due_days") is None:
            continue
        at = account.created_at + timedelta(days=step["due_days"])
        due[step["id"]] = isoformat(at)
        if step["id"] not in done and at < now:
            overdue.append(step["id"])
    return {"due": due, "overdue": overdue}

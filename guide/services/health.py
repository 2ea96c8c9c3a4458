"""Guide health: tour steps whose target was missing on users' pages.

Built from the ``$target_missing`` events widgets record, so authors see a
broken selector (and on which pages) before users complain.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from guide.extensions import db
from guide.models import Event, Workspace
from guide.models.base import isoformat, utcnow
from guide.services.guides import published_guides

MAX_PAGES = 5


def missing_targets(workspace: Workspace, days: int) -> list[dict[str, Any]]:
    """One row per (guide, step, selector) reported missing in the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    guide = Event.props["guide"].as_string()
    step = Event.props["step"].as_string()
    selector = Event.props["selector"].as_string()
    rows = db.session.execute(
        sa.select(
            guide, step, selector,
            sa.func.count(Event.id), sa.func.count(sa.distinct(Event.user_id)),
            sa.func.max(Event.created_at),
        )
        .where(Event.workspace_id == workspace.id, Event.name == "$target_missing",
               Event.created_at >= since)
        .group_by(guide, step, selector)
        .order_by(sa.func.count(Event.id).desc())
        .limit(200)
    ).all()
    published = {g.key: v for g, v in published_guides(workspace.id)}
    return [
        _report(workspace, published.get(g), g, s, sel, count, users, last, since)
        for g, s, sel, count, users, last in rows
    ]


def _report(workspace: Workspace, version: Any, guide: str, step: str, selector: str,
            count: int, users: int, last: Any, since: Any) -> dict[str, Any]:
    current = version.step(step) if version is not None else None
    return {
        "guide": guide,
        "step": step,
        "selector": selector,
        "count": count,
        "users": users,
        "last_seen": isoformat(last),
        # Still a problem? The step may be gone, or point elsewhere since the report.
        "current_selector": current.get("target") if current else None,
        "in_published_version": bool(current and current.get("target") == selector),
        "pages": _pages(workspace, guide, step, selector, since),
    }


def _pages(workspace: Workspace, guide: str, step: str, selector: str, since: Any) -> list[str]:
    return list(db.session.scalars(
        sa.select(Event.url).distinct()
        .where(Event.workspace_id == workspace.id, Event.name == "$target_missing",
               Event.created_at >= since, Event.url.is_not(None),
               Event.props["guide"].as_string() == guide,
               Event.props["step"].as_string() == step,
               Event.props["selector"].as_string() == selector)
        .limit(MAX_PAGES)
    ))

"""The story an escalation carries, assembled on the server when the user asks for help.

Nothing here comes from the browser except the page URL (which the server
cannot know) and the user agent of the connection: who the user is, where
they stand on every guide and what they did last are read from the database,
so support sees the truth even if the widget is out of date or tampered with.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from guide.extensions import db
from guide.models import EndUser, Event, Guide, GuideVersion, Progress, Workspace
from guide.models.base import isoformat, utcnow
from guide.models.event import OFFER
from guide.schemas.users import AccountContextOut, UserContextOut
from guide.services import progress as rules
from guide.services.guides import published_guides
from guide.services.localize import localize

RECENT_EVENTS = 20
TARGET_MISSING_DAYS = 7
TARGET_MISSING_LIMIT = 20
USER, ACCOUNT = UserContextOut(), AccountContextOut()


def _event_view(event: Event) -> dict[str, Any]:
    return {"type": event.type, "name": event.name, "props": event.props or {},
            "url": event.url, "at": isoformat(event.created_at)}


def _events(user: EndUser, *conditions: Any, limit: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        db.select(Event).where(Event.user_id == user.id, *conditions)
        .order_by(Event.created_at.desc(), Event.id.desc()).limit(limit)
    )
    return [_event_view(e) for e in rows]


def _active_guide(user: EndUser, pairs: list[tuple[Guide, GuideVersion]], locale: str,
                  guide_key: str | None, step_id: str | None) -> dict[str, Any] | None:
    """The guide the user asked about, else the one they touched last while active."""
    by_key = {g.key: (g, v) for g, v in pairs}
    if guide_key is None:
        latest = db.session.scalars(
            db.select(Progress).where(Progress.user_id == user.id, Progress.state == "active")
            .order_by(Progress.updated_at.desc()).limit(1)
        ).first()
        pair = next(((g, v) for g, v in pairs if latest and g.id == latest.guide_id), None)
        if pair is None:
            return None
        guide_key, step_id = pair[0].key, latest.current_step if latest else None
    pair = by_key.get(guide_key)
    if pair is None:
        # A draft being previewed, or a guide removed or renamed since the page loaded:
        # named as the widget sent it, so support still sees where the user was.
        return {"key": guide_key, "kind": None, "version": None, "published": False,
                "title": guide_key, "step": {"id": step_id, "title": step_id} if step_id else None}
    guide, version = pair
    step = version.step(step_id) if step_id else None
    return {"key": guide.key, "kind": guide.kind, "version": version.number, "published": True,
            "title": localize(version.body.get("title"), locale, locale),
            "step": {"id": step["id"], "title": localize(step.get("title"), locale, locale)}
            if step else {"id": step_id, "title": step_id} if step_id else None}


def snapshot(workspace: Workspace, user: EndUser, env: dict[str, Any],
             user_agent: str | None = None) -> dict[str, Any]:
    """Everything support needs, as plain JSON (stored on the escalation, sent in webhooks)."""
    pairs = published_guides(workspace.id)
    progress = rules.progress_map(user, pairs)
    for guide, version in pairs:
        progress.setdefault(guide.key, rules.progress_view(version, None, set()))
    since = utcnow() - timedelta(days=TARGET_MISSING_DAYS)
    return {
        "user": USER.dump(user),
        "account": ACCOUNT.dump(user.account) if user.account else None,
        "url": env.get("url"),
        "user_agent": user_agent[:500] if user_agent else None,
        "locale": user.locale or workspace.default_locale,
        "guide": _active_guide(user, pairs, workspace.default_locale, env.get("guide"),
                               env.get("step")),
        "article": env.get("article"),
        "progress": progress,
        "recent_events": _events(user, Event.type != OFFER, limit=RECENT_EVENTS),
        "target_missing": _events(user, Event.name == "$target_missing",
                                  Event.created_at >= since, limit=TARGET_MISSING_LIMIT),
    }

"""Published guides as the widget sees them: offered to whom, localized, rendered and sanitized."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from threading import Lock
from typing import Any

from guide.models import GuideVersion, Workspace
from guide.models.base import utcnow
from guide.services import messages
from guide.services.audience import AnyPage, matches
from guide.services.localize import localize
from guide.services.markdown import render_markdown

# The hot-path readers live in their own module with their cache; imported here too.
from guide.services.published import (  # noqa: F401
    Pair,
    PublishedGuide,
    PublishedVersion,
    published_guide,
    published_guides,
)


def offered(
    guide: PublishedGuide, version: PublishedVersion, traits: Mapping[str, Any],
    account_traits: Mapping[str, Any] | None, url: str | AnyPage | None, now: datetime,
) -> bool:
    """Whether the server offers this guide to a user (``account_traits`` None: no account).

    The one decision behind what bootstrap lists (on the user's page) and what a
    user may complete (on ``ANY_PAGE``: an envelope names no page): the guide's
    audience takes the user, and a success plan, being an account's, needs one.
    """
    if guide.kind == "plan" and account_traits is None:
        return False
    return matches(version.body.get("audience"), traits, account_traits or {}, url, now)


def offered_guides(workspace_id: int, traits: Mapping[str, Any],
                   account_traits: Mapping[str, Any] | None, url: str | AnyPage | None,
                   ) -> list[Pair]:  # fmt: skip
    """The published guides ``offered`` to a user, by priority then key."""
    now = utcnow()
    return [(guide, version) for guide, version in published_guides(workspace_id)
            if offered(guide, version, traits, account_traits, url, now)]


def completion_rule(step: dict[str, Any]) -> dict[str, Any]:
    """``{"type": "manual"}`` or ``{"type": "event"|"url"|"tour", <that key>: ...}``."""
    rule = step.get("complete_when") or {"manual": True}
    for kind in ("event", "url", "tour"):
        if kind in rule:
            return {"type": kind, kind: rule[kind]}
    return {"type": "manual"}


def advance_rule(step: dict[str, Any]) -> dict[str, Any]:
    """A tour step's ``advance_on`` as ``{"type": ..., "url"|"event": ...}``."""
    rule = step.get("advance_on", "next")
    if isinstance(rule, str):
        return {"type": rule}
    kind = "url" if "url" in rule else "event"
    return {"type": kind, kind: rule[kind]}


DEFAULT_WAIT_MS = 5000
DEFAULT_SNOOZE_DAYS = 1
_VIEW_CACHE: OrderedDict[tuple[str, int, str, str], dict[str, Any]] = OrderedDict()
_VIEW_CACHE_SIZE = 512
_view_lock = Lock()


def guide_view(workspace: Workspace, version: GuideVersion, locale: str) -> dict[str, Any]:
    """The widget's view of a guide version in one locale.

    Cached by the body's checksum: versions are immutable, and rendering
    Markdown for every bootstrap would be the slowest part of it.
    """
    cache_key = (version.checksum, version.number, locale, workspace.default_locale)
    with _view_lock:
        view = _VIEW_CACHE.get(cache_key)
        if view is not None:
            _VIEW_CACHE.move_to_end(cache_key)
            return view
    view = _render_view(version.body, version.number, locale, workspace.default_locale)
    with _view_lock:
        _VIEW_CACHE[cache_key] = view
        if len(_VIEW_CACHE) > _VIEW_CACHE_SIZE:
            _VIEW_CACHE.popitem(last=False)
    return view


def render_view(body: dict[str, Any], locale: str) -> dict[str, Any]:
    """The widget's view of a loaded content body not stored as a version (the theme
    page's sample guides), uncached."""
    return _render_view(body, 1, locale, locale)


def _render_view(body: dict[str, Any], number: int, locale: str, default: str) -> dict[str, Any]:
    def text(value: Any) -> str | None:
        return localize(value, locale, default)

    if body["kind"] in messages.LISTS:
        return messages.render(body, number, text)
    tour = body["kind"] == "tour"
    steps = [
        {
            "id": step["id"],
            "title": text(step.get("title")),
            "body_html": render_markdown(text(step.get("body")) or ""),
            **({"help": step["help"]} if step.get("help") else {}),
            # "Was this helpful?" under the step (checklists) or at the tour's end.
            **({"helpful": True} if step.get("helpful") else {}),
            **(_tour_step(body, step, index) if tour else _checklist_step(step, text)),
            **({"owner": step.get("owner", "customer"), "assignee": step.get("assignee")}
               if body["kind"] == "plan" else {}),
        }
        for index, step in enumerate(body.get("steps", []))
    ]
    view = {
        "key": body["key"],
        "kind": body["kind"],
        "version": number,
        "title": text(body.get("title")),
        "description": text(body.get("description")),
        "priority": body.get("priority", 0),
        "milestone": body.get("milestone"),
        "steps": steps,
    }
    if tour:
        view.update(
            start=body.get("start"),
            repeat=body.get("repeat", "once"),
            snooze_days=body.get("snooze_days", DEFAULT_SNOOZE_DAYS),
        )
    return view


def _checklist_step(step: dict[str, Any], text: Any) -> dict[str, Any]:
    action = step.get("action")
    if action:
        target = {"tour": action["tour"]} if "tour" in action else {"url": action["url"]}
        action = {"label": text(action.get("label")), **target}
    return {
        "action": action or None,
        "complete_when": completion_rule(step),
        "scope": step.get("scope", "user"),
    }


def _tour_step(body: dict[str, Any], step: dict[str, Any], index: int) -> dict[str, Any]:
    """Every default filled in, so the widget carries none of these rules."""
    default_buttons = (["back"] if index else []) + ["next", "dismiss"]
    return {
        "target": step.get("target"),
        "placement": step.get("placement", "auto"),
        "advance_on": advance_rule(step),
        "page": step.get("page"),
        "wait_ms": step.get("wait_ms", DEFAULT_WAIT_MS),
        "on_missing": step.get("on_missing", body.get("on_missing", "skip")),
        "spotlight": step.get("spotlight", body.get("spotlight", True)),
        "buttons": step.get("buttons", default_buttons),
    }

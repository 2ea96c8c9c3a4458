"""What the theme page's live preview shows: the real widget (guide.js) fed a bootstrap
answer of sample guides, built here as the server builds any (content schema, then
the widget view), with the draft theme the page sends (docs/THEME.md).

Nothing is stored and no user is created: the preview page answers the widget's
requests itself (guide/authoring/static/theme-preview.js).
"""

from __future__ import annotations

from typing import Any

from guide.models import Workspace
from guide.schemas.content import GuideFileSchema
from guide.services.guides import render_view
from guide.services.strings import widget_strings

SCENES = ("checklist", "tour", "help", "nudge")
CHECKLIST = {
    "key": "theme-preview-checklist", "kind": "checklist", "title": "Get set up",
    "steps": [
        {"id": "welcome", "title": "Say hello", "body": "Your first step is **done**."},
        {"id": "invite", "title": "Invite your team",
         "body": "Work together: invite a colleague.", "action": {"label": "Invite", "url": "/"}},
        {"id": "connect", "title": "Connect your data", "body": "Bring your data in."},
    ],
}
TOUR = {
    "key": "theme-preview-tour", "kind": "tour", "title": "A quick tour",
    "steps": [
        {"id": "dashboard", "title": "Your dashboard", "body": "Everything starts here.",
         "target": "#preview-target", "placement": "bottom"},
        {"id": "done", "title": "That's it", "body": "Enjoy."},
    ],
}
ARTICLE = {"key": "getting-started", "title": "Getting started",
           "summary": "The first things to do.",
           "body_html": "<p>Follow the checklist: it takes five minutes.</p>"}
NUDGE = {"id": "theme-preview", "title": "Need a hand?",
         "message": "Your data is not connected yet: it takes two minutes.",
         "guide": CHECKLIST["key"], "step": "connect"}


def sample_bootstrap(workspace: Workspace) -> dict[str, Any]:
    """A bootstrap answer (docs/PROTOCOL.md section 1) with the sample guides; the preview
    page puts the draft theme in ``workspace.theme``."""
    locale = workspace.default_locale
    guides = [render_view(GuideFileSchema().load(body), locale) for body in (CHECKLIST, TOUR)]
    return {
        "user": {"id": "theme-preview", "locale": locale},
        "workspace": {"name": workspace.name, "locale": locale, "theme": {},
                      "support_url": None, "help_enabled": True},
        "guides": guides,
        "progress": {CHECKLIST["key"]: {"state": "active", "step": "invite",
                                        "completed": ["welcome"], "total": 3}},
        "strings": widget_strings(locale, locale),
        "socket": {"namespace": "/widget", "path": "/socket.io", "token": "preview",
                   "expires_in": 3600},
    }

"""The workspace theme as the admin's theme page and its JSON API change it (docs/THEME.md).

``save`` loads the theme through the same schema as ``workspace.yaml`` (ThemeSchema:
format and the WCAG 2.2 AA contrast check), so a theme the page accepts is a theme
``guide content validate`` accepts, and ``guide content pull`` writes it back.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from guide.errors import InvalidPayload
from guide.extensions import db
from guide.models import Author, Workspace
from guide.schemas.theme import ThemeSchema
from guide.services import audit
from guide.wording import N_

THEME = ThemeSchema()


def flat_errors(messages: dict[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """``{"dark": {"text": ["..."]}}`` -> ``{"dark.text": ["..."]}``, one key per form field."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flat_errors(value, f"{name}."))
        else:
            flat[name] = (list(value) if isinstance(value, list)
                          else [value if isinstance(value, str) else str(value)])
    return flat


def load(data: Any) -> dict[str, Any]:
    """A valid theme from ``data``, or InvalidPayload naming each field and what is wrong."""
    if not isinstance(data, dict):
        raise InvalidPayload(N_("A theme is a JSON object."))
    try:
        return THEME.load(data)
    except ValidationError as error:
        fields = flat_errors(error.messages if isinstance(error.messages, dict)
                             else {"theme": error.messages})
        first = next(iter(fields.values()))[0]
        raise InvalidPayload(N_("The theme was not saved: %(reason)s", reason=first),
                             fields=fields) from error


def save(actor: Author, workspace: Workspace, data: Any) -> dict[str, Any]:
    """Validate and store the workspace's theme (users get it on their next bootstrap);
    audited as ``theme.update`` with the names of the keys that changed. Nothing is
    stored when the theme is refused."""
    theme = load(data)
    before = dict(workspace.theme or {})
    changed = sorted(k for k in {*before, *theme} if before.get(k) != theme.get(k))
    if changed:
        workspace.theme = theme
        audit.record(workspace.id, actor, "theme.update", "theme", fields=changed)
        db.session.commit()
    return theme

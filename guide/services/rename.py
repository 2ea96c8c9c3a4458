"""Renaming a step id: the one edit that would otherwise orphan users' progress.

Progress refers to step ids (``Progress.completed_steps``/``current_step``,
``AccountStepCompletion.step_id``). A rename migrates those rows in the same
transaction as the new versions, so nobody loses a completed step:

- if the step is in the published version, that body is republished with the
  step renamed (a new published version), so what users see and their
  progress change together; widgets refresh after the commit;
- if there are unpublished changes, they are kept: the latest draft gets the
  rename too, as a new draft on top.
"""

from __future__ import annotations

import copy
from typing import Any

from guide.errors import InvalidPayload
from guide.extensions import db
from guide.models import AccountStepCompletion, Author, Guide, GuideVersion, Progress, Workspace
from guide.schemas.fields import SLUG
from guide.services import audit
from guide.services.push import guides_changed
from guide.services.versions import add_version, latest_version, validate_body
from guide.wording import N_


def renamed(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    body = copy.deepcopy(body)
    for step in body["steps"]:
        if step["id"] == old:
            step["id"] = new
    return validate_body(body)


def _check(version: GuideVersion, old: str, new: str) -> None:
    try:
        SLUG(new)
    except Exception as error:
        raise InvalidPayload(str(error), fields={"new_id": [str(error)]}) from error
    if old not in version.step_ids:
        raise InvalidPayload(N_('There is no step "%(step)s".', step=old),
                             fields={"old_id": [N_("No such step.")]})
    if new in version.step_ids:
        raise InvalidPayload(N_('A step "%(step)s" already exists.', step=new),
                             fields={"new_id": [N_("Taken.")]})


def migrate_progress(guide: Guide, old: str, new: str) -> int:
    """Point progress rows at the new id; returns how many rows changed."""
    changed = 0
    rows = db.session.scalars(db.select(Progress).where(Progress.guide_id == guide.id))
    for row in rows:
        steps = list(row.completed_steps or [])
        if old in steps or row.current_step == old:
            row.completed_steps = [new if s == old else s for s in steps]
            if row.current_step == old:
                row.current_step = new
            changed += 1
    result = db.session.execute(
        db.update(AccountStepCompletion)
        .where(AccountStepCompletion.guide_id == guide.id, AccountStepCompletion.step_id == old)
        .values(step_id=new))
    return changed + (result.rowcount or 0)


def rename_step(workspace: Workspace, author: Author, guide: Guide, old: str,
                new: str) -> list[GuideVersion]:
    """Rename step ``old`` to ``new``; returns the versions added (published first)."""
    latest, published = latest_version(guide), guide.published_version
    _check(latest if old in latest.step_ids or published is None else published, old, new)
    added: list[GuideVersion] = []
    if published is not None and old in published.step_ids:
        _check(published, old, new)
        version = add_version(guide, renamed(published.body, old, new), author, "published",
                               latest)
        guide.publish(version)
        added.append(version)
    if latest.id != (published.id if published else None) and old in latest.step_ids:
        _check(latest, old, new)
        added.append(add_version(guide, renamed(latest.body, old, new), author, "draft",
                                  added[-1] if added else latest))
    rows = migrate_progress(guide, old, new)
    audit.record(workspace.id, author, "guide.rename_step", guide.key, old=old, new=new,
                 versions=[v.number for v in added], progress_rows=rows)
    db.session.commit()
    if added and added[0].state == "published":
        guides_changed(workspace.id)
    return added

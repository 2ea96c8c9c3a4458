"""Scenarios: each configured rule in words, what it fired, and a dry run of who matches now."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template
from flask_babel import gettext

from guide.access import policy
from guide.authoring import bp
from guide.models.base import utcnow
from guide.proactive.scenario_views import scenario_views
from guide.proactive.sweep import sweep

DRY_RUN_SHOWN = 100


@bp.route("/w/<workspace>/scenarios")
@policy(GET="viewer")
def scenario_list(workspace: str) -> Any:
    return render_template("admin/scenarios.html", scenarios=scenario_views(g.workspace, utcnow()),
                           dry_run=None)


@bp.route("/w/<workspace>/scenarios/<key>/dry-run", methods=["POST"])
@policy(POST="author")
def scenario_dry_run(workspace: str, key: str) -> Any:
    """Who the scenario would fire for now, without acting or recording anything.

    A POST (with CSRF) because it runs the sweep's queries on demand; the sweep's
    dry run rolls back, so nothing is written.
    """
    now = utcnow()
    views = scenario_views(g.workspace, now)
    view = next((v for v in views if v.scenario.key == key), None)
    if view is None:
        abort(404, gettext("No configured scenario %(key)r in this workspace.", key=key))
    disabled = not view.scenario.body.get("enabled", True)
    result: dict[str, Any] = {"key": key, "on_event": view.on_event, "matched": 0,
                              "subjects": [], "disabled": disabled}
    if not view.on_event and not disabled:
        for report in sweep(g.workspace, now, dry_run=True, only=key):
            result["matched"] += report.matched
            result["subjects"] += report.subjects[:DRY_RUN_SHOWN - len(result["subjects"])]
    return render_template("admin/scenarios.html", scenarios=views, dry_run=result)

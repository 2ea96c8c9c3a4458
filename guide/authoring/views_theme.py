"""The theme page (docs/THEME.md): admins edit the workspace theme, everyone who can see
the workspace sees it; a live preview runs the real widget on a page of its own."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy, wants_json
from guide.authoring import bp
from guide.errors import InvalidPayload
from guide.i18n import localize
from guide.schemas.theme import DARK_DEFAULTS, DEFAULTS, MODES, POSITIONS
from guide.services import theme as themes
from guide.services.theme_preview import ARTICLE, NUDGE, SCENES, sample_bootstrap

COLOURS = tuple(DEFAULTS)
# The admin's CSP (views_auth.py), except that the theme page may frame it.
PREVIEW_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def form_theme(form: Any) -> dict[str, Any]:
    """The theme the page's form describes: blank fields are left out (the widget's defaults)."""
    def value(name: str) -> str:
        return (form.get(name) or "").strip()

    theme: dict[str, Any] = {k: value(k) for k in (*COLOURS, "font", "mode") if value(k)}
    if value("radius"):
        radius = value("radius")
        theme["radius"] = int(radius) if radius.isdigit() else radius
    launcher = {k: value(f"launcher_{k}") for k in ("position", "label") if value(f"launcher_{k}")}
    if launcher:
        theme["launcher"] = launcher
    if form.get("dark_enabled"):
        theme["dark"] = {k: value(f"dark_{k}") for k in COLOURS if value(f"dark_{k}")}
    return theme


@bp.route("/w/<workspace>/theme", methods=["GET", "POST", "PUT"])
@policy(GET="viewer", POST="admin", PUT="admin")
def theme(workspace: str) -> Any:
    """The page; JSON (``PUT`` a theme object, or ``GET`` asking for JSON) for scripts."""
    if request.method == "PUT":
        return jsonify(themes.save(current_user, g.workspace, request.get_json(silent=True)))
    if request.method == "GET" and wants_json():
        return jsonify(g.workspace.theme or {})
    errors: dict[str, list[str]] = {}
    shown = dict(g.workspace.theme or {})
    if request.method == "POST":
        shown = form_theme(request.form)
        try:
            themes.save(current_user, g.workspace, shown)
        except InvalidPayload as error:
            errors = localize(error.fields or {})
            flash(localize(error.message), "error")
        else:
            flash(gettext("Theme saved: users see it the next time the widget starts."))
            return redirect(url_for("admin.theme", workspace=workspace))
    return render_template("admin/theme.html", theme=shown, errors=errors, defaults=DEFAULTS,
                           dark_defaults=DARK_DEFAULTS, positions=POSITIONS, modes=MODES,
                           scenes=SCENES), 400 if errors else 200


@bp.get("/w/<workspace>/theme/check")
@policy(GET="viewer")
def theme_check(workspace: str) -> Any:
    """The live preview's check of a draft (``?theme=<JSON>``), the one the page's Save
    runs (ThemeSchema: format and contrast): the theme as it would be saved, or a
    ``400 invalid_payload`` naming each field; nothing is stored."""
    try:
        draft = json.loads(request.args.get("theme", ""))
    except ValueError:
        raise InvalidPayload(gettext("The theme is not JSON."),
                             fields={"theme": [gettext("Not JSON.")]}) from None
    try:
        return jsonify(themes.load(draft))
    except InvalidPayload as error:  # the page shows these: in its reader's language
        raise InvalidPayload(localize(error.message), fields=localize(error.fields)) from None


@bp.get("/w/<workspace>/theme/preview")
@policy(GET="viewer")
def theme_preview(workspace: str) -> Any:
    """The preview frame: the real widget on sample guides (theme-preview.js answers its
    requests), themed by the ``theme`` query parameter at first, then by the drafts the
    theme page posts to it (postMessage, same origin only); framed by the theme page only."""
    scene = request.args.get("scene", "checklist")
    data = {"bootstrap": sample_bootstrap(g.workspace), "article": ARTICLE, "nudge": NUDGE,
            "scene": scene if scene in SCENES else "checklist"}
    return render_template("admin/theme_preview.html", data=data), 200, {
        "Content-Security-Policy": PREVIEW_CSP, "X-Frame-Options": "SAMEORIGIN"}

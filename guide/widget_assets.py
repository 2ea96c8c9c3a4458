"""Serves the built widget bundle at ``/widget/guide.js``."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_from_directory

from guide.errors import error_response

bp = Blueprint("widget_assets", __name__)
FILES = {
    "guide.js", "guide.js.map", "stub.min.js", "tour.js", "tour.js.map", "help.js", "help.js.map",
    "author.js", "author.js.map",
}


@bp.get("/widget/<name>")
def bundle(name: str) -> Response | tuple[Response, int]:
    dist = Path(current_app.config["GUIDE_WIDGET_DIST"])
    if name not in FILES:
        return error_response(404, "not_found", f"No widget file {name!r}.")
    if not (dist / name).is_file():
        return error_response(
            404, "widget_not_built",
            f"The widget bundle is missing from {dist}; build it with `make widget`.",
        )
    response = send_from_directory(dist, name, max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

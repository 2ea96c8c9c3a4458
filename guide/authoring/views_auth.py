"""Sign in, sign out, choose a workspace, and the admin's error pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from guide.authoring import bp
from guide.authoring.auth import can, policy, throttle, wants_json
from guide.services.authors import authenticate, workspaces_of


def _safe_next(target: str | None) -> str | None:
    """Only paths on this server (no open redirect to another site), and only printable
    ones: CR/LF would make the Location header invalid (a 500), a backslash reads as a
    slash in some browsers."""
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target if target.startswith("/admin") else None


@bp.route("/login", methods=["GET", "POST"])
@policy(GET="public", POST="public")
def login() -> Any:
    error, email = None, ""
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()
        keys = (f"ip:{request.remote_addr}", f"email:{email}")
        if throttle().blocked(*keys):
            error = "Too many failed attempts; wait a few minutes and try again."
            return render_template("admin/login.html", error=error, email=email), 429
        author = authenticate(email, request.form.get("password") or "")
        if author is not None:
            throttle().reset(f"email:{email}")
            login_user(author, remember=bool(request.form.get("remember")))
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.index"))
        throttle().failed(*keys)
        error = "Wrong email or password."
    return render_template("admin/login.html", error=error, email=email)


@bp.route("/logout", methods=["POST"])
@policy(POST="login")
def logout() -> Any:
    logout_user()
    return redirect(url_for("admin.login"))


@bp.route("/")
@policy(GET="login")
def index() -> Any:
    workspaces = workspaces_of(current_user)
    if len(workspaces) == 1:
        return redirect(url_for("admin.guides", workspace=workspaces[0][0].key))
    return render_template("admin/index.html", workspaces=workspaces)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"can": can, "current_workspace": lambda: getattr(g, "workspace", None),
            "current_role": lambda: getattr(g, "role", None)}


@bp.after_request
def _security_headers(response: Response) -> Response:
    """A strict CSP: the admin's pages load only their own scripts and styles."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    )
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "admin.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(HTTPException)
def _error_page(error: HTTPException) -> Any:
    code = error.code or 500
    message = error.description or error.name
    if wants_json():
        return jsonify({"error": {"code": error.name.lower().replace(" ", "_"),
                                  "message": message}}), code
    return render_template("admin/error.html", code=code, title=error.name,
                           message=message), code


@bp.app_template_filter("admin_text")
def _admin_text(value: Any, locale: str = "en") -> str:
    """A localized string in ``locale`` (for lists and headings)."""
    from guide.services.localize import localize

    return localize(value, locale, locale) or ""


@bp.app_template_filter("admin_when")
def _admin_when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""

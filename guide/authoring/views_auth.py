"""Sign in, sign out, choose a workspace, and the admin's error pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from guide import i18n
from guide.access import can, policy, wants_json
from guide.authoring import bp
from guide.errors import InvalidPayload, NotFound, error_response
from guide.i18n import remember_locale
from guide.models.author import role_allows
from guide.services.authors import SignIn, change_password, end_sessions, sign_in, workspaces_of
from guide.services.localize import localize


def _safe_next(target: str | None) -> str | None:
    """Only paths on this server (no open redirect to another site), and only printable
    ones: CR/LF would make the Location header invalid (a 500), a backslash reads as a
    slash in some browsers."""
    if not target or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target if target.startswith(("/admin", "/support")) else None


def home(workspace_key: str, role: str | None) -> str:
    """Where a member lands in a workspace: its guides, or its support inbox for the
    ``support`` role, which has none of authoring."""
    if role_allows(role, "viewer"):
        return url_for("admin.guides", workspace=workspace_key)
    return url_for("support.inbox", workspace=workspace_key)


def refused(result: SignIn, wrong: str) -> tuple[str, int, dict[str, str]]:
    """The message, status and headers for a sign-in that did not succeed: 429 with
    Retry-After when it came too early, else ``wrong`` and the delay the next try faces."""
    if result.wait:
        return (gettext("Too many failed sign-ins: try again in %(seconds)s s.",
                        seconds=result.wait), 429,
                {"Retry-After": str(result.wait)})
    later = (" " + gettext("Wait %(seconds)s s before the next try.", seconds=result.delay)
             if result.delay else "")
    return wrong + later, 200, {}


@bp.route("/login", methods=["GET", "POST"])
@policy(GET="public", POST="public")
def login() -> Any:
    error, email, status, headers = None, "", 200, {}
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()
        result = sign_in(email, request.form.get("password") or "", request.remote_addr)
        if result.author is not None:
            login_user(result.author, remember=bool(request.form.get("remember")))
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.index"))
        error, status, headers = refused(result, gettext("Wrong email or password."))
    return render_template("admin/login.html", error=error, email=email), status, headers


@bp.route("/logout", methods=["POST"])
@policy(POST="login")
def logout() -> Any:
    """Signs the author out on every device: all their sessions and remember-me cookies end."""
    end_sessions(current_user)
    logout_user()
    return redirect(url_for("admin.login"))


@bp.route("/profile", methods=["GET", "POST"])
@policy(GET="login", POST="login")
def profile() -> Any:
    """The signed-in author's own account: change the password (which signs out every
    other session, this one staying signed in)."""
    error, status, headers = None, 200, {}
    if request.method == "POST":
        new = request.form.get("new_password") or ""
        if new != (request.form.get("confirm_password") or ""):
            error = gettext("The new password and its confirmation differ.")
        else:
            try:
                result = change_password(current_user, request.form.get("password") or "", new,
                                         request.remote_addr)
            except InvalidPayload as invalid:
                result, error = SignIn(), i18n.localize(invalid.message)
            if result.author is not None:
                remembered = current_app.config.get("REMEMBER_COOKIE_NAME",
                                                    REMEMBER_COOKIE) in request.cookies
                login_user(result.author, remember=remembered)  # the new generation
                flash(gettext("Password changed. Every other session of yours is signed out."))
                return redirect(url_for("admin.profile"))
            if error is None:
                error, status, headers = refused(result, gettext("The current password is wrong."))
    return render_template("admin/profile.html", error=error), status, headers


@bp.route("/language", methods=["POST"])
@policy(POST="login")
def language() -> Any:
    """Saves the admin language this browser shows (guide/i18n.py): a personal display
    choice, kept in the session, so no workspace changes and nothing is audited."""
    if not remember_locale(request.form.get("locale", "")):
        abort(400, gettext("Choose one of the languages offered."))
    flash(gettext("Language saved."))
    return redirect(url_for("admin.profile"))


@bp.route("/")
@policy(GET="login")
def index() -> Any:
    workspaces = workspaces_of(current_user)
    if len(workspaces) == 1:
        return redirect(home(workspaces[0][0].key, workspaces[0][1]))
    return render_template("admin/index.html", workspaces=workspaces, home=home)


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
def error_page(error: HTTPException) -> Any:
    """The admin's error page (its JSON endpoints, asked by a script, get the error shape).
    Also for URLs under /admin/ that no route matches (``errors.register_error_page``):
    then no admin context processor ran, so the page gets the helpers itself."""
    code = error.code or 500
    message = error.description or error.name
    if wants_json():
        return error_response(code, error.name.lower().replace(" ", "_"), message)
    return _page(code, message)


@bp.errorhandler(NotFound)
def _not_found_page(error: NotFound) -> Any:
    """Something an admin URL names is not there (e.g. no such guide): the admin's 404 page
    with the service's message, not the JSON the admin's scripts get."""
    if wants_json():
        return jsonify(error.to_dict()), error.status
    return _page(error.status, error.message)


def _page(code: int, message: str) -> Response:
    title = gettext(HTTP_STATUS_CODES.get(code, "Error"))
    response = make_response(render_template("admin/error.html", code=code, title=title,
                                             message=message, **_helpers()), code)
    return _security_headers(response)  # (outside the blueprint, its after_request won't)


@bp.app_template_filter("admin_text")
def _admin_text(value: Any, locale: str = "en") -> str:
    """A localized string in ``locale`` (for lists and headings)."""
    return localize(value, locale, locale) or ""


@bp.app_template_filter("admin_when")
def _admin_when(value: Any) -> str:
    return i18n.when(value) if value is not None else ""

"""Who may do what in the admin (``/admin``) and the support inbox (``/support``):
one sign-in (Flask-Login sessions of authors), per-route policies, CSRF.

Each view declares a policy per HTTP method with ``@policy(GET=..., POST=...)``:
``public``, ``login`` (anyone signed in) or a workspace level (the route then
has a ``<workspace>`` argument): ``viewer`` < ``author`` < ``publisher`` <
``admin`` for authoring, and ``support`` for the inbox, which only the
``support`` and ``admin`` roles reach (``models.author.role_allows``).
``protect(bp)`` makes ``enforce`` run before every view of a blueprint: a route
or method with no declared policy is refused, so forgetting one fails closed
(and the test suite's role x route matrix names it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from guide.errors import error_response
from guide.extensions import db
from guide.models import Author
from guide.models.author import ROLES, role_allows
from guide.services import workspaces
from guide.services.authors import role_of

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.login_message = None  # the login page says what it is
csrf = CSRFProtect()

# A route requires one of these: a role names what it reaches (role_allows).
LEVELS = ("public", "login", *ROLES)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Flask's own routes of the protected blueprints (their static files), filled by protect().
BUILTIN_POLICIES: dict[str, dict[str, str]] = {}


def policy(**methods: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the level each method of a view needs: ``@policy(GET="viewer", POST="author")``."""
    for method, level in methods.items():
        if level not in LEVELS:
            raise ValueError(f"{method}: unknown policy {level!r}; one of {LEVELS}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        view.access_policy = {m.upper(): level for m, level in methods.items()}  # type: ignore[attr-defined]
        return view

    return decorate


def policy_of(endpoint: str | None) -> dict[str, str] | None:
    if endpoint in BUILTIN_POLICIES:
        return BUILTIN_POLICIES[endpoint]
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access_policy", None)


def protect(blueprint: Blueprint) -> None:
    """Enforce the declared policies (and CSRF) before every view of ``blueprint``."""
    if blueprint.has_static_folder:
        BUILTIN_POLICIES[f"{blueprint.name}.static"] = {"GET": "public"}
    blueprint.before_request(enforce)


def init_app(app: Flask) -> None:
    """Session cookies, Flask-Login and Flask-WTF's CSRF; called by ``create_app``."""
    secure = bool(app.config.get("GUIDE_SECURE_COOKIES", False))
    # Session cookies: not readable by scripts, not sent on cross-site requests,
    # and only over HTTPS when GUIDE_SECURE_COOKIES=1 (set it behind TLS).
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # "Keep me signed in": two weeks by default (Flask-Login's own default is a year).
        REMEMBER_COOKIE_DURATION=timedelta(days=app.config.get("GUIDE_REMEMBER_DAYS", 14)),
    )
    # CSRF is checked by the protected blueprints themselves (enforce), not app-wide: the
    # widget API and Socket.IO authenticate with their own tokens.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's lifetime
    login_manager.init_app(app)
    csrf.init_app(app)


@login_manager.user_loader
def _load_author(user_id: str) -> Author | None:
    """The author a session or remember-me cookie names (``<id>:<generation>``, see
    ``Author.get_id``), only while that generation is current: logging out or changing
    the password moves it on, and every cookie issued before stops working."""
    try:
        author_id, generation = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None  # a cookie from before generations
    author = db.session.get(Author, author_id)
    if author is None or not author.active or author.session_generation != generation:
        return None
    return author


def wants_json() -> bool:
    """An admin script or API client: XHR, JSON asked for, or a JSON body (the JSON API)."""
    return (request.headers.get("X-Requested-With") == "XMLHttpRequest"
            or request.accept_mimetypes.best == "application/json" or request.is_json)


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if wants_json():
        return error_response(401, "unauthorized", "Sign in again.")
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


def enforce() -> Any:
    """CSRF on state-changing methods, then the route's declared policy."""
    method = "GET" if request.method == "HEAD" else request.method
    if method not in SAFE_METHODS:
        csrf.protect()
    declared = policy_of(request.endpoint) or {}
    level = declared.get(method)
    if level is None:
        if method == "OPTIONS":
            return None
        abort(403, "This route declares no access policy.")
    if level == "public":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if level == "login":
        return None
    return _require_role(level)


def _require_role(level: str) -> None:
    key = (request.view_args or {}).get("workspace")
    workspace = workspaces.by_key(str(key or ""))
    if workspace is None:
        abort(404, "No such workspace.")
    role = role_of(current_user, workspace)
    if not role_allows(role, level):
        abort(403, f"This needs the {level} role in {workspace.name}."
              if role else f"You have no role in {workspace.name}.")
    g.workspace, g.role = workspace, role


def can(level: str) -> bool:
    """For templates: does the current author's role in ``g.workspace`` reach ``level``?"""
    return role_allows(getattr(g, "role", None), level)

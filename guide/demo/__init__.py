"""Acme Analytics: a small fake SaaS product with the Guide widget embedded.

It plays the customer: its pages embed the widget exactly as the README tells
product teams to, and its "backend" signs identity tokens with the demo
workspace's secret (read from the database, as a customer reads it from its
config). It is not part of the Guide API and only served when ``GUIDE_DEMO``
is on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from guide.demo import mail, users
from guide.demo.embed import seed_earlier_visit, widget_context

bp = Blueprint(
    "demo", __name__, url_prefix="/demo", template_folder="templates", static_folder="static"
)
SESSION_KEY = "demo_user"

NAV = [
    ("demo.dashboard", "Dashboard", "dashboard"),
    ("demo.integrations", "Integrations", "integrations"),
    ("demo.settings", "Settings", "settings"),
]


def csp_nonce() -> str:
    """This request's nonce for the one inline script (the widget embed).

    Kept in the WSGI environ rather than ``g``: ``g`` lives as long as the app
    context, which an outer context (a shell, a test) can share between requests.
    """
    return request.environ.setdefault("guide.demo.csp_nonce", secrets.token_urlsafe(18))


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    return {"csp_nonce": csp_nonce, "nav": NAV, "initials": users.initials}


@bp.after_request
def _security_headers(response: Response) -> Response:
    """A strict customer's CSP: scripts, styles and connections from 'self' only.

    The widget's own origin is this server, so 'self' covers guide.js and the
    API; ws/wss of this host cover the Socket.IO connection. The only inline
    script is the embed, allowed by nonce; there are no inline styles at all.
    """
    host = request.host
    response.headers["Content-Security-Policy"] = "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self'",
        f"connect-src 'self' ws://{host} wss://{host}",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        # Pages carry a signed identity token: keep them out of shared caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def current_user() -> dict[str, Any] | None:
    return users.get_user(session.get(SESSION_KEY))


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors who are not signed in to the "Sign in as" picker."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            session.pop(SESSION_KEY, None)
            return redirect(url_for("demo.index"))
        g.demo_user = user
        return view(*args, **kwargs)

    return wrapper


def render_page(template: str, active: str, **context: Any) -> str:
    """Render a signed-in page: layout, current user and the widget embed."""
    user = g.demo_user
    return render_template(
        template,
        active=active,
        user=user,
        account=users.ACCOUNTS[user["account"]],
        **widget_context(user),
        **context,
    )


@bp.get("/")
def index() -> Any:
    if current_user() is not None:
        return redirect(url_for("demo.dashboard"))
    people = [
        {**user, "signed_up_at": users.signup_date(user).isoformat()} for user in users.USERS
    ]
    return render_template("demo/signin.html", people=people, accounts=users.ACCOUNTS)


@bp.post("/login")
def login() -> Any:
    user = users.get_user(request.form.get("user"))
    if user is None:
        known = ", ".join(u["id"] for u in users.USERS)
        abort(400, description=f"Unknown demo user; pick one of: {known}.")
    session[SESSION_KEY] = user["id"]
    seed_earlier_visit(user)
    return redirect(url_for("demo.dashboard"))


@bp.post("/logout")
def logout() -> Any:
    # Only the demo's key: the admin UI may share this session cookie.
    session.pop(SESSION_KEY, None)
    return redirect(url_for("demo.index"))


@bp.get("/dashboard")
@signed_in
def dashboard() -> str:
    return render_page("demo/dashboard.html", "dashboard", tab="overview")


@bp.get("/dashboard/reports")
@signed_in
def dashboard_reports() -> str:
    """The Reports view of the dashboard; demo.js reaches it client-side with pushState."""
    return render_page("demo/dashboard.html", "dashboard", tab="reports")


@bp.get("/integrations")
@signed_in
def integrations() -> str:
    return render_page("demo/integrations.html", "integrations", integrations=INTEGRATIONS)


@bp.get("/settings")
@signed_in
def settings() -> str:
    return render_page(
        "demo/settings.html", "settings",
        teammates=users.teammates(g.demo_user), signup=users.signup_date(g.demo_user),
    )


@bp.get("/mail")
def mail_outbox() -> str:
    """The emails Guide wrote instead of sending them (``make demo``'s mail outbox)."""
    directory = mail.mail_dir()
    return render_template("demo/mail.html", directory=directory, mails=mail.outbox(directory))


INTEGRATIONS = [
    ("postgres", "PostgreSQL", "Databases", "Query tables and views directly."),
    ("snowflake", "Snowflake", "Databases", "Sync warehouse tables every hour."),
    ("bigquery", "BigQuery", "Databases", "Read datasets from Google Cloud."),
    ("stripe", "Stripe", "Payments", "Revenue, churn and MRR from your billing data."),
    ("salesforce", "Salesforce", "CRM", "Pipeline, accounts and opportunities."),
    ("hubspot", "HubSpot", "CRM", "Contacts, deals and marketing events."),
    ("slack", "Slack", "Notifications", "Send alerts and weekly digests to a channel."),
]


def init_app(app: Flask) -> None:
    """Serve the demo product at /demo/."""
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        # The sign-in form has no CSRF token; Lax keeps other sites from posting it.
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.register_blueprint(bp)

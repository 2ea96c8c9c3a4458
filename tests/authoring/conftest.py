"""Admin fixtures: one author per role in the demo workspace, signed-in clients, CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest

from guide.models.author import ROLES

PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: Any) -> str:
    """The session's CSRF token, as a page of the admin hands it to its forms."""
    html = client.get("/admin/login").get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, "the login page carries a csrf-token meta tag"
    return match.group(1)


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post("/admin/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_token(client)})


class AdminClient:
    """A test client signed in as one author; ``post`` adds the CSRF token."""

    def __init__(self, client: Any, email: str) -> None:
        self.client, self.email = client, email
        response = login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_token(client)

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kw)


@pytest.fixture(autouse=True)
def _fresh_g_per_request(app: Any) -> None:
    """Each request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps an app context pushed for the whole test, and
    Flask reuses it for test requests, so ``g`` would carry one client's
    signed-in author (Flask-Login), CSRF token (Flask-WTF) and language
    (Flask-Babel) into the next client's requests.
    """
    from flask import g

    def reset() -> None:
        for name in ("_login_user", "csrf_token", "workspace", "role", "_flask_babel"):
            g.pop(name, None)

    app.before_request_funcs.setdefault(None, []).insert(0, reset)


@pytest.fixture
def authors(app: Any, workspace: Any) -> dict[str, Any]:
    """One author per role in the demo workspace: viewer@, author@, publisher@, admin@example.com."""
    from guide.services.authors import ensure_author

    return {role: ensure_author(f"{role}@example.com", PASSWORD, workspace, role)[0]
            for role in ROLES}


@pytest.fixture
def as_role(app: Any, authors: dict[str, Any]) -> Any:
    """``as_role("publisher")`` -> an AdminClient signed in with that role."""

    def make(role: str) -> AdminClient:
        return AdminClient(app.test_client(), f"{role}@example.com")

    return make

"""Admin sessions end when they should: a copied session or remember-me cookie dies at
sign-out and at a password change (every session of the author: a session generation
in the database), and "Keep me signed in" lasts two weeks, not a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from guide.services.authors import ensure_author
from tests.authoring.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fresh_g_per_request,
    authors,
    csrf_token,
)

pytestmark = pytest.mark.usefixtures("authors")

EMAIL = "admin@example.com"
NEW_PASSWORD = "a much better passphrase"


def signed_in(app, *, remember: bool = False):
    client = app.test_client()
    response = client.post("/admin/login", data={
        "email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(client),
        **({"remember": "1"} if remember else {})})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, response


def copy_of(app, client, *names: str):
    """A second browser holding a copy of ``client``'s cookies (stolen, or synced)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def is_signed_in(client) -> bool:
    response = client.get("/admin/w/demo/")
    return response.status_code == 200


def sign_out(client) -> None:
    response = client.post("/admin/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_a_session_cookie_copied_before_sign_out_is_dead_after_it(app):
    client, _ = signed_in(app)
    copied = copy_of(app, client, "session")
    assert is_signed_in(copied)
    sign_out(client)
    assert not is_signed_in(client)
    assert not is_signed_in(copied)
    assert copied.get("/admin/w/demo/").headers["Location"].startswith("/admin/login")


def test_signing_out_ends_every_other_session_of_the_author(app):
    laptop, _ = signed_in(app)
    phone, _ = signed_in(app)
    sign_out(laptop)
    assert not is_signed_in(phone)
    again, _ = signed_in(app)  # signing in again works at once
    assert is_signed_in(again)


def test_a_copied_cookie_is_dead_after_a_password_change_which_keeps_this_session(app):
    client, _ = signed_in(app)
    copied = copy_of(app, client, "session")
    response = client.post("/admin/profile", data={
        "password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/profile"
    assert "Every other session" in client.get("/admin/profile").get_data(as_text=True)
    assert is_signed_in(client), "the session that changed the password stays signed in"
    assert not is_signed_in(copied)


def test_a_password_reset_from_the_cli_ends_every_session(app, workspace):
    client, _ = signed_in(app)
    ensure_author(EMAIL, NEW_PASSWORD, workspace, "admin")
    assert not is_signed_in(client)


def test_a_wrong_current_password_changes_nothing(app):
    client, _ = signed_in(app)
    copied = copy_of(app, client, "session")
    page = client.post("/admin/profile", data={
        "password": "not my password", "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD, "csrf_token": csrf_token(client)})
    assert "current password is wrong" in page.get_data(as_text=True)
    assert is_signed_in(client) and is_signed_in(copied)


def test_a_remember_me_cookie_is_dead_after_sign_out(app):
    client, _ = signed_in(app, remember=True)
    remembered = copy_of(app, client, "remember_token")  # the browser was closed: no session
    assert is_signed_in(remembered)
    stolen = copy_of(app, client, "remember_token")
    sign_out(client)
    assert not is_signed_in(stolen)


def test_remember_me_lasts_two_weeks_and_is_a_strict_cookie(app):
    _, response = signed_in(app, remember=True)
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=5)


@pytest.mark.parametrize("user_id", ["1", "1:0:0", "x:0", ""])
def test_a_session_naming_no_generation_loads_nobody(app, user_id):
    """Sessions from before generations (a bare id) and malformed ids sign nobody in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    assert not is_signed_in(client)

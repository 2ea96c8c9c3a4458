"""Password guessing is slowed, the owner is never locked out, and every process agrees.

Failed sign-ins count per client address and per account in the database; after
five, each further attempt must wait 2^(n-5) s (at most 60 s for an address, 10 s
for an account). An attempt made too early is a 429 with Retry-After, unchecked and
not counted. The clock is frozen and moved on by hand: no test sleeps.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from guide import create_app
from guide.extensions import db
from guide.models import LoginThrottle
from guide.models.base import utcnow
from guide.services import login_throttle
from tests.authoring.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fresh_g_per_request,
    authors,
    csrf_token,
)
from tests.conftest import _config

pytestmark = pytest.mark.usefixtures("authors")

EMAIL = "viewer@example.com"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr(login_throttle, "utcnow", frozen)
    return frozen


def attempt(app, password: str, address: str = ATTACKER, email: str = EMAIL):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/admin/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_token(client)})


def failures(key: str) -> int:
    db.session.expire_all()
    row = db.session.get(LoginThrottle, key)
    return row.failures if row else 0


def test_each_failure_past_five_doubles_the_wait_up_to_a_minute(app, clock):
    for _ in range(5):
        assert attempt(app, "wrong password").status_code == 200
    waits = []
    for _ in range(9):
        refused = attempt(app, "wrong password")
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert f"try again in {wait} s" in refused.get_data(as_text=True)
        waits.append(wait)
        clock.advance(wait - 1)
        assert attempt(app, "wrong password").status_code == 429, "one second too early"
        clock.advance(1)
        page = attempt(app, "wrong password")
        assert page.status_code == 200 and "Wrong email or password" in page.get_data(as_text=True)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_an_attempt_too_early_is_not_checked_nor_counted(app, clock):
    for _ in range(5):
        attempt(app, "wrong password")
    assert failures(f"ip:{ATTACKER}") == failures(f"email:{EMAIL}") == 5
    for _ in range(20):
        assert attempt(app, PASSWORD).status_code == 429  # even the right password waits
    assert failures(f"ip:{ATTACKER}") == failures(f"email:{EMAIL}") == 5
    clock.advance(1)
    assert attempt(app, PASSWORD).status_code == 302


def test_the_owner_is_slowed_for_seconds_never_locked_out(app, clock):
    """An attacker hammering one account from one address slows that address to a try a
    minute; the owner, from elsewhere, waits at most the account's 10 s."""
    for _ in range(12):
        response = attempt(app, "wrong password")
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
            response = attempt(app, "wrong password")
        assert response.status_code == 200
    assert int(attempt(app, "wrong password").headers["Retry-After"]) == 60
    owner = attempt(app, PASSWORD, address=OWNER)
    if owner.status_code == 429:
        assert int(owner.headers["Retry-After"]) <= login_throttle.ACCOUNT.cap
        clock.advance(int(owner.headers["Retry-After"]))
        owner = attempt(app, PASSWORD, address=OWNER)
    assert owner.status_code == 302
    # The account's count starts over; the attacker's address is still held back.
    assert failures(f"email:{EMAIL}") == 0
    assert attempt(app, "wrong password").status_code == 429


def test_attempts_at_the_same_instant_get_one_slot_between_them(app, clock):
    """Charged before the password is checked, in a transaction holding the row: ten
    requests sent together when the wait ends do not all get checked."""
    for _ in range(5):
        attempt(app, "wrong password")
    clock.advance(1)
    db.session.remove()  # the test's own session holds nothing while the threads run
    start = threading.Barrier(10)

    def racer(_: int) -> int:
        start.wait()
        return attempt(app, "wrong password").status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(racer, range(10)))
    assert statuses == [200] + [429] * 9
    assert failures(f"email:{EMAIL}") == 6


def test_a_wrong_password_says_how_long_the_next_try_waits(app, clock):
    for _ in range(4):
        attempt(app, "wrong password")
    page = attempt(app, "wrong password").get_data(as_text=True)
    assert "Wrong email or password. Wait 1 s before the next try." in page


def test_signing_in_to_ones_own_account_does_not_clear_the_address(app, clock):
    """Guessing at other accounts between sign-ins to one's own keeps the address's count."""
    for n in range(4):
        attempt(app, "wrong password", email=f"victim{n}@example.com")
    assert attempt(app, PASSWORD).status_code == 302
    assert failures(f"ip:{ATTACKER}") == 4
    attempt(app, "wrong password", email="victim9@example.com")
    assert attempt(app, "wrong password", email="victim9@example.com").status_code == 429


def test_the_count_is_forgotten_after_a_quiet_quarter_hour(app, clock):
    for _ in range(8):
        response = attempt(app, "wrong password")
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
    clock.advance(15 * 60)
    for _ in range(5):
        assert attempt(app, "wrong password").status_code == 200
    assert failures(f"ip:{ATTACKER}") == 5


def test_two_processes_share_the_count_through_the_database(app, clock, database_url):
    """Failures on one server process hold back attempts on another (both app instances
    use the same database, as two gunicorn processes or two machines do)."""
    other = create_app(_config(database_url))
    for _ in range(5):
        assert attempt(app, "wrong password").status_code == 200
    db.session.remove()  # as each request's end does outside tests: SQLite has one writer
    with other.app_context():
        refused = attempt(other, "wrong password")
        db.session.remove()
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"


def test_an_ipv6_client_counts_as_its_slash_64(app, clock):
    for n in range(5):
        attempt(app, "wrong password", address=f"2001:db8:1:2::{n + 1:x}")
    assert attempt(app, PASSWORD, address="2001:db8:1:2:ffff::9").status_code == 429
    assert failures("ip:2001:db8:1:2::/64") == 5


def test_nul_in_the_email_is_a_wrong_password_not_a_server_error(app, clock):
    page = attempt(app, "wrong password", email="ada\x00@example.com")
    assert page.status_code == 200 and "Wrong email or password" in page.get_data(as_text=True)


def test_the_support_inbox_has_no_sign_in_of_its_own_to_guess_at(app, workspace, clock):
    """The inbox sends people to the admin's (throttled) sign-in; its API-key form is gone."""
    from guide.services.authors import ensure_author

    ensure_author("support@example.com", PASSWORD, workspace, "support")
    key = workspace.create_api_key()
    db.session.commit()
    client = app.test_client()
    assert client.get("/support/").location == "/admin/login?next=/support/"
    assert client.post("/support/signin", data={"api_key": key}).status_code == 404
    for n in range(5):
        page = attempt(app, f"wrong{n}", email="support@example.com")
        assert "Wrong email or password" in page.get_data(as_text=True)
    refused = attempt(app, PASSWORD, email="support@example.com")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"

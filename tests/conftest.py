"""Fixtures: a fresh, migrated database per test, on SQLite or on PostgreSQL.

Set GUIDE_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to
run everything on PostgreSQL: the suite creates its own database next to the
one named, migrates it once, and empties it between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.pg import PG_URL, temporary_database

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


def _config(database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-for-socket-tokens-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "GUIDE_CONTENT_DIR": str(CONTENT_DIR),
        **extra,
    }


def _migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    from guide import create_app
    from guide.extensions import db
    from guide.proactive import rules

    # Each test's database starts its ids afresh: a workspace's scenarios cached by an
    # earlier test (for rules.TTL) would otherwise be another workspace's.
    rules.forget()
    app = create_app(_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _admin_catalogs() -> None:
    """The admin's compiled catalogs, from the .po files (as ``make setup`` compiles them;
    the .mo files are not committed): a fresh checkout's French pages would read English."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "guide" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture(scope="session", autouse=True)
def _no_background_worker() -> Iterator[None]:
    """Tests drive the outbox worker themselves (guide.worker.process_due):
    no app a test creates starts the embedded one, which would outlive the test and, on
    a shared PostgreSQL database, deliver the next tests' messages behind their backs."""
    previous = os.environ.get("GUIDE_WORKER")
    os.environ["GUIDE_WORKER"] = "off"
    yield
    if previous is None:
        os.environ.pop("GUIDE_WORKER", None)
    else:
        os.environ["GUIDE_WORKER"] = previous


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Passwords hashed and checked in process with argon2-cffi's cheapest parameters.

    Production keeps argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, three
    passes), about 120 ms a hash or a check on the CI machine; the admin tests' fixtures
    hash four authors' passwords and sign some of them in for every test, which cost the
    suite minutes. No test measures the hash's cost. Servers in subprocesses (tests/live.py)
    keep the defaults, and ``tests/unit/test_password_hashing.py`` checks them.
    """
    from argon2 import PasswordHasher, profiles

    from guide.services import authors

    saved = authors._hasher, authors._DUMMY_HASH
    authors._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    authors._DUMMY_HASH = authors._hasher.hash("not anyone's password")
    yield
    authors._hasher, authors._DUMMY_HASH = saved


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with every migration applied, once per test session."""
    if PG_URL:
        with temporary_database("unit") as url:
            _migrate(url)
            yield url
    else:
        path = tmp_path_factory.mktemp("template") / "guide.db"
        _migrate(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """A fresh database for one test: a copy of the template, or an emptied PostgreSQL."""
    if PG_URL:
        from tests.pg import truncate_all

        truncate_all(migrated_database)
        return migrated_database
    path = tmp_path / "guide.db"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    from guide import create_app
    from guide.extensions import db
    from guide.proactive import rules

    # Each test's database starts its ids afresh: a workspace's scenarios cached by an
    # earlier test (for rules.TTL) would otherwise be another workspace's.
    rules.forget()
    app = create_app(_config(database_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Any:
    from guide.extensions import db

    return db


@pytest.fixture
def workspace(app: Flask) -> Any:
    """The demo workspace with the repository's content/ pushed and published."""
    from guide.content.push import push_content

    push_content(CONTENT_DIR)
    return factories.workspace("demo")


@pytest.fixture
def open_workspace(app: Flask) -> Any:
    """A workspace that does not require identity tokens, with one small checklist."""
    ws = factories.make_workspace(key="open", require_identity=False)
    factories.publish(ws, factories.checklist_body())
    return ws


@pytest.fixture
def socket_client(app: Flask) -> Any:
    """Connect Socket.IO test clients to /widget; all are disconnected afterwards."""
    from guide.extensions import socketio
    from tests.socket_client import WidgetTestClient

    clients: list[Any] = []

    def connect(token: str | None, origin: str | None = None) -> Any:
        headers = {"Origin": origin} if origin else {}
        auth = {"token": token} if token is not None else None
        client = WidgetTestClient(app, socketio, namespace="/widget", auth=auth, headers=headers)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected("/widget"):
            client.disconnect("/widget")


def pytest_report_header(config: pytest.Config) -> str:
    backend = f"PostgreSQL ({PG_URL})" if PG_URL else "SQLite (set GUIDE_TEST_DATABASE_URL for PostgreSQL)"
    redis = os.environ.get("GUIDE_TEST_REDIS_URL") or "not set (GUIDE_TEST_REDIS_URL)"
    return f"guide: database {backend}; redis {redis}"

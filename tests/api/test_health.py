"""/healthz and /readyz."""

from __future__ import annotations

import os

import pytest


def test_healthz_answers_without_the_database(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "queue": "not configured"}


def test_readyz_is_503_when_the_queue_is_unreachable(client, app):
    app.config["GUIDE_MESSAGE_QUEUE"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["checks"]["queue"].startswith("error:")


@pytest.mark.skipif(not os.environ.get("GUIDE_TEST_REDIS_URL"),
                    reason="GUIDE_TEST_REDIS_URL is not set: the reachable-queue check needs Redis")
def test_readyz_with_a_reachable_queue(client, app):
    app.config["GUIDE_MESSAGE_QUEUE"] = os.environ["GUIDE_TEST_REDIS_URL"]
    assert client.get("/readyz").get_json()["checks"]["queue"] == "ok"


def test_behind_a_trusted_proxy_the_forwarded_origin_is_the_servers_own(database_url):
    from guide import create_app
    from guide.extensions import db
    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "s" * 40,
                      "GUIDE_TRUSTED_PROXIES": 1})
    with app.app_context():
        ws = factories.make_workspace(key="proxied")
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "guide.example.com"}
        ok = factories.bootstrap(app.test_client(), ws, "ada", origin="https://guide.example.com",
                                 headers=headers)
        assert ok.status_code == 200, ok.get_json()
        db.session.remove()
        db.engine.dispose()

"""/metrics is not public: a bearer token (GUIDE_METRICS_TOKEN) or an allowed client
network (GUIDE_METRICS_ALLOW_FROM); with neither configured it is refused."""

from __future__ import annotations

import pytest

from guide import create_app

TOKEN = "scrape-me-0123456789abcdef"


def scrape(client, headers=None, remote="203.0.113.7"):
    return client.get("/metrics", headers=headers or {}, environ_base={"REMOTE_ADDR": remote})


def test_metrics_are_refused_when_nothing_is_configured(client):
    for remote in ("203.0.113.7", "127.0.0.1"):
        response = scrape(client, remote=remote)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert "GUIDE_METRICS_TOKEN" in response.get_json()["error"]["message"]
        assert b"guide_envelopes_total" not in response.data


def test_the_bearer_token_opens_them_and_a_wrong_one_does_not(app, client):
    app.config["GUIDE_METRICS_TOKEN"] = TOKEN
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Basic {TOKEN}"}):
        response = scrape(client, headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]["code"] == "unauthorized"
    response = scrape(client, {"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "guide_outbox_backlog" in response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain")


def test_allowed_networks_need_no_token(app, client):
    app.config["GUIDE_METRICS_ALLOW_FROM"] = ["10.0.0.0/8", "::1"]
    assert scrape(client, remote="10.2.3.4").status_code == 200
    assert scrape(client, remote="::1").status_code == 200
    assert scrape(client, remote="11.2.3.4").status_code == 403
    assert scrape(client, remote="127.0.0.1").status_code == 403


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(database_url, monkeypatch):
    """A proxy on the same host must not make every internet client look local."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "x" * 32, "GUIDE_TRUSTED_PROXIES": 1,
                      "GUIDE_METRICS_ALLOW_FROM": ["127.0.0.1"]})
    client = app.test_client()
    outside = scrape(client, {"X-Forwarded-For": "198.51.100.9"}, remote="127.0.0.1")
    assert outside.status_code == 403
    inside = scrape(client, {"X-Forwarded-For": "127.0.0.1"}, remote="127.0.0.1")
    assert inside.status_code == 200


def test_a_bad_allow_from_entry_stops_the_server_at_start(database_url):
    with pytest.raises(ValueError, match="GUIDE_METRICS_ALLOW_FROM"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                    "SECRET_KEY": "x" * 32, "GUIDE_METRICS_ALLOW_FROM": ["10.0.0.300/8"]})

"""Rate limits that hold across transports and processes (issue 12, point 5).

The HTTP batch endpoint took 1,000 envelopes in 1.7 s from one token,
``picker:selected`` was never limited, and every new socket brought a fresh
budget. Now one budget per end user covers every envelope and pick, on every
socket and in every HTTP batch (each envelope counts), in a storage that
several processes share through Redis.

Limits are set per test in ``N/day``: a window no test outlasts, so counts are exact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import socketio

from guide.extensions import db
from guide.models import Event
from tests import factories, live

NS = "/widget"
REDIS_URL = os.environ.get("GUIDE_TEST_REDIS_URL")


def track(n: int = 1) -> list[dict[str, Any]]:
    return [{"type": "event:track", "data": {"id": str(uuid.uuid4()), "name": "tick"}}
            for _ in range(n)]


def batch(client: Any, token: str, envelopes: list[dict[str, Any]], **headers: str) -> Any:
    return client.post("/api/v1/widget/events", json={"envelopes": envelopes},
                       headers={"Authorization": f"Bearer {token}", **headers})


def emit(sock: Any, kind: str = "event:track", **data: Any) -> dict[str, Any]:
    data = data or {"name": "tick"}
    return sock.emit(kind, {"id": str(uuid.uuid4()), **data}, namespace=NS, callback=True)


def codes(acks: list[dict[str, Any]]) -> list[str]:
    return ["ok" if a["ok"] else a["error"]["code"] for a in acks]


def recorded() -> int:
    return db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type != "offer")) or 0


def test_a_thousand_envelopes_over_http_from_one_token_are_limited(app, client, open_workspace):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "100/day"
    token = factories.socket_token(client, open_workspace, "flood")
    results = []
    for _ in range(10):
        response = batch(client, token, track(100))
        assert response.status_code == 200
        results += response.get_json()["results"]
    assert codes(results) == ["ok"] * 100 + ["rate_limited"] * 900
    assert all(0 < r["error"]["retry_after"] <= 86400 for r in results[100:])
    assert recorded() == 100


def test_the_default_limit_holds_a_burst_of_a_thousand(client, open_workspace):
    """20/second and 300/minute: 1,000 envelopes sent at once are mostly refused."""
    token = factories.socket_token(client, open_workspace, "flood")
    results = []
    for _ in range(10):
        results += batch(client, token, track(100)).get_json()["results"]
    accepted = codes(results).count("ok")
    assert 20 <= accepted <= 300, accepted
    assert recorded() == accepted


def test_many_sockets_of_one_user_share_one_budget(app, client, open_workspace, socket_client):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "6/day"
    # Two pages (two bootstraps, two tokens), two sockets each.
    tokens = [factories.socket_token(client, open_workspace, "tabs") for _ in range(2)]
    sockets = [socket_client(token) for token in tokens for _ in range(2)]
    acks = [emit(sock) for sock in sockets for _ in range(3)]
    assert codes(acks).count("ok") == 6
    assert codes(acks).count("rate_limited") == 6
    assert emit(socket_client(factories.socket_token(client, open_workspace, "other")))["ok"]


def test_picker_selected_is_limited(app, client, open_workspace, socket_client):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "3/day"
    sock = socket_client(factories.socket_token(client, open_workspace, "picker"))
    acks = [sock.emit("picker:selected", {"token": "forged", "selector": "#a", "url": "/"},
                      namespace=NS, callback=True) for _ in range(5)]
    assert codes(acks) == ["pick_token_invalid"] * 3 + ["rate_limited"] * 2


def test_socket_and_http_batches_share_the_budget(app, client, open_workspace, socket_client):
    app.config["GUIDE_ENVELOPE_RATE_LIMIT"] = "4/day"
    token = factories.socket_token(client, open_workspace, "both")
    sock = socket_client(token)
    assert codes([emit(sock), emit(sock)]) == ["ok", "ok"]
    results = batch(client, token, track(4)).get_json()["results"]
    assert codes(results) == ["ok", "ok", "rate_limited", "rate_limited"]
    assert codes([emit(sock)]) == ["rate_limited"]
    assert recorded() == 4


def test_help_requests_have_a_tighter_budget(app, client, open_workspace, socket_client):
    """Each one reaches support (webhooks, email): a page cannot flood the inbox."""
    app.config["GUIDE_ESCALATION_RATE_LIMIT"] = "2/day"
    sock = socket_client(factories.socket_token(client, open_workspace, "asker"))
    acks = [emit(sock, "help:escalate", message="Help!", severity="question")
            for _ in range(3)]
    assert codes(acks) == ["ok", "ok", "rate_limited"]
    assert "help requests" in acks[2]["error"]["message"]
    assert emit(sock)["ok"]  # other envelopes still go through


def test_bootstrap_is_limited_per_client_address(app, client, open_workspace):
    app.config["GUIDE_BOOTSTRAP_RATE_LIMIT"] = "3/day"
    statuses = [factories.bootstrap(client, open_workspace, f"u{n}").status_code
                for n in range(3)]
    assert statuses == [200, 200, 200]
    origin = "https://app.example"
    refused = factories.bootstrap(client, open_workspace, "u4", origin=origin)
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and 0 < error["retry_after"] <= 86400
    assert int(refused.headers["Retry-After"]) == error["retry_after"]
    assert refused.headers["Access-Control-Allow-Origin"] == origin  # readable by the widget
    elsewhere = client.post("/api/v1/widget/bootstrap", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                            json={"app": open_workspace.key, "user": {"id": "u5"}})
    assert elsewhere.status_code == 200


def test_batches_and_help_reads_share_a_per_token_budget(app, client, open_workspace):
    app.config["GUIDE_TOKEN_RATE_LIMIT"] = "3/day"
    token = factories.socket_token(client, open_workspace, "reader")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/widget/help", headers=bearer).status_code == 200
    assert batch(client, token, track(1)).status_code == 200
    assert client.get("/api/v1/widget/help?q=data", headers=bearer).status_code == 200
    refused = batch(client, token, track(1))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert client.get("/api/v1/widget/help", headers=bearer).status_code == 429
    other = factories.socket_token(client, open_workspace, "another-reader")
    assert batch(client, other, track(1)).status_code == 200


def test_limits_can_be_turned_off(app, client, open_workspace):
    app.config.update(GUIDE_RATE_LIMITS=False, GUIDE_ENVELOPE_RATE_LIMIT="1/day",
                      GUIDE_TOKEN_RATE_LIMIT="1/day", GUIDE_BOOTSTRAP_RATE_LIMIT="1/day")
    token = factories.socket_token(client, open_workspace, "bench")
    factories.socket_token(client, open_workspace, "bench")
    for _ in range(2):
        assert codes(batch(client, token, track(3)).get_json()["results"]) == ["ok"] * 3



def test_limits_turned_off_cost_no_limiter_check(app, client, open_workspace, monkeypatch):
    """Off, Flask-Limiter never sorts out a request's limits (it did, twice a request,
    only to find them exempt: ~7% of a bootstrap); on, it does."""
    from flask_limiter import Limiter

    checks: list[str | None] = []
    check = Limiter._check_request_limit
    monkeypatch.setattr(Limiter, "_check_request_limit",
                        lambda self, *a, **k: checks.append(k.get("callable_name"))
                        or check(self, *a, **k))
    app.config["GUIDE_RATE_LIMITS"] = False
    assert factories.bootstrap(client, open_workspace, "ada").status_code == 200
    assert checks == []
    app.config["GUIDE_RATE_LIMITS"] = True
    assert factories.bootstrap(client, open_workspace, "ada").status_code == 200
    assert len(checks) == 2  # before the request, and the view's decorator


UNREACHABLE_STORAGE = """
import json, sys
from guide import create_app
from guide.extensions import db
from tests import factories
from tests.conftest import _config
from tests.security.test_rate_limits import batch, codes, track

app = create_app(_config(sys.argv[1], GUIDE_RATELIMIT_STORAGE_URL="redis://127.0.0.1:1/0",
                         GUIDE_ENVELOPE_RATE_LIMIT="1/day"))
with app.app_context():
    workspace = factories.make_workspace(key="open", require_identity=False)
    client = app.test_client()
    token = factories.socket_token(client, workspace, "ada")
    print(json.dumps(codes(batch(client, token, track(2)).get_json()["results"])))
    db.session.remove()
    db.engine.dispose()
"""


def test_an_unreachable_storage_does_not_stop_the_widgets(database_url):
    """Redis down: requests are served without limits, and the failure is logged (to the
    app's logger, which Flask sends to stderr).

    In a process of its own: the log is once a minute per process, and in the whole
    suite something earlier in the same process kept it from the test's capture."""
    done = subprocess.run([sys.executable, "-c", UNREACHABLE_STORAGE, database_url],
                          cwd=live.ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["ok", "ok"]
    assert "rate-limit storage unreachable" in done.stderr


def test_the_production_tier_shares_the_message_queues_redis(monkeypatch, tmp_path):
    from guide.config import from_env

    monkeypatch.setenv("GUIDE_MESSAGE_QUEUE", "redis://redis.internal:6379/0")
    assert from_env(str(tmp_path))["GUIDE_RATELIMIT_STORAGE_URL"] == "redis://redis.internal:6379/0"
    monkeypatch.setenv("GUIDE_RATELIMIT_STORAGE_URL", "redis://limits.internal:6379/1")
    assert from_env(str(tmp_path))["GUIDE_RATELIMIT_STORAGE_URL"] == "redis://limits.internal:6379/1"
    monkeypatch.delenv("GUIDE_MESSAGE_QUEUE")
    monkeypatch.delenv("GUIDE_RATELIMIT_STORAGE_URL")
    assert from_env(str(tmp_path))["GUIDE_RATELIMIT_STORAGE_URL"] == "memory://"


# Two processes sharing Redis ------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> str:
    """GUIDE_TEST_REDIS_URL, reachable. Unset: skipped (said why). Set but unreachable: a
    failure, not a skip, so a CI that meant to test Redis cannot pass without it."""
    if not REDIS_URL:
        pytest.skip("GUIDE_TEST_REDIS_URL is not set: the shared-limit test needs Redis")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"GUIDE_TEST_REDIS_URL={REDIS_URL} is set but Redis does not answer: {error}")
    return REDIS_URL


@pytest.fixture(scope="module")
def two_processes(redis_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[list[live.LiveServer]]:
    tmp = tmp_path_factory.mktemp("limits")
    channel = f"guide-limits-{uuid.uuid4().hex[:8]}"  # fresh counters for this run
    with ExitStack() as stack:
        url = stack.enter_context(live.database(tmp, "limits"))
        servers = []
        for name in ("a", "b"):
            env = live.server_env(url, tmp / name, GUIDE_RATELIMIT_STORAGE_URL=redis_url,
                                  GUIDE_MESSAGE_QUEUE_CHANNEL=channel,
                                  GUIDE_ENVELOPE_RATE_LIMIT="10/day")
            if name == "a":
                live.prepare(env)
            servers.append(stack.enter_context(live.run_server(env, tmp / f"{name}.log")))
        yield servers


def _post_batch(server: live.LiveServer, token: str, n: int) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{server.url}/api/v1/widget/events", data=json.dumps({"envelopes": track(n)}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["results"]


def test_two_processes_share_one_budget_through_redis(two_processes, tmp_path: Path):
    server_a, server_b = two_processes
    token = live.bootstrap(server_a, "ada")["socket"]["token"]
    sockets = []
    try:
        for server in (server_a, server_b):
            sock = socketio.Client(reconnection=False)
            sock.connect(server.url, namespaces=[NS], transports=["websocket"],
                         auth={"token": token}, wait_timeout=10)
            sockets.append(sock)
        acks = [sock.call("event:track", {"id": str(uuid.uuid4()), "name": "tick"},
                          namespace=NS, timeout=10) for sock in sockets for _ in range(4)]
    finally:
        for sock in sockets:
            sock.disconnect()
    results = _post_batch(server_b, token, 4)
    assert codes(acks) == ["ok"] * 8
    assert codes(results) == ["ok", "ok", "rate_limited", "rate_limited"]
    assert codes(_post_batch(server_a, token, 1)) == ["rate_limited"]

"""Schemathesis against the OpenAPI document (/api/v1/openapi.json): every operation,
with valid credentials, never a server error.

Each operation is one test with its own fresh database: the demo workspace with its
content pushed, a secret API key and a socket token from a real bootstrap. Cases are
generated from the document (positive and negative: bodies, paths and queries that
break the schema) and sent in process through the WSGI app. The credentials the
document cannot describe are added to every case: the API key or socket token in
``Authorization``; for bootstrap, the workspace key and an identity token signed for
the fuzzed user id (when the body has one), so the fuzzer gets past the gate and
into the code behind it. Deterministic (``derandomize``) and bounded
(``GUIDE_FUZZ_EXAMPLES`` cases per operation, default 100); the number of cases run
per operation is printed at the end of the module.

Run: ``.venv/bin/python -m pytest -q tests/security/test_api_fuzz.py``
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import werkzeug
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from guide import create_app
from guide.extensions import db
from tests import factories
from tests.support_helpers import escalate_http

EXAMPLES = int(os.environ.get("GUIDE_FUZZ_EXAMPLES", "100"))
USER, ACCOUNT = "fuzz-user", "fuzz-account"
# Path parameters that name something the fixture created (the escalation's
# reference is added when it exists).
EXISTING = {"user_id": USER, "external_id": USER, "account_id": ACCOUNT,
            "guide": "onboarding-plan", "step": "kickoff-call", "key": "invite-teammates"}
CASES: Counter[str] = Counter()
STATUSES: dict[str, Counter[int]] = {}


def _document() -> dict[str, Any]:
    """The document as served (no database is touched to serve it)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "openapi-only", "GUIDE_DEMO": False})
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def credentials(app, client, workspace) -> dict[str, Any]:
    """Keys and tokens, and something to find: a user in an account, an escalation."""
    # The fuzzer sends in a burst: a 429 would hide the code behind the limits.
    app.config["GUIDE_RATE_LIMITS"] = False
    api_key = workspace.create_api_key()
    db.session.commit()
    socket = factories.socket_token(client, workspace, USER)
    grouped = client.post("/api/v1/group", json={"user_id": USER, "account_id": ACCOUNT},
                          headers={"Authorization": f"Bearer {api_key}"})
    assert grouped.status_code == 200, grouped.get_json()
    escalation = escalate_http(client, socket)
    return {"workspace": workspace, "api_key": api_key, "socket": socket,
            "path": {**EXISTING, "reference": escalation["reference"]}}


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not CASES:
        return
    reporter.write_line("")
    errors = sum(n for counts in STATUSES.values() for status, n in counts.items()
                 if status >= 500)
    reporter.write_line(f"schemathesis: {sum(CASES.values())} cases over {len(CASES)} "
                        f"operations, {errors} server errors")
    for name, count in sorted(CASES.items()):
        statuses = " ".join(f"{s}x{n}" for s, n in sorted(STATUSES[name].items()))
        reporter.write_line(f"  {count:4d}  {name}  ({statuses})")


class BufferedClient(werkzeug.Client):
    """Reads and closes every response at once, as a WSGI server does after sending it
    (schemathesis' own client leaves them open, so the server's per-client connection
    count would never go down)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["buffered"] = True
        response = super().open(*args, **kwargs)
        # Schemathesis asks for gzip (Accept-Encoding) as requests does, and reads the body
        # as sent: undo the transport's compression (guide/compression.py) as a client does.
        if response.headers.get("Content-Encoding") == "gzip":
            response.set_data(gzip.decompress(response.get_data()))
            del response.headers["Content-Encoding"]
        return response


def aim(case: Any, credentials: dict[str, Any]) -> None:
    """Point every other case's path parameters at things that exist, so the code
    behind the 404 is fuzzed too (the choice follows the generated value, so it is
    as deterministic as the value)."""
    for name, value in (case.path_parameters or {}).items():
        if name in credentials["path"] and len(str(value)) % 2 == 0:
            case.path_parameters[name] = credentials["path"][name]


def authorize(case: Any, credentials: dict[str, Any]) -> dict[str, str]:
    """The headers (and body changes) that let the case past authentication."""
    aim(case, credentials)
    path = case.operation.path
    if path == "/api/v1/widget/bootstrap":
        body = case.body if isinstance(case.body, dict) else None
        if body is not None:
            body["app"] = credentials["workspace"].key
            user = body.get("user")
            if isinstance(user, dict) and isinstance(user.get("id"), str) and user["id"]:
                body["token"] = factories.sign(credentials["workspace"], user["id"])
        return {}
    if path.startswith("/api/v1/widget/"):
        if path == "/api/v1/widget/events" and isinstance(case.body, dict):
            case.body["token"] = credentials["socket"]
        return {"Authorization": f"Bearer {credentials['socket']}"}
    return {"Authorization": f"Bearer {credentials['api_key']}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case, app, credentials):
    headers = authorize(case, credentials)
    response = case.call(app=app, session=BufferedClient(app), headers=headers)
    # Schemathesis also sends methods the operation does not have (a 405 is right).
    name = case.operation.label if case.method == case.operation.method.upper() else "other methods"
    CASES[name] += 1
    STATUSES.setdefault(name, Counter())[response.status_code] += 1
    assert response.status_code < 500, (response.status_code, response.text[:500],
                                        case.as_curl_command(headers=headers))
    # Error answers too: every documented error is guide/errors.py's body (component Error).
    case.validate_response(response, checks=[content_type_conformance,
                                             response_schema_conformance], headers=headers)

"""Slack, tried as a new admin would (issue #16): paste the incoming-webhook URL on the
Integrations page, choose what to post; a user then escalates from the widget's help panel
and the message arrives at a Slack-format receiver, posted by the server's own worker."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests import live
from tests.automation.receivers import WebhookReceiver, webhook_receiver
from tests.automation.slack_format import check_message
from tests.browser.conftest import WIDGET_BUNDLE, _require, checked_context
from tests.browser.tour_helpers import sign_in_anew

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "slack-admin@example.com", "slack-walkthrough-password"
TOKEN = "xoxWalkthroughToken0123456789"


@pytest.fixture(scope="module")
def slack() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, slack: WebhookReceiver) -> Iterator[live.LiveServer]:
    """The demo server, told that Slack lives at the local receiver."""
    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    tmp = tmp_path_factory.mktemp("slack")
    with live.database(tmp, "slack") as url:
        env = live.server_env(url, tmp / "instance",
                              GUIDE_SLACK_WEBHOOK_BASE=slack.url.removesuffix("/hook"),
                              GUIDE_PUBLIC_URL="https://guide.example.com")
        live.prepare(env)
        subprocess.run([str(live.BIN / "guide"), "author", "create", EMAIL, "--workspace", "demo",
                        "--role", "admin", "--password", PASSWORD],
                       cwd=live.ROOT, env=env, check=True, capture_output=True, timeout=60)
        with live.run_server(env, tmp / "slack.log") as running:
            yield running


@pytest.fixture
def context(browser: Any, server: live.LiveServer) -> Iterator[Any]:
    yield from checked_context(browser, server.url, height=900)


def test_an_escalation_from_the_widget_reaches_slack(context, server, slack):
    hook = f"{slack.url.removesuffix('/hook')}/services/T0001/B0002/{TOKEN}"
    admin = context.new_page()
    live.admin_sign_in(admin, EMAIL, PASSWORD)
    admin.wait_for_url("**/admin/w/demo/")
    admin.goto("/admin/w/demo/integrations")
    form = admin.locator('[data-testid="slack-form"]')
    form.locator('input[name="webhook_url"]').fill(hook)
    for box in form.locator('input[name="events"]').all():
        box.set_checked(box.get_attribute("value") == "escalation")
    form.locator('button[type="submit"]').click()
    saved = admin.locator('[data-testid="slack-url"]')
    saved.wait_for()
    assert TOKEN not in saved.inner_text()  # the URL is a secret: shown masked

    user = context.new_page()
    sign_in_anew(user, server, "hedy")
    user.locator('[data-testid="guide-help-button"]').click()
    user.locator('[data-testid="help-contact"]').click()
    user.locator('[data-testid="help-message"]').fill("Exports stay empty <!channel>")
    user.locator('[data-testid="help-send"]').click()
    reference = user.locator('[data-testid="help-reference"]').inner_text().split(":", 1)[1].strip()

    slack.wait_for(1)
    received = slack.requests[0]
    assert received.path == f"/services/T0001/B0002/{TOKEN}"
    assert received.headers["content-type"].startswith("application/json")
    message = json.loads(received.body)
    check_message(message)
    text = json.dumps(message)
    assert reference in text
    assert "Exports stay empty" in text and "<!channel>" not in text  # user text escaped
    assert f"https://guide.example.com/support/escalations/{reference}" in text

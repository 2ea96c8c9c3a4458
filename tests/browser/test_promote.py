"""Issue #16, environments, as a new author does it in real Chromium: sign in, pick the
staging environment, edit a guide there, preview it on the staging site, publish it,
open Promote, read the diff naming the guide, confirm; production then serves the new
version and its audit log shows ``guide.promote`` (docs/ENVIRONMENTS.md).
The staging site is a small HTTP server of the test's, on an origin of its own.

Runs its own server (promoting must not change what the other browser tests see)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from playwright.sync_api import expect

from tests import live
from tests.browser.conftest import axe, checked_context
from tests.browser.test_demo_checklist import LAUNCHER, open_panel

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "newcomer@example.com", "browser-test-password"
TITLE = "Say hello from staging"
WIDGET_TITLE = ("id => document.querySelector('#guide-root').shadowRoot"
                ".querySelector(`li[data-step=\"${id}\"]`)?.textContent || ''")


def flask(server: live.LiveServer, *args: str) -> str:
    return subprocess.run([str(live.BIN / "flask"), "--app", "wsgi", "guide", *args],
                          cwd=live.ROOT, env=server.env, check=True, capture_output=True,
                          text=True, timeout=60).stdout


@contextmanager
def staging_site(guide_url: str, port: int, secret: Callable[[], str]) -> Iterator[str]:
    """The product's staging site, on an origin of its own: every page loads the widget
    with staging's app key and an identity its backend signs with staging's secret."""
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            token = jwt.encode({"sub": "stage-tester", "exp": int(time.time()) + 300}, secret(),
                               algorithm="HS256")
            body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme (staging)</title></head><body><main><h1>Acme (staging)</h1></main>
<script src="{guide_url}/widget/guide.js"></script>
<script>Guide.init({{appKey: "demo-staging", server: {json.dumps(guide_url)}}});
Guide.identify("stage-tester", {{}}, {{token: {json.dumps(token)}}});</script></body></html>""".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def promote_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[live.LiveServer, str]]:
    """The demo with a staging environment, as `make demo` sets it up, and staging's site."""
    from tests.browser.conftest import WIDGET_BUNDLE, _require

    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    port = live.free_port()
    with live.demo_server(tmp_path_factory.mktemp("promote"), "promote") as server:
        flask(server, "author", "create", EMAIL, "--workspace", "demo", "--role", "admin",
              "--password", PASSWORD)
        flask(server, "workspace", "environment", "create", "demo", "staging",
              "--origin", f"http://127.0.0.1:{port}")
        subprocess.run([str(live.BIN / "guide"), "content", "push", "--environment", "staging"],
                       cwd=live.ROOT, env=server.env, check=True, capture_output=True, timeout=120)
        secret = flask(server, "workspace", "secret", "demo-staging").strip().splitlines()[-1]
        with staging_site(server.url, port, lambda: secret) as site:
            yield server, site


@pytest.fixture
def context(browser: Any, promote_server: tuple[live.LiveServer, str]) -> Iterator[Any]:
    # The admin's real CSP (Preview must open the staging site under it).
    yield from checked_context(browser, promote_server[0].url, height=900)


def axe_of(browser: Any, signed_in: Any, base_url: str, url: str) -> list[Any]:
    """axe's violations on ``url``, opened by the same author in a context of its own whose
    CSP is bypassed so that axe can be injected (the test's own context keeps the CSP)."""
    context = browser.new_context(base_url=base_url, bypass_csp=True,
                                  storage_state=signed_in.storage_state(),
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        return axe(page)
    finally:
        context.close()


def production_step_title(server: live.LiveServer, user: str) -> str:
    body = live.bootstrap(server, user)
    guide = next(g for g in body["guides"] if g["key"] == "getting-started")
    return next(s["title"] for s in guide["steps"] if s["id"] == "welcome")


def test_publish_on_staging_preview_promote_and_find_it_in_the_audit_log(
        browser: Any, context: Any, promote_server: tuple[live.LiveServer, str]) -> None:
    server, site = promote_server
    assert production_step_title(server, "before-promote") != TITLE
    admin = context.new_page()
    live.admin_sign_in(admin, EMAIL, PASSWORD)
    # Production and staging: the author picks staging among their workspaces.
    admin.wait_for_url("**/admin/")
    admin.locator(".card", has_text="demo-staging").locator("a").first.click()
    admin.wait_for_url("**/admin/w/demo-staging/")
    # Staging's site (Settings, the preview URL).
    admin.goto("/admin/w/demo-staging/settings")
    admin.fill('input[name="preview_url"]', f"{site}/app")
    admin.get_by_role("button", name="Save").first.click()
    admin.locator(".flash", has_text="Settings saved").wait_for()

    # Edit a guide on staging, preview the draft on the staging site, publish it.
    admin.goto("/admin/w/demo-staging/")
    admin.click('tr[data-guide="getting-started"] a')
    admin.locator('fieldset[data-step="welcome"] [data-testid="step-title"]').fill(TITLE)
    admin.click('[data-testid="save"]')
    admin.locator(".flash", has_text="Saved draft version").wait_for()
    with context.expect_page() as opened:
        admin.click("text=Preview")
    preview = opened.value
    preview.locator(LAUNCHER).wait_for()
    open_panel(preview)
    preview.wait_for_function(f"() => ({WIDGET_TITLE})('welcome').includes({json.dumps(TITLE)})")
    preview.close()
    admin.click('[data-testid="publish"]')
    admin.locator(".flash", has_text="Published version").wait_for()
    assert production_step_title(server, "still-before") != TITLE

    # Promote: the diff names the changed guide and shows the new title.
    admin.click("text=Environments")
    staging = admin.locator('[data-testid="environments"] tr', has_text="demo-staging")
    staging.get_by_role("link", name="Promote to production…").click()
    admin.wait_for_url("**/admin/w/demo/promote?from=staging")
    row = admin.locator('[data-testid="promote-plan"] tr', has_text="getting-started")
    expect(row).to_contain_text("changed")
    diff = admin.locator('[data-testid="diff-getting-started"]')
    expect(diff.locator("tr.add")).to_contain_text(TITLE)
    assert axe_of(browser, context, server.url, "/admin/w/demo/promote?from=staging") == []
    admin.click('[data-testid="promote"]')

    # The audit log of production, and production serves the new version.
    admin.wait_for_url("**/admin/w/demo/audit")
    admin.locator(".flash", has_text="Promoted from staging: getting-started").wait_for()
    entry = admin.locator('[data-testid="audit"] tr', has_text="guide.promote")
    expect(entry).to_contain_text("getting-started")
    expect(entry).to_contain_text("environment: staging")
    expect(entry).to_contain_text(EMAIL)
    assert production_step_title(server, "after-promote") == TITLE

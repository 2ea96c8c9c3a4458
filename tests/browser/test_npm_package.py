"""Issue #16: the npm package in real Chromium, imported as an ES module by a page that
has no snippet, shows the demo user's launcher (guide.js loaded from the Guide server)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.npm_package import build_package

pytestmark = pytest.mark.browser

LAUNCHER = '[data-testid="guide-launcher"]'
# A page of a bundled app, served by the test on the Guide server's origin (Playwright
# routes it; the server has no such page): it imports the package, no inline snippet.
APP_PAGE = "/npm-app/"
MODULE = "/npm-app/guide-widget.mjs"
APP_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An app bundling @guide-server/widget</title></head>
<body><main><h1>App</h1></main>
<script type="application/json" id="config">%s</script>
<script type="module">
  import {init, identify, group, on} from "%s";
  const c = JSON.parse(document.getElementById("config").textContent);
  window.__events = [];
  // Before init, as an app's store might: queued, then replayed.
  identify(c.user.id, c.user.traits, {token: c.token});
  on("ready", () => window.__events.push("ready"));
  init({appKey: c.appKey, server: c.server});
  group(c.account.id, c.account.traits);
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def package_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_package(tmp_path_factory.mktemp("npm")).parent / "package" / "dist" / "index.mjs"


def demo_config(page: Any, user: str) -> dict[str, Any]:
    """What the demo's backend hands its page for `user`: app key, server, user, signed token."""
    page.goto("/demo/")
    page.locator(f'form:has(input[name="user"][value="{user}"]) button').click()
    page.wait_for_url("**/demo/dashboard")
    return json.loads(page.locator("#guide-config").text_content())


def test_an_es_module_import_of_the_package_shows_the_launcher(page, live_server, package_module):
    config = demo_config(page, "ada")
    html = APP_HTML % (json.dumps(config).replace("</", "<\\/"), MODULE)
    page.route(f"**{APP_PAGE}", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=html))
    page.route(f"**{MODULE}", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=package_module.read_text()))

    page.goto(APP_PAGE)
    page.locator(LAUNCHER).wait_for()
    loaded = page.evaluate("""() => ({
      scripts: [...document.scripts].map(s => s.src).filter(Boolean),
      guide: window.Guide && window.Guide.__guide,
    })""")
    # guide.js once, then the checklist panel it fetches right after a bootstrap with a checklist.
    assert loaded["scripts"][0] == f"{live_server.url}/widget/guide.js"
    assert [re.sub(r"\.[0-9a-f]{8}\.js$", ".js", s) for s in loaded["scripts"][1:]] == [
        f"{live_server.url}/widget/checklist.js"]
    assert loaded["guide"]
    # on() called before init() was replayed: the widget's ready event reached it.
    page.wait_for_function("() => window.__events.includes('ready')")

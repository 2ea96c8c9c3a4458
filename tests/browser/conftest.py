"""Browser fixtures: a live gunicorn server and Debian's Chromium driven by Playwright.

Chromium comes from the system (`apt-get install chromium`; .ci/run does it);
Playwright never downloads a browser here. Without Chromium these tests are
skipped with the reason printed, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import live

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
WIDGET_BUNDLE = live.ROOT / "static" / "widget" / "dist" / "guide.js"
AXE_PATH = live.ROOT / "static" / "widget" / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str | None:
    return next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None)


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    with live.demo_server(tmp_path_factory.mktemp("live"), "browser") as server:
        yield server


def server_with_guides(tmp_path_factory: pytest.TempPathFactory, name: str,
                       guides: Path) -> Iterator[live.LiveServer]:
    """A demo server on its own database serving content/ plus the guides in `guides`
    (YAML files), so that the other browser tests never meet them."""
    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    tmp = tmp_path_factory.mktemp(name)
    content = Path(shutil.copytree(live.ROOT / "content", tmp / "content"))
    for extra in sorted(guides.glob("*.yaml")):
        shutil.copy(extra, content / "guides" / extra.name)
    with live.database(tmp, name) as url:
        env = live.server_env(url, tmp / "instance", GUIDE_CONTENT_DIR=str(content))
        live.prepare(env)
        with live.run_server(env, tmp / f"{name}.log") as server:
            yield server


def own_server(name: str, guides: Path) -> tuple[Any, Any]:
    """A module's `live_server` (server_with_guides) and `context` (the demo's CSP bypassed,
    so that axe can be injected) fixtures: ``live_server, context = own_server(...)``."""

    @pytest.fixture(scope="module")
    def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
        yield from server_with_guides(tmp_path_factory, name, guides)

    @pytest.fixture
    def context(browser: Any, live_server: live.LiveServer) -> Iterator[Any]:
        yield from checked_context(browser, live_server.url, bypass_csp=True)

    return live_server, context


def csp_reports(page: Any) -> list[str]:
    """The Content Security Policy refusals ``page``'s console reports from now on
    (a list that fills as they come)."""
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    return blocked


def axe(page: Any) -> list[Any]:
    """axe's violations on the whole page (its CSP bypassed: see checked_context)."""
    page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate("async () => (await axe.run(document)).violations"
                         ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))")


def focused_testid(page: Any) -> str | None:
    """The data-testid (else id, else tag) of what has focus, through our shadow roots."""
    return page.evaluate("""() => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return el ? (el.getAttribute('data-testid') || el.id || el.tagName) : null;
    }""")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    _require(executable is not None, "Chromium not found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def checked_context(browser: Any, base_url: str, height: int = 800,
                    bypass_csp: bool = False) -> Iterator[Any]:
    """A browser context that fails the test if any page in it threw an uncaught error
    (``bypass_csp``: so that axe can be injected into a page with the demo's CSP)."""
    context = browser.new_context(base_url=base_url, bypass_csp=bypass_csp,
                                  viewport={"width": 1280, "height": height})
    context.set_default_timeout(10_000)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def context(browser: Any, live_server: live.LiveServer) -> Iterator[Any]:
    yield from checked_context(browser, live_server.url)


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """docs/screenshots when GUIDE_SCREENSHOTS=1 (make screenshots), else a temp dir."""
    if os.environ.get("GUIDE_SCREENSHOTS"):
        target = live.ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path



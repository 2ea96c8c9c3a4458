"""Fixtures for the hostile-host suite (issue 11).

- ``host``: Borealis (host.py), a product on its own origin, started first so
  its origin is known;
- ``guide``: a Guide server for this package only, prepared with the real CLI
  from a copy of content/ plus this suite's tours (guides/), with
  GUIDE_EXTRA_ORIGINS naming Borealis; its demo workspace's signing secret is
  read once (``flask guide workspace secret demo``) and handed to Borealis's
  backend, which signs each page's identity token with it;
- ``open_context``: browser contexts that fail the test on any uncaught error
  in their pages (as tests/browser/conftest.py's checked_context);
- ``user``: a user id no other test uses, so every test meets Guide anew.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import live
from tests.browser.hostile import host as borealis

SUITE = Path(__file__).resolve().parent
BUNDLE = live.ROOT / "static" / "widget" / "dist" / "guide.js"


@pytest.fixture(scope="package")
def host() -> Iterator[borealis.Host]:
    with borealis.serve() as running:
        yield running


def content_copy(tmp: Path) -> Path:
    """content/ plus the suite's tours (a modal dialog's, a scroll container's)."""
    target = tmp / "content"
    shutil.copytree(live.ROOT / "content", target)
    for extra in sorted((SUITE / "guides").glob("*.yaml")):
        shutil.copy(extra, target / "guides" / extra.name)
    return target


def workspace_secret(server: live.LiveServer) -> str:
    return subprocess.run(
        [str(live.BIN / "flask"), "--app", "wsgi", "guide", "workspace", "secret", "demo"],
        cwd=live.ROOT, env=server.env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="package")
def guide(tmp_path_factory: pytest.TempPathFactory, host: borealis.Host) -> Iterator[live.LiveServer]:
    if not BUNDLE.is_file():
        reason = f"widget bundle missing at {BUNDLE}: run `make widget`"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the browser tests)")
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("hostile")
    with live.database(tmp, "hostile") as url:
        env = live.server_env(url, tmp / "instance", GUIDE_EXTRA_ORIGINS=host.url,
                              GUIDE_CONTENT_DIR=str(content_copy(tmp)))
        live.prepare(env)
        with live.run_server(env, tmp / "hostile.log") as server:
            host.config.guide_url = server.url
            host.config.secret = workspace_secret(server)
            host.config.stub = borealis.readme_stub(server.url)
            yield server


@pytest.fixture
def open_context(browser: Any, guide: live.LiveServer) -> Iterator[Callable[..., Any]]:
    """new_context(**options) -> a context whose pages may throw nothing uncaught."""
    contexts: list[tuple[Any, list[str]]] = []

    def new_context(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        errors: list[str] = []
        context.on("weberror", lambda error: errors.append(str(error.error)))
        contexts.append((context, errors))
        return context

    yield new_context
    thrown = []
    for context, errors in contexts:
        context.close()
        thrown += errors
    assert thrown == [], f"uncaught errors in the host page: {thrown}"


@pytest.fixture
def page(open_context: Callable[..., Any]) -> Any:
    return open_context().new_page()


@pytest.fixture
def mobile_page(open_context: Callable[..., Any]) -> Any:
    return open_context(viewport={"width": 375, "height": 667}, is_mobile=True,
                        has_touch=True).new_page()


@pytest.fixture
def user() -> str:
    return f"bx-{uuid.uuid4().hex[:12]}"

"""Issue #16 on Borealis, the hostile host: its CSS does not reach the themed widget, and
the launcher is never painted in the default colours first, light or dark."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.hostile.helpers import LAUNCHER, open_host
from tests.browser.hostile.host import Host
from tests.browser.theme_helpers import (
    FIRST_PAINT,
    LAUNCHER_BG,
    assert_follows_a_live_scheme_switch,
    rgb,
    serve_theme,
)

pytestmark = pytest.mark.browser

THEME = {"accent": "#1d4ed8", "background": "#fffbeb", "text": "#1c1917",
         "launcher": {"position": "bottom-left"},
         "dark": {"accent": "#6d5dfc", "background": "#0b0f19", "text": "#f9fafb"}}


@pytest.mark.parametrize(("scheme", "accent"), [("light", "#1d4ed8"), ("dark", "#6d5dfc")])
def test_the_launcher_is_themed_from_its_first_paint_on_a_hostile_page(
        page: Any, host: Host, user: str, scheme: str, accent: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(FIRST_PAINT)
    serve_theme(page, THEME)
    open_host(page, host, "/demo/dashboard", user)
    painted = page.evaluate("() => window.__firstPaint")
    assert painted["sync"] and set(painted["sync"]) == {rgb(accent)}, painted
    assert painted["observed"] and set(painted["observed"]) == {rgb(accent)}, painted
    assert page.evaluate(LAUNCHER_BG) == rgb(accent)
    box = page.locator(LAUNCHER).bounding_box()
    assert box["x"] < 400 and box["y"] > 400, box  # bottom-left


def test_auto_mode_follows_a_live_switch_of_the_system_scheme_on_a_hostile_page(
        page: Any, host: Host, user: str) -> None:
    page.emulate_media(color_scheme="light")
    serve_theme(page, THEME)
    open_host(page, host, "/demo/dashboard", user)
    assert_follows_a_live_scheme_switch(page, THEME)

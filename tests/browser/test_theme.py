"""Issue #16, "Theme", in real Chromium: the admin's live preview follows the form before
anything is saved (light and dark side by side), a low-contrast theme is refused; the
widget is never painted in the default colours first, and follows the dark palette.

Runs its own server (the saved theme must not reach the other browser tests)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import live
from tests.browser.conftest import axe, checked_context
from tests.browser.test_demo_checklist import LAUNCHER, sign_in
from tests.browser.theme_helpers import (
    FIRST_PAINT,
    LAUNCHER_BG,
    assert_follows_a_live_scheme_switch,
    rgb,
    serve_theme,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "stylist@example.com", "browser-test-password"
THEME = {"accent": "#1d4ed8", "background": "#fffbeb", "text": "#1c1917",
         "launcher": {"position": "top-left", "label": "Start here"},
         "dark": {"accent": "#6d5dfc", "background": "#0b0f19", "text": "#f9fafb"}}


@pytest.fixture(scope="module")
def theme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    from tests.browser.conftest import WIDGET_BUNDLE, _require

    _require(WIDGET_BUNDLE.is_file(), f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    with live.demo_server(tmp_path_factory.mktemp("theme"), "theme") as server:
        subprocess.run([str(live.BIN / "flask"), "--app", "wsgi", "guide", "author", "create",
                        EMAIL, "--workspace", "demo", "--role", "admin", "--password", PASSWORD],
                       cwd=live.ROOT, env=server.env, check=True, capture_output=True, timeout=60)
        yield server


@pytest.fixture
def context(browser: Any, theme_server: live.LiveServer) -> Iterator[Any]:
    yield from checked_context(browser, theme_server.url, height=900)


@pytest.fixture
def axe_context(browser: Any, theme_server: live.LiveServer) -> Iterator[Any]:
    """The admin's CSP bypassed, so that axe can be injected."""
    yield from checked_context(browser, theme_server.url, height=900, bypass_csp=True)


def frame_launcher(page: Any, mode: str) -> Any:
    return page.frame_locator(f'iframe[data-mode="{mode}"]').locator(LAUNCHER)


def wait_frame_colour(page: Any, mode: str, colour: str) -> None:
    """Until the frame's launcher (the frame reloads as the form changes) has ``colour``."""
    expect(frame_launcher(page, mode)).to_have_css("background-color", rgb(colour))


def test_the_preview_follows_the_form_live_and_low_contrast_is_refused(context: Any) -> None:
    page = context.new_page()
    live.admin_sign_in(page, EMAIL, PASSWORD)
    saved = lambda: page.request.get("/admin/w/demo/theme",  # noqa: E731
                                     headers={"Accept": "application/json"}).json()
    before = saved()
    page.goto("/admin/w/demo/theme")
    # The real widget in both frames: the default accent, and the checklist open.
    wait_frame_colour(page, "light", "#4f46e5")
    page.frame_locator('iframe[data-mode="light"]').locator('[data-testid="guide-panel"]').wait_for()

    page.fill('[data-testid="theme-accent"]', "#1d4ed8")
    page.fill('[data-testid="theme-label"]', "Start here")
    page.check('input[name="dark_enabled"]')
    page.fill('[data-testid="theme-dark_accent"]', "#6d5dfc")
    wait_frame_colour(page, "light", "#1d4ed8")
    wait_frame_colour(page, "dark", "#6d5dfc")
    expect(frame_launcher(page, "light").locator(".launcher-label")).to_have_text("Start here")
    # Nothing was saved by editing.
    assert saved() == before

    # Other scenes: a tour step, the nudge card, the help panel.
    page.select_option('[data-testid="theme-scene"]', "tour")
    step = page.frame_locator('iframe[data-mode="light"]').locator('[data-testid="tour-step"]')
    step.wait_for()
    page.select_option('[data-testid="theme-scene"]', "nudge")
    page.frame_locator('iframe[data-mode="dark"]').locator('[data-testid="guide-nudge"]').wait_for()
    page.select_option('[data-testid="theme-scene"]', "help")
    help_panel = page.frame_locator('iframe[data-mode="dark"]').locator('[data-testid="help-panel"]')
    expect(help_panel).to_contain_text("Getting started")

    # A low-contrast text colour is refused with the pair, the ratio and the minimum.
    page.fill('[data-testid="theme-text"]', "#999999")
    page.click('[data-testid="theme-save"]')
    error = page.locator('[data-testid="error-text"]')
    assert error.inner_text() == "text #999999 on #ffffff is 2.84:1; needs 4.5:1 (WCAG 2.2 AA)."
    assert saved() == before
    page.fill('[data-testid="theme-text"]', "#111827")
    page.click('[data-testid="theme-save"]')
    page.locator(".flash", has_text="Theme saved").wait_for()
    assert saved()["accent"] == "#1d4ed8" and saved()["launcher"]["label"] == "Start here"


@pytest.mark.parametrize(("user", "scheme", "theme", "accent"), [
    ("ada", "light", THEME, THEME["accent"]),
    ("alan", "dark", THEME, THEME["dark"]["accent"]),
    # Forced light: the system's dark preference no longer matters.
    ("katherine", "dark", {**THEME, "mode": "light"}, THEME["accent"]),
])
def test_no_flash_of_default_colours_and_the_dark_palette_follows_the_system(
        context: Any, user: str, scheme: str, theme: dict[str, Any], accent: str) -> None:
    """Each case a new user (sign_in dismisses the dashboard tour a new user gets)."""
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.add_init_script(FIRST_PAINT)
    serve_theme(page, theme)
    sign_in(page, user)
    painted = page.evaluate("() => window.__firstPaint")
    assert painted["sync"] and set(painted["sync"]) == {rgb(accent)}, painted
    assert painted["observed"] and set(painted["observed"]) == {rgb(accent)}, painted
    assert page.evaluate(LAUNCHER_BG) == rgb(accent)
    box = page.locator(LAUNCHER).bounding_box()
    assert box["x"] < 400 and box["y"] < 200, box  # top-left
    assert page.locator(f"{LAUNCHER} .launcher-label").inner_text() == "Start here"


def test_the_preview_rethemes_in_place_and_a_refused_draft_is_not_applied(axe_context: Any) -> None:
    """The frames are not reloaded as the form changes: the draft is posted to them and the
    widget redraws itself (a marker on the frame's window survives); a low-contrast draft
    is refused with its reason (axe: the page with it), and the frame keeps the last
    accepted one."""
    page = axe_context.new_page()
    live.admin_sign_in(page, EMAIL, PASSWORD)
    page.goto("/admin/w/demo/theme")
    light = page.locator('iframe[data-mode="light"]').element_handle().content_frame()
    page.frame_locator('iframe[data-mode="light"]').locator('[data-testid="guide-panel"]').wait_for()
    light.evaluate("() => { window.__sameDocument = true; }")
    host_var = ("(name) => getComputedStyle(document.querySelector('#guide-root'))"
                ".getPropertyValue(name).trim()")

    page.fill('[data-testid="theme-accent"]', "#0f766e")
    wait_frame_colour(page, "light", "#0f766e")
    page.fill('[data-testid="theme-label"]', "Begin")
    expect(frame_launcher(page, "light").locator(".launcher-label")).to_have_text("Begin")
    assert light.evaluate("() => window.__sameDocument") is True
    text_before = light.evaluate(host_var, "--guide-fg")

    page.fill('[data-testid="theme-text"]', "#999999")
    expect(page.locator('[data-testid="preview-refused"]')).to_have_text(
        "Not previewed: text #999999 on #ffffff is 2.84:1; needs 4.5:1 (WCAG 2.2 AA).")
    # The refusal and the post are one decision: once the reason shows, nothing was sent.
    assert light.evaluate(host_var, "--guide-fg") == text_before != "#999999"
    wait_frame_colour(page, "light", "#0f766e")
    assert axe(page) == []

    page.fill('[data-testid="theme-text"]', "#0c0a09")
    expect(page.locator('[data-testid="preview-refused"]')).to_have_text("")
    page.wait_for_function("(frame) => getComputedStyle(frame.contentDocument.querySelector('#guide-root'))"
                           ".getPropertyValue('--guide-fg').trim() === '#0c0a09'",
                           arg=page.locator('iframe[data-mode="light"]').element_handle())
    assert light.evaluate("() => window.__sameDocument") is True
    assert light.evaluate(host_var, "--guide-fg") == "#0c0a09"


def test_auto_mode_follows_a_live_switch_of_the_system_scheme(context: Any) -> None:
    """`mode: auto` with a dark palette: the user's system switches to dark and back while
    the launcher shows; the launcher follows, without a reload."""
    page = context.new_page()
    page.emulate_media(color_scheme="light")
    serve_theme(page, THEME)
    sign_in(page, "hedy")
    assert_follows_a_live_scheme_switch(page, THEME)


def test_the_preview_frame_takes_drafts_from_the_theme_page_only(context: Any) -> None:
    """A draft posted by anyone but the theme page (the frame's own window here; another
    origin cannot frame the preview at all: frame-ancestors 'self'), or not shaped like a
    theme, is ignored; the same draft from the theme page is applied."""
    page = context.new_page()
    live.admin_sign_in(page, EMAIL, PASSWORD)
    page.goto("/admin/w/demo/theme")
    frame = page.locator('iframe[data-mode="light"]')
    light = frame.element_handle().content_frame()
    page.frame_locator('iframe[data-mode="light"]').locator('[data-testid="guide-panel"]').wait_for()
    before = light.evaluate(LAUNCHER_BG)
    red = {"accent": "#b91c1c"}
    light.evaluate("t => window.postMessage({type: 'guide:theme', theme: t}, '*')", red)
    for bad in ({**red, "script": "x"}, {"accent": "red; background: url(x)"},
                {**red, "launcher": {"label": ""}}, [red]):
        page.evaluate("([f, t]) => f.contentWindow.postMessage({type: 'guide:theme', theme: t},"
                      " location.origin)", [frame.element_handle(), bad])
    # Nothing announces an ignored message: two animation frames of the preview's own (its
    # answers are immediate) would have been enough for a redraw.
    light.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert light.evaluate(LAUNCHER_BG) == before != rgb("#b91c1c")
    page.evaluate("([f, t]) => f.contentWindow.postMessage({type: 'guide:theme', theme: t},"
                  " location.origin)", [frame.element_handle(), red])
    wait_frame_colour(page, "light", "#b91c1c")


def test_the_dark_preview_shows_what_users_in_dark_mode_really_see(context: Any) -> None:
    """Without a dark variant, `auto` users whose system is dark get the light colours: so
    does the dark frame, and its caption says why; with a variant they get it; `Always dark`
    gives users whose system is light the dark colours. Nothing is saved."""
    page = context.new_page()
    live.admin_sign_in(page, EMAIL, PASSWORD)
    page.goto("/admin/w/demo/theme")
    light_note = page.locator('[data-testid="preview-light-note"]')
    dark_note = page.locator('[data-testid="preview-dark-note"]')
    page.select_option('[data-testid="theme-mode"]', "auto")
    page.uncheck('input[name="dark_enabled"]')
    page.fill('[data-testid="theme-accent"]', "#0f766e")
    wait_frame_colour(page, "light", "#0f766e")
    wait_frame_colour(page, "dark", "#0f766e")
    expect(dark_note).to_have_text("Users whose system is dark see the light colours: there is "
                                   "no dark variant, or the theme is always light.")
    expect(light_note).to_have_text("Users whose system is light.")

    page.check('input[name="dark_enabled"]')
    page.fill('[data-testid="theme-dark_accent"]', "#7c3aed")
    wait_frame_colour(page, "dark", "#7c3aed")
    wait_frame_colour(page, "light", "#0f766e")
    expect(dark_note).to_have_text("Users whose system is dark.")

    page.select_option('[data-testid="theme-mode"]', "dark")
    wait_frame_colour(page, "light", "#7c3aed")
    expect(light_note).to_have_text("Users whose system is light see the dark colours: the "
                                    "theme is always dark.")
    page.select_option('[data-testid="theme-mode"]', "light")
    wait_frame_colour(page, "dark", "#0f766e")
    expect(dark_note).to_contain_text("see the light colours")

"""The widget's boxes stay on top, usable and readable on hostile host pages (issue 11,
points 3, 4, 5 and 7): a max z-index sticky header, a host's modal <dialog>, a root the
user cannot scroll over a transformed body, a right-to-left page, a global focus ring.

The demo page's test switches (?sticky=1, ?dialog=1, ?transformed=1, ?rtl=1,
?focusring=1, see guide/demo/templates/demo/app.html) build each host. The tours these
tests need are pushed into a server of this module's own, with the real CLI, beside the
demo content: the shared live server's guides stay what other tests count.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests import live
from tests.browser.conftest import WIDGET_BUNDLE, _require, checked_context
from tests.browser.tour_helpers import LAUNCHER, STEP, poll, sign_in_anew, sql

pytestmark = pytest.mark.browser

PANEL = '[data-testid="guide-panel"]'
HELP_BUTTON = '[data-testid="guide-help-button"]'
HELP_PANEL = '[data-testid="help-panel"]'
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 667}

DIALOG_TOUR = """\
key: layers-dialog
kind: tour
title: Rename a dashboard
steps:
  - id: name
    title: Name it
    body: Type a name your team will recognise.
    target: "#rename-name"
    placement: bottom
    advance_on: input
  - id: check
    title: Check it
    body: This is the dashboard you rename.
    target: "#rename-title"
    placement: bottom
  - id: save
    title: Save it
    body: Saves the new name.
    target: "#rename-save"
    placement: bottom
    wait_ms: 800
  - id: after
    title: Renamed
    body: The dashboard has its new name.
"""

SCROLL_TOUR = """\
key: layers-scroll
kind: tour
title: Your dashboards
steps:
  - id: dashboards
    title: Your dashboards
    body: Every dashboard your team made.
    target: "#dashboards"
    placement: top
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    """The demo with two more tours (pushed with `flask guide content push`)."""
    _require(WIDGET_BUNDLE.is_file(), f"no widget bundle at {WIDGET_BUNDLE}: run `make widget`")
    tmp = tmp_path_factory.mktemp("layers")
    content = tmp / "content"
    shutil.copytree(live.ROOT / "content", content)
    (content / "guides" / "layers-dialog.yaml").write_text(DIALOG_TOUR)
    (content / "guides" / "layers-scroll.yaml").write_text(SCROLL_TOUR)
    with live.database(tmp, "layers") as url:
        env = live.server_env(url, tmp / "instance")
        live.prepare(env)
        push = [str(live.BIN / "flask"), "--app", "wsgi", "guide", "content", "push", str(content)]
        pushed = subprocess.run(push, cwd=live.ROOT, env=env, capture_output=True, text=True,
                                timeout=120)
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        with live.run_server(env, tmp / "layers.log") as running:
            yield running


def new_page(browser: Any, server: live.LiveServer, viewport: dict[str, int]) -> Iterator[Any]:
    for context in checked_context(browser, server.url, viewport["height"]):
        page = context.new_page()
        page.set_viewport_size(viewport)
        yield page


@pytest.fixture
def desktop(browser: Any, server: live.LiveServer) -> Iterator[Any]:
    yield from new_page(browser, server, DESKTOP)


@pytest.fixture
def mobile(browser: Any, server: live.LiveServer) -> Iterator[Any]:
    yield from new_page(browser, server, MOBILE)


def arrive(page: Any, server: live.LiveServer, user: str, switches: str) -> None:
    """`user` meets the product anew (dashboard tour skipped), then opens the dashboard
    with the demo's test `switches`."""
    sign_in_anew(page, server, user)
    page.goto(f"/demo/dashboard?{switches}")
    page.locator(LAUNCHER).wait_for()


def start_tour(page: Any, key: str) -> None:
    page.evaluate("key => Guide.start(key)", key)


def shown_step(page: Any) -> dict[str, Any] | None:
    """The tour step on screen (id and box), or None; read in the page, no waiting."""
    return page.evaluate(
        """() => {
          const s = document.querySelector('#guide-tour-root')?.shadowRoot
            ?.querySelector('[data-testid=tour-step]');
          if (!s || !s.getClientRects().length) return null;
          const r = s.getBoundingClientRect();
          return {id: s.dataset.step, x: r.x, y: r.y, width: r.width, height: r.height};
        }"""
    )


def wait_step(page: Any, step_id: str) -> None:
    page.locator(f'{STEP}[data-step="{step_id}"]').wait_for(state="visible")


def focus_in_step(page: Any) -> str:
    """What has focus: 'step:<testid>' inside the tour step, else the element's id or tag."""
    return page.evaluate(
        """() => {
          const host = document.querySelector('#guide-tour-root');
          const a = document.activeElement;
          if (a === host) {
            const inner = host.shadowRoot.activeElement;
            return 'step:' + (inner.dataset.testid || inner.tagName);
          }
          return a ? (a.id || a.tagName) : 'none';
        }"""
    )


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_panels_close_buttons_are_clickable_under_a_max_z_index_sticky_header(request, server,
                                                                              size):
    page = request.getfixturevalue(size)
    arrive(page, server, "tess", "sticky=1")
    page.locator(LAUNCHER).click()
    page.locator(PANEL).wait_for(state="visible")
    # Focus went into the panel (document.activeElement is our shadow host).
    assert page.evaluate("() => document.activeElement.id") == "guide-root"
    # A real mouse click: Playwright refuses when another element (the header) would receive it.
    page.locator('[data-testid="guide-close"]').click(timeout=15_000)
    page.locator(PANEL).wait_for(state="hidden")

    page.locator(HELP_BUTTON).click()
    page.locator(HELP_PANEL).wait_for(state="visible")
    page.locator('[data-testid="help-close"]').click(timeout=15_000)
    page.locator(HELP_PANEL).wait_for(state="hidden")
    # Focus came back to the widget's help button, not lost.
    assert page.evaluate(
        "() => document.querySelector('#guide-root').shadowRoot.activeElement?.dataset.testid"
    ) == "guide-help-button"


def test_a_step_inside_a_host_modal_dialog_works_by_mouse_and_keyboard_and_survives_closing(
        desktop, server):
    page = desktop
    user = "katherine"
    arrive(page, server, user, "dialog=1")
    page.locator("#open-rename").click()
    assert page.evaluate("() => document.querySelector('#rename-dialog').matches(':modal')")
    start_tour(page, "layers-dialog")
    wait_step(page, "name")

    # Tab stays in the step: the field it asks for first, then its buttons, round and round.
    order = []
    for _ in range(4):
        page.keyboard.press("Tab")
        order.append(focus_in_step(page))
    assert order == ["rename-name", "step:tour-dismiss", "rename-name", "step:tour-dismiss"]
    page.keyboard.press("Tab")
    page.keyboard.type("Growth")  # typing in the field moves on
    wait_step(page, "check")

    # Mouse: Next is clickable (not inert behind the dialog, not covered by it).
    page.locator('[data-testid="tour-next"]').click(timeout=15_000)
    wait_step(page, "save")

    # Keyboard: Enter on Back and on Next moves the tour and sends no form of the host's.
    page.locator('[data-testid="tour-back"]').focus()
    page.keyboard.press("Enter")
    wait_step(page, "check")
    page.locator('[data-testid="tour-next"]').focus()
    page.keyboard.press("Enter")
    wait_step(page, "save")
    state = page.evaluate(
        "() => { const d = document.querySelector('#rename-dialog');"
        " return {open: d.open, submitted: d.getAttribute('data-submitted')}; }"
    )
    assert state == {"open": True, "submitted": None}

    # The host closes its dialog (as after a save): the step's target is gone with it.
    page.evaluate("() => document.querySelector('#rename-dialog').close()")
    # While the step waits for its target, nothing of the tour is on screen (no step
    # stranded at the top-left, no dimmed page)...
    page.wait_for_function(
        "() => !document.querySelector('#guide-tour-root').shadowRoot"
        ".querySelector('[data-testid=tour-overlay]').getClientRects().length"
    )
    assert shown_step(page) is None
    # ...then, the target never coming back, the step is skipped to the next (centred) one.
    wait_step(page, "after")
    tip = shown_step(page)
    assert tip is not None
    assert abs(tip["x"] + tip["width"] / 2 - DESKTOP["width"] / 2) < 2
    assert abs(tip["y"] + tip["height"] / 2 - DESKTOP["height"] / 2) < 2
    assert page.evaluate(
        "() => document.querySelector('#guide-tour-root').parentNode === document.body")
    page.locator('[data-testid="tour-next"]').click()  # Done
    page.locator(STEP).wait_for(state="hidden")
    completed = poll(lambda: sql(
        server, "SELECT 1 FROM progress p JOIN end_user u ON u.id = p.user_id"
                " JOIN guide g ON g.id = p.guide_id WHERE u.external_id = :user"
                " AND g.key = 'layers-dialog' AND p.state = 'completed'", user=user))
    assert completed, "the server has the tour completed"


def test_on_a_root_the_user_cannot_scroll_only_the_targets_container_scrolls(mobile, server):
    page = mobile
    arrive(page, server, "ben", "transformed=1")
    start_tour(page, "layers-scroll")
    wait_step(page, "dashboards")
    # The target comes into view through its scroll container (.shell), smoothly.
    page.wait_for_function(
        "() => { const r = document.querySelector('#dashboards').getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight - 40; }"
    )
    scrolled = page.evaluate(
        "() => ({root: [window.scrollY, document.scrollingElement.scrollTop],"
        " shell: document.querySelector('.shell').scrollTop})"
    )
    assert scrolled["root"] == [0, 0]
    assert scrolled["shell"] > 0
    page.locator('[data-testid="tour-next"]').click()  # Done
    page.locator(STEP).wait_for(state="hidden")

    page.locator(HELP_BUTTON).click()
    page.locator(HELP_PANEL).wait_for(state="visible")
    help_box = page.locator(HELP_PANEL).bounding_box()
    assert help_box["y"] >= 0
    assert help_box["y"] + help_box["height"] <= MOBILE["height"]
    assert page.evaluate("() => [window.scrollY, document.scrollingElement.scrollTop]") == [0, 0]
    page.locator('[data-testid="help-close"]').click(timeout=15_000)


def test_on_a_right_to_left_page_the_english_panel_and_step_read_left_to_right(desktop, server):
    page = desktop
    arrive(page, server, "alan", "rtl=1")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"  # it is RTL
    page.locator(LAUNCHER).click()
    page.locator(PANEL).wait_for(state="visible")
    reading = page.evaluate(
        """() => {
          const root = document.querySelector('#guide-root').shadowRoot;
          const meter = root.querySelector('.meter-text');
          const text = meter.firstChild;
          const at = (i) => {
            const r = document.createRange();
            r.setStart(text, i);
            r.setEnd(text, i + 1);
            return r.getBoundingClientRect().left;
          };
          const panel = root.querySelector('[data-testid=guide-panel]');
          return {direction: getComputedStyle(panel).direction,
                  text: text.data, firstLeftOfLast: at(0) < at(text.data.length - 1)};
        }"""
    )
    assert reading["direction"] == "ltr"
    assert reading["text"].endswith("steps done")
    assert reading["firstLeftOfLast"], reading  # "0 of 5 steps done", not "of 5 steps done 0"
    host = page.evaluate(
        "() => { const h = document.querySelector('#guide-root'); return [h.lang, h.dir]; }")
    assert host == ["en", "ltr"]
    page.locator('[data-testid="guide-close"]').click()

    start_tour(page, "layers-scroll")
    wait_step(page, "dashboards")
    assert page.evaluate(
        "() => getComputedStyle(document.querySelector('#guide-tour-root').shadowRoot"
        ".querySelector('[data-testid=tour-step]')).direction"
    ) == "ltr"


def test_a_host_focus_ring_rule_does_not_draw_around_the_widget(desktop, server):
    page = desktop
    arrive(page, server, "hedy", "focusring=1")
    page.locator("#search").focus()
    # It is hostile: the page's own field gets the ring.
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.locator(LAUNCHER).focus()
    page.keyboard.press("Enter")  # opens the panel, focus inside it
    page.locator(PANEL).wait_for(state="visible")
    outline = page.evaluate(
        "() => { const h = document.querySelector('#guide-root');"
        " return [document.activeElement === h, getComputedStyle(h).outlineStyle]; }"
    )
    assert outline == [True, "none"]

"""Issue 11, points 3 to 5 on Borealis: panels above a max-z-index sticky header, a tour
step inside the host's modal <dialog>, and scrolling only what can be scrolled (html
overflow hidden, a transformed body, the content in a scroll container)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.hostile.helpers import (
    HELP_PANEL,
    PANEL,
    TOUR_STEP,
    error_codes,
    open_host,
    poll,
    progress,
)

pytestmark = pytest.mark.browser

SIZES = {
    "1280x800": {"viewport": {"width": 1280, "height": 800}},
    "375x667": {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True},
}


def real_click(locator: Any, what: str) -> None:
    """A mouse click at the element's centre, as Playwright makes it: it waits until
    nothing else would receive the click. Fails saying what took it instead."""
    try:
        locator.click(timeout=15_000)
    except PlaywrightTimeout as exc:
        blockers = sorted({line.strip().lstrip("- ") for line in str(exc).splitlines()
                           if "intercepts pointer events" in line})
        pytest.fail(f"{what} did not receive a real mouse click: {blockers or str(exc).splitlines()[0]}")


def covered_by_header(page: Any, locator: Any) -> None:
    """Precondition: Borealis's sticky header covers part of `locator`'s box (else the
    test would prove nothing)."""
    box = poll(page, locator.bounding_box)  # None while the panel is (re)drawn
    header = page.locator("#topbar").bounding_box()
    assert box and header and (
        box["y"] < header["y"] + header["height"] and header["y"] < box["y"] + box["height"]
        and box["x"] < header["x"] + header["width"] and header["x"] < box["x"] + box["width"]
    ), f"precondition: the header {header} should cover part of {box}"


@pytest.mark.parametrize("size", SIZES)
def test_checklist_and_help_close_buttons_take_a_real_click_under_a_max_z_index_header(
        open_context, host, guide, user, size):
    page = open_context(reduced_motion="reduce", **SIZES[size]).new_page()  # panels settle at once
    open_host(page, host, "/demo/integrations", user)
    # Opened through the API, which scrolls nothing (a click on the launcher could scroll
    # the root and carry the header away).
    page.evaluate("() => Guide.start('getting-started')")
    page.locator(PANEL).wait_for(state="visible")
    close = page.locator(f'{PANEL} [data-testid="guide-close"]')
    covered_by_header(page, close)
    real_click(close, "The checklist panel's Close button")
    page.locator(PANEL).wait_for(state="hidden")

    page.evaluate("() => Guide.openHelp()")
    page.locator(HELP_PANEL).wait_for(state="visible")
    page.locator('[data-testid="help-article"]').first.wait_for()  # the panel at its full height
    close = page.locator('[data-testid="help-close"]')
    covered_by_header(page, close)
    real_click(close, "The help panel's Close button")
    page.locator(HELP_PANEL).wait_for(state="hidden")
    assert error_codes(page) == []


IN_STEP = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  for (let n = el; n; n = n.parentNode || n.host) {
    if (n.nodeType === 1 && n.getAttribute('data-testid') === 'tour-step') return true;
  }
  return false;
}"""

FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? (el.getAttribute('data-testid') || el.id || el.tagName) : null;
}"""

# After the dialog closed: a step still showing must not sit in the top-left corner, and
# the page must not stay dimmed without a step.
LEFT_BEHIND = """() => {
  const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const find = (id) => {
    const seen = [document];
    while (seen.length) {
      const root = seen.pop();
      const hit = root.querySelector(`[data-testid="${id}"]`);
      if (hit) return hit;
      root.querySelectorAll('*').forEach((el) => el.shadowRoot && seen.push(el.shadowRoot));
    }
    return null;
  };
  const step = find('tour-step'), overlay = find('tour-overlay');
  const r = visible(step) ? step.getBoundingClientRect() : null;
  const problems = [];
  if (r && r.left < 20 && r.top < 20) problems.push(`a step at the top-left (${Math.round(r.left)}, ${Math.round(r.top)})`);
  if (!r && visible(overlay)) problems.push('the page dimmed with no step');
  return problems;
}"""


def tour_step(page: Any, step_id: str, timeout: float = 10_000) -> Any:
    locator = page.locator(f'{TOUR_STEP}[data-step="{step_id}"]')
    locator.wait_for(state="visible", timeout=timeout)
    return locator


def submits(page: Any) -> int:
    return page.evaluate("() => window.__borealis.submits")


def test_a_tour_step_inside_the_hosts_modal_dialog_is_usable_and_leaves_with_it(open_context, host, guide, user):
    page = open_context(reduced_motion="reduce").new_page()
    open_host(page, host, "/demo/hostile/dialog", user)
    page.locator("#open-dialog").click()  # showModal(): the rest of the page is inert
    page.locator("#dialog-name").wait_for(state="visible")
    page.evaluate("() => Guide.start('hostile-dialog-tour')")  # the product starts it with its dialog
    tour_step(page, "name")

    assert poll(page, lambda: page.evaluate(IN_STEP)), f"focus is on {page.evaluate(FOCUSED)}, not in the step"
    page.keyboard.press("Enter")  # Next, for the tour; not the host form's implicit submission
    tour_step(page, "save", timeout=15_000)
    assert submits(page) == 0, "Enter in the tour step submitted the host's form"

    real_click(page.locator('[data-testid="tour-back"]'), "The step's Back button")
    tour_step(page, "name", timeout=15_000)
    real_click(page.locator('[data-testid="tour-next"]'), "The step's Next button")
    tour_step(page, "save", timeout=15_000)
    for n in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate(IN_STEP), f"Tab {n + 1} left the step for {page.evaluate(FOCUSED)}"
    assert submits(page) == 0
    assert poll(page, lambda: progress(guide, user, "hostile-dialog-tour") == ("active", [], "save")), \
        f"the tour's progress is {progress(guide, user, 'hostile-dialog-tour')}"

    page.evaluate("() => document.getElementById('host-dialog').close()")  # the product closes it
    page.locator("#dialog-save").wait_for(state="hidden")
    try:
        page.wait_for_function(f"() => ({LEFT_BEHIND})().length === 0", timeout=15_000)
    except PlaywrightTimeout:
        pytest.fail(f"after the dialog closed: {page.evaluate(LEFT_BEHIND)}")
    assert error_codes(page) == []


def test_showing_a_step_scrolls_its_container_not_the_root_and_fixed_panels_stay_in_view(
        open_context, host, guide, user):
    page = open_context(reduced_motion="reduce", **SIZES["375x667"]).new_page()
    open_host(page, host, "/demo/hostile/scroll", user)
    scroll = "() => ({y: scrollY, root: document.scrollingElement.scrollTop, " \
             "container: document.getElementById('scroller').scrollTop})"
    assert page.evaluate(scroll) == {"y": 0, "root": 0, "container": 0}
    page.evaluate("() => Guide.start('hostile-scroll-tour')")  # no click: nothing else scrolls
    tour_step(page, "retention")
    page.wait_for_function("() => { const r = document.getElementById('deep-target').getBoundingClientRect();"
                           " return r.top < innerHeight && r.bottom > 0; }")
    where = page.evaluate(scroll)
    assert (where["y"], where["root"]) == (0, 0), f"the root was scrolled: {where}"
    assert where["container"] > 0, where

    page.keyboard.press("Escape")  # the user skips the tour
    page.locator(TOUR_STEP).wait_for(state="hidden")
    page.evaluate("() => Guide.openHelp()")
    page.locator(HELP_PANEL).wait_for(state="visible")
    rect = page.locator(HELP_PANEL).evaluate("el => { const r = el.getBoundingClientRect();"
                                             " return {top: r.top, bottom: r.bottom}; }")
    assert rect["top"] >= 0, f"the help panel starts above the viewport: {rect}"
    assert rect["bottom"] <= 667 + 1, f"the help panel ends below the viewport: {rect}"
    assert page.evaluate(scroll)["root"] == 0
    assert error_codes(page) == []


def test_a_centred_step_shown_while_the_hosts_modal_dialog_is_open_is_usable(open_context, host, guide, user):
    """A step without a target, while the product's modal dialog is still open: outside that
    dialog it would be inert, so it shows inside it, and Done takes a real click."""
    page = open_context(reduced_motion="reduce").new_page()
    open_host(page, host, "/demo/hostile/dialog", user)
    page.locator("#open-dialog").click()
    page.locator("#dialog-name").wait_for(state="visible")
    page.evaluate("() => Guide.start('hostile-dialog-tour')")
    tour_step(page, "name")
    real_click(page.locator('[data-testid="tour-next"]'), "The step's Next button")
    tour_step(page, "save", timeout=15_000)
    real_click(page.locator('[data-testid="tour-next"]'), "The step's Next button")
    tour_step(page, "wrap-up", timeout=15_000)
    real_click(page.locator('[data-testid="tour-next"]'), "The centred step's Done button")
    assert poll(page, lambda: progress(guide, user, "hostile-dialog-tour")[0] == "completed"), \
        f"the tour's progress is {progress(guide, user, 'hostile-dialog-tour')}"
    assert submits(page) == 0
    assert error_codes(page) == []

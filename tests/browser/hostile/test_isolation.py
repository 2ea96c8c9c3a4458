"""Issue 11, point 7 on Borealis: the widget keeps its own direction and focus styles,
notices once that the CSP refuses its WebSocket, survives an element named Guide,
and works on a zoomed page."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.hostile.helpers import (
    LAUNCHER,
    PANEL,
    TOUR_STEP,
    Console,
    Wire,
    completions,
    error_codes,
    mark_done,
    open_host,
    open_panel,
    probe,
    progress,
    show_tab,
    wait_probe,
)

pytestmark = pytest.mark.browser

# Where a character range of the element's text lands on screen (left edge).
TEXT_LEFT = """(el, needle) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    return range.getBoundingClientRect().left;
  }
  return null;
}"""


def test_on_an_rtl_page_the_english_panel_is_ltr_and_reads_2_of_4_steps_done(page, host, guide, user):
    open_host(page, host, "/demo/integrations", user, rtl=1)
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"  # precondition
    open_panel(page)
    show_tab(page, "pro-features")
    for step_id in ("schedule-report", "set-alert"):
        mark_done(page, step_id)
        wait_probe(page, "completed", f"pro-features/{step_id}")
    assert sorted(progress(guide, user, "pro-features")[1]) == ["schedule-report", "set-alert"]

    meter = page.locator(PANEL).get_by_text("2 of 4 steps done", exact=True)
    meter.wait_for()
    assert page.locator(PANEL).evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert meter.evaluate("el => getComputedStyle(el).direction") == "ltr"
    two, done = meter.evaluate(TEXT_LEFT, "2"), meter.evaluate(TEXT_LEFT, "done")
    assert two is not None and done is not None and two < done, \
        f"'2' is drawn at x={two}, 'done' at x={done}: the line does not read '2 of 4 steps done'"


OUTLINE = "el => { const s = getComputedStyle(el); return s.outlineStyle === 'none' ? 'none' : s.outlineWidth; }"


def test_the_hosts_focus_outline_does_not_draw_on_the_widgets_host_elements(page, host, guide, user):
    open_host(page, host, "/demo/dashboard", user)
    page.locator(TOUR_STEP).wait_for(state="visible")  # the tour starts and takes the focus
    page.wait_for_function("() => !!document.activeElement.shadowRoot")
    tour_host = page.evaluate_handle("() => document.activeElement")
    assert tour_host.evaluate(OUTLINE) in ("none", "0px"), "the host's :focus outline draws around the tour"

    page.keyboard.press("Escape")
    page.locator(TOUR_STEP).wait_for(state="hidden")
    page.locator("#new-dashboard").focus()
    assert page.locator("#new-dashboard").evaluate(OUTLINE) == "3px"  # precondition: the rule applies
    page.locator(LAUNCHER).focus()
    widget_host = page.evaluate_handle("() => document.activeElement")
    assert widget_host.evaluate("el => !!el.shadowRoot"), "precondition: focus should be in the widget"
    assert widget_host.evaluate(OUTLINE) in ("none", "0px"), "the host's :focus outline draws around the widget"


SETTLE = """() => new Promise((resolve) => {
  // Two macrotask turns on a channel the fake clock does not control, so violation
  // reports already queued by the browser are dispatched first.
  const channel = new MessageChannel();
  let turns = 0;
  channel.port1.onmessage = () => (++turns === 2 ? resolve() : channel.port2.postMessage(0));
  channel.port2.postMessage(0);
})"""


def test_a_websocket_the_csp_refuses_is_tried_once_a_minute_and_steps_go_over_http(page, host, guide, user):
    console = Console(page)
    wire = Wire.watch(page)
    page.clock.install()  # time flows as usual until run_for() jumps ahead
    open_host(page, host, "/demo/integrations", user, ws=0)
    try:
        page.wait_for_function("() => window.__probe.ready === 1")
    except PlaywrightTimeout:
        raise AssertionError(f"the widget never became ready; errors {probe(page, 'errors')}, "
                             f"ready {probe(page, 'ready')}, console {console.messages}") from None
    page.clock.run_for(60_000)  # a simulated minute: every timer of the widget in it fires
    page.evaluate(SETTLE)

    violations = [v["uri"] for v in probe(page, "csp") if v["uri"].startswith("ws")]
    logged = [text for kind, text in console.messages if "ws://" in text and "Content Security Policy" in text]
    assert len(violations) <= 1, f"{len(violations)} CSP violations for the WebSocket in a minute"
    assert len(logged) <= 1, f"{len(logged)} console errors for the refused WebSocket in a minute"

    open_panel(page)
    mark_done(page, "welcome")
    wait_probe(page, "completed", "getting-started/welcome")
    assert completions(guide, user, "getting-started", "welcome") == 1
    assert any('"step:complete"' in body for body in wire.batches), "the step did not go over HTTP"
    assert error_codes(page) == []


def test_an_element_named_guide_neither_stops_the_widget_nor_throws_into_the_page(page, host, guide, user):
    thrown: list[str] = []
    page.on("pageerror", lambda error: thrown.append(str(error)))
    open_host(page, host, "/demo/integrations", user, guide_el=1, launcher=False)
    try:
        page.locator(LAUNCHER).wait_for()
    except PlaywrightTimeout:
        kind = page.evaluate("() => Object.prototype.toString.call(window.Guide)")
        pytest.fail(f"the widget never showed; window.Guide is {kind}; thrown into the page: {thrown}")
    assert probe(page, "api") == "ok"
    open_panel(page)
    mark_done(page, "welcome")
    wait_probe(page, "completed", "getting-started/welcome")
    assert completions(guide, user, "getting-started", "welcome") == 1
    assert page.locator("#Guide").inner_text().lower().startswith("guide: our own")  # the host's element
    assert thrown == []


ZOOMS = {
    # A product that shrinks its whole UI with CSS zoom on the root.
    "css-zoom-0.8": ({}, {"zoom": 0.8}),
    # One that enlarges it: the panel keeps its own size, so its Close stays on screen.
    "css-zoom-1.5": ({}, {"zoom": 1.5}),
    # The user's browser zoom at 150% on a 1280x800 window: 853x533 CSS pixels.
    "browser-zoom-150": ({"viewport": {"width": 853, "height": 533}, "device_scale_factor": 1.5}, {}),
}


@pytest.mark.parametrize("zoom", ZOOMS)
def test_on_a_zoomed_page_a_step_marked_done_by_mouse_is_recorded(open_context, host, guide, user, zoom):
    options, flags = ZOOMS[zoom]
    page = open_context(reduced_motion="reduce", **options).new_page()
    open_host(page, host, "/demo/integrations", user, **flags)
    open_panel(page)  # a real click on the launcher
    mark_done(page, "welcome")
    wait_probe(page, "completed", "getting-started/welcome")
    assert completions(guide, user, "getting-started", "welcome") == 1
    box = page.locator(PANEL).bounding_box()
    viewport = page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], f"the panel {box} leaves {viewport}"
    page.locator(f'{PANEL} [data-testid="guide-close"]').click(timeout=15_000)
    page.locator(PANEL).wait_for(state="hidden")
    assert error_codes(page) == []


SPOTLIGHT_AND_STEP = """() => {
    const root = document.querySelector('#guide-tour-root').shadowRoot;
    const hole = root.querySelector('.shield').getBoundingClientRect();
    const step = root.querySelector('[data-testid="tour-step"]').getBoundingClientRect();
    const target = document.querySelector('#kpis').getBoundingClientRect();
    return {hole: hole.toJSON(), step: step.toJSON(), target: target.toJSON()};
}"""


@pytest.mark.parametrize("zoom", ["0.8", "1.5"])
def test_on_a_zoomed_page_the_tour_step_sits_by_its_target_and_the_spotlight_around_it(
        open_context, host, guide, user, zoom):
    """CSS zoom on the page's root: the step and its spotlight are placed by the target's
    viewport rectangle, so they must not be scaled by the page's zoom themselves."""
    page = open_context(reduced_motion="reduce").new_page()
    open_host(page, host, "/demo/dashboard", user, zoom=zoom, sticky=0)
    page.locator(f'{TOUR_STEP}[data-step="kpis"]').wait_for(state="visible")
    at = page.evaluate(SPOTLIGHT_AND_STEP)
    hole, step, target = at["hole"], at["step"], at["target"]
    for side in ("left", "top", "right", "bottom"):  # the hole is the target plus 6 px of padding
        assert abs(abs(hole[side] - target[side]) - 6) <= 1.5, (side, at)
    viewport = page.viewport_size
    assert step["top"] >= 0 and step["bottom"] <= viewport["height"], at
    assert step["left"] >= 0 and step["right"] <= viewport["width"], at
    gap = min(abs(step["top"] - target["bottom"]), abs(target["top"] - step["bottom"]))
    assert gap <= 20, f"the step is {gap} px from its target: {at}"
    assert error_codes(page) == []

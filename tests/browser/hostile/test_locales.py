"""The widget's own words in the user's language, from the bootstrap (guide/services/
strings.py): a French user reads French buttons and counts; an Arabic- or Hebrew-speaking user
on an ordinary left-to-right page gets the widget right to left, its corner mirrored."""

from __future__ import annotations

import pytest

from tests.browser.hostile.helpers import LAUNCHER, PANEL, open_host, open_panel

pytestmark = pytest.mark.browser

# Where the text of an element ends on the right and starts on the left, on screen.
TEXT_BOX = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const box = range.getBoundingClientRect();
  const own = el.getBoundingClientRect();
  return {left: box.left, right: box.right, boxLeft: own.left, boxRight: own.right};
}"""


def test_a_french_user_reads_the_widget_in_french(page, host, guide, user):
    open_host(page, host, "/demo/integrations", user, locale="fr")
    # The launcher's accessible name starts with launcher_name (hidden text, for readers).
    assert "Liste de démarrage" in page.locator(LAUNCHER).evaluate("el => el.textContent")
    open_panel(page)
    panel = page.locator(PANEL)
    panel.get_by_role("button", name="Marquer comme fait").first.wait_for()
    assert "étape(s) sur" in panel.inner_text()
    assert "Mark done" not in panel.evaluate("el => el.textContent")
    assert page.evaluate("() => [document.querySelector('#guide-root').lang, "
                         "document.querySelector('#guide-root').dir]") == ["fr", "ltr"]


# Arabic and Hebrew (guide/services/strings_rtl.py): the launcher's name and the meter's word.
RTL_CASES = [("ar", "قائمة خطوات البدء", "أُنجزت"), ("he", "רשימת צעדים לתחילת העבודה", "הושלמו")]


@pytest.mark.parametrize("locale,launcher_name,done_word", RTL_CASES)
def test_a_right_to_left_user_gets_a_right_to_left_widget_on_a_left_to_right_page(
        page, host, guide, user, locale, launcher_name, done_word):
    open_host(page, host, "/demo/integrations", user, locale=locale)
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "ltr"  # precondition
    assert page.evaluate("() => [document.querySelector('#guide-root').lang, "
                         "document.querySelector('#guide-root').dir]") == [locale, "rtl"]
    width = page.viewport_size["width"]
    launcher = page.locator(LAUNCHER).bounding_box()
    # The corner mirrors: bottom left, 20 px from the edge, not bottom right.
    assert 0 < launcher["x"] < width / 2 and launcher["x"] + launcher["width"] < width / 2, launcher
    assert launcher_name in page.locator(LAUNCHER).evaluate("el => el.textContent")
    open_panel(page)
    panel = page.locator(PANEL)
    box = panel.bounding_box()
    assert box["x"] < width / 2 and box["x"] + box["width"] < width / 2 + 100, box
    assert panel.evaluate("el => getComputedStyle(el).direction") == "rtl"
    meter = panel.locator(".meter-text").first
    meter.wait_for()
    assert done_word in meter.inner_text()
    # Right-aligned: the text hugs the right edge of its line, far from the left one.
    text = meter.evaluate(TEXT_BOX)
    assert text["boxRight"] - text["right"] < 2 < text["left"] - text["boxLeft"], text

"""Preview and the element picker (issue 5, widget side), driven from the real admin.

Uses the authoring tests' own server (a separate database), so drafts and picks
here never change what the other browser tests see.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import test_authoring as authoring
from tests.browser.test_authoring import WIDGET_TITLE, admin_login
from tests.browser.test_demo_checklist import open_panel, sign_in, step
from tests.browser.tour_helpers import sql

pytestmark = pytest.mark.browser

# The authoring tests' fixtures: an admin server of this module's own, and a signed-in admin.
admin_server = authoring.admin_server
admin_context = authoring.admin_context

AUTHOR = "#guide-author-root"


def author(page: Any, selector: str) -> Any:
    """An element of the author tools (their own open shadow root)."""
    return page.locator(f"{AUTHOR} {selector}")


def open_pick(admin: Any, context: Any) -> Any:
    admin.goto("/admin/w/demo/guides/dashboard-tour")
    with context.expect_page() as opened:
        admin.locator('fieldset[data-step="kpis"] [data-action="pick"]').click()
    product = opened.value
    product.wait_for_load_state()
    author(product, '[data-testid="picker"]').wait_for()
    assert "guide_pick" not in product.url  # taken out of the URL at once
    return product


def test_preview_shows_the_draft_keeps_it_across_pages_and_keeps_progress_local(
        admin_context, admin_server):
    probe = admin_context.new_page()
    sign_in(probe, "ben")  # the product's signed-in user for this context
    preview = authoring.preview_draft(admin_context, "getting-started", "welcome", "Draft hello")
    badge = author(preview, '[data-testid="preview-badge"]')
    badge.wait_for()
    assert "Preview of version" in badge.inner_text()
    assert "guide_preview" not in preview.url
    open_panel(preview)
    preview.wait_for_function(f"() => ({WIDGET_TITLE})('welcome').includes('Draft hello')")

    step(preview, "welcome").locator('[data-testid="step-done"]').click()
    preview.locator('li[data-step="welcome"][data-done="true"]').wait_for(state="attached")

    preview.goto("/demo/settings")  # the token stays with the tab
    open_panel(preview)
    preview.wait_for_function(f"() => ({WIDGET_TITLE})('welcome').includes('Draft hello')")
    rows = sql(admin_server, "SELECT p.completed_steps FROM progress p JOIN end_user u "
                             "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                             "WHERE u.external_id = 'ben' AND g.key = 'getting-started'")
    assert all("welcome" not in str(row[0]) for row in rows), "a preview must not change real progress"

    # Everyone else, and the same user in another tab, still sees the published version.
    open_panel(probe)
    assert "Draft hello" not in probe.evaluate(WIDGET_TITLE, "welcome")

    author(preview, '[data-testid="preview-exit"]').click()
    badge.wait_for(state="hidden")
    preview.wait_for_function(f"() => !({WIDGET_TITLE})('welcome').includes('Draft hello')")


def test_picker_captures_clicks_and_sends_selectors_that_match_exactly_the_element(admin_context):
    probe = admin_context.new_page()
    sign_in(probe, "tess")  # not grace: the NPS survey asks her first
    admin = admin_context.new_page()
    admin_login(admin)
    field = admin.locator('fieldset[data-step="kpis"] input[data-pick-target]')

    # A link with an id: the click must not navigate (SPA route to Reports).
    product = open_pick(admin, admin_context)
    product.locator("#tab-reports").click()
    author(product, '[data-testid="picker-status"]').filter(has_text="Sent to the editor").wait_for()
    assert product.url.endswith("/demo/dashboard")
    admin.wait_for_function("el => el.value === '#tab-reports'", arg=field.element_handle())

    # A card with nothing of its own: one :nth-of-type under a unique ancestor.
    product = open_pick(admin, admin_context)
    card = product.locator("#kpis li.kpi").nth(1)
    card.hover()
    assert author(product, '[data-testid="picker-box"]').is_visible()
    card.click(position={"x": 5, "y": 5})
    author(product, '[data-testid="picker-status"]').filter(has_text="Sent to the editor").wait_for()
    admin.wait_for_function("el => el.value !== '#tab-reports'", arg=field.element_handle())
    selector = field.input_value()
    assert selector.count("nth-") <= 1
    assert product.evaluate("s => document.querySelectorAll(s).length", selector) == 1
    assert product.evaluate(
        "s => document.querySelector(s) === document.querySelectorAll('#kpis li.kpi')[1]", selector)

    # Esc leaves pick mode without sending anything; the page works normally again.
    product = open_pick(admin, admin_context)
    product.keyboard.press("Escape")
    author(product, '[data-testid="picker"]').wait_for(state="hidden")
    product.locator("#tab-reports").click()
    product.wait_for_url("**/demo/dashboard/reports")

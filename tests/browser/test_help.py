"""Help one click away (issue 4, browser side): open help, search, read an article,
escalate, see the reference; the escalation is in the server's database with its context."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import live
from tests.browser.test_demo_checklist import open_panel, step
from tests.browser.tour_helpers import sign_in_anew, sql

pytestmark = pytest.mark.browser

USER = "hedy"
HELP_BUTTON = '[data-testid="guide-help-button"]'
PANEL = '[data-testid="help-panel"]'
AXE_PATH = live.ROOT / "static" / "widget" / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page: Any, server: live.LiveServer, user: str = USER) -> None:
    sign_in_anew(page, server, user)  # a new user again: the dashboard tour is skipped


def escalation(server: live.LiveServer, reference: str) -> dict[str, Any] | None:
    rows = sql(server, "SELECT e.message, e.severity, e.guide_key, e.step_id, e.article_key, e.url, "
                       "e.context, u.external_id FROM escalation e JOIN end_user u ON u.id = e.user_id "
                       "WHERE e.reference = :ref", ref=reference)
    if not rows:
        return None
    message, severity, guide, step_id, article, url, context, user = rows[0]
    return {"message": message, "severity": severity, "guide": guide, "step": step_id,
            "article": article, "url": url, "user": user,
            "context": context if isinstance(context, dict) else json.loads(context)}


def test_open_help_search_read_and_escalate(page, live_server):
    sign_in(page, live_server)
    page.goto("/demo/integrations")
    page.locator(HELP_BUTTON).click()
    panel = page.locator(PANEL)
    panel.wait_for(state="visible")
    assert panel.get_attribute("role") == "dialog"
    # Suggested first: the article for this page and the step the user is on.
    first = page.locator('[data-testid="help-article"]').first
    first.wait_for()
    assert first.get_attribute("data-key") == "connect-data-sources"

    search = page.locator('[data-testid="help-search"]')
    assert search.evaluate("el => el.getRootNode().activeElement === el")
    search.press_sequentially("invit", delay=30)  # a prefix: the user is still typing
    page.locator('[data-testid="help-article"][data-key="invite-teammates"]').wait_for()
    page.wait_for_function(
        "() => document.querySelector('#guide-root').shadowRoot"
        ".querySelectorAll('[data-testid=help-article]').length === 1")
    page.locator('[data-testid="help-article"][data-key="invite-teammates"]').click()
    body = page.locator('[data-testid="help-body"]')
    body.locator("p").first.wait_for()
    assert "teammate" in body.inner_text().lower() or "colleague" in body.inner_text().lower()

    page.locator('[data-testid="help-contact"]').click()
    page.locator('[data-testid="help-message"]').fill("The invitation email never arrives.\nTried twice.")
    page.locator('input[value="blocked"]').check()
    page.locator('[data-testid="help-send"]').click()
    reference_el = page.locator('[data-testid="help-reference"]')
    reference_el.wait_for()
    reference = reference_el.inner_text().split(":", 1)[1].strip()
    assert reference.startswith("ESC-")
    link = page.locator('[data-testid="help-desk"]')
    href = link.get_attribute("href")
    assert reference in href and "invitation" in href.lower()
    assert link.get_attribute("target") == "_blank"

    row = escalation(live_server, reference)
    assert row is not None
    assert row["message"] == "The invitation email never arrives.\nTried twice."
    assert row["severity"] == "blocked"
    assert row["article"] == "invite-teammates"
    assert row["url"] == "/demo/integrations"
    assert row["user"] == USER
    assert row["guide"] == "getting-started"
    assert row["context"]["user"]["id"] == USER

    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.locator(HELP_BUTTON).evaluate("el => el.getRootNode().activeElement === el")


def test_stuck_opens_the_steps_article_and_escalates_about_that_step(page, live_server):
    sign_in(page, live_server)
    open_panel(page)
    toggle = step(page, "connect-data").locator('[data-testid="step-toggle"]')
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    step(page, "connect-data").locator('[data-testid="step-stuck"]').click()
    page.locator('[data-testid="help-body"] p').first.wait_for()
    assert "connection string" in page.locator('[data-testid="help-body"]').inner_text()
    page.locator('[data-testid="help-contact"]').click()
    assert "Connect your data source" in page.locator('[data-testid="help-about"]').inner_text()
    page.locator('[data-testid="help-message"]').fill("Which port does PostgreSQL need?")
    page.locator('[data-testid="help-send"]').click()
    reference = page.locator('[data-testid="help-reference"]').inner_text().split(":", 1)[1].strip()
    row = escalation(live_server, reference)
    assert row is not None
    assert (row["guide"], row["step"], row["article"], row["severity"]) == (
        "getting-started", "connect-data", "connect-data-sources", "question")


def test_the_demo_help_button_opens_the_panel_and_axe_finds_no_violations(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, reduced_motion="reduce",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.locator("#open-help").click()  # the product's own Help button: Guide.openHelp()
        page.locator(PANEL).wait_for(state="visible")
        page.locator('[data-testid="help-article"]').first.wait_for()
        page.add_script_tag(path=str(AXE_PATH))
        result = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))")
        assert result == []
        page.locator('[data-testid="help-contact"]').click()
        page.locator('[data-testid="help-message"]').wait_for()
        result = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
        assert result == []
    finally:
        context.close()

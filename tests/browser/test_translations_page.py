"""The admin's Translations page in real Chromium under the admin's CSP: with a new locale,
rows for guides, help articles, the lifecycle and scenario nudges, and axe with no
violations."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import csp_reports
from tests.browser.test_analytics import no_violations
from tests.browser.test_authoring import admin_context, admin_login, admin_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_translations_page_lists_every_document_and_passes_axe(admin_context: Any):  # noqa: F811
    page = admin_context.new_page()
    blocked = csp_reports(page)
    admin_login(page)
    page.goto("/admin/w/demo/translations")
    page.fill('input[name="locale"]', "de")
    page.click('form.inline button[type="submit"]')
    page.wait_for_url("**/admin/w/demo/translations?locale=de")
    table = page.locator('[data-testid="completeness"]')
    for doc in ("guide/getting-started", "help/connect-data-sources", "lifecycle/lifecycle",
                "scenario/import-trouble"):
        cell = table.locator(f'tr[data-doc="{doc}"] td[data-locale="de"]')
        assert "untranslated" in cell.inner_text(), doc
    assert "Lifecycle" in table.locator('tr[data-doc="lifecycle/lifecycle"]').inner_text()
    no_violations(page)
    assert blocked == []

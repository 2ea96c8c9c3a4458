"""The lifecycle report, the accounts portfolio and an account's timeline in real Chromium,
under the admin's CSP: an account that a bootstrap created shows up, and axe finds no
violations on any of the three pages."""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from pathlib import Path

import jwt
import pytest

from tests import live
from tests.browser.conftest import csp_reports
from tests.browser.test_analytics import no_violations
from tests.browser.test_authoring import admin_context, admin_login, admin_server  # noqa: F401

pytestmark = pytest.mark.browser


def bootstrap_with_account(server: live.LiveServer, user: str, account: str) -> None:
    """A bootstrap whose identity token signs the user's account (a company, with traits)."""
    claims = jwt.decode(live.demo_identity(server, user), options={"verify_signature": False})
    secret = subprocess.run(
        [str(live.BIN / "flask"), "--app", "wsgi", "guide", "workspace", "secret", "demo"],
        cwd=live.ROOT, env=server.env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1]
    claims["account"] = {"id": account, "traits": {"name": "Browser Co", "csm": "ann"}}
    body = json.dumps({"app": "demo", "user": {"id": user, "traits": {}},
                       "token": jwt.encode(claims, secret, algorithm="HS256")}).encode()
    request = urllib.request.Request(f"{server.url}/api/v1/widget/bootstrap", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_the_lifecycle_pages_show_an_account_and_pass_axe(admin_context, admin_server,  # noqa: F811
                                                         tmp_path: Path):
    account = f"acct-{uuid.uuid4().hex[:8]}"
    bootstrap_with_account(admin_server, f"lifecycle-{uuid.uuid4().hex[:8]}", account)
    page = admin_context.new_page()
    blocked = csp_reports(page)
    admin_login(page)
    page.click('nav.mainnav a:text-is("Analytics")')
    page.click('[data-testid="analytics-nav"] a:text-is("Milestones and lifecycle")')
    page.wait_for_url("**/admin/w/demo/analytics/lifecycle")
    assert int(page.locator('[data-testid="signups"]').inner_text()) >= 1
    assert page.locator('svg[data-testid="milestone-chart"] rect').count() >= 2
    assert page.locator('[data-testid="milestones"] tr[data-milestone="data_connected"]'
                        ' td[data-metric="expected"]').inner_text() == "3 days"
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-lifecycle.png"), full_page=True)

    page.click('[data-testid="analytics-nav"] a:text-is("Accounts portfolio")')
    page.wait_for_url("**/admin/w/demo/analytics/accounts")
    page.fill('input[name="q"]', "browser co")
    page.click('[data-testid="portfolio-filters"] button[type="submit"]')
    row = page.locator(f'[data-testid="portfolio"] tr[data-account="{account}"]')
    assert row.locator('td[data-metric="status"]').inner_text() == "on track"
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-accounts.png"), full_page=True)

    row.locator("a").click()
    page.wait_for_url(f"**/admin/w/demo/analytics/accounts/{account}")
    assert page.locator('svg[data-testid="timeline-chart"] g.marker').count() >= 2
    assert page.locator('[data-testid="timeline"] tbody tr').count() >= 2
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-account.png"), full_page=True)
    assert blocked == []

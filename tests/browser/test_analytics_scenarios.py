"""Analytics › Scenarios in real Chromium under the admin's CSP: the demo's connect-data
reminder with firings in both arms (written straight into the live server's database, 20
days ago, so none is pending), its chart and table, and axe with no violations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import live
from tests.browser.test_analytics import analytics_page, no_violations
from tests.browser.test_authoring import admin_context, admin_server  # noqa: F401

pytestmark = pytest.mark.browser


def seed_firings(server: live.LiveServer) -> None:
    """Four treated firings (three reached data_connected), two held out (one reached it)."""
    names = [f"sc-{uuid.uuid4().hex[:8]}" for _ in range(6)]
    for name in names:
        live.bootstrap(server, name, {"plan": "trial"})
    fired = datetime.now(UTC) - timedelta(days=20)
    engine = sa.create_engine(server.env["GUIDE_DATABASE_URL"])
    with engine.begin() as connection:
        ws_id, scenario_id = connection.execute(sa.text(
            "SELECT s.workspace_id, s.id FROM scenario s JOIN workspace w ON w.id = "
            "s.workspace_id WHERE w.key = 'demo' AND s.key = 'connect-data-reminder'")).one()
        ids = dict(connection.execute(sa.text(
            "SELECT external_id, id FROM end_user WHERE external_id IN :names").bindparams(
            sa.bindparam("names", expanding=True)), {"names": names}).all())
        for index, name in enumerate(names):
            connection.execute(sa.text(
                "INSERT INTO scenario_firing (workspace_id, scenario_id, subject_type, subject_id,"
                " \"window\", details, fired_at, held_out) VALUES (:ws, :s, 'user', :u, 'once', '{}',"
                " :at, :held)"), {"ws": ws_id, "s": scenario_id, "u": ids[name], "at": fired,
                                  "held": index >= 4})
            if index in (0, 1, 2, 4):
                connection.execute(sa.text(
                    "INSERT INTO user_milestone (user_id, key, source, reached_at) VALUES "
                    "(:u, 'data_connected', 'test', :at)"),
                    {"u": ids[name], "at": fired + timedelta(days=1)})
    engine.dispose()


def test_the_scenarios_report_shows_both_arms_and_passes_axe(admin_context, admin_server,  # noqa: F811
                                                            tmp_path: Path):
    seed_firings(admin_server)
    page, blocked = analytics_page(admin_context)
    page.click('[data-testid="report-scenarios"] a')
    page.wait_for_url("**/admin/w/demo/analytics/scenarios?days=30")
    body = page.locator('[data-testid="scenario-report"] tbody[data-scenario="connect-data-reminder"]')
    assert body.locator('tr[data-arm="treated"] td[data-metric="converted"]').inner_text() == (
        "3 of 4")
    assert body.locator('tr[data-arm="held_out"] td[data-metric="converted"]').inner_text() == (
        "1 of 2")
    assert body.locator('td[data-metric="lift"]').inner_text() == "+25.0 pts"
    chart = page.locator('svg[data-testid="conversion-chart"]')
    assert chart.locator('g[data-scenario="connect-data-reminder"] circle').count() == 2
    no_violations(page)
    page.screenshot(path=str(tmp_path / "admin-analytics-scenarios.png"), full_page=True)
    assert blocked == []

"""Every widget behaviour on Borealis, everything hostile on (host.py), over the socket
and over the HTTP fallback a CSP without ws: forces. Each test checks the Guide
server's database, not the screen: what was recorded, and that it was recorded once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.hostile.helpers import (
    EVENTS_URL,
    HELP_BUTTON,
    HELP_PANEL,
    LAUNCHER,
    NUDGE,
    PANEL,
    TOUR_STEP,
    TRANSPORTS,
    Console,
    Wire,
    checklist_step,
    client_events,
    completions,
    error_codes,
    mark_done,
    named_events,
    open_host,
    open_panel,
    poll,
    probe,
    progress,
    progress_rows,
    queued,
    show_tab,
    transports,
    wait_probe,
)
from tests.browser.tour_helpers import sql

pytestmark = pytest.mark.browser



def used(wire: Wire, transport: str, kind: str) -> None:
    """The envelope went the way the test says: a socket frame, or a batch request."""
    if transport == "socket":
        assert any(packet[0] == kind for _, packet in wire.events()), f"no {kind} socket frame"
        assert wire.batches == [], "the socket was up: nothing should have gone over HTTP"
    else:
        assert any(f'"{kind}"' in body for body in wire.batches), f"no batch carried {kind}"
        assert wire.events() == [], "the CSP refuses ws:, yet socket frames were sent"


@transports
def test_a_checklist_step_marked_done_is_recorded_once_and_acknowledged(page, host, guide, user, transport):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    open_panel(page)
    mark_done(page, "welcome")
    wait_probe(page, "completed", "getting-started/welcome")  # step:completed: the server's ack

    assert completions(guide, user, "getting-started", "welcome") == 1
    assert progress_rows(guide, user, "getting-started") == 1
    assert "welcome" in progress(guide, user, "getting-started")[1]
    assert poll(page, lambda: queued(page) == 0), "an acknowledged envelope is still queued in IndexedDB"
    assert checklist_step(page, "welcome").get_attribute("data-done") == "true"
    used(wire, transport, "step:complete")
    assert error_codes(page) == []


@transports
def test_a_tracked_event_completes_the_step_waiting_for_it(page, host, guide, user, transport):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    page.locator('input[data-integration="postgres"]').click()  # Guide.track("integration_connected")
    wait_probe(page, "completed", "getting-started/connect-data")

    assert named_events(guide, user, "integration_connected") == [{"integration": "postgres"}]
    assert "connect-data" in progress(guide, user, "getting-started")[1]
    assert progress_rows(guide, user, "getting-started") == 1
    assert poll(page, lambda: queued(page) == 0), "an acknowledged envelope is still queued in IndexedDB"
    used(wire, transport, "event:track")
    assert error_codes(page) == []


def press(page: Any, name: str) -> None:
    page.locator(f'[data-testid="tour-{name}"]').click()


def tour_step(page: Any, step_id: str) -> None:
    page.locator(f'{TOUR_STEP}[data-step="{step_id}"]').wait_for(state="visible")


@transports
def test_the_dashboard_tour_advances_through_an_spa_route_and_a_page_load_and_finishes(
        open_context, host, guide, user, transport):
    # Reduced motion: the step's target is scrolled to at once, so the clicks below
    # never race a smooth scroll (a user waits for it to settle).
    page = open_context(reduced_motion="reduce").new_page()
    wire = Wire.watch(page)
    open_host(page, host, "/demo/dashboard", user, **TRANSPORTS[transport])
    tour_step(page, "kpis")  # starts on its own for a new user
    press(page, "next")
    tour_step(page, "insights")  # a late element (Borealis renders it after 500 ms)
    press(page, "next")
    tour_step(page, "reports-tab")
    page.locator("#tab-reports").click()  # history.pushState, wrapped by the analytics tool
    page.wait_for_url("**/demo/dashboard/reports?**")
    tour_step(page, "reports")
    assert "pushState" in page.evaluate("() => window.__analytics.nav")
    press(page, "next")
    tour_step(page, "integrations-link")
    page.locator("#nav-integrations").click()  # a real page load
    page.wait_for_url("**/demo/integrations?**")
    tour_step(page, "integrations")
    press(page, "next")
    tour_step(page, "all-set")
    press(page, "next")  # Done
    page.locator(TOUR_STEP).wait_for(state="hidden")
    wait_probe(page, "ends", "dashboard-tour:completed")

    assert poll(page, lambda: (progress(guide, user, "dashboard-tour") or ("",))[0] == "completed"), \
        f"the tour's progress is {progress(guide, user, 'dashboard-tour')}"
    # Finishing the tour completed the Pro checklist's step that waits for it.
    assert "take-tour" in progress(guide, user, "pro-features")[1]
    assert poll(page, lambda: queued(page) == 0)
    used(wire, transport, "guide:state")
    assert error_codes(page) == []


def escalation(guide: Any, reference: str) -> dict[str, Any] | None:
    import json

    rows = sql(guide, "SELECT e.message, e.severity, e.article_key, e.url, e.context, u.external_id "
                      "FROM escalation e JOIN end_user u ON u.id = e.user_id WHERE e.reference = :ref",
               ref=reference)
    if not rows:
        return None
    message, severity, article, url, context, who = rows[0]
    return {"message": message, "severity": severity, "article": article, "url": url, "user": who,
            "context": context if isinstance(context, dict) else json.loads(context)}


@transports
def test_help_opens_an_article_and_sends_an_escalation_with_its_context(page, host, guide, user, transport):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    page.locator(HELP_BUTTON).click()
    page.locator(HELP_PANEL).wait_for(state="visible")
    article = page.locator('[data-testid="help-article"][data-key="connect-data-sources"]')
    article.click()
    page.locator('[data-testid="help-body"] p').first.wait_for()
    page.locator('[data-testid="help-contact"]').click()
    page.locator('[data-testid="help-message"]').fill("Postgres says: password authentication failed.")
    page.locator('input[value="blocked"]').check()
    page.locator('[data-testid="help-send"]').click()
    reference = page.locator('[data-testid="help-reference"]').inner_text().split(":", 1)[1].strip()

    row = escalation(guide, reference)
    assert row is not None, f"no escalation {reference} in the database"
    assert row["message"] == "Postgres says: password authentication failed."
    assert (row["severity"], row["article"], row["user"]) == ("blocked", "connect-data-sources", user)
    assert row["url"].startswith("/demo/integrations")
    assert row["context"]["user"]["id"] == user
    assert len(named_events(guide, user, "$help_open")) == 1
    used(wire, transport, "help:escalate")
    assert error_codes(page) == []


def test_a_nudge_arrives_over_the_socket_and_show_me_is_recorded(page, host, guide, user):
    open_host(page, host, "/demo/integrations", user)
    page.locator("#import-csv").click()  # Guide.track("import_failed"), twice: content/scenarios.yaml
    page.locator("#import-csv").click()
    nudge = page.locator(NUDGE)
    nudge.wait_for(state="visible")
    assert "Import trouble?" in nudge.inner_text()
    assert len(probe(page, "nudges")) == 1
    page.locator('[data-testid="nudge-open"]').click()
    page.locator(PANEL).wait_for(state="visible")
    page.locator(f'{PANEL} [data-step="connect-data"][data-open="true"]').wait_for()

    delivered = sql(guide, "SELECT n.delivered_at FROM nudge n JOIN end_user u ON u.id = n.user_id "
                           "WHERE u.external_id = :user", user=user)
    assert len(delivered) == 1 and delivered[0][0] is not None
    opened = poll(page, lambda: named_events(guide, user, "$nudge_opened"))
    assert [props["scenario"] for props in opened] == ["import-trouble"]
    assert error_codes(page) == []


def test_over_http_the_nudge_arrives_with_the_batch_and_show_me_is_recorded(page, host, guide, user):
    """With ws: refused there is no socket to push nudges: the widget asks for them with
    its batches (docs/PROTOCOL.md section 3), so the scenario's nudge shows all the same."""
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, ws=0)
    page.locator("#import-csv").click()
    page.locator("#import-csv").click()
    nudge = page.locator(NUDGE)
    nudge.wait_for(state="visible")
    assert "Import trouble?" in nudge.inner_text()
    assert len(named_events(guide, user, "import_failed")) == 2
    tasks = sql(guide, "SELECT e.scenario_key FROM escalation e JOIN end_user u "
                       "ON u.id = e.user_id WHERE u.external_id = :user", user=user)
    assert [row[0] for row in tasks] == ["import-trouble"]
    delivered = sql(guide, "SELECT n.delivered_at FROM nudge n JOIN end_user u ON u.id = n.user_id "
                           "WHERE u.external_id = :user", user=user)
    assert len(delivered) == 1 and delivered[0][0] is not None
    assert wire.sent == [], "no socket frame may have been sent on a page that refuses ws:"
    assert any('"nudges":true' in body for body in wire.batches)
    page.locator('[data-testid="nudge-open"]').click()
    page.locator(f'{PANEL} [data-step="connect-data"][data-open="true"]').wait_for()
    opened = poll(page, lambda: named_events(guide, user, "$nudge_opened"))
    assert [props["scenario"] for props in opened] == ["import-trouble"]
    assert error_codes(page) == []


OFFLINE_WORK = {("step:complete", "getting-started/welcome"), ("step:complete", "pro-features/schedule-report"),
                ("event:track", "integration_connected")}


def work_offline(page: Any) -> None:
    """Two steps marked done and a tracked event, while Guide cannot be reached."""
    open_panel(page)
    mark_done(page, "welcome")
    show_tab(page, "pro-features")
    mark_done(page, "schedule-report")
    page.locator('input[data-integration="postgres"]').click()  # Guide.track("integration_connected")
    assert poll(page, lambda: queued(page) >= 3), "the envelopes were not persisted"


def shows_queued_work(page: Any, console: Console | None = None) -> None:
    """A new page of the product shows the steps from the local queue: done, or marked pending."""
    page.locator(LAUNCHER).wait_for()
    open_panel(page)
    for guide_key, step_id in (("getting-started", "welcome"), ("pro-features", "schedule-report")):
        show_tab(page, guide_key)
        item = checklist_step(page, step_id)
        # One read of both marks: an ack landing between two reads turns pending into done.
        marks = item.evaluate("el => [el.dataset.done, el.dataset.pending]")
        assert "true" in marks, f"{step_id} lost its mark ({marks}); console: " \
            f"{console.messages if console else '(not watched)'}"


def recorded_once(page: Any, guide: Any, user: str) -> None:
    def recorded() -> list[tuple[str, str, str]]:
        events = [e for e in client_events(guide, user) if (e[0], e[1]) in OFFLINE_WORK]
        return events if len(events) >= 3 else []

    sent = poll(page, recorded, deadline=40)
    assert sorted((kind, name) for kind, name, _ in sent) == sorted(OFFLINE_WORK)  # each exactly once
    assert "welcome" in progress(guide, user, "getting-started")[1]
    assert "connect-data" in progress(guide, user, "getting-started")[1]  # from the tracked event
    assert "schedule-report" in progress(guide, user, "pro-features")[1]
    assert poll(page, lambda: queued(page) == 0, deadline=20), "acknowledged envelopes stayed queued"


@transports
def test_completions_made_offline_survive_closing_the_tab_and_are_recorded_once(
        open_context, host, guide, user, transport):
    """The whole network goes (Playwright's offline mode: the socket's frames and every
    request); the tab is closed; the product is opened again once the network is back. (Playwright's route_web_socket cannot cut only Guide's socket
    here: its in-page binding serializes with the page's JSON, which Prototype breaks.)"""
    context = open_context()
    page = context.new_page()
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    page.wait_for_function("() => window.__probe.ready === 1")
    context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
    work_offline(page)
    assert [e for e in client_events(guide, user) if (e[0], e[1]) in OFFLINE_WORK] == [], \
        "nothing may reach the server while the network is down"
    page.close()  # the unload flush is a keepalive request: it may outlive the emulation

    context.set_offline(False)
    page = context.new_page()
    console = Console(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    shows_queued_work(page, console)
    recorded_once(page, guide, user)


def test_over_http_completions_made_while_the_batch_endpoint_is_cut_survive_a_reload(page, host, guide, user):
    """Only Guide's batch endpoint is cut (a Playwright route); the page itself reloads."""
    cut = {"on": False, "refused": 0}

    def batch(route: Any) -> None:
        if cut["on"]:
            cut["refused"] += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(f"**{EVENTS_URL}", batch)
    open_host(page, host, "/demo/integrations", user, ws=0)
    page.wait_for_function("() => window.__probe.ready === 1")
    cut["on"] = True
    work_offline(page)
    assert [e for e in client_events(guide, user) if (e[0], e[1]) in OFFLINE_WORK] == [], \
        "nothing may reach the server while its batch endpoint is cut"
    page.reload()  # a keepalive unload flush outlives the page and no route sees it: it may get through
    shows_queued_work(page)
    assert poll(page, lambda: cut["refused"] > 0), "the widget never tried to reach the server while it was cut off"
    cut["on"] = False
    recorded_once(page, guide, user)

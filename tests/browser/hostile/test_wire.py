"""Issue 11, points 1 and 2 on Borealis: what the widget puts on the wire with polluted
built-ins, and what it does with every refusal (reported, dropped, never shown done,
never retried forever; CORS lets every error code through)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tests.browser.hostile.helpers import (
    EVENTS_URL,
    LAUNCHER,
    TRANSPORTS,
    Console,
    Wire,
    checklist_step,
    completions,
    error_codes,
    malformed_batches,
    malformed_frames,
    mark_done,
    named_events,
    open_host,
    open_panel,
    poll,
    probe,
    queued,
    transports,
    wait_probe,
)
from tests.browser.tour_helpers import sql

pytestmark = pytest.mark.browser


# Arrays at every depth: Prototype's Array#toJSON turns each into a string.
REPORT_PROPS = {"columns": ["day", "revenue"], "filters": {"regions": ["eu", "us"], "grid": [[1, 2], [3]]},
                "count": 3}
TRACK_REPORT = ("() => Guide.track('report_exported', {columns: ['day', 'revenue'], "
                "filters: {regions: ['eu', 'us'], grid: [[1, 2], [3]]}, count: 3})")


def do_some_work(page: Any) -> None:
    """A step marked done, a tracked event that completes a step, one with nested arrays."""
    open_panel(page)
    mark_done(page, "welcome")
    page.locator('input[data-integration="postgres"]').click()
    page.evaluate(TRACK_REPORT)
    wait_probe(page, "completed", "getting-started/welcome")
    wait_probe(page, "completed", "getting-started/connect-data")


def test_with_prototype_every_socket_frame_is_well_formed_and_acknowledged(page, host, guide, user):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user)
    do_some_work(page)
    assert poll(page, lambda: named_events(guide, user, "report_exported")), "report_exported never arrived"

    assert wire.sent, "the widget sent no socket frame"
    assert malformed_frames(wire.sent) == []
    sent = wire.events()
    assert {packet[0] for _, packet in sent} >= {"step:complete", "event:track"}
    acks = poll(page, lambda: (lambda a: a if all(i in a for i, _ in sent) else None)(wire.acks()))
    assert acks, f"events without an ack: {[p[0] for i, p in sent if i not in wire.acks()]}"
    assert all(acks[i][0]["ok"] is True for i, _ in sent), [acks[i] for i, _ in sent]
    assert named_events(guide, user, "report_exported") == [REPORT_PROPS]
    assert error_codes(page) == []


def test_with_prototype_every_batch_body_is_well_formed_and_accepted(page, host, guide, user):
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, ws=0)
    do_some_work(page)
    assert poll(page, lambda: named_events(guide, user, "report_exported")), "report_exported never arrived"

    assert wire.batches, "the widget sent no batch"
    assert malformed_batches(wire.batches) == []
    assert poll(page, lambda: len(wire.answers) >= len(wire.batches))
    assert [status for status, _ in wire.answers] == [200] * len(wire.answers), wire.answers
    assert named_events(guide, user, "report_exported") == [REPORT_PROPS]
    assert error_codes(page) == []


@transports
def test_an_event_the_server_refuses_is_reported_once_dropped_and_the_next_one_recorded(
        page, host, guide, user, transport):
    """`!` is not allowed in an event name: the server answers invalid_payload for good."""
    console = Console(page)
    wire = Wire.watch(page)
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    page.wait_for_function("() => window.__probe.ready === 1")
    page.evaluate("() => { Guide.track('quarterly report!', {}); Guide.track('after_refusal', {}); }")
    page.wait_for_function("() => window.__probe.errors.length > 0")
    assert poll(page, lambda: named_events(guide, user, "after_refusal")), "the next envelope was not recorded"
    assert poll(page, lambda: queued(page) == 0), "the refused envelope stayed queued: it would be retried"

    errors = probe(page, "errors")
    assert len(errors) == 1 and errors[0]["message"], errors
    assert len(console.widget_warnings()) == 1, console.widget_warnings()
    assert named_events(guide, user, "quarterly report!") == []
    tries = sum(f.count("quarterly report!") for f in wire.sent) + sum(
        b.count("quarterly report!") for b in wire.batches)
    assert tries <= 2, f"the refused envelope was sent {tries} times"


def test_over_http_a_step_completion_the_server_refuses_is_reported_and_never_shown_done(page, host, guide, user):
    """The batch is altered on its way (a proxy, a bug): the server refuses the envelope as
    malformed. The step must not stay checked, now or after a reload from the queue."""
    console = Console(page)
    held: list[Any] = []
    altered: list[str] = []

    def corrupt(route: Any) -> None:
        body = route.request.post_data or ""
        altered.append(body)
        route.continue_(post_data=body.replace('"step":"welcome"', '"step":"Welcome!"'))

    def batch(route: Any) -> None:
        if '"step:complete"' not in (route.request.post_data or ""):
            route.continue_()
        elif not held:
            held.append(route)  # answered below, once the panel has been looked at
        else:
            corrupt(route)

    page.route(f"**{EVENTS_URL}", batch)
    open_host(page, host, "/demo/integrations", user, ws=0)
    open_panel(page)
    mark_done(page, "welcome")
    assert poll(page, lambda: held), "the completion was never sent"
    item = checklist_step(page, "welcome")  # sent, not answered yet
    assert item.get_attribute("data-done") != "true" or item.get_attribute("data-pending") == "true", \
        "the step shows as done before the server acknowledged it (and is not marked pending)"
    corrupt(held[0])
    page.wait_for_function("() => window.__probe.errors.length > 0")
    assert error_codes(page) == ["invalid_payload"]
    assert len(console.widget_warnings()) == 1, console.widget_warnings()
    assert poll(page, lambda: item.get_attribute("data-done") == "false"), \
        "the panel shows as done a step the server refused"
    assert poll(page, lambda: queued(page) == 0), "the refused envelope stayed queued: it would be retried"
    assert completions(guide, user, "getting-started", "welcome") == 0

    sent = len(altered)
    page.reload()
    page.locator(LAUNCHER).wait_for()
    page.wait_for_function("() => window.__probe.ready === 1")
    open_panel(page)
    assert checklist_step(page, "welcome").get_attribute("data-done") == "false"
    page.evaluate("() => Guide.track('after_reload', {})")  # a later batch goes out, without it
    assert poll(page, lambda: named_events(guide, user, "after_reload"))
    assert len(altered) == sent, "the refused completion was sent again after the reload"
    assert sent <= 2, f"the refused completion was sent {sent} times"


def test_a_wrongly_signed_identity_token_reaches_guide_on_error_as_identity_invalid(page, host, guide, user):
    # The listener is queued before Guide.init: loaded after the embed (the default), a
    # host script slower than the widget's 401 would miss the error (seen in CI).
    open_host(page, host, "/demo/integrations", user, token="forged", launcher=False,
              listen="before")
    page.wait_for_function("() => window.__probe.errors.length > 0")
    assert error_codes(page) == ["identity_invalid"], probe(page, "errors")
    assert sql(guide, "SELECT id FROM end_user WHERE external_id = :user", user=user) == []


def expired_socket_token(guide: Any, token: str) -> str:
    """The same socket token, signed as the server signs it but an hour past its expiry."""
    key = guide.env["GUIDE_SECRET_KEY"]
    claims = jwt.decode(token, key, algorithms=["HS256"], audience="guide:socket")
    now = int(time.time())
    claims.update(iat=now - 7200, exp=now - 3600)
    return jwt.encode(claims, key, algorithm="HS256")


def test_over_http_an_expired_socket_token_makes_the_widget_bootstrap_again(page, host, guide, user):
    """The first bootstrap hands out a token that has already expired: /events answers
    401 socket_token_expired, readable cross-origin, and the widget bootstraps again."""
    bootstraps: list[str] = []

    def expire_first(route: Any) -> None:
        bootstraps.append(route.request.url)
        if len(bootstraps) > 1:
            return route.continue_()
        response = route.fetch()
        body = response.json()
        body["socket"]["token"] = expired_socket_token(guide, body["socket"]["token"])
        route.fulfill(response=response, json=body)

    wire = Wire.watch(page)
    page.route("**/api/v1/widget/bootstrap", expire_first)
    open_host(page, host, "/demo/integrations", user, ws=0)
    open_panel(page)
    mark_done(page, "welcome")
    assert poll(page, lambda: completions(guide, user, "getting-started", "welcome") == 1), \
        f"the completion was not recorded; /events answered {[s for s, _ in wire.answers]}"
    assert any(status == 401 and "socket_token_expired" in text for status, text in wire.answers)
    assert len(bootstraps) >= 2, "the widget never bootstrapped again"
    assert "network_error" not in error_codes(page)
    assert poll(page, lambda: queued(page) == 0)


@transports
def test_an_envelope_too_large_is_reported_and_dropped_and_the_next_one_recorded(page, host, guide, user, transport):
    """~70 KB of props: more than the server takes in one request (64 KB) or frame."""
    open_host(page, host, "/demo/integrations", user, **TRANSPORTS[transport])
    page.wait_for_function("() => window.__probe.ready === 1")
    page.evaluate("() => { Guide.track('big_export', {blob: 'x'.repeat(70000)});"
                  " Guide.track('after_big', {ok: 'yes'}); }")
    page.wait_for_function("() => window.__probe.errors.length > 0", timeout=30_000)
    assert poll(page, lambda: named_events(guide, user, "after_big"), deadline=30) == [{"ok": "yes"}], \
        "the envelope after the large one was not recorded"
    assert named_events(guide, user, "big_export") == []
    assert "network_error" not in error_codes(page), probe(page, "errors")
    assert poll(page, lambda: queued(page) == 0), "the large envelope stayed queued: it would be retried"

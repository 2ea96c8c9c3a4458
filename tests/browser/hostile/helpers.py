"""What the hostile-host tests share: opening Borealis, reading what the page and the
widget saw (window.__probe, socket frames, batch bodies, console) and reading the
Guide server's database (the truth the tests check, not the screen)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests import live
from tests.browser.hostile.host import Host

# queued(page): the envelopes waiting in IndexedDB (re-exported for the tests here).
from tests.browser.test_offline import queued as queued
from tests.browser.tour_helpers import sql

LAUNCHER = '[data-testid="guide-launcher"]'
PANEL = '[data-testid="guide-panel"]'
HELP_BUTTON = '[data-testid="guide-help-button"]'
HELP_PANEL = '[data-testid="help-panel"]'
TOUR_STEP = '[data-testid="tour-step"]'
NUDGE = '[data-testid="guide-nudge"]'
EVENTS_URL = "/api/v1/widget/events"

# Both ways the widget talks to the server: the socket, and the HTTP fallback a CSP
# without ws: forces.
TRANSPORTS = {"socket": {}, "http": {"ws": 0}}
# Runs a test once over the WebSocket and once over the HTTP fallback (a CSP without ws:).
transports = pytest.mark.parametrize("transport", list(TRANSPORTS))


def open_host(page: Any, host: Host, path: str, user: str, *, launcher: bool = True,
              **flags: Any) -> None:
    """Borealis's page for `user`; waits for the widget's launcher unless told not to."""
    page.goto(host.page_url(path, user, **flags))
    if launcher:
        page.locator(LAUNCHER).wait_for()


def probe(page: Any, key: str) -> Any:
    """What the page's own listeners saw (assets/early.js, assets/probe.js)."""
    return page.evaluate("k => window.__probe[k]", key)


def wait_probe(page: Any, key: str, value: str, timeout: float = 10_000) -> None:
    """Until window.__probe[key] holds `value` (an event the widget emitted)."""
    page.wait_for_function("([k, v]) => window.__probe[k].includes(v)", arg=[key, value],
                           timeout=timeout)


def error_codes(page: Any) -> list[str]:
    return [e["code"] for e in probe(page, "errors")]


def poll(page: Any, read: Callable[[], Any], deadline: float = 15) -> Any:
    """Read until something truthy comes back, or give up; waits through the page, so
    Playwright's route handlers keep running meanwhile."""
    end = time.monotonic() + deadline
    while True:
        value = read()
        if value or time.monotonic() > end:
            return value
        page.wait_for_timeout(100)


def open_panel(page: Any) -> None:
    if page.locator(PANEL).is_hidden():
        page.locator(LAUNCHER).click()
    page.locator(PANEL).wait_for(state="visible")


def checklist_step(page: Any, step_id: str) -> Any:
    return page.locator(f'{PANEL} li[data-step="{step_id}"]')


def show_tab(page: Any, guide_key: str) -> None:
    tab = page.locator(f'[data-testid="guide-tab"][data-guide="{guide_key}"]')
    if tab.count():
        tab.click()
    page.locator(f'{PANEL} ol[data-guide="{guide_key}"]').wait_for()


def mark_done(page: Any, step_id: str) -> None:
    """The user presses the step's "Mark as done" (expanding the step first if needed)."""
    item = checklist_step(page, step_id)
    done = item.locator('[data-testid="step-done"]')
    if not done.is_visible():
        item.locator('[data-testid="step-toggle"]').click()
    done.click()


# --- the Guide server's database ---------------------------------------------------

def client_events(server: live.LiveServer, user: str) -> list[tuple[str, str, str]]:
    """(type, name, client id) of everything the user's widget sent (page views aside)."""
    rows = sql(server, "SELECT e.type, e.name, e.client_id FROM event e JOIN end_user u "
                       "ON u.id = e.user_id WHERE u.external_id = :user AND e.client_id IS NOT NULL "
                       "AND e.name NOT LIKE '$page'", user=user)
    return [(r[0], r[1], r[2]) for r in rows]


def named_events(server: live.LiveServer, user: str, name: str) -> list[dict[str, Any]]:
    rows = sql(server, "SELECT e.props FROM event e JOIN end_user u ON u.id = e.user_id "
                       "WHERE u.external_id = :user AND e.name = :name", user=user, name=name)
    return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


def progress(server: live.LiveServer, user: str, guide: str) -> tuple[str, list[str], str | None] | None:
    """(state, completed step ids, current step) of the user's progress row, or None."""
    rows = sql(server, "SELECT p.state, p.completed_steps, p.current_step FROM progress p "
                       "JOIN end_user u ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                       "WHERE u.external_id = :user AND g.key = :guide", user=user, guide=guide)
    if not rows:
        return None
    state, done, current = rows[0]
    done = done if isinstance(done, list) else json.loads(done or "[]")
    return state, list(done), current


def progress_rows(server: live.LiveServer, user: str, guide: str) -> int:
    return len(sql(server, "SELECT p.id FROM progress p JOIN end_user u ON u.id = p.user_id "
                           "JOIN guide g ON g.id = p.guide_id WHERE u.external_id = :user "
                           "AND g.key = :guide", user=user, guide=guide))


def completions(server: live.LiveServer, user: str, guide: str, step: str) -> int:
    """How many step:complete events the server recorded for this step."""
    return sum(1 for kind, name, _ in client_events(server, user)
               if kind == "step:complete" and name == f"{guide}/{step}")


# --- what went over the wire --------------------------------------------------------

SOCKET_EVENT = re.compile(r"^42/widget,(\d+)(.*)$", re.S)
SOCKET_ACK = re.compile(r"^43/widget,(\d+)(.*)$", re.S)


@dataclass
class Wire:
    """Every socket frame and every batch request (and its answer) of one page."""

    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    answers: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def watch(cls, page: Any) -> Wire:
        wire = cls()

        def on_socket(ws: Any) -> None:
            wire.sockets.append(ws.url)
            ws.on("framesent", lambda payload: wire.sent.append(_text(payload)))
            ws.on("framereceived", lambda payload: wire.received.append(_text(payload)))

        def on_request(request: Any) -> None:
            if request.method == "POST" and EVENTS_URL in request.url:
                wire.batches.append(request.post_data or "")

        def on_response(response: Any) -> None:
            if response.request.method == "POST" and EVENTS_URL in response.url:
                try:
                    wire.answers.append((response.status, response.text()))
                except Exception as exc:  # the page went away before the body was read
                    wire.answers.append((response.status, f"<unread: {exc}>"))

        page.on("websocket", on_socket)
        page.on("request", on_request)
        page.on("response", on_response)
        return wire

    def events(self) -> list[tuple[int, Any]]:
        """(ack id, parsed payload) of every event packet the widget sent."""
        out = []
        for frame in self.sent:
            match = SOCKET_EVENT.match(frame)
            if match:
                out.append((int(match.group(1)), json.loads(match.group(2))))
        return out

    def acks(self) -> dict[int, Any]:
        out = {}
        for frame in self.received:
            match = SOCKET_ACK.match(frame)
            if match:
                out[int(match.group(1))] = json.loads(match.group(2))
        return out


def _text(payload: Any) -> str:
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def malformed_frames(frames: list[str]) -> list[str]:
    """Frames the widget sent that are not well-formed Engine.IO/Socket.IO for /widget:
    ping/pong, connect with a JSON object, disconnect, or an event with an ack id
    whose payload is a JSON array starting with the event name."""
    bad = []
    for frame in frames:
        if frame in ("2", "3", "41/widget,"):
            continue
        if frame.startswith("40/widget,"):
            rest = frame[len("40/widget,"):]
            if rest == "" or _is_json(rest, dict):
                continue
        match = SOCKET_EVENT.match(frame)
        if match:
            try:
                packet = json.loads(match.group(2))
            except ValueError:
                packet = None
            if (isinstance(packet, list) and len(packet) == 2 and isinstance(packet[0], str)
                    and isinstance(packet[1], dict)):
                continue
        bad.append(frame[:300])
    return bad


def malformed_batches(bodies: list[str]) -> list[str]:
    """Batch bodies that are not {"envelopes": [{type, data: {...}}, ...]}."""
    bad = []
    for body in bodies:
        try:
            parsed = json.loads(body)
        except ValueError:
            bad.append(body[:300])
            continue
        envelopes = parsed.get("envelopes") if isinstance(parsed, dict) else None
        if not (isinstance(envelopes, list) and envelopes and all(
                isinstance(e, dict) and isinstance(e.get("type"), str) and isinstance(e.get("data"), dict)
                for e in envelopes)):
            bad.append(body[:300])
    return bad


def _is_json(text: str, kind: type) -> bool:
    try:
        return isinstance(json.loads(text), kind)
    except ValueError:
        return False


class Console:
    """The page's console messages (type, text)."""

    def __init__(self, page: Any) -> None:
        self.messages: list[tuple[str, str]] = []
        page.on("console", lambda m: self.messages.append((m.type, m.text)))

    def widget_warnings(self) -> list[str]:
        return [text for kind, text in self.messages
                if kind in ("warning", "error") and "[Guide]" in text]

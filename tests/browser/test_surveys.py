"""Surveys and "was this helpful?" in the widget (issue 15, widget part A), end to end
against the database: the demo's NPS survey shows on Grace's second visit, a detractor's
answer lands as survey_response rows and opens the demo's follow-up task (with her
comment) and an email to the account's CSM; answered, it is not shown again; a
keyboard-only user answers; a "no" under a help article is a helpful_vote row."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import live
from tests.browser.conftest import WIDGET_BUNDLE, checked_context
from tests.browser.test_authoring import EMAIL, PASSWORD, admin_login
from tests.browser.tour_helpers import LAUNCHER, poll, sign_in, sign_in_anew, sql

pytestmark = pytest.mark.browser

CARD = '[data-testid="survey"]'
AXE_PATH = live.ROOT / "static" / "widget" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live.LiveServer]:
    """The demo server as `make demo` runs it: emails written to a mail outbox directory
    (/demo/mail lists them), and an admin author."""
    if not WIDGET_BUNDLE.is_file():
        pytest.skip(f"widget bundle missing at {WIDGET_BUNDLE}: run `make widget`")
    tmp: Path = tmp_path_factory.mktemp("surveys")
    with live.database(tmp, "surveys") as url:
        env = live.server_env(url, tmp / "instance", GUIDE_SMTP_URL=f"file://{tmp}/mail")
        live.prepare(env)
        author = ["guide", "author", "create", EMAIL, "--workspace", "demo", "--role", "admin",
                  "--password", PASSWORD]
        subprocess.run([str(live.BIN / "flask"), "--app", "wsgi", *author], cwd=live.ROOT,
                       env=env, check=True, capture_output=True, timeout=60)
        with live.run_server(env, tmp / "surveys.log") as server:
            yield server


@pytest.fixture
def context(browser: Any, live_server: live.LiveServer) -> Iterator[Any]:
    """As conftest's, with the demo's CSP bypassed so axe can be injected (the widget under
    a strict CSP: tests/browser/hostile/test_survey.py)."""
    yield from checked_context(browser, live_server.url, bypass_csp=True)


def forget_surveys(server: live.LiveServer, user: str) -> None:
    for table in ("survey_response", "escalation"):
        sql(server, f"DELETE FROM {table} WHERE user_id IN "  # noqa: S608 (a fixed table name)
                    "(SELECT id FROM end_user WHERE external_id = :user)", user=user)


def survey_requests(page: Any) -> list[str]:
    """Every request for the survey bundle this page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda r: "/widget/survey." in r.url and seen.append(r.url))
    return seen


def responses(server: live.LiveServer, user: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in sql(
        server, "SELECT r.question, r.type, r.score, r.text FROM survey_response r "
                "JOIN end_user u ON u.id = r.user_id WHERE u.external_id = :user ORDER BY r.id",
        user=user)]


def survey_progress(server: live.LiveServer, user: str) -> tuple[str, int] | None:
    rows = sql(server, "SELECT p.state, p.shown_count FROM progress p JOIN end_user u "
                       "ON u.id = p.user_id JOIN guide g ON g.id = p.guide_id "
                       "WHERE u.external_id = :user AND g.key = 'nps'", user=user)
    return (rows[0][0], rows[0][1]) if rows else None


def axe(page: Any, within: str | None = None) -> list[Any]:
    """axe's violations on the page, or only `within` (a selector in the widget's shadow root)."""
    page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate("async (within) => (await axe.run(within ? {include: [['#guide-root', "
                         "within]]} : document)).violations"
                         ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))", within)


def mails(server: live.LiveServer) -> list[Path]:
    """The emails the server wrote to its mail outbox (make demo's /demo/mail)."""
    directory = Path(server.env["GUIDE_SMTP_URL"].removeprefix("file://"))
    return sorted(directory.glob("*.eml")) if directory.is_dir() else []


def test_grace_new_to_the_demo_gets_the_nps_at_once_and_a_detractor_answer_reaches_her_csm(
        page, live_server, screenshot_dir: Path):
    """The story README's walkthrough tells, from the fresh demo database: Grace used the
    product yesterday (guide/demo/users.py), so her first demo page is her second visit and
    the survey asks her; 3 with a comment opens a task with her comment and context, emails
    Acme's CSM (the demo's mail outbox), and the admin's survey page shows the NPS."""
    assert sql(live_server, "SELECT 1 FROM end_user WHERE external_id = 'grace'") == []
    requested = survey_requests(page)
    sign_in(page, "grace")  # the picker, as a new user of `make demo` does: no reload
    card = page.locator(CARD)
    card.wait_for(state="visible")
    assert card.get_attribute("role") == "dialog"
    assert card.evaluate("el => el.matches(':popover-open')")  # above the page: the top layer
    assert len(requested) == 1
    assert poll(lambda: survey_progress(live_server, "grace") == ("active", 1) or [])
    assert sql(live_server, "SELECT visits FROM end_user WHERE external_id = 'grace'") == [(2,)]
    assert axe(page, CARD) == []

    card.get_by_text("3", exact=True).click()
    card.get_by_label("What should we do better?").fill("Exports time out on big dashboards")
    assert card.get_by_label("What do you like most?").is_hidden()  # the promoters' question
    card.screenshot(path=str(screenshot_dir / "demo-survey-nps.png"))
    card.locator('[data-testid="survey-send"]').click()
    page.locator('[data-testid="survey-thanks"]').wait_for()

    assert poll(lambda: responses(live_server, "grace")) == [
        ("score", "nps", 3, None),
        ("what-went-wrong", "text", None, "Exports time out on big dashboards")]
    [task] = poll(lambda: sql(live_server, "SELECT scenario_key, message, context FROM escalation "
                                           "WHERE origin = 'scenario' AND scenario_key = "
                                           "'detractor-follow-up'"))
    context = task[2] if isinstance(task[2], dict) else json.loads(task[2])
    assert context["user"]["id"] == "grace" and context["account"]["id"] == "acme"
    assert context["scenario"]["details"]["answers"]["what-went-wrong"] == \
        "Exports time out on big dashboards"
    assert survey_progress(live_server, "grace")[0] == "completed"

    [_] = poll(lambda: mails(live_server), deadline=20)  # the embedded worker delivers it
    page.goto("/demo/mail")
    [mail] = page.locator('[data-testid="mail"]').all()
    assert mail.locator('[data-testid="mail-to"]').inner_text() == "csm@acme.example"
    assert "A detractor at your account" in mail.inner_text()
    assert axe(page) == []

    requested.clear()
    page.goto("/demo/dashboard")  # answered: never asked again
    page.locator(LAUNCHER).wait_for()
    page.wait_for_load_state("networkidle")
    assert requested == [] and page.locator(CARD).count() == 0

    admin_login(page)
    page.goto("/admin/w/demo/analytics/surveys/nps")
    assert page.locator('[data-metric="nps"]').inner_text() == "-100.0"  # one detractor
    assert page.locator('[data-metric="Detractors (0-6)"]').inner_text() == "1"
    assert "Exports time out on big dashboards" in page.locator('[data-testid="comments"]').inner_text()
    assert axe(page) == []


def test_a_keyboard_only_user_answers_a_survey_guide_start_opened(page, live_server):
    forget_surveys(live_server, "hedy")
    sign_in_anew(page, live_server, "hedy")
    page.evaluate("Guide.start('nps')")  # the host asks for it: not due, shown all the same
    page.locator(CARD).wait_for(state="visible")
    focused = "() => document.querySelector('#guide-root').shadowRoot.activeElement"
    assert page.evaluate(f"({focused})().textContent") == "How are we doing?"
    page.keyboard.press("Tab")  # Close
    page.keyboard.press("Tab")  # the scale: its first radio
    assert page.evaluate(f"({focused})().value") == "0"
    for _ in range(9):
        page.keyboard.press("ArrowRight")  # a radio group: arrows move and choose
    assert page.evaluate(f"({focused})().checked && ({focused})().value") == "9"
    page.keyboard.press("Tab")  # the promoters' follow-up, shown for 9
    page.keyboard.type("The realtime dashboards")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send
    page.locator('[data-testid="survey-thanks"]').wait_for()
    assert poll(lambda: responses(live_server, "hedy")) == [
        ("score", "nps", 9, None), ("what-you-love", "text", None, "The realtime dashboards")]
    assert sql(live_server, "SELECT 1 FROM escalation e JOIN end_user u ON u.id = e.user_id "
                            "WHERE u.external_id = 'hedy' AND e.origin = 'scenario'") == []


def test_a_no_under_a_help_article_is_a_helpful_vote_with_its_comment(page, live_server):
    sign_in_anew(page, live_server, "ada")
    page.goto("/demo/integrations")
    page.locator('[data-testid="guide-help-button"]').click()
    page.locator('[data-testid="help-article"][data-key="connect-data-sources"]').click()
    page.locator('[data-testid="help-body"] p').first.wait_for()
    page.locator('[data-testid="helpful-no"]').click()
    assert axe(page, '[data-testid="helpful"]') == []
    page.locator('[data-testid="helpful-comment"]').fill("Which port?")
    page.locator('[data-testid="helpful-send"]').click()
    page.locator('[data-testid="helpful-thanks"]').wait_for()
    # The box only: the demo article's own body has an h4 under the panel's h2 (heading-order).
    assert axe(page, '[data-testid="helpful"]') == []
    rows = poll(lambda: sql(live_server, "SELECT v.article, v.helpful, v.comment FROM helpful_vote v "
                                         "JOIN end_user u ON u.id = v.user_id "
                                         "WHERE u.external_id = 'ada'"))
    assert [tuple(r) for r in rows] == [("connect-data-sources", False, "Which port?")]


def test_a_yes_under_a_checklist_step_is_a_helpful_vote_for_that_step(page, live_server):
    sign_in_anew(page, live_server, "hedy")
    page.locator(LAUNCHER).click()
    step = page.locator('[data-testid="guide-panel"] li[data-step="connect-data"]')
    step.locator('[data-testid="step-toggle"]').click()
    step.locator('[data-testid="helpful-yes"]').click()
    step.locator('[data-testid="helpful-thanks"]').wait_for()
    rows = poll(lambda: sql(live_server, "SELECT v.guide, v.step, v.helpful, v.article "
                                         "FROM helpful_vote v JOIN end_user u ON u.id = v.user_id "
                                         "WHERE u.external_id = 'hedy'"))
    assert [tuple(r) for r in rows] == [("getting-started", "connect-data", True, None)]


def test_alan_gets_the_feature_banner_with_an_unread_badge_and_the_export_hotspot(
        page, live_server, screenshot_dir: Path):
    """The demo's announcement and hotspot (content/guides/whats-new.yaml, export-hotspot.yaml)
    for an enterprise user, as README's walkthrough shows them (docs/screenshots)."""
    from tests.browser.test_messages import BANNER, BEACON, TIP, arrive, events

    release = arrive(page, live_server, "alan")  # messages.js held: the badge comes first
    help_button = page.get_by_test_id("guide-help-button")
    expect(help_button).to_have_accessible_name("Help, 1 unread announcement")
    page.screenshot(path=str(screenshot_dir / "demo-unread-badge.png"),
                    clip=corner(help_button.bounding_box(), page.viewport_size))
    release()
    banner = page.locator(BANNER)
    banner.wait_for()
    assert "Reports can now be scheduled" in banner.inner_text()
    expect(help_button).to_have_accessible_name("Help")  # seen: off the badge
    assert poll(lambda: events(live_server, "alan", "$announcement_seen")) == [
        {"announcement": "whats-new"}]
    beacon = page.locator(BEACON)
    beacon.click()
    tip = page.locator(TIP)
    tip.wait_for()
    assert "CSV, Excel or PDF" in tip.inner_text()
    assert poll(lambda: events(live_server, "alan", "$hotspot_opened")) == [
        {"hotspot": "export-hotspot", "step": "export"}]
    assert axe(page) == []
    page.screenshot(path=str(screenshot_dir / "demo-banner-hotspot.png"))


def corner(box: dict[str, float], viewport: dict[str, int], room: float = 120) -> dict[str, float]:
    """The page's corner from a little above and left of ``box`` (the help button with
    its badge) to the viewport's edges."""
    x, y = max(box["x"] - room, 0), max(box["y"] - room, 0)
    return {"x": x, "y": y, "width": viewport["width"] - x, "height": viewport["height"] - y}


def test_the_author_previews_the_nps_survey_as_ben_on_his_first_visit(context, live_server):
    """show_when {visit: 2} holds the survey back from Ben today; the author's preview
    shows it all the same (docs/SURVEYS.md: a previewed item is due whatever the rules)."""
    product = context.new_page()
    sign_in_anew(product, live_server, "ben")
    product.wait_for_load_state("networkidle")
    assert sql(live_server, "SELECT visits FROM end_user WHERE external_id = 'ben'") == [(1,)]
    assert product.locator(CARD).count() == 0  # not due: his first visit
    admin = context.new_page()
    admin_login(admin)
    admin.goto("/admin/w/demo/guides/nps")
    with context.expect_page() as opened:
        admin.get_by_role("button", name="Preview").click()
    preview = opened.value
    card = preview.locator(CARD)
    card.wait_for(state="visible")
    assert "How likely are you to recommend Acme Analytics" in card.inner_text()
    assert sql(live_server, "SELECT visits FROM end_user WHERE external_id = 'ben'") == [(1,)]


def test_the_nps_survey_saves_unchanged_from_the_editor(page, live_server):
    """The demo NPS's frequency {every_days: 90, max: 4} in its one-line input: saved
    as it is, no error, and the draft is the published content (no new version)."""
    admin_login(page)
    page.goto("/admin/w/demo/guides/nps")
    assert page.locator('[data-testid="survey-frequency"]').input_value() == \
        "{every_days: 90, max: 4}"
    page.locator('[data-testid="save"]').click()
    page.wait_for_load_state()
    assert page.locator(".flash.error, span.error").count() == 0
    expect(page.locator(".flash").first).to_contain_text("No changes to save.")
    # One version, the published one: the draft the form saved is the published content.
    assert sql(live_server, "SELECT v.number, v.id = g.published_version_id FROM guide_version v "
                            "JOIN guide g ON g.id = v.guide_id WHERE g.key = 'nps'") == [(1, True)]

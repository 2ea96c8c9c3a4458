"""The admin's Accounts and Scenarios pages on the demo workspace's lifecycle, plan and scenarios.

The demo's onboarding-plan has steps due 3 (kickoff-call, vendor), 7
(connect-data), 10 (data-review, vendor), 14 and 21 days after the account's start.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from guide.extensions import db
from guide.models import (
    Account,
    AccountMilestone,
    AccountStepCompletion,
    AuditEntry,
    EndUser,
    Guide,
    Scenario,
    ScenarioFiring,
    UserMilestone,
)
from guide.models.base import utcnow
from tests.authoring.forms_util import soup

ACCOUNTS = "/admin/w/demo/accounts"


def make_account(ws, external_id: str, days: float, stage: str | None = None,
                 **traits) -> Account:
    account = Account(workspace_id=ws.id, external_id=external_id, traits=traits,
                      lifecycle_stage=stage, created_at=utcnow() - timedelta(days=days))
    db.session.add(account)
    db.session.commit()
    return account


def make_user(ws, external_id: str, account: Account | None, days: float, **traits) -> EndUser:
    seen = utcnow() - timedelta(days=days)
    user = EndUser(workspace_id=ws.id, external_id=external_id, account_id=account and account.id,
                   traits=traits, first_seen=seen, last_seen=seen)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def acme(workspace, authors) -> Account:
    """acme, 12 days in, set up: ada connected data 2 hours after first seen; kickoff done."""
    acme = make_account(workspace, "acme", 12, "set_up", name="Acme Corp")
    ada = make_user(workspace, "ada", acme, 12)
    reached = ada.first_seen + timedelta(hours=2)
    db.session.add_all([
        UserMilestone(user_id=ada.id, key="data_connected", source="event:integration_connected",
                      reached_at=reached),
        AccountMilestone(account_id=acme.id, key="data_connected", user_id=ada.id,
                         source="event:integration_connected", reached_at=reached),
        AccountStepCompletion(account_id=acme.id, guide_id=plan_id(), step_id="kickoff-call",
                              completed_by="sam@vendor.example"),
    ])
    scenario = db.session.scalar(sa.select(Scenario).where(Scenario.key == "import-trouble"))
    db.session.add(ScenarioFiring(workspace_id=workspace.id, scenario_id=scenario.id,
                                  subject_type="user", subject_id=ada.id, window="import@1",
                                  details={"event": "import_failed"}))
    db.session.commit()
    return acme


def plan_id() -> int:
    return db.session.scalar(sa.select(Guide.id).where(Guide.key == "onboarding-plan"))


def rows(response) -> dict[str, dict[str, str]]:
    page = soup(response.get_data(as_text=True))
    headers = [th.get_text(strip=True) for th in page.select('[data-testid="account-list"] th')]
    return {tr["data-account"]: dict(zip(headers, (td.get_text(" ", strip=True)
                                                   for td in tr.select("td")), strict=True))
            for tr in page.select("tr[data-account]")}


def test_the_list_shows_stage_milestones_plan_progress_and_overdue_steps_in_words(
        workspace, acme, as_role):
    make_account(workspace, "fresh", 1)
    response = as_role("viewer").get(ACCOUNTS)
    assert response.status_code == 200
    found = rows(response)
    assert found["acme"]["Account"] == "Acme Corp acme"
    assert found["acme"]["Stage"] == "Set up"
    assert found["acme"]["Milestones"] == "1"
    assert found["acme"]["Plans"] == "Your onboarding plan: 1/5"
    # connect-data (7 days) and data-review (10 days) are past due; kickoff-call is done.
    assert found["acme"]["Overdue steps"] == "2 overdue"
    assert found["acme"]["Users"] == "1"
    assert found["fresh"]["Stage"] == "Signed up" and found["fresh"]["Overdue steps"] == "none"
    assert found["fresh"]["Plans"] == "Your onboarding plan: 0/5"


def test_filters_by_stage_and_overdue(workspace, acme, as_role):
    make_account(workspace, "fresh", 1)
    make_account(workspace, "late", 30)
    viewer = as_role("viewer")
    assert set(rows(viewer.get(f"{ACCOUNTS}?stage=set_up"))) == {"acme"}
    assert set(rows(viewer.get(f"{ACCOUNTS}?stage=signed_up"))) == {"fresh", "late"}
    assert set(rows(viewer.get(f"{ACCOUNTS}?overdue=1"))) == {"acme", "late"}
    assert set(rows(viewer.get(f"{ACCOUNTS}?overdue=1&stage=signed_up"))) == {"late"}
    assert set(rows(viewer.get(f"{ACCOUNTS}?stage=nonsense"))) == {"acme", "fresh", "late"}


def test_pages_of_fifty_cost_the_same_number_of_queries_as_pages_of_five(workspace, as_role):
    for n in range(55):
        account = make_account(workspace, f"a{n:03d}", n)
        make_user(workspace, f"u{n:03d}", account, n)
    viewer = as_role("viewer")
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = viewer.get(ACCOUNTS)
        on_first, statements[:] = len(statements), []
        second = viewer.get(f"{ACCOUNTS}?page=2")
        on_second = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(rows(first)) == 50 and sorted(rows(second)) == [f"a{n:03d}" for n in range(50, 55)]
    assert "Page 2 of 2" in second.get_data(as_text=True)
    assert on_first == on_second


def test_the_detail_shows_lifecycle_plans_users_and_their_scenarios(workspace, acme, as_role):
    response = as_role("viewer").get(f"{ACCOUNTS}/acme")
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    life = page.select_one('[data-testid="lifecycle"]').get_text(" ", strip=True)
    assert "Set up" in life and "Connected a data source" in life and "2h 0m" in life
    steps = {tr["data-step"]: tr.get_text(" ", strip=True)
             for tr in page.select('[data-plan="onboarding-plan"] tr[data-step]')}
    assert "Done by sam@vendor.example" in steps["kickoff-call"]
    assert "Your team" in steps["kickoff-call"] and "Your success manager" in steps["kickoff-call"]
    assert "Overdue" in steps["data-review"] and "Overdue" in steps["connect-data"]
    assert "Overdue" not in steps["invite-team"]
    # Viewers read; only authors get the forms.
    assert page.select('[data-plan] form') == []
    users = page.select_one('[data-testid="account-users"]').get_text(" ", strip=True)
    assert "ada" in users and "data_connected · 2h 0m" in users and "import-trouble" in users


def test_an_author_marks_a_vendor_step_done_and_not_done(workspace, acme, as_role):
    author = as_role("author")
    page = soup(author.get(f"{ACCOUNTS}/acme").get_data(as_text=True))
    forms = {f.select_one('[name="step"]')["value"] for f in page.select("[data-plan] form")}
    assert forms == {"kickoff-call", "data-review"}  # vendor steps only

    response = author.post(f"{ACCOUNTS}/acme", {"plan": "onboarding-plan", "step": "data-review",
                                               "done": "1"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(AccountStepCompletion).where(
        AccountStepCompletion.step_id == "data-review"))
    assert row.completed_by == "author@example.com"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "plan.step_done"))
    assert (entry.actor, entry.target) == ("author@example.com", "acme/onboarding-plan/data-review")
    found = rows(author.get(ACCOUNTS))
    assert found["acme"]["Overdue steps"] == "1 overdue"

    author.post(f"{ACCOUNTS}/acme", {"plan": "onboarding-plan", "step": "data-review", "done": "0"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountStepCompletion).where(
        AccountStepCompletion.step_id == "data-review")) == 0
    assert db.session.scalar(sa.select(AuditEntry.actor).where(
        AuditEntry.action == "plan.step_undone")) == "author@example.com"


def test_the_step_form_is_refused_to_viewers_without_csrf_and_for_customer_steps(
        workspace, acme, as_role):
    form = {"plan": "onboarding-plan", "step": "data-review", "done": "1"}
    assert as_role("viewer").post(f"{ACCOUNTS}/acme", form).status_code == 403
    author = as_role("author")
    forged = author.client.post(f"{ACCOUNTS}/acme", data=form)
    assert forged.status_code == 400 and "CSRF" in forged.get_data(as_text=True)
    customer = author.post(f"{ACCOUNTS}/acme", {**form, "step": "connect-data"})
    assert customer.status_code == 400
    assert author.post(f"{ACCOUNTS}/acme", {**form, "step": "nope"}).status_code == 404
    assert author.post(f"{ACCOUNTS}/nobody", form).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountStepCompletion)) == 1


SCENARIOS = "/admin/w/demo/scenarios"


def test_the_scenarios_page_describes_each_rule_and_counts_its_firings(workspace, acme, as_role):
    response = as_role("viewer").get(SCENARIOS)
    assert response.status_code == 200
    page = soup(response.get_data(as_text=True))
    cards = {c["data-scenario"]: c for c in page.select('[data-testid="scenario"]')}
    assert list(cards)[:2] == ["import-trouble", "connect-data-reminder"]
    reminder = cards["connect-data-reminder"].get_text(" ", strip=True)
    assert "Milestone data_connected not reached 2 days after being first seen" in reminder
    assert "Email to csm" in reminder and '"trait": "plan"' in reminder
    trouble = cards["import-trouble"]
    assert "when the event is written" in trouble.get_text(" ", strip=True)
    counts = trouble.select_one('[data-testid="firing-counts"]').get_text(" ", strip=True)
    assert counts == "1 in the last 7 days · 1 in total"
    assert "user ada" in trouble.get_text(" ", strip=True)
    assert page.select("[data-scenario] form") == []  # dry runs are for authors


def test_a_dry_run_lists_who_would_match_and_records_nothing(workspace, as_role):
    make_user(workspace, "stuck", None, 3, plan="trial")
    make_user(workspace, "new", None, 0.5, plan="trial")
    author = as_role("author")
    assert "Dry run" in author.get(SCENARIOS).get_data(as_text=True)
    response = author.post(f"{SCENARIOS}/connect-data-reminder/dry-run")
    assert response.status_code == 200
    result = soup(response.get_data(as_text=True)).select_one('[data-testid="dry-run"]')
    text = result.get_text(" ", strip=True)
    assert "Would fire for 1 subject" in text and "stuck" in text and "new" not in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScenarioFiring)) == 0

    event = author.post(f"{SCENARIOS}/import-trouble/dry-run").get_data(as_text=True)
    assert "fires when the event is written" in event
    assert author.post(f"{SCENARIOS}/nope/dry-run").status_code == 404
    assert as_role("viewer").post(f"{SCENARIOS}/connect-data-reminder/dry-run").status_code == 403


def test_the_scenarios_page_and_the_account_show_the_holdout_and_the_goal(workspace, acme,
                                                                          as_role):
    ada = db.session.scalar(sa.select(EndUser).where(EndUser.external_id == "ada"))
    stalled = db.session.scalar(sa.select(Scenario).where(
        Scenario.key == "getting-started-stalled"))
    db.session.add(ScenarioFiring(workspace_id=workspace.id, scenario_id=stalled.id,
                                  subject_type="user", subject_id=ada.id, window="stalled:1",
                                  details={}, held_out=True))
    db.session.commit()
    page = soup(as_role("viewer").get(SCENARIOS).get_data(as_text=True))
    cards = {c["data-scenario"]: c for c in page.select('[data-testid="scenario"]')}
    card = cards["getting-started-stalled"]
    text = lambda testid: card.select_one(f'[data-testid="{testid}"]').get_text(" ", strip=True)  # noqa: E731
    assert text("scenario-holdout") == (
        "10% of matches are held out: recorded as firings, no action taken")
    assert text("scenario-goal") == (
        "complete guide getting-started within 7 days (the trigger's own)")
    assert text("firing-counts").startswith("1 in the last 7 days · 1 in total (1 held out)")
    assert "held out" in card.select_one("table").get_text(" ", strip=True)
    assert cards["import-trouble"].select_one('[data-testid="scenario-holdout"]').get_text(
        strip=True) == "none"
    account = soup(as_role("viewer").get(f"{ACCOUNTS}/acme").get_data(as_text=True))
    users = account.select_one('[data-testid="account-users"]').get_text(" ", strip=True)
    assert "getting-started-stalled" in users and "held out: no action" in users

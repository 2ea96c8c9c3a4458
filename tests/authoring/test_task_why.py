"""A survey_answered firing in words: the support task's "Why" box and the CSM's email
show the answers by question title, the user and account by name, and no Python reprs or
``None`` (they showed ``user {'id': 'grace'}``, ``answers {'score': 3, ...}``,
``comment None``)."""

from __future__ import annotations

import re

import pytest

from guide.automation import email
from guide.models import Escalation, OutboxMessage
from tests.api.test_surveys import answer, boot, demo  # noqa: F401 (fixture)
from tests.authoring.forms_util import soup

GRACE = {"traits": {"name": "Grace Hopper"},
         "account": {"id": "acme", "traits": {"name": "Acme Inc.",
                                              "csm_email": "csm@example.com"}}}
WHY = {
    "survey": ["nps"], "version": ["1"], "user": ["Grace Hopper (grace)"],
    "account": ["Acme Inc. (acme)"],
    "answers": ["How likely are you to recommend Acme to a friend or colleague? 3",
                "What should we do better? Exports time out"],
    "score": ["3"], "comment": ["Call me on Monday"],
}


@pytest.fixture
def workspace(demo):  # noqa: F811
    return demo


@pytest.fixture
def detractor(client, workspace, db):
    token = boot(client, workspace, **GRACE)["socket"]["token"]
    result = answer(client, token, answers={"score": 3, "what-went-wrong": "Exports time out"},
                    comment="Call me on Monday")
    assert result["ok"], result
    return db.session.scalars(db.select(Escalation)).one()


def test_the_task_says_why_in_words(db, as_role, detractor):
    page = soup(as_role("support").get(
        f"/support/w/demo/escalations/{detractor.reference}").get_data(as_text=True))
    box = page.select_one('[data-testid="scenario"]')
    shown = {dd["data-detail"]: list(dd.stripped_strings) for dd in box.select("dd[data-detail]")}
    assert {k: v for k, v in shown.items() if k != "answered_at"} == WHY
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", shown["answered_at"][0])
    text = box.get_text(" ")
    assert "None" not in text and "{" not in text and "'" not in text
    # A scenario opened it, not a page: the Where box does not say "Page unknown".
    [where] = [s for s in page.select("section.card") if s.h2 and s.h2.text == "Where"]
    assert [dt.text for dt in where.select("dt")] == ["Locale"]


def test_the_csm_email_says_why_in_words(db, detractor):
    message = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.kind == "email", OutboxMessage.event_type == "scenario.fired")).one()
    _, text, html = email.render(message)
    why = text.split("Why\n---\n", 1)[1]
    assert why.splitlines()[:9] == [
        "survey:          nps", "version:         1", "user:            Grace Hopper (grace)",
        "account:         Acme Inc. (acme)",
        "answers:         How likely are you to recommend Acme to a friend or colleague? 3",
        "                 What should we do better? Exports time out",
        "score:           3", "comment:         Call me on Monday",
        why.splitlines()[8]]
    assert re.fullmatch(r"answered_at: +\d{4}-\d\d-\d\d \d\d:\d\d UTC", why.splitlines()[8])
    assert "None" not in text and "{" not in text and "'" not in text
    assert "What should we do better? Exports time out" in html and "{&#39;" not in html

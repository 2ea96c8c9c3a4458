"""The Slack settings in the admin (docs/INTEGRATIONS.md): the page and the JSON API are
admin-only and CSRF-protected, refuse what is not a Slack incoming webhook with the one
error shape, never show the URL back, and send a test message through the outbox."""

from __future__ import annotations

import json

import pytest

from guide import worker
from guide.extensions import db
from guide.models import AuditEntry, IntegrationSettings, OutboxMessage
from tests.automation.receivers import webhook_receiver
from tests.automation.slack_format import check_message
from tests.automation.test_outbox import Clock

URL = "https://hooks.slack.com/services/T0A1B2C3/B0D4E5F6/abcdefghijklmnopqrstWXYZ"
API = "/admin/w/demo/integrations/slack"


def put(admin, body, token: str | None = "ok"):
    headers = {"X-CSRFToken": admin.token if token == "ok" else token} if token else {}
    return admin.client.put(API, json=body, headers=headers)


def stored() -> IntegrationSettings | None:
    db.session.expire_all()
    return db.session.scalars(db.select(IntegrationSettings)).one_or_none()


def test_an_admin_saves_slack_through_the_api_and_gets_it_back_masked(as_role):
    admin = as_role("admin")
    response = put(admin, {"webhook_url": URL, "events": ["survey_detractor", "escalation"]})
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown == {"configured": True,
                     "webhook_url": "https://hooks.slack.com/services/T0A1B2C3/B0D4E5F6/••••••••WXYZ",
                     "events": ["escalation", "survey_detractor"],
                     "available_events": ["escalation", "scenario_task", "survey_detractor"]}
    assert admin.get(API).get_json() == shown
    assert (stored().slack_webhook_url, stored().slack_events) == (URL, ["escalation", "survey_detractor"])
    # Omitting the URL keeps it; null removes it.
    assert put(admin, {"events": ["scenario_task"]}).get_json()["webhook_url"] == shown["webhook_url"]
    assert put(admin, {"webhook_url": None, "events": []}).get_json()["configured"] is False
    assert stored().slack_webhook_url is None
    details = [e.details for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target == "slack").order_by(AuditEntry.id))]
    assert details == [{"webhook_url": "set", "events": ["escalation", "survey_detractor"]},
                       {"events": ["scenario_task"]}, {"webhook_url": "removed", "events": []}]
    assert "abcdefghij" not in json.dumps(details)


@pytest.mark.parametrize(("body", "field"), [
    ({"webhook_url": "https://example.com/services/T1/B2/abc", "events": []}, "webhook_url"),
    ({"webhook_url": "http://hooks.slack.com/services/T1/B2/abc", "events": []}, "webhook_url"),
    ({"webhook_url": "https://hooks.slack.com.evil.io/services/T1/B2/abc", "events": []}, "webhook_url"),
    ({"webhook_url": "https://hooks.slack.com@evil.io/services/T1/B2/abc", "events": []}, "webhook_url"),
    ({"webhook_url": "https://hooks.slack.com/triggers/T1/B2/abc", "events": []}, "webhook_url"),
    ({"webhook_url": "https://hooks.slack.com/services/T1/B2/abc?x=<1>", "events": []}, "webhook_url"),
    ({"webhook_url": "https://hooks.slack.com/services/T1/B2/" + "a" * 500, "events": []}, "webhook_url"),
    ({"webhook_url": URL, "events": ["everything"]}, "events"),
    ({"webhook_url": URL, "events": "escalation"}, "events"),
    ({"webhook_url": URL}, "events"),
    ({"webhook_url": 42, "events": []}, "webhook_url"),
    ({"webhook_url": URL, "events": [], "channel": "#general"}, "channel"),
])
def test_what_is_not_a_slack_incoming_webhook_is_refused_with_the_one_error_shape(as_role, body, field):
    response = put(as_role("admin"), body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_payload" and field in error["fields"]
    assert stored() is None


def test_a_body_that_is_not_a_json_object_is_a_400(as_role):
    admin = as_role("admin")
    response = admin.client.put(API, data="[1]", content_type="application/json",
                                headers={"X-CSRFToken": admin.token})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize("role", ["viewer", "author", "publisher", "support"])
def test_only_admins_reach_the_slack_settings(as_role, role):
    member = as_role(role)
    assert member.get(API).status_code == 403
    refused = put(member, {"webhook_url": URL, "events": ["escalation"]})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    asked = member.get(API, headers={"Accept": "application/json"})
    assert asked.status_code == 403 and asked.get_json()["error"]["code"] == "forbidden"
    assert member.get("/admin/w/demo/integrations").status_code == 403
    assert member.post("/admin/w/demo/integrations", {"webhook_url": URL}).status_code == 403
    assert member.post(f"{API}/test").status_code == 403
    assert stored() is None and db.session.scalars(db.select(OutboxMessage)).all() == []


def test_a_put_without_a_valid_csrf_token_is_refused(as_role):
    admin = as_role("admin")
    for token in (None, "forged"):
        response = put(admin, {"webhook_url": URL, "events": []}, token=token)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    response = admin.client.post(f"{API}/test", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert stored() is None


def test_the_settings_page_saves_the_form_and_never_shows_the_url(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/w/demo/integrations").get_data(as_text=True)
    assert 'name="webhook_url"' in page and "Send test message" not in page
    response = admin.post("/admin/w/demo/integrations",
                          {"webhook_url": URL, "events": ["escalation", "scenario_task"]})
    assert response.status_code == 302
    page = admin.get("/admin/w/demo/integrations").get_data(as_text=True)
    assert "••••••••WXYZ" in page and "abcdefghij" not in page and "Send test message" in page
    assert stored().slack_events == ["escalation", "scenario_task"]
    bad = admin.post("/admin/w/demo/integrations", {"webhook_url": "https://evil.io/x"})
    assert bad.status_code == 200 and "Must look like https://hooks.slack.com/services/" in \
        bad.get_data(as_text=True)
    # A blank URL keeps the saved one; "remove" deletes it.
    admin.post("/admin/w/demo/integrations", {"webhook_url": "", "events": ["escalation"]})
    assert (stored().slack_webhook_url, stored().slack_events) == (URL, ["escalation"])
    admin.post("/admin/w/demo/integrations", {"remove": "1", "events": ["escalation"]})
    assert stored().slack_webhook_url is None


def test_a_test_message_needs_a_url_then_reaches_the_channel(app, as_role):
    admin = as_role("admin")
    json_headers = {"Accept": "application/json", "X-CSRFToken": admin.token}
    response = admin.client.post(f"{API}/test", headers=json_headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "slack_not_configured"
    with webhook_receiver() as receiver:
        base = receiver.url.removesuffix("/hook")
        app.config["GUIDE_SLACK_WEBHOOK_BASE"] = base
        hook = f"{base}/services/T1/B2/secretToken"
        assert put(admin, {"webhook_url": hook, "events": []}).status_code == 200
        assert admin.client.post(f"{API}/test", headers=json_headers).status_code == 202
        [row] = db.session.scalars(db.select(OutboxMessage)).all()
        assert (row.kind, row.target, row.event_type) == ("slack", "slack", "slack.test")
        assert worker.process_due(clock=Clock()) == 1
        [request] = receiver.requests
    assert request.path == "/services/T1/B2/secretToken"
    message = json.loads(request.body)
    check_message(message)
    assert message["blocks"][0]["text"]["text"] == "Guide: test message"
    assert "admin@example.com" in message["blocks"][1]["text"]["text"]
    page = admin.post(f"{API}/test", follow_redirects=True).get_data(as_text=True)
    assert "Test message queued" in page


FORWARDING = "/admin/w/demo/integrations/forwarding"


def test_an_admin_turns_forwarding_on_with_a_masked_write_key_then_off(as_role):
    admin = as_role("admin")
    headers = {"X-CSRFToken": admin.token}
    response = admin.client.put(FORWARDING, json={"write_key": "wk_abcdefgh1234",
                                                  "url": "https://hosted.rudderlabs.com/v1/batch"},
                                headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"enabled": True, "write_key": "••••••••1234",
                                   "url": "https://hosted.rudderlabs.com/v1/batch",
                                   "default_url": "https://api.segment.io/v1/batch"}
    assert "wk_abcdefgh" not in admin.get("/admin/w/demo/integrations").get_data(as_text=True)
    off = admin.client.put(FORWARDING, json={"write_key": None}, headers=headers).get_json()
    assert (off["enabled"], off["url"]) == (False, "https://api.segment.io/v1/batch")
    details = [e.details for e in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target == "forwarding").order_by(AuditEntry.id))]
    assert details == [{"write_key": "set", "url": "https://hosted.rudderlabs.com/v1/batch"},
                       {"write_key": "removed", "url": None}]


@pytest.mark.parametrize(("body", "field"), [
    ({"write_key": "has space"}, "write_key"), ({"write_key": "k" * 201}, "write_key"),
    ({"write_key": "wk", "url": "http://collector.example.com/v1/batch"}, "url"),
    ({"write_key": "wk", "url": "javascript:alert(1)"}, "url"),
    ({"write_key": "wk", "url": "ftp://example.com/batch"}, "url"),
    ({"write_key": 7}, "write_key"), ({"write_key": "wk", "host": "x"}, "host"),
])
def test_bad_forwarding_settings_are_a_400_with_the_one_error_shape(as_role, body, field):
    admin = as_role("admin")
    response = admin.client.put(FORWARDING, json=body, headers={"X-CSRFToken": admin.token})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_payload" and field in error["fields"]
    assert stored() is None


def test_only_admins_reach_the_forwarding_settings(as_role):
    viewer = as_role("viewer")
    assert viewer.get(FORWARDING).status_code == 403
    response = viewer.client.put(FORWARDING, json={"write_key": "wk"},
                                 headers={"X-CSRFToken": viewer.token})
    assert response.status_code == 403 and stored() is None


def test_the_page_turns_forwarding_on_and_off(as_role):
    admin = as_role("admin")
    form = {"section": "forwarding", "write_key": "wk_page5678", "url": ""}
    assert admin.post("/admin/w/demo/integrations", form).status_code == 302
    page = admin.get("/admin/w/demo/integrations").get_data(as_text=True)
    assert "••••••••5678" in page and "wk_page5678" not in page
    assert (stored().forward_write_key, stored().forward_url) == ("wk_page5678", None)
    bad = admin.post("/admin/w/demo/integrations", {**form, "url": "ftp://x.io/b"})
    assert bad.status_code == 200 and 'class="error"' in bad.get_data(as_text=True)
    admin.post("/admin/w/demo/integrations", {"section": "forwarding", "remove": "1"})
    assert stored().forward_write_key is None

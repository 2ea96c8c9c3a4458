"""Integrations in the admin (admin role): Slack's webhook URL, its event toggles and a
test message, and event forwarding (a Segment-compatible write key and endpoint), as a
settings page and as a JSON API (docs/INTEGRATIONS.md)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy, wants_json
from guide.authoring import bp
from guide.errors import GuideError, InvalidPayload
from guide.i18n import N_, error_text, localize
from guide.schemas.integrations import (
    ForwardingIn,
    ForwardingOut,
    SlackSettingsIn,
    SlackSettingsOut,
)
from guide.services import forwarding, slack
from guide.services.integrations import KEEP

SLACK_IN, SLACK_OUT = SlackSettingsIn(), SlackSettingsOut()
FORWARDING_IN, FORWARDING_OUT = ForwardingIn(), ForwardingOut()
EVENT_LABELS = {"escalation": N_("New escalations"),
                "scenario_task": N_("Tasks opened by scenarios"),
                "survey_detractor": N_("Survey detractors (NPS 0-6)")}


def _form_secret(name: str) -> Any:
    """A secret field of the page: blank keeps the stored one, "remove" deletes it."""
    if request.form.get("remove"):
        return None
    return request.form.get(name, "").strip() or KEEP


def _save_form() -> None:
    if request.form.get("section") == "forwarding":
        forwarding.configure(current_user, g.workspace, _form_secret("write_key"),
                             request.form.get("url"))
    else:
        slack.configure(current_user, g.workspace, request.form.getlist("events"),
                        _form_secret("webhook_url"))


@bp.route("/w/<workspace>/integrations", methods=["GET", "POST"])
@policy(GET="admin", POST="admin")
def integrations(workspace: str) -> Any:
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            _save_form()
        except InvalidPayload as error:
            errors = localize(error.fields or {})
        else:
            flash(gettext("Settings saved."))
            return redirect(url_for("admin.integrations", workspace=workspace))
    return render_template("admin/integrations.html", errors=errors, labels=EVENT_LABELS,
                           slack=slack.view(g.workspace),
                           forwarding=forwarding.view(g.workspace))


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidPayload("Send a JSON object.")
    return body


@bp.route("/w/<workspace>/integrations/slack", methods=["GET", "PUT"])
@policy(GET="admin", PUT="admin")
def slack_settings(workspace: str) -> Any:
    """JSON: ``PUT {"webhook_url"?: ..., "events": [...]}``; the answer masks the URL."""
    if request.method == "PUT":
        data = SLACK_IN.load(_json_body())
        slack.configure(current_user, g.workspace, data["events"],
                        data.get("webhook_url", KEEP))
    return jsonify(SLACK_OUT.dump(slack.view(g.workspace)))


@bp.route("/w/<workspace>/integrations/forwarding", methods=["GET", "PUT"])
@policy(GET="admin", PUT="admin")
def forwarding_settings(workspace: str) -> Any:
    """JSON: ``PUT {"write_key"?: ..., "url"?: ...}``; the answer masks the key."""
    if request.method == "PUT":
        data = FORWARDING_IN.load(_json_body())
        forwarding.configure(current_user, g.workspace, data.get("write_key", KEEP),
                             data["url"])
    return jsonify(FORWARDING_OUT.dump(forwarding.view(g.workspace)))


@bp.post("/w/<workspace>/integrations/slack/test")
@policy(POST="admin")
def slack_test(workspace: str) -> Any:
    """Queue a test message; JSON answers 202, the page flashes what happened."""
    try:
        slack.send_test(current_user, g.workspace)
    except GuideError as error:
        if wants_json():
            raise
        flash(error_text(error), "error")
    else:
        if wants_json():
            return jsonify({"queued": True}), 202
        flash(gettext("Test message queued: it reaches the channel within seconds."))
    return redirect(url_for("admin.integrations", workspace=workspace))

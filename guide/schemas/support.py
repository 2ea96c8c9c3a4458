"""workspace.yaml's ``support:`` section: where escalations go (docs/HELP.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from guide.addresses import is_local_name, is_public, literal_address
from guide.schemas.base import StrictSchema
from guide.schemas.content import WorkspaceFileSchema
from guide.schemas.fields import StrictBoolean, check_link

ESCALATION_EVENTS = ("escalation.created", "escalation.updated")
# Proactive onboarding (docs/PROACTIVE.md): webhooks only, never subscribed by default.
PROACTIVE_EVENTS = ("scenario.fired", "milestone.reached", "lifecycle.stage_changed")
# Data rights (docs/PRIVACY.md): a user or account was erased; subscribe to erase it elsewhere.
DATA_EVENTS = ("user.deleted", "account.deleted")
# Surveys (docs/SURVEYS.md): an answer was recorded.
SURVEY_EVENTS = ("survey.answered",)
WEBHOOK_EVENTS = (*ESCALATION_EVENTS, *PROACTIVE_EVENTS, *DATA_EVENTS, *SURVEY_EVENTS)
EMAIL = validate.Email(error="Not a valid email address.")


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """https only, no credentials; http and private/loopback hosts only when allowed.

    Hosts are resolved and checked again at every delivery (DNS can change); this
    check catches the obvious mistakes while the file is validated.
    """
    parts = urlsplit(url)
    if len(url) > 2000 or not parts.hostname:
        raise ValidationError("Must be an absolute URL of at most 2000 characters.")
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allow_private):
        raise ValidationError("Webhook URLs must use https (http only with "
                              "allow_private_webhooks: true, for local testing).")  # fmt: skip
    if parts.username or parts.password:
        raise ValidationError("Put no credentials in the URL: requests are signed instead.")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError as error:
        raise ValidationError("The port must be a number from 1 to 65535.") from error
    if allow_private:
        return
    address = literal_address(parts.hostname)
    if is_local_name(parts.hostname) or (address is not None and not is_public(address)):
        named = parts.hostname if address is None else str(address)
        raise ValidationError(f"{named} is a private, loopback or reserved address; set "
                              "allow_private_webhooks: true to allow it.")  # fmt: skip


class WebhookSchema(StrictSchema):
    url = fields.String(required=True)
    events = fields.List(
        fields.String(validate=validate.OneOf(WEBHOOK_EVENTS)),
        load_default=lambda: list(ESCALATION_EVENTS), validate=validate.Length(min=1),
    )


class EmailSchema(StrictSchema):
    to = fields.List(fields.String(validate=EMAIL), required=True,
                     validate=validate.Length(1, 20))
    from_ = fields.String(data_key="from", load_default=None, validate=EMAIL)
    # Emails are written for escalations only (guide/automation/templates).
    events = fields.List(
        fields.String(validate=validate.OneOf(ESCALATION_EVENTS)),
        load_default=lambda: ["escalation.created"], validate=validate.Length(min=1),
    )

    @post_load
    def _rename(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["from"] = data.pop("from_")
        return data


class SupportSchema(StrictSchema):
    url_template = fields.String(validate=lambda url: check_link(url, relative=False))
    email = fields.Nested(EmailSchema, load_default=None, allow_none=True)
    webhooks = fields.List(fields.Nested(WebhookSchema), load_default=list,
                           validate=validate.Length(max=10))
    allow_private_webhooks = StrictBoolean(load_default=False)

    @validates_schema
    def _webhook_urls(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[int, dict[str, list[str]]] = {}
        seen: set[str] = set()
        for index, hook in enumerate(data.get("webhooks") or []):
            try:
                check_webhook_url(hook["url"], allow_private=data["allow_private_webhooks"])
                if hook["url"] in seen:
                    raise ValidationError("The same URL is listed twice.")
                seen.add(hook["url"])
            except ValidationError as error:
                errors[index] = {"url": error.messages}  # type: ignore[dict-item]
        if errors:
            raise ValidationError({"webhooks": errors})


class WorkspaceWithSupportSchema(WorkspaceFileSchema):
    """workspace.yaml with ``support:``; ``support.url_template`` and ``support_url`` are one."""

    support = fields.Nested(SupportSchema, load_default=None, allow_none=True)

    @post_load
    def _one_url_template(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        template = (data.get("support") or {}).get("url_template")
        if template and data.get("support_url") and template != data["support_url"]:
            raise ValidationError("Set support.url_template or support_url, not both.",
                                  "support_url")
        if template:
            data["support_url"] = template
        return data

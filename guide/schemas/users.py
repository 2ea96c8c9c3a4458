"""End users and accounts as JSON: ``UserOut`` and ``AccountOut``.

One definition of each key (``id`` is the customer's id, never Guide's row id;
times are ISO 8601 in UTC; traits are an object, never null), dumped from the
models by the services that answer the backend API, snapshot an escalation's
context, build a timeline or export a person's data. Each place shows its own
selection of keys, named below as a subclass, so the OpenAPI document names it
too.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump


class Dumped(fields.Nested):
    """A value its service already dumped with the nested schema (a view below, inside a
    document the service builds for webhooks, exports or the inbox as well): passed through
    as it is, and documented in OpenAPI as that schema."""

    def _serialize(self, nested_obj: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return nested_obj


class Traits(fields.Dict):
    """A traits object: ``{}`` when none were stored."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value or {}, attr, obj, **kwargs)


class AccountOut(Schema):
    """An account (``Account``, a company using the product)."""

    id = fields.String(attribute="external_id")
    traits = Traits()
    lifecycle_stage = fields.String(allow_none=True)
    stage_entered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class UserOut(Schema):
    """An end user (``EndUser``).

    ``account`` is the id of their account (null outside any). ``stage`` is what the
    backend API answers: the lifecycle stage, or ``first_stage`` (the lifecycle's
    first, given by the caller) until the user enters one; ``lifecycle_stage`` is the
    stored stage alone.
    """

    id = fields.String(attribute="external_id")
    account = fields.Pluck(AccountOut, "id", allow_none=True)
    traits = Traits()
    stage = fields.String(attribute="lifecycle_stage", allow_none=True)
    locale = fields.String(allow_none=True)
    lifecycle_stage = fields.String(allow_none=True)
    stage_entered_at = fields.DateTime(allow_none=True)
    first_seen = fields.DateTime()
    last_seen = fields.DateTime()

    def __init__(self, *, first_stage: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.first_stage = first_stage

    @post_dump
    def _first_stage(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "stage" in data and not data["stage"]:
            data["stage"] = self.first_stage
        return data


# ---------------------------------------------------------------- views


class IdentifiedUserOut(UserOut):
    """The backend API's answer to identify and group."""

    class Meta:
        fields = ("id", "account", "traits", "stage")


class UserContextOut(UserOut):
    """The user in an escalation's context and in their timeline."""

    class Meta:
        fields = ("id", "traits", "locale", "lifecycle_stage", "first_seen", "last_seen")


class UserExportOut(UserOut):
    """The user in their data export."""

    class Meta:
        fields = ("id", "account", "traits", "locale", "lifecycle_stage", "stage_entered_at",
                  "first_seen", "last_seen")


class UserSeenOut(UserOut):
    """A user of an account in the account's data export."""

    class Meta:
        fields = ("id", "first_seen", "last_seen")


class AccountContextOut(AccountOut):
    """The account in an escalation's context and in a timeline."""

    class Meta:
        fields = ("id", "traits")


class AccountExportOut(AccountOut):
    """The account in its data export."""

    class Meta:
        fields = ("id", "traits", "lifecycle_stage", "stage_entered_at", "created_at",
                  "updated_at")

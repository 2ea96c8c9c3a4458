"""Data rights over REST: export and erase a user or an account (docs/PRIVACY.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.escalations import EscalationOut
from guide.schemas.users import AccountExportOut, Dumped, UserExportOut, UserSeenOut

MAX_CURSOR = 2**63 - 1


class EventsQuery(StrictSchema):
    """A page of events: ``after`` is the ``next`` cursor of the page before."""

    after = fields.Integer(load_default=0, validate=validate.Range(0, MAX_CURSOR))
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))


class AccountDeleteQuery(StrictSchema):
    users = fields.String(load_default="keep", validate=validate.OneOf(["keep", "delete"]))


class EventOut(Schema):
    type = fields.String()
    name = fields.String()
    props = fields.Dict()
    url = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True)
    client_at = fields.String(allow_none=True)
    at = fields.String()


class EventsPage(Schema):
    items = fields.List(fields.Nested(EventOut))
    next = fields.Integer(allow_none=True, metadata={
        "description": "Pass as ``after`` for the next page; null on the last page."})


class EventsFirstPage(EventsPage):
    total = fields.Integer()


class FiringOut(Schema):
    scenario = fields.String()
    window = fields.String()
    details = fields.Dict()
    fired_at = fields.String()
    # In the scenario's holdout: recorded, no action taken (docs/PROACTIVE.md).
    held_out = fields.Boolean()


class DeliveryOut(Schema):
    message_id = fields.String()
    kind = fields.String()
    target = fields.String()
    event_type = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    created_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    payload = fields.Dict()


class _Export(Schema):
    exported_at = fields.String()
    workspace = fields.String()
    escalations = fields.List(fields.Nested(EscalationOut))
    firings = fields.List(fields.Nested(FiringOut))
    deliveries = fields.List(fields.Nested(DeliveryOut))
    events = fields.Nested(EventsFirstPage)


class UserExport(_Export):
    user = Dumped(UserExportOut)
    progress = fields.List(fields.Dict())
    milestones = fields.List(fields.Dict())
    account_records = fields.Dict()
    nudges = fields.List(fields.Dict())
    answers = fields.Dict(metadata={"description": "surveys: their answers; helpful: their "
                                                   "votes (docs/SURVEYS.md)."})


class AccountExport(_Export):
    account = Dumped(AccountExportOut)
    users = Dumped(UserSeenOut, many=True)
    milestones = fields.List(fields.Dict())
    plan_steps = fields.List(fields.Dict())
    audit = fields.List(fields.Dict())


class _Erased(Schema):
    deleted_at = fields.String()
    users = fields.Integer()
    events = fields.Integer()
    milestones = fields.Integer()
    firings = fields.Integer()
    progress = fields.Integer()
    nudges = fields.Integer()
    responses = fields.Integer()
    escalations_anonymized = fields.Integer()
    outbox_dropped = fields.Integer()
    outbox_scrubbed = fields.Integer()


class UserErased(_Erased):
    user = fields.String()


class AccountErased(_Erased):
    account = fields.String()
    plan_steps = fields.Integer()
    users_kept = fields.Integer()

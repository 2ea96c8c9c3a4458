"""Widget help endpoints: query arguments and responses (docs/PROTOCOL.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.fields import SLUG


class HelpQuery(StrictSchema):
    CHECK_STORABLE = True
    q = fields.String(load_default="", validate=validate.Length(max=200))
    url = fields.String(load_default=None, validate=validate.Length(max=2000))
    guide = fields.String(load_default=None, validate=SLUG)
    step = fields.String(load_default=None, validate=SLUG)


class HelpItem(Schema):
    key = fields.String()
    title = fields.String()
    excerpt = fields.String()
    tags = fields.List(fields.String())
    suggested = fields.Boolean()


class HelpList(Schema):
    articles = fields.List(fields.Nested(HelpItem))


class HelpArticleOut(Schema):
    key = fields.String()
    title = fields.String()
    tags = fields.List(fields.String())
    body_html = fields.String()
    updated_at = fields.String()

"""Translation files over REST: export and import (docs/TRANSLATIONS.md, docs/API.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.base import StrictSchema

FORMATS = ("xliff", "po", "json")


class ExportQuery(StrictSchema):
    locale = fields.String(required=True, validate=validate.Length(1, 35), metadata={
        "description": "The language to translate to (fr, fr-CA); not the default locale."})
    format = fields.String(load_default="xliff", validate=validate.OneOf(FORMATS))
    all = fields.Boolean(load_default=False, metadata={
        "description": "Every string with its current translation (default: untranslated)."})


class UnitOut(Schema):
    key = fields.String(metadata={"description": "help/connect-data-sources/title, ..."})
    source = fields.String()
    target = fields.String(allow_none=True, metadata={"description": "null: untranslated."})
    note = fields.String()
    max_length = fields.Integer()


class ExportOut(Schema):
    """``format=json``: the units a file would hold, for scripts."""

    locale = fields.String()
    source_locale = fields.String()
    units = fields.List(fields.Nested(UnitOut))


class ImportQuery(StrictSchema):
    publish = fields.Boolean(load_default=False, metadata={
        "description": "Publish the new guide versions (default: drafts)."})
    filename = fields.String(load_default="upload", validate=validate.Length(1, 200), metadata={
        "description": "The name errors give the file (file:line: message)."})


class NewVersionOut(Schema):
    guide = fields.String()
    version = fields.Integer()


class ImportOut(Schema):
    locale = fields.String()
    strings = fields.Integer(metadata={"description": "Translations in the file."})
    published = fields.Boolean()
    versions = fields.List(fields.Nested(NewVersionOut), metadata={
        "description": "The new guide versions (drafts unless published)."})
    updated = fields.List(fields.String(), metadata={
        "description": 'Updated at once: "help KEY", "lifecycle", "scenario KEY".'})

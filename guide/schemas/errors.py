"""The one error body (guide/errors.py), described for the OpenAPI document.

Every error response of the API refers to ``ErrorSchema`` (component ``Error``):
``create_app`` hands it to flask-smorest in place of flask-smorest's own
``{code, status, message, errors}``, which Guide never sends.
"""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={
        "description": "Stable and machine-readable: invalid_payload, unauthorized, "
                       "not_found, rate_limited... (docs/API.md)."})
    message = fields.String(required=True, metadata={
        "description": "What went wrong and what to do, for a person."})
    # "fields" is also the name of Schema.fields: the attribute is field_errors.
    # An object per field (nested as the body is; "_schema" for the body as a whole),
    # or a list of messages when the body is not JSON at all ("Invalid JSON body.").
    field_errors = fields.Raw(data_key="fields", metadata={
        "type": ["object", "array"],
        "description": "The problems found, per field (nested as the body is; \"_schema\": "
                       "the body as a whole), or a list when the body is not JSON at all."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)

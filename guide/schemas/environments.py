"""An environment as an admin or the CLI asks for one: its name and allowed origins, and
its origins alone when they change."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from guide.schemas.fields import Origin
from guide.wording import N_

# The name a production workspace has as an environment (the column's default).
PRODUCTION = "production"

ENVIRONMENT_NAME = validate.And(
    validate.Regexp(r"^[a-z][a-z0-9-]{0,31}$",
                    error=N_('Must be a short lowercase name (e.g. "staging"): letters, '
                             'digits or "-", starting with a letter, at most 32 characters.')),
    validate.NoneOf([PRODUCTION], error=N_('"production" is the workspace itself.')),
)  # fmt: skip


class OriginsSchema(Schema):
    """An environment's allowed origins, as its Settings page or ``set-origins`` changes them."""

    allowed_origins = fields.List(Origin(), load_default=list, validate=validate.Length(max=50))


class EnvironmentSchema(OriginsSchema):
    name = fields.String(required=True, validate=ENVIRONMENT_NAME)

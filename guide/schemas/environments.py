"""An environment as an admin or the CLI asks for one: its name and allowed origins."""

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


class EnvironmentSchema(Schema):
    name = fields.String(required=True, validate=ENVIRONMENT_NAME)
    allowed_origins = fields.List(Origin(), load_default=list, validate=validate.Length(max=50))

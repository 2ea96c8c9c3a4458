"""Help article front matter (content/help/*.md, docs/HELP.md)."""

from __future__ import annotations

from marshmallow import fields, validate

from guide.schemas.fields import SLUG, LocalizedString, StrictSchema, check_url_pattern

TAG = validate.Regexp(
    r"^[\w][\w .+#/-]{0,49}$", error="A tag is 1-50 letters, digits, spaces or . + # / - _."
)
STEP_REF = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{0,99}/[a-z0-9][a-z0-9_-]{0,99}$",
    error='Must be "<guide key>/<step id>" (e.g. "getting-started/connect-data").',
)
MAX_BODY = 100_000


class HelpFrontMatterSchema(StrictSchema):
    """The YAML between the ``---`` lines at the top of an article."""

    key = fields.String(required=True, validate=SLUG)
    title = LocalizedString(required=True)
    tags = fields.List(fields.String(validate=TAG), load_default=list,
                       validate=validate.Length(max=20))
    pages = fields.List(fields.String(validate=check_url_pattern), load_default=list,
                        validate=validate.Length(max=50))
    guides = fields.List(fields.String(validate=SLUG), load_default=list,
                         validate=validate.Length(max=50))
    steps = fields.List(fields.String(validate=STEP_REF), load_default=list,
                        validate=validate.Length(max=50))

"""Help article front matter (content/help/*.md, docs/HELP.md)."""

from __future__ import annotations

from marshmallow import fields, validate

from guide.schemas.base import StrictSchema
from guide.schemas.fields import SLUG, STEP_REF, LocalizedString, check_url_pattern

TAG = validate.Regexp(
    r"^[\w][\w .+#/-]{0,49}$", error="A tag is 1-50 letters, digits, spaces or . + # / - _."
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

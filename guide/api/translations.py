"""Translation files (secret API key): export what a locale lacks, import a translated file.

The same files, checks and writes as ``guide content translations`` and the
admin's Translations page (docs/TRANSLATIONS.md). A refused file is ``400
translations_invalid`` with every problem as ``fields.file`` (``file:line: message``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, request
from flask.views import MethodView

from guide.api.auth import workspace_from_api_key
from guide.api.parsing import Blueprint
from guide.schemas.translations_api import ExportOut, ExportQuery, ImportOut, ImportQuery
from guide.services import translations
from guide.services.translation_files import SUFFIXES

# A whole workspace's strings with notes: larger than the API's 64 KB payload limit.
UPLOAD_LIMIT = 4 * 1024 * 1024
MEDIA_TYPES = {"xliff": "application/xliff+xml", "po": "text/x-gettext-translation"}
FILE = {media: {"schema": {"type": "string", "format": "binary"}}
        for media in MEDIA_TYPES.values()}
FILE_BODY = {"required": True, "description": "The translated XLIFF 2.0 or PO file, as is.",
             "content": FILE}

blp = Blueprint("translations", __name__, url_prefix="/api/v1/translations",
                description="Translation files, XLIFF 2.0 or PO (secret API key; "
                            "docs/TRANSLATIONS.md).")


@blp.before_app_request
def _upload_limit() -> None:
    """The import's body may be larger than other API bodies (set before anything reads it)."""
    if request.endpoint == "translations.Import":
        request.max_content_length = UPLOAD_LIMIT


@blp.before_request
def _authenticate() -> None:
    g.workspace = workspace_from_api_key()


@blp.route("")
class Export(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, ExportOut, description=(
        "The file: application/xliff+xml, text/x-gettext-translation with format=po, "
        "JSON with format=json."))
    @blp.doc(responses={200: {"content": FILE}})
    def get(self, query: dict[str, Any]) -> Any:
        """The workspace's author strings a locale lacks (guides, help article titles, the
        lifecycle, scenario nudges) as XLIFF 2.0, ``format=po`` or ``format=json``; ``all=1``:
        every string with its translation. ``400 invalid_payload`` for a bad or the default
        locale."""
        fmt, locale = query["format"], query["locale"]
        missing_only = not query["all"]
        if fmt == "json":
            translations.check_target_locale(g.workspace, locale)
            found = translations.units(g.workspace, locale, missing_only=missing_only)
            return {"locale": locale, "source_locale": g.workspace.default_locale,
                    "units": [vars(unit) for unit in found]}
        data = translations.export(g.workspace, locale, fmt, missing_only=missing_only)
        return Response(data, mimetype=MEDIA_TYPES[fmt], headers={
            "Content-Disposition": f'attachment; filename="{g.workspace.key}-{locale}.'
                                   f'{SUFFIXES[fmt]}"'})


@blp.route("/import")
class Import(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.doc(requestBody=FILE_BODY)
    @blp.response(200, ImportOut)
    def post(self, query: dict[str, Any]) -> dict[str, Any]:
        """Check a translated file (the request body) and store it in one transaction: guides
        get new draft versions (``publish=1``: published), help articles, the lifecycle and
        scenarios are updated at once; audited as ``api``. ``400 translations_invalid``
        lists every problem as ``file:line: message`` in ``fields.file``; nothing is written."""
        result = translations.import_file(g.workspace, request.get_data(), query["filename"],
                                          "api", publish=query["publish"])
        return {"locale": result.locale, "strings": result.strings,
                "published": result.published, "updated": result.updated,
                "versions": [{"guide": key, "version": number}
                             for key, number in result.versions]}

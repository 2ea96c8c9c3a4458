"""Translations: completeness per locale and document (guides, help articles, the lifecycle,
scenarios), XLIFF/PO downloads, and the upload form."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from guide.access import can, policy
from guide.authoring import bp
from guide.errors import Conflict, Forbidden, InvalidPayload
from guide.i18n import localize
from guide.services import translations
from guide.services.translation_files import FORMATS, SUFFIXES

# A whole workspace's strings with notes: larger than the API's 64 KB payload limit.
UPLOAD_LIMIT = 4 * 1024 * 1024
MEDIA_TYPES = {"xliff": "application/xliff+xml", "po": "text/x-gettext-translation"}


@bp.before_app_request
def _upload_limit() -> None:
    """Raise the body limit for uploads before the blueprint's CSRF check reads the form
    (a view would set it too late: the 64 KB limit would already have refused the file)."""
    if request.endpoint == "admin.translations_import":
        request.max_content_length = UPLOAD_LIMIT


def _page(errors: list[str] | None = None, status: int = 200) -> Any:
    extra = [request.args["locale"]] if request.args.get("locale") else []
    if extra:
        try:
            translations.check_target_locale(g.workspace, extra[0])
        except InvalidPayload as error:
            flash(localize(error.message), "error")
            extra = []
    table = translations.completeness(g.workspace, extra)
    return render_template("admin/translations.html", table=table, formats=FORMATS,
                           errors=errors or []), status


@bp.route("/w/<workspace>/translations")
@policy(GET="viewer")
def translations_page(workspace: str) -> Any:
    return _page()


@bp.route("/w/<workspace>/translations/export")
@policy(GET="viewer")
def translations_export(workspace: str) -> Any:
    """A translation file to download: ``locale``, ``format`` (xliff or po), ``all``."""
    locale, fmt = request.args.get("locale", ""), request.args.get("format", "xliff")
    if fmt not in FORMATS:
        raise InvalidPayload(gettext("format must be one of %(formats)s.",
                                     formats=", ".join(FORMATS)),
                             fields={"format": [gettext("Unknown format.")]})
    data = translations.export(g.workspace, locale, fmt,
                               missing_only=request.args.get("all") != "1")
    response = Response(data, mimetype=MEDIA_TYPES[fmt])
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"{g.workspace.key}-{locale}.{SUFFIXES[fmt]}")
    return response


@bp.route("/w/<workspace>/translations/import", methods=["POST"])
@policy(POST="author")
def translations_import(workspace: str) -> Any:
    """Check an uploaded file; on success new draft versions (published if asked and allowed).
    Help articles, the lifecycle and scenarios have no drafts: only publishers import them."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page([gettext("Choose an XLIFF (.xlf) or PO (.po) file to upload.")], 400)
    publish = request.form.get("publish") == "1"
    if publish and not can("publisher"):
        return _page([gettext("Only publishers can publish; upload again without “publish”.")], 403)
    try:
        result = translations.import_file(g.workspace, upload.read(), upload.filename,
                                          current_user, publish=publish, live=can("publisher"))
    except translations.TranslationsInvalid as error:
        return _page(localize([error.message, *error.lines]), 400)
    except Forbidden:
        return _page([gettext("Only publishers can import translations of help articles, the "
                              "lifecycle or scenarios: they have no drafts and take effect at "
                              "once.")], 403)
    except Conflict as error:
        return _page([localize(error.message)], 409)
    flash(_imported(result))
    return redirect(url_for("admin.translations_page", workspace=workspace))


def _imported(result: translations.ImportResult) -> str:
    """What an upload did, in the admin's language (``ImportResult.lines`` is the CLI's)."""
    new = (gettext("%(key)s: new version %(number)d published", key=key, number=number)
           if result.published else
           gettext("%(key)s: new version %(number)d draft", key=key, number=number)
           for key, number in result.versions)
    updated = (gettext("%(name)s: updated", name=name) for name in result.updated)
    count = ngettext("%(num)d %(locale)s string imported", "%(num)d %(locale)s strings imported",
                     result.strings, locale=result.locale)
    return "; ".join([*new, *updated, count]) + "."

"""Guide list, new guide, the form editor, the YAML editor and the Markdown preview."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from guide.access import policy
from guide.authoring import bp
from guide.authoring.forms import (
    document_from_form,
    field_errors,
    locales_of,
    step_view,
    text_in,
    yaml_text,
)
from guide.authoring.forms_kinds import FIRST_GUIDE, FIRST_STEP
from guide.content.files import schema_errors
from guide.content.yamlfile import parse_yaml
from guide.errors import Conflict, InvalidPayload
from guide.i18n import localize
from guide.schemas.kinds import QUESTION_TYPES
from guide.schemas.tour import PLACEMENTS
from guide.schemas.yaml_form import guide_yaml
from guide.services import translations, versions
from guide.services.markdown import render_markdown
from guide.services.settings import preview_url_of

NEW_STEP = {"checklist": {"id": "first-step", "title": "First step"},
            "tour": {"id": "first-step", "title": "First step", "body": "Welcome!"}, **FIRST_STEP}


@bp.route("/w/<workspace>/")
@policy(GET="viewer")
def guides(workspace: str) -> Any:
    return render_template("admin/guides.html", statuses=versions.statuses(g.workspace))


@bp.route("/w/<workspace>/guides/new", methods=["GET", "POST"])
@policy(GET="author", POST="author")
def new_guide(workspace: str) -> Any:
    form, errors = request.form, {}
    if request.method == "POST":
        kind = form.get("kind") if form.get("kind") in NEW_STEP else "checklist"
        doc = {"key": form.get("key", "").strip(), "kind": kind,
               "title": form.get("title", "").strip(), **FIRST_GUIDE.get(kind, {}),
               "steps": [NEW_STEP[kind]]}
        try:
            versions.create_guide(g.workspace, current_user, doc)
        except InvalidPayload as error:
            errors = field_errors(error.fields)
        else:
            flash(gettext("Created %(key)s (draft version 1).", key=doc["key"]))
            return redirect(url_for("admin.editor", workspace=workspace, key=doc["key"]))
    return render_template("admin/new_guide.html", form=form, errors=errors), 400 if errors else 200


def _render_editor(guide: Any, doc: dict[str, Any], base: int, locale: str,
                   errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    default = g.workspace.default_locale
    steps = [step_view(s, locale, default) if isinstance(s, dict) else {}
             for s in doc.get("steps") or []]
    published_ids = guide.published_version.step_ids if guide.published_version else []
    context = {
        "guide": guide, "doc": doc, "base": base, "locale": locale, "default_locale": default,
        "locales": locales_of(doc, default), "steps": steps, "errors": errors or {},
        "title": text_in(doc.get("title"), locale, default),
        "title_fallback": text_in(doc.get("title"), default, default),
        "description": text_in(doc.get("description"), locale, default),
        "audience": yaml_text(doc.get("audience")),
        "repeat": yaml_text(doc.get("repeat"), one_line=True),
        "frequency": yaml_text(doc.get("frequency"), one_line=True),
        "question_types": QUESTION_TYPES,
        "latest": versions.latest_version(guide), "published_ids": published_ids,
        "preview_url": preview_url_of(g.workspace), "placements": PLACEMENTS,
        "new_step": step_view({}, locale, default),
        "original_ids": versions.get_version(guide, base).step_ids,
        "untranslated": translations.untranslated(g.workspace, versions.latest_version(guide).body),
    }
    return render_template("admin/editor.html", **context), status


def _locale() -> str:
    locale = (request.values.get("locale") or g.workspace.default_locale).strip()
    return locale if 1 < len(locale) <= 16 else g.workspace.default_locale


@bp.route("/w/<workspace>/guides/<key>", methods=["GET", "POST"])
@policy(GET="viewer", POST="author")
def editor(workspace: str, key: str) -> Any:
    guide, locale = versions.get_guide(g.workspace, key), _locale()
    latest = versions.latest_version(guide)
    if request.method == "GET":
        return _render_editor(guide, latest.body, latest.number, locale)
    base_number = int(request.form.get("base") or latest.number)
    base = versions.get_version(guide, base_number)
    doc = document_from_form(request.form, base.body, locale, g.workspace.default_locale)
    try:
        version, created = versions.save_draft(g.workspace, current_user, guide, doc,
                                               base=base_number)
    except InvalidPayload as error:
        return _render_editor(guide, doc, base_number, locale,
                              field_errors(localize(error.fields)), 400)
    except Conflict as error:
        return _render_editor(guide, doc, base_number, locale,
                              {"_form": [localize(error.message)]}, 409)
    flash(gettext("Saved draft version %(number)s.", number=version.number) if created
          else gettext("No changes to save."))
    return redirect(url_for("admin.editor", workspace=workspace, key=key, locale=locale))


@bp.route("/w/<workspace>/guides/<key>/yaml", methods=["GET", "POST"])
@policy(GET="viewer", POST="author")
def yaml_editor(workspace: str, key: str) -> Any:
    """The whole guide as its YAML file, for those who prefer text; same schema, same drafts."""
    guide = versions.get_guide(g.workspace, key)
    latest = versions.latest_version(guide)
    text, errors = guide_yaml(latest.body, g.workspace.default_locale), []
    base = latest.number
    if request.method == "POST":
        text, base = request.form.get("yaml", ""), int(request.form.get("base") or base)
        document = parse_yaml(text)
        errors = [_at_line(p.line, p.message) for p in document.problems]
        if not errors:
            try:
                version, created = versions.save_draft(g.workspace, current_user, guide,
                                                       document.data, base=base)
            except InvalidPayload as error:
                errors = [_at_line(e.line, e.message)
                          for e in schema_errors(error.fields or {}, document, key)]
            except Conflict as error:
                errors = [localize(error.message)]
            else:
                flash(gettext("Saved draft version %(number)s.", number=version.number) if created
                      else gettext("No changes."))
                return redirect(url_for("admin.yaml_editor", workspace=workspace, key=key))
    return render_template("admin/yaml.html", guide=guide, text=text, errors=errors,
                           base=base), 400 if errors else 200


@bp.route("/w/<workspace>/markdown", methods=["POST"])
@policy(POST="viewer")
def markdown_preview(workspace: str) -> Any:
    """Sanitized HTML of the posted Markdown, exactly as the widget will show it."""
    return render_markdown(request.form.get("text", "")[:20_000])


def _at_line(line: int, message: str) -> str:
    return gettext("line %(line)s: %(problem)s", line=line, problem=localize(message))

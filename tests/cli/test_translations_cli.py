"""`guide content translations export|import`: a translator's round trip, and every refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from lxml import etree

from guide.extensions import db
from guide.models import AuditEntry, Guide, GuideVersion
from guide.services.translation_files import XLIFF_NS
from tests import factories

NS = {"x": XLIFF_NS}


@pytest.fixture
def ws(open_workspace: Any) -> Any:
    """The open workspace's checklist plus a guide with a placeholder and a Markdown link."""
    factories.publish(open_workspace, factories.checklist_body(
        key="links", title="Links",
        steps=[{"id": "docs", "title": "Hello {name}", "scope": "user",
                "body": "Read [the docs](https://docs.acme.io/start) first.",
                "complete_when": {"manual": True}}]))
    db.session.commit()
    return open_workspace


def run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["guide", "content", "translations", *args])


def export(app: Any, tmp_path: Path, *args: str, name: str = "fr.xlf") -> Path:
    out = tmp_path / name
    result = run(app, "export", "--workspace", "open", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def fill_xliff(path: Path, translate: Any = lambda key, text: f"[fr] {text}") -> None:
    """What a translator's tool does: a <target> after each <source>."""
    tree = etree.parse(str(path))
    for unit in tree.iterfind(".//x:unit", NS):
        segment = unit.find("x:segment", NS)
        target = etree.SubElement(segment, f"{{{XLIFF_NS}}}target")
        target.text = translate(unit.get("name"), segment.findtext("x:source", namespaces=NS))
        segment.set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def fill_po(path: Path, translate: Any = lambda key, text: f"[fr] {text}") -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = translate(message.context, message.id)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def guide_title(client: Any, ws: Any, key: str, locale: str) -> dict[str, Any]:
    data = factories.bootstrap(client, ws, "ada", locale=locale).get_json()
    return next(g for g in data["guides"] if g["key"] == key)


def test_export_lists_only_untranslated_strings_with_keys_sources_and_notes(app, ws, tmp_path):
    tree = etree.parse(str(export(app, tmp_path, "--locale", "fr")))
    root = tree.getroot()
    assert (root.tag, root.get("version"), root.get("srcLang"), root.get("trgLang")) == (
        f"{{{XLIFF_NS}}}xliff", "2.0", "en", "fr")
    names = [unit.get("name") for unit in root.iterfind(".//x:unit", NS)]
    # The onboarding title has a French text: not exported.
    assert "guide/onboarding/title" not in names
    assert "guide/onboarding/steps/hello/body" in names
    assert "guide/links/steps/docs/title" in names
    unit = root.find(".//x:unit[@name='guide/links/steps/docs/body']", NS)
    assert unit.findtext("x:segment/x:source", namespaces=NS) == (
        "Read [the docs](https://docs.acme.io/start) first.")
    assert "keep link targets" in unit.findtext("x:notes/x:note", namespaces=NS)
    every = etree.parse(str(export(app, tmp_path, "--locale", "fr", "--all", name="all.xlf")))
    title = every.find(".//x:unit[@name='guide/onboarding/title']", NS)
    assert title.findtext("x:segment/x:target", namespaces=NS) == "Démarrage"


def test_a_french_translator_round_trips_an_xliff_file(app, ws, client, tmp_path):
    path = export(app, tmp_path, "--locale", "fr")
    fill_xliff(path)
    result = run(app, "import", str(path), "--workspace", "open", "--publish", "--author", "tr")
    assert result.exit_code == 0, result.output
    assert "links: new version 2 published" in result.output
    guide = guide_title(client, ws, "onboarding", "fr")
    assert guide["title"] == "Démarrage"
    assert guide["steps"][0]["title"] == "[fr] Say hello"
    assert guide_title(client, ws, "links", "fr")["steps"][0]["title"] == "[fr] Hello {name}"
    assert guide_title(client, ws, "links", "en")["steps"][0]["title"] == "Hello {name}"
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "guide.save", AuditEntry.target == "links")).one()
    assert entry.actor == "tr"
    assert entry.details == {"version": 2, "source": "translations import", "locale": "fr",
                             "strings": 3}
    # Nothing left to translate.
    again = etree.parse(str(export(app, tmp_path, "--locale", "fr", name="again.xlf")))
    assert again.find(".//x:unit", NS) is None


def test_po_round_trip_saves_drafts_by_default(app, ws, client, tmp_path):
    path = export(app, tmp_path, "--locale", "fr", "--format", "po", name="fr.po")
    fill_po(path)
    result = run(app, "import", str(path), "--workspace", "open")
    assert result.exit_code == 0, result.output
    assert "onboarding: new version 2 draft" in result.output
    guide = db.session.scalars(db.select(Guide).where(Guide.key == "onboarding",
                                                      Guide.workspace_id == ws.id)).one()
    latest = db.session.scalars(db.select(GuideVersion).where(
        GuideVersion.guide_id == guide.id).order_by(GuideVersion.number.desc())).first()
    assert latest.state == "draft"
    assert latest.body["steps"][0]["title"] == {"en": "Say hello", "fr": "[fr] Say hello"}
    # Not published: users still read English.
    assert guide_title(client, ws, "onboarding", "fr")["steps"][0]["title"] == "Say hello"


def versions_count() -> int:
    return db.session.scalar(db.select(db.func.count(GuideVersion.id)))


@pytest.mark.parametrize("fmt,fill,name", [("xliff", fill_xliff, "fr.xlf"),
                                           ("po", fill_po, "fr.po")])
def test_each_problem_is_reported_with_its_line_and_nothing_is_written(
        app, ws, tmp_path, fmt, fill, name):
    path = export(app, tmp_path, "--locale", "fr", "--format", fmt, name=name)
    bad = {
        "guide/links/steps/docs/title": "Bonjour {nom}",
        "guide/links/steps/docs/body": "Lisez [la doc](https://docs.acme.io/fr/start).",
        "guide/onboarding/steps/team/title": "  ",
    }
    fill(path, lambda key, text: bad.get(key, f"[fr] {text}"))
    text = path.read_text()
    path.write_text(text.replace("guide/onboarding/steps/visit/title", "guide/onboarding/steps/gone/title"))
    before = versions_count()
    result = run(app, "import", str(path), "--workspace", "open")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "5 errors"
    source_lines = path.read_text().splitlines()

    def reported(fragment: str) -> str:
        [line] = [line for line in lines if fragment in line]
        assert line.startswith(f"{path}:")
        number = int(line.split(":")[1])
        # The line points into the unit it is about.
        window = "\n".join(source_lines[max(0, number - 8):number + 1])
        return window

    assert "Bonjour {nom}" in reported("{name} is missing")
    assert "Bonjour {nom}" in reported("{nom} is not in the source")
    assert "la doc" in reported("Link targets changed")
    assert "gone" in reported('Unknown key "guide/onboarding/steps/gone/title"')
    reported("The translation is empty")
    assert versions_count() == before


@pytest.mark.parametrize("content,message", [
    (b"<xliff version='2.0'><file>", "Not well-formed XML"),
    (b"<?xml version='1.0'?>\n<xliff xmlns='urn:oasis:names:tc:xliff:document:1.2' version='1.2'/>",
     "Not an XLIFF 2.0 document"),
    (b'msgid "a"\nmsgstr "b"\nnonsense here\n', "Not a valid PO file"),
])
def test_a_malformed_file_is_refused_with_exit_1_not_a_traceback(app, ws, tmp_path, content,
                                                                 message):
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    result = run(app, "import", str(path), "--workspace", "open")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"{path}:")
    assert message in result.stderr


def test_export_refuses_a_bad_locale_and_the_source_locale(app, ws):
    assert run(app, "export", "--workspace", "open", "--locale", "fr_FR!").exit_code == 1
    result = run(app, "export", "--workspace", "open", "--locale", "EN")
    assert result.exit_code == 1 and "default locale" in result.stderr


def test_a_translation_longer_than_its_field_allows_is_refused_with_its_line(app, ws, tmp_path):
    path = export(app, tmp_path, "--locale", "fr")
    fill_xliff(path, lambda key, text: "x" * 201 if key == "guide/links/title"
               else f"[fr] {text}")
    before = versions_count()
    result = run(app, "import", str(path), "--workspace", "open")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()[:-1]
    assert "this field takes at most 200" in line
    number = int(line.split(":")[1])
    assert "x" * 201 in path.read_text().splitlines()[number - 1]
    assert versions_count() == before


def test_a_source_changed_since_the_export_is_refused(app, ws, tmp_path):
    path = export(app, tmp_path, "--locale", "fr", "--format", "po", name="fr.po")
    fill_po(path)
    factories.publish(ws, factories.checklist_body(
        key="links", title="Links",
        steps=[{"id": "docs", "title": "Hello again {name}", "scope": "user",
                "body": "Read [the docs](https://docs.acme.io/start) first.",
                "complete_when": {"manual": True}}]))
    db.session.commit()
    before = versions_count()
    result = run(app, "import", str(path), "--workspace", "open")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()[:-1]
    assert 'The source of "guide/links/steps/docs/title" changed' in line
    number = int(line.split(":")[1])
    assert path.read_text().splitlines()[number - 1] == 'msgid "Hello {name}"'
    assert versions_count() == before

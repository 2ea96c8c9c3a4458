"""Translation units of a guide body, the checks on a translation, and the XLIFF 2.0 shape."""

from __future__ import annotations

import re

import pytest
import yaml
from lxml import etree

from guide.schemas.content import GuideFileSchema
from guide.services.translation_checks import problems
from guide.services.translation_files import XLIFF_NS, po_document, read, xliff_document
from guide.services.translation_units import guide_units, with_translations
from tests.survey_content import FILES

NS = {"x": XLIFF_NS}
# XML's NMTOKEN, the type of XLIFF 2.0 ids (ASCII part; our keys are slugs).
NMTOKEN = re.compile(r"^[A-Za-z0-9._:-]+$")


def body(name: str) -> dict:
    return GuideFileSchema().load(yaml.safe_load(FILES[name]))


def test_every_localized_field_is_a_unit_keyed_by_ids_not_positions():
    keys = {unit.key: unit for unit in guide_units(body("pulse.yaml"), "fr", "en")}
    assert {"guide/pulse/title", "guide/pulse/steps/stars/labels/low",
            "guide/pulse/steps/stars/labels/high",
            "guide/pulse/steps/used-most/options/reports/label",
            "guide/pulse/steps/wishes/options/sso/label"} <= keys.keys()
    reports = keys["guide/pulse/steps/used-most/options/reports/label"]
    assert (reports.source, reports.target) == ("Reports", "Rapports")
    assert keys["guide/pulse/steps/wishes/options/sso/label"].target is None


def test_announcement_cta_labels_are_units():
    announcement = next(name for name, text in FILES.items() if "cta:" in text)
    assert any(unit.key.endswith("/cta/label")
               for unit in guide_units(body(announcement), "fr", "en"))


def test_with_translations_keeps_the_source_and_the_authors_tag_spelling():
    original = body("pulse.yaml")
    original["title"] = {"en": "Quick pulse", "FR": "old"}
    result = with_translations(original, "fr", "en", {
        "guide/pulse/title": "Pouls", "guide/pulse/steps/stars/labels/low": "Faible"})
    assert result["title"] == {"en": "Quick pulse", "FR": "Pouls"}
    assert result["steps"][1]["labels"]["low"] == {"en": "Poor", "fr": "Faible"}
    assert original["steps"][1]["labels"]["low"] == "Poor"  # the input is not changed
    assert GuideFileSchema().load(result) == result


@pytest.mark.parametrize("source,target,expected", [
    ("Hi {name}", "Salut {name}", []),
    ("Hi {name}", "Salut", ["Placeholder {name} is missing"]),
    ("Hi", "Salut {name}", ["Placeholder {name} is not in the source"]),
    ("[Docs](https://a.io/x)", "[Doc](https://a.io/x)", []),
    ("[Docs](https://a.io/x)", "[Doc](https://a.io/fr/x)", ["Link targets changed"]),
    ("<https://a.io>", "voir https://a.io", ["Link targets changed"]),
    ("Hi", " \n", ["The translation is empty"]),
])
def test_translation_checks(source, target, expected):
    found = problems(source, target)
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected, strict=True):
        assert fragment in message


def test_the_xliff_document_has_the_xliff_2_core_shape_and_reads_back():
    units = guide_units(body("pulse.yaml"), "fr", "en")
    data = xliff_document(units, workspace="demo", source="en", locale="fr")
    root = etree.fromstring(data)
    assert root.tag == f"{{{XLIFF_NS}}}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en", "fr")
    [file_node] = root
    assert file_node.tag == f"{{{XLIFF_NS}}}file" and file_node.get("id")
    ids = [unit.get("id") for unit in file_node]
    assert len(set(ids)) == len(ids) == len(units)
    assert all(NMTOKEN.match(unit_id) for unit_id in ids)
    for unit in file_node:
        # Core order: <notes> before <segment>; <source> before <target>.
        assert [child.tag.split("}")[1] for child in unit] == ["notes", "segment"]
        segment = unit.find("x:segment", NS)
        assert [c.tag.split("}")[1] for c in segment][0] == "source"
    parsed = read(data, "pulse.xlf")
    assert parsed.locale == "fr"
    assert [(e.key, e.source) for e in parsed.entries] == [(u.key, u.source) for u in units]
    translated = {e.key: e.target for e in parsed.entries if e.target}
    assert translated == {u.key: u.target for u in units if u.translated}


def test_the_po_document_reads_back_with_keys_as_context():
    units = guide_units(body("pulse.yaml"), "fr-CA", "en")
    data = po_document(units, workspace="demo", source="en", locale="fr-CA")
    assert b'Language: fr_CA' in data
    parsed = read(data, "pulse.po")
    assert parsed.locale == "fr-CA"
    assert [(e.key, e.source) for e in parsed.entries] == [(u.key, u.source) for u in units]
    assert all(entry.line > 1 for entry in parsed.entries)


def test_xml_entities_are_not_expanded():
    data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
            b'trgLang="fr"><file id="f"><unit id="u" name="guide/a/title"><segment>'
            b"<source>A</source><target>&e;</target></segment></unit></file></xliff>")
    [entry] = read(data, "x.xlf").entries
    assert "root:" not in entry.target


def test_a_byte_order_mark_before_the_xml_is_read_as_xliff():
    units = guide_units(body("pulse.yaml"), "fr", "en")
    data = b"\xef\xbb\xbf" + xliff_document(units, workspace="demo", source="en", locale="fr")
    assert read(data, "upload").locale == "fr"


def test_lifecycle_and_scenario_units_are_keyed_by_keys_and_action_kinds():
    from guide.schemas.proactive import LifecycleFileSchema, ScenarioSchema
    from guide.services.translation_units import Document, document_of, document_units

    lifecycle = LifecycleFileSchema().load({
        "milestones": [{"key": "connected", "title": "Connected", "when": {"event": "c"}}],
        "stages": [{"key": "new", "title": {"en": "New", "fr": "Nouveau"}}]})
    units = {u.key: u for u in document_units(Document("lifecycle", "lifecycle", lifecycle),
                                              "fr", "en")}
    assert set(units) == {"lifecycle/milestones/connected/title", "lifecycle/stages/new/title"}
    assert units["lifecycle/stages/new/title"].target == "Nouveau"
    scenario = ScenarioSchema().load({
        "key": "two", "trigger": {"inactive": True, "days": 3},
        "actions": [{"nudge": {"message": "First {name}"}}, {"tag": "x"},
                    {"nudge": {"title": "Again", "message": "Second"}}]})
    keys = [u.key for u in document_units(Document("scenario", "two", scenario), "fr", "en")]
    # Keyed by the action's kind (numbered from the second), not its position in the list.
    assert keys == ["scenario/two/actions/nudge/message", "scenario/two/actions/nudge-2/title",
                    "scenario/two/actions/nudge-2/message"]
    assert document_of("scenario/two/actions/nudge-2/title") == ("scenario", "two")
    assert document_of("lifecycle/stages/new/title") == ("lifecycle", "lifecycle")
    assert document_of("nothing/here") is None

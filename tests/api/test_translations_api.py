"""``GET /api/v1/translations`` and ``POST /api/v1/translations/import`` (secret API key): the
same files and checks as the CLI, refusals in the one error shape with their lines."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from guide.extensions import db
from guide.models import AuditEntry, GuideVersion
from guide.services.translation_files import XLIFF_NS
from tests import factories

NS = {"x": XLIFF_NS}


@pytest.fixture
def auth(workspace: Any) -> dict[str, str]:
    key = workspace.create_api_key()
    db.session.commit()
    return {"Authorization": f"Bearer {key}"}


def filled(data: bytes, translate: Any = lambda key, text: f"[de] {text}") -> bytes:
    root = etree.fromstring(data)
    for unit in root.iterfind(".//x:unit", NS):
        segment = unit.find("x:segment", NS)
        etree.SubElement(segment, f"{{{XLIFF_NS}}}target").text = translate(
            unit.get("name"), segment.findtext("x:source", namespaces=NS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_export_then_import_round_trips_with_the_secret_key(client, workspace, auth):
    response = client.get("/api/v1/translations?locale=de", headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "application/xliff+xml"
    assert b'name="lifecycle/stages/set_up/title"' in response.data
    po = client.get("/api/v1/translations?locale=de&format=po&all=1", headers=auth)
    assert po.mimetype == "text/x-gettext-translation"
    assert b'msgctxt "help/connect-data-sources/title"' in po.data
    listed = client.get("/api/v1/translations?locale=fr&format=json&all=1", headers=auth)
    units = {unit["key"]: unit for unit in listed.get_json()["units"]}
    assert units["lifecycle/stages/set_up/title"]["target"] == "Configuré"
    assert units["scenario/import-trouble/actions/nudge/message"]["max_length"] == 500
    before = db.session.scalar(db.select(db.func.count(GuideVersion.id)))
    result = client.post("/api/v1/translations/import?filename=de.xlf",
                         data=filled(response.data), headers=auth,
                         content_type="application/xliff+xml")
    assert result.status_code == 200, result.get_json()
    body = result.get_json()
    assert body["locale"] == "de" and body["published"] is False
    assert {"lifecycle", "help connect-data-sources", "scenario import-trouble"} <= set(
        body["updated"])
    assert len(body["versions"]) == db.session.scalar(
        db.select(db.func.count(GuideVersion.id))) - before > 0
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "lifecycle.update").order_by(AuditEntry.id.desc())).first()
    assert entry.actor == "api" and entry.details["source"] == "translations import"
    token = factories.socket_token(client, workspace, "jonas", locale="de")
    article = client.get("/api/v1/widget/help/connect-data-sources",
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert article["title"] == "[de] Connect a data source"


def test_a_refused_file_is_a_400_with_every_line_in_the_error_shape(client, workspace, auth):
    data = filled(client.get("/api/v1/translations?locale=de", headers=auth).data)
    data = data.replace(b"lifecycle/milestones/paying/title", b"lifecycle/milestones/gone/title")
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    response = client.post("/api/v1/translations/import?filename=de.xlf", data=data,
                           headers=auth, content_type="application/xliff+xml")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "translations_invalid"
    [line] = error["fields"]["file"]
    assert line.startswith("de.xlf:") and 'Unknown key "lifecycle/milestones/gone/title"' in line
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == before
    broken = client.post("/api/v1/translations/import", data=b"<xliff", headers=auth)
    assert broken.status_code == 400
    assert broken.get_json()["error"]["fields"]["file"][0].startswith("upload:1:")


def test_bad_parameters_and_a_missing_key_are_4xx_not_500(client, workspace, auth):
    assert client.get("/api/v1/translations?locale=de").status_code == 401
    assert client.post("/api/v1/translations/import", data=b"x").status_code == 401
    for query in ("", "locale=en", "locale=<b>", "locale=de&format=docx", "locale=de&x=1",
                  "locale=en&format=json"):
        response = client.get(f"/api/v1/translations?{query}", headers=auth)
        assert response.status_code == 400, query
        assert set(response.get_json()["error"]) >= {"code", "message"}


def test_the_import_takes_a_file_larger_than_other_api_bodies(client, workspace, auth, app):
    data = filled(client.get("/api/v1/translations?locale=de", headers=auth).data)
    padding = b"<!-- " + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024) + b" -->\n"
    data = data.replace(b"<xliff", padding + b"<xliff", 1)
    response = client.post("/api/v1/translations/import", data=data, headers=auth,
                           content_type="application/xliff+xml")
    assert response.status_code == 200, response.get_json()


def test_the_endpoints_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    exported = document["paths"]["/api/v1/translations"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "application/xliff+xml", "text/x-gettext-translation"} <= set(
        exported)
    imported = document["paths"]["/api/v1/translations/import"]["post"]
    assert "application/xliff+xml" in imported["requestBody"]["content"]
    assert "ImportOut" in str(imported["responses"]["200"])

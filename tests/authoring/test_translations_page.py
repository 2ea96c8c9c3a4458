"""The admin's Translations page: completeness (guides, help articles, the lifecycle,
scenarios), downloads, the upload form and its refusals, and the editor's "untranslated"
markers."""

from __future__ import annotations

from typing import Any

from lxml import etree

from guide.extensions import db
from guide.models import AuditEntry, GuideVersion
from guide.services.translation_files import XLIFF_NS
from tests import factories
from tests.authoring.forms_util import soup

NS = {"x": XLIFF_NS}
PAGE = "/admin/w/demo/translations"


def english_only_guide(workspace: Any) -> None:
    factories.publish(workspace, factories.checklist_body(
        key="english-only", title="Only English",
        steps=[{"id": "one", "title": "Step {n}", "body": "See [docs](https://docs.acme.io/x)",
                "scope": "user", "complete_when": {"manual": True}}]))
    db.session.commit()


def translated_xliff(admin: Any, locale: str = "fr") -> bytes:
    response = admin.get(f"{PAGE}/export?locale={locale}&format=xliff")
    assert response.status_code == 200
    root = etree.fromstring(response.data)
    for segment in root.iterfind(".//x:segment", NS):
        etree.SubElement(segment, f"{{{XLIFF_NS}}}target").text = (
            "FR " + segment.findtext("x:source", namespaces=NS))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def upload(admin: Any, data: bytes, name: str = "fr.xlf", **form: str) -> Any:
    import io

    return admin.post(f"{PAGE}/import", data={"file": (io.BytesIO(data), name), **form},
                      content_type="multipart/form-data")


def version_count() -> int:
    return db.session.scalar(db.select(db.func.count(GuideVersion.id)))


def test_the_page_shows_completeness_per_guide_and_locale(workspace, as_role):
    english_only_guide(workspace)
    page = soup(as_role("viewer").get(PAGE + "?locale=de").get_data(as_text=True))
    row = page.select_one('[data-testid=completeness] tr[data-guide="english-only"]')
    assert row.select_one('[data-locale="fr"]').get_text(" ", strip=True).startswith("0% (0/3)")
    assert "untranslated" in row.select_one('[data-locale="de"]').get_text()
    full = page.select_one('tr[data-guide="getting-started"] [data-locale="fr"]')
    assert full.get_text(" ", strip=True).startswith("100%")
    assert page.select_one('[data-testid="download-fr-po"]')


def test_a_viewer_downloads_but_cannot_upload(workspace, as_role):
    english_only_guide(workspace)
    viewer = as_role("viewer")
    response = viewer.get(f"{PAGE}/export?locale=fr&format=po")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=demo-fr.po"
    assert 'msgctxt "guide/english-only/steps/one/title"' in response.get_data(as_text=True)
    before = version_count()
    assert upload(viewer, translated_xliff(viewer)).status_code == 403
    assert version_count() == before


def test_an_author_uploads_a_translated_file_as_drafts_with_an_audit_entry(workspace, as_role,
                                                                           authors):
    english_only_guide(workspace)
    author = as_role("author")
    response = upload(author, translated_xliff(author))
    assert response.status_code == 302, response.get_data(as_text=True)
    latest = db.session.scalars(db.select(GuideVersion).order_by(GuideVersion.id.desc())).first()
    assert latest.state == "draft"
    assert latest.body["steps"][0]["title"] == {"en": "Step {n}", "fr": "FR Step {n}"}
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target == "english-only", AuditEntry.action == "guide.save")).one()
    assert entry.author_id == authors["author"].id
    assert entry.details["source"] == "translations import"
    page = soup(author.get(PAGE).get_data(as_text=True))
    cell = page.select_one('tr[data-guide="english-only"] [data-locale="fr"]')
    assert cell.get_text(" ", strip=True).startswith("100%")


def test_an_author_cannot_publish_through_the_upload(workspace, as_role):
    english_only_guide(workspace)
    author = as_role("author")
    before = version_count()
    assert upload(author, translated_xliff(author), publish="1").status_code == 403
    assert version_count() == before


def test_the_upload_needs_the_csrf_token(workspace, as_role):
    import io

    english_only_guide(workspace)
    author = as_role("author")
    data = translated_xliff(author)
    before = version_count()
    response = author.client.post(f"{PAGE}/import", data={"file": (io.BytesIO(data), "fr.xlf")},
                                  content_type="multipart/form-data")
    assert response.status_code == 400
    assert version_count() == before


def test_problems_are_listed_with_their_lines_and_nothing_is_saved(workspace, as_role):
    english_only_guide(workspace)
    author = as_role("author")
    data = translated_xliff(author).replace(b"FR Step {n}", b"FR Etape")
    before = version_count()
    response = upload(author, data)
    assert response.status_code == 400
    errors = soup(response.get_data(as_text=True)).select_one("[data-testid=import-errors]")
    lines = [li.get_text() for li in errors.select("li")]
    assert len(lines) == 1
    line = int(lines[0].split(":")[1])
    assert lines[0].startswith("fr.xlf:") and "Placeholder {n} is missing" in lines[0]
    assert "FR Etape" in data.decode().splitlines()[line - 1]
    assert version_count() == before


def test_a_malformed_upload_is_a_400_with_a_message_not_a_500(workspace, as_role):
    author = as_role("author")
    for data, name in ((b"<xliff", "fr.xlf"), (b"\xff\xfe not po", "fr.po")):
        response = upload(author, data, name)
        assert response.status_code == 400
        text = soup(response.get_data(as_text=True)).select_one("[data-testid=import-errors]")
        assert f"{name}:1:" in text.get_text()


def test_the_guide_page_marks_locales_that_lack_strings(workspace, as_role):
    english_only_guide(workspace)
    viewer = as_role("viewer")
    page = soup(viewer.get("/admin/w/demo/guides/english-only").get_data(as_text=True))
    marker = page.select_one('[data-testid="untranslated-fr"]')
    assert marker is not None and "3 untranslated" in marker.get_text()
    complete = soup(viewer.get("/admin/w/demo/guides/getting-started").get_data(as_text=True))
    assert complete.select_one('[data-testid="untranslated-fr"]') is None


def test_a_publisher_publishes_through_the_upload_and_users_read_the_translation(
        workspace, as_role, client):
    english_only_guide(workspace)
    publisher = as_role("publisher")
    assert upload(publisher, translated_xliff(publisher), publish="1").status_code == 302
    data = factories.bootstrap(client, workspace, "marie", locale="fr").get_json()
    guide = next(g for g in data["guides"] if g["key"] == "english-only")
    assert guide["title"] == "FR Only English"
    assert guide["steps"][0]["title"] == "FR Step {n}"


def test_bad_download_parameters_are_a_400(workspace, as_role):
    viewer = as_role("viewer")
    assert viewer.get(f"{PAGE}/export?locale=en&format=xliff").status_code == 400
    assert viewer.get(f"{PAGE}/export?locale=fr&format=docx").status_code == 400
    assert viewer.get(f"{PAGE}/export?locale=<b>&format=po").status_code == 400
    page = viewer.get(f"{PAGE}?locale=<b>")
    assert page.status_code == 200 and "not a valid locale tag" in page.get_data(as_text=True)


def test_a_file_larger_than_the_api_payload_limit_uploads(workspace, as_role, app):
    english_only_guide(workspace)
    author = as_role("author")
    padding = b"<!-- " + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024) + b" -->\n"
    data = translated_xliff(author).replace(b"<xliff", padding + b"<xliff", 1)
    assert upload(author, data).status_code == 302


def test_the_admin_shows_completeness_for_every_document(workspace, as_role):
    page = soup(as_role("viewer").get("/admin/w/demo/translations?locale=de")
                .get_data(as_text=True))
    table = page.select_one("[data-testid=completeness]")
    for doc in ("help/connect-data-sources", "lifecycle/lifecycle", "scenario/import-trouble"):
        row = table.select_one(f'tr[data-doc="{doc}"]')
        assert row is not None, doc
        assert row.select_one('[data-locale="fr"]').get_text(" ", strip=True).startswith("100%")
        assert "untranslated" in row.select_one('[data-locale="de"]').get_text()
    # content/lifecycle.yaml's ten titles (its milestones and stages), none in German.
    assert "0% (0/10)" in table.select_one('tr[data-doc="lifecycle/lifecycle"] '
                                          '[data-locale="de"]').get_text(" ", strip=True)
    # A scenario without a nudge has nothing to translate: no row.
    assert table.select_one('tr[data-doc="scenario/inactive-week"]') is None


def test_in_the_admin_only_publishers_import_what_takes_effect_at_once(workspace, as_role):
    import io

    from babel.messages.pofile import read_po, write_po

    def upload(role: str) -> Any:
        client = as_role(role)
        catalog = read_po(io.BytesIO(
            client.get("/admin/w/demo/translations/export?locale=de&format=po").data))
        for message in catalog:
            if message.id:
                message.string = f"DE {message.id}"
        filled = io.BytesIO()
        write_po(filled, catalog)
        filled.seek(0)
        return client.post("/admin/w/demo/translations/import",
                           data={"file": (filled, "de.po")},
                           content_type="multipart/form-data")

    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    response = upload("author")
    assert response.status_code == 403
    assert "Only publishers" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == before
    response = upload("publisher")
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "lifecycle.update").order_by(AuditEntry.id.desc())).first()
    assert entry.details["source"] == "translations import" and entry.details["locale"] == "de"

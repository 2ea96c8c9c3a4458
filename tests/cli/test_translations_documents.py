"""Translation files beyond guides: help article titles, the lifecycle's milestones and stages,
scenario nudges. Exported with stable keys, imported through the code path a push uses (what
users are served, what ``content pull`` writes), refused with file:line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from guide.extensions import db
from guide.models import AuditEntry, Workspace
from guide.proactive import rules
from guide.services import help_articles
from guide.services.translation_files import XLIFF_NS
from tests import factories
from tests.cli.test_translations_cli import fill_po, fill_xliff, run
from tests.proactive.conftest import make_user, track

NS = {"x": XLIFF_NS}
NEW_KEYS = {
    "help/connect-data-sources/title",
    "lifecycle/milestones/data_connected/title",
    "lifecycle/stages/set_up/title",
    "scenario/import-trouble/actions/nudge/title",
    "scenario/import-trouble/actions/nudge/message",
    "scenario/getting-started-stalled/actions/nudge/message",
}


def german(key: str, text: str) -> str:
    return f"[de] {text}"


def export(app: Any, tmp_path: Path, *args: str, name: str = "de.xlf") -> Path:
    out = tmp_path / name
    result = run(app, "export", "--workspace", "demo", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return out


def xliff_names(path: Path) -> list[str]:
    return [unit.get("name") for unit in etree.parse(str(path)).iterfind(".//x:unit", NS)]


def audit(action: str) -> list[AuditEntry]:
    return [entry for entry in db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == action)) if entry.details.get("source") == "translations import"]


def help_title(client: Any, workspace: Workspace, key: str, locale: str) -> str:
    token = factories.socket_token(client, workspace, f"reader-{locale}", locale=locale)
    response = client.get(f"/api/v1/widget/help/{key}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["title"]


def test_export_has_help_titles_milestones_stages_and_nudges_with_notes(app, workspace,
                                                                          tmp_path):
    path = export(app, tmp_path, "--locale", "de")
    names = xliff_names(path)
    assert set(names) >= NEW_KEYS
    # Help bodies are one Markdown text per article, not localized: not units.
    assert not [name for name in names if name.startswith("help/") and
                not name.endswith("/title")]
    root = etree.parse(str(path))
    unit = root.find(".//x:unit[@name='scenario/import-trouble/actions/nudge/message']", NS)
    assert unit.findtext("x:segment/x:source", namespaces=NS).startswith("Your import failed")
    assert 'Scenario "import-trouble"' in unit.findtext("x:notes/x:note", namespaces=NS)
    # French is complete for them in the demo: nothing of theirs to export.
    assert not NEW_KEYS & set(xliff_names(export(app, tmp_path, "--locale", "fr",
                                                 name="fr.xlf")))


@pytest.mark.parametrize("fmt,fill,name", [("xliff", fill_xliff, "de.xlf"),
                                           ("po", fill_po, "de.po")])
def test_a_round_trip_updates_articles_lifecycle_and_scenarios_at_once(
        app, workspace, client, tmp_path, fmt, fill, name):
    path = export(app, tmp_path, "--locale", "de", "--format", fmt, name=name)
    fill(path, german)
    result = run(app, "import", str(path), "--workspace", "demo", "--author", "agency")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert {"help connect-data-sources: updated", "lifecycle: updated",
            "scenario import-trouble: updated"} <= set(lines)
    # The widget's help serves the German title, English users keep theirs.
    assert help_title(client, workspace, "connect-data-sources", "de") == (
        "[de] Connect a data source")
    assert help_title(client, workspace, "connect-data-sources", "en") == "Connect a data source"
    # Audited like a push's change, as the importer, with the locale and the strings.
    [article] = [e for e in audit("help.update") if e.target == "connect-data-sources"]
    assert article.actor == "agency"
    assert article.details == {"status": "updated", "source": "translations import",
                               "locale": "de", "strings": 1}
    [life] = audit("lifecycle.update")
    assert life.details["strings"] == 10 and life.details["locale"] == "de"
    assert {e.target for e in audit("scenario.update")} == {
        "import-trouble", "connect-data-reminder", "getting-started-stalled"}
    # `content pull` writes the translations into the files.
    out = tmp_path / "pulled"
    pulled = app.test_cli_runner().invoke(args=["guide", "content", "pull", str(out),
                                                "--workspace", "demo"])
    assert pulled.exit_code == 0, pulled.output
    lifecycle = yaml.safe_load((out / "lifecycle.yaml").read_text())
    assert lifecycle["stages"][1]["title"]["de"] == "[de] Set up"
    assert "[de] Connect a data source" in (out / "help" / "connect-data-sources.md").read_text()
    scenarios = yaml.safe_load((out / "scenarios.yaml").read_text())["scenarios"]
    nudge = scenarios[0]["actions"][0]["nudge"]
    assert nudge["message"]["de"].startswith("[de] Your import failed twice")
    # Nothing is left to translate in German.
    assert not NEW_KEYS & set(xliff_names(export(app, tmp_path, "--locale", "de",
                                                 name="again.xlf")))


def test_a_german_user_gets_the_imported_nudge(app, workspace, tmp_path):
    path = export(app, tmp_path, "--locale", "de")
    fill_xliff(path, german)
    assert run(app, "import", str(path), "--workspace", "demo").exit_code == 0
    rules.forget()
    user = make_user(workspace, "jonas")
    user.locale = "de"
    db.session.commit()
    from guide.models import Nudge

    for _ in range(2):
        track(workspace, user, "import_failed")
    [nudge] = db.session.scalars(db.select(Nudge).where(Nudge.user_id == user.id)).all()
    assert nudge.payload["title"] == "[de] Import trouble?"
    assert nudge.payload["message"].startswith("[de] Your import failed twice.")


def add_article_with_a_placeholder(workspace: Workspace) -> None:
    help_articles.apply(workspace, [{
        "key": "welcome", "title": "Welcome to {product}", "tags": [], "pages": [],
        "guides": [], "steps": [], "body": "Hello."}], "test")
    db.session.commit()


def test_unknown_milestone_and_a_lost_placeholder_are_refused_with_lines(app, workspace,
                                                                         tmp_path):
    add_article_with_a_placeholder(workspace)
    path = export(app, tmp_path, "--locale", "de")
    fill_xliff(path, lambda key, text: "Willkommen" if key == "help/welcome/title"
               else german(key, text))
    path.write_text(path.read_text().replace("lifecycle/milestones/data_connected/title",
                                             "lifecycle/milestones/gone/title"))
    lifecycle_before = dict(workspace.lifecycle)
    audit_before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    result = run(app, "import", str(path), "--workspace", "demo")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 errors"
    source = path.read_text().splitlines()
    [unknown] = [line for line in lines if 'Unknown key "lifecycle/milestones/gone/title"' in line]
    [lost] = [line for line in lines if '"help/welcome/title": Placeholder {product} is missing'
              in line]
    for line, text in ((unknown, "gone"), (lost, "Willkommen")):
        assert line.startswith(f"{path}:")
        number = int(line.split(":")[1])
        assert text in "\n".join(source[max(0, number - 8):number])
    db.session.expire_all()
    assert workspace.lifecycle == lifecycle_before
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == audit_before

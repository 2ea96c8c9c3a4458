"""A `content push` shows in the audit log: every change with its author, nothing when unchanged."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path
from typing import Any

from guide.models import AuditEntry, GuideVersion
from guide.services.authors import ensure_author
from tests.authoring.conftest import PASSWORD, AdminClient
from tests.authoring.forms_util import soup
from tests.conftest import CONTENT_DIR


def push(app: Any, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=["guide", "content", "push", *args])
    assert result.exit_code == 0, result.output
    return result


def entries(db: Any) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))


def test_push_audits_each_change_with_the_given_author(app, db):
    push(app, "--author", "ci:4f2a9c1")
    log = entries(db)
    assert {e.actor for e in log} == {"ci:4f2a9c1"}
    assert {e.author_id for e in log} == {None}
    assert all(e.details["source"] == "content push" for e in log)
    actions = [(e.action, e.target) for e in log]
    assert actions[:3] == [("workspace.create", "demo"), ("guide.create", "dashboard-tour"),
                           ("guide.publish", "dashboard-tour")]
    assert ("guide.publish", "getting-started") in actions
    assert ("settings.update", "support") in actions
    assert ("help.update", "invite-teammates") in actions
    assert ("lifecycle.update", None) in actions
    assert ("scenario.update", "help-loop") in actions
    publish = next(e for e in log if e.action == "guide.publish")
    assert publish.details == {"version": 1, "source": "content push"}
    version = db.session.scalars(db.select(GuideVersion)).first()
    assert version.author == "ci:4f2a9c1"


def test_an_unchanged_push_writes_no_audit_entry(app, db):
    push(app, "--author", "ci")
    before = len(entries(db))
    assert before > 0
    again = push(app, "--author", "someone-else")
    assert again.stdout.splitlines()[-1] == "unchanged"
    assert len(entries(db)) == before


def test_the_author_defaults_to_the_os_user(app, db, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    push(app)
    assert {e.actor for e in entries(db)} == {"alice"}
    assert {v.author for v in db.session.scalars(db.select(GuideVersion))} == {"alice"}


def test_without_an_os_user_the_author_is_cli(app, db, monkeypatch):
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    push(app)
    assert {e.actor for e in entries(db)} == {"cli"}


def test_an_authors_email_links_the_entries_to_them(app, db, workspace, tmp_path):
    author, _ = ensure_author("ada@example.com", PASSWORD, workspace, "publisher")
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    guide = content / "guides" / "getting-started.yaml"
    guide.write_text(guide.read_text().replace("en: Say hello", "en: Say hi"))
    push(app, str(content), "--author", "Ada@Example.com")
    mine = [e for e in entries(db) if e.actor == "ada@example.com"]
    assert [(e.action, e.target, e.author_id) for e in mine] == [
        ("guide.save", "getting-started", author.id),
        ("guide.publish", "getting-started", author.id),
    ]


def test_an_email_without_a_role_in_the_workspace_is_only_a_name(app, db, workspace, tmp_path):
    from guide.services.authors import create_author

    create_author("stranger@example.com", PASSWORD)
    db.session.commit()
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    guide = content / "guides" / "getting-started.yaml"
    guide.write_text(guide.read_text().replace("en: Say hello", "en: Say hi"))
    push(app, str(content), "--author", "stranger@example.com")
    mine = [e for e in entries(db) if e.actor == "stranger@example.com"]
    assert [(e.action, e.author_id) for e in mine] == [("guide.save", None),
                                                       ("guide.publish", None)]


def test_the_audit_log_page_lists_a_push(app, db, authors, tmp_path):
    author = "ci:4f2a9c1"
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    guide = content / "guides" / "getting-started.yaml"
    guide.write_text(guide.read_text().replace("en: Say hello", "en: Say hi"))
    push(app, str(content), "--author", author)
    admin = AdminClient(app.test_client(), "admin@example.com")
    page = soup(admin.get("/admin/w/demo/audit").get_data(as_text=True))
    rows = [r.get_text(" ", strip=True) for r in page.select("[data-testid=audit] tbody tr")]
    assert any(author in row and "guide.publish" in row and "getting-started" in row
               and "source: content push" in row for row in rows), rows

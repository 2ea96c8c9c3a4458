"""Help articles as files: front matter validated with file:line errors, pushed like guides."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from guide.content.loader import load_content
from guide.content.push import ContentInvalid, push_content
from guide.models import HelpArticle, SupportSettings, WebhookEndpoint

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


def write(content_dir: Path, name: str, text: str) -> Path:
    path = content_dir / "help" / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(content_dir: Path) -> list[str]:
    return [str(e) for e in load_content(content_dir).errors]


def test_the_repositorys_articles_load():
    content = load_content(ROOT / "content")
    assert content.ok, content.errors
    assert {a.data["key"] for a in content.articles} >= {"connect-data-sources", "invite-teammates"}


def test_front_matter_errors_point_at_the_files_line(content_dir):
    path = write(content_dir, "bad.md", "---\nkey: bad\ntitle: Bad\ntags: [ok]\npages: [no-slash]\n"
                                         "colour: red\n---\nBody\n")
    found = errors(content_dir)
    assert f"{path}:5: pages[0]: A URL pattern is a path starting with \"/\" (e.g. \"/app/**\")." in found
    assert f'{path}:6: Unknown field "colour".' in found


def test_an_article_needs_front_matter_and_a_body(content_dir):
    no_front = write(content_dir, "plain.md", "Just text\n")
    empty = write(content_dir, "empty.md", "---\nkey: empty\ntitle: Empty\n---\n\n")
    found = errors(content_dir)
    assert any(e.startswith(f"{no_front}:1: An article starts with front matter") for e in found)
    assert f"{empty}:5: The article has no text after the front matter." in found


def test_duplicate_article_keys_are_refused(content_dir):
    copy = write(content_dir, "zz-copy.md",
                 (content_dir / "help" / "invite-teammates.md").read_text())
    assert any(e.startswith(f"{copy}:2: key: Duplicate help article key") for e in errors(content_dir))


def test_a_steps_help_key_must_name_an_article(content_dir):
    guide = content_dir / "guides" / "getting-started.yaml"
    text = guide.read_text().replace("    help: connect-data-sources",
                                     "    help: no-such-article")
    guide.write_text(text)
    line = text.splitlines().index("    help: no-such-article") + 1
    assert f'{guide}:{line}: steps[1].help: No help article "no-such-article" in help/.' in errors(content_dir)
    text = text.replace("help: no-such-article", "help: connect-data-sources")
    guide.write_text(text)
    assert errors(content_dir) == []


def test_an_article_naming_a_missing_step_of_a_known_guide_is_refused(content_dir):
    path = write(content_dir, "x.md", "---\nkey: x\ntitle: X\nsteps: [getting-started/nope, "
                                      "elsewhere/any]\n---\nBody\n")
    assert errors(content_dir) == [f'{path}:2: steps: Guide "getting-started" has no step "nope".']


def test_push_loads_articles_once_and_reports_the_rest(db: Any, content_dir: Path):
    report = push_content(content_dir)
    assert "help invite-teammates: created" in report.lines()
    article = db.session.scalars(db.select(HelpArticle).where(HelpArticle.key == "invite-teammates")).one()
    assert article.title["fr"] == "Inviter vos collègues" and "team" in article.tags
    assert article.steps == ["getting-started/invite-teammate"]
    assert not push_content(content_dir).changed  # unchanged files write nothing
    write(content_dir, "invite-teammates.md",
          (content_dir / "help" / "invite-teammates.md").read_text().replace("7 days", "14 days"))
    (content_dir / "help" / "time-zone-and-currency.md").unlink()  # no step names it
    report = push_content(content_dir)
    assert "help invite-teammates: updated" in report.lines()
    assert "help time-zone-and-currency: not in files (left alone)" in report.lines()
    db.session.expire_all()
    assert "14 days" in db.session.get(HelpArticle, article.id).body


def test_a_bad_article_blocks_the_whole_push(db: Any, content_dir: Path):
    write(content_dir, "bad.md", "---\nkey: Bad Key\ntitle: x\n---\nBody\n")
    with pytest.raises(ContentInvalid):
        push_content(content_dir)
    assert db.session.scalars(db.select(HelpArticle)).all() == []


def test_support_settings_are_pushed_and_webhook_urls_checked(db: Any, content_dir: Path):
    ws_file = content_dir / "workspace.yaml"
    base = ws_file.read_text()
    ws_file.write_text(base.replace("  allow_private_webhooks: false", (
        "  email: {to: [help@acme.test], from: guide@acme.test}\n"
        "  webhooks:\n    - url: https://hooks.acme.test/guide\n"
        "      events: [escalation.created]\n  allow_private_webhooks: false")))
    push_content(content_dir)
    settings = db.session.scalars(db.select(SupportSettings)).one()
    assert settings.email == {"to": ["help@acme.test"], "from": "guide@acme.test",
                              "events": ["escalation.created"]}
    assert settings.webhook_secret.startswith("whsec_")
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        "https://hooks.acme.test/guide", ["escalation.created"], True)
    for url, fragment in [("http://hooks.acme.test/x", "must use https"),
                          ("https://127.0.0.1/x", "private, loopback or reserved"),
                          ("https://user:pw@hooks.acme.test/x", "no credentials")]:
        ws_file.write_text(base.replace("  allow_private_webhooks: false",
                                        f"  webhooks: [{{url: '{url}'}}]"))
        found = errors(content_dir)
        assert len(found) == 1 and fragment in found[0] and "webhooks[0].url" in found[0], found
    ws_file.write_text(base.replace("  allow_private_webhooks: false",
                                    "  webhooks: [{url: 'http://127.0.0.1:9/x'}]\n"
                                    "  allow_private_webhooks: true"))
    assert errors(content_dir) == []


def test_support_url_and_url_template_are_one_setting(db: Any, content_dir: Path):
    ws_file = content_dir / "workspace.yaml"
    ws_file.write_text(ws_file.read_text() + 'support_url: "https://other.example/new"\n')
    assert any("support.url_template or support_url, not both" in e for e in errors(content_dir))

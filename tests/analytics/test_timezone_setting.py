"""``timezone`` in workspace.yaml: an IANA name, UTC by default, pulled back as pushed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guide.content.pull import pull_content
from guide.content.push import ContentInvalid, push_content
from tests import factories
from tests.conftest import CONTENT_DIR


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))


def set_line(content_dir: Path, line: str) -> None:
    path = content_dir / "workspace.yaml"
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_timezone_defaults_to_utc_and_is_not_written_back(db, content_dir, tmp_path):
    push_content(content_dir)
    assert factories.workspace("demo").timezone == "UTC"
    pull_content(tmp_path / "pulled", "demo")
    assert "timezone" not in (tmp_path / "pulled" / "workspace.yaml").read_text()


def test_a_timezone_is_pushed_and_pulled_back_and_pull_then_push_changes_nothing(
        db, content_dir, tmp_path):
    set_line(content_dir, "timezone: Europe/Paris")
    push_content(content_dir)
    assert factories.workspace("demo").timezone == "Europe/Paris"
    pulled = tmp_path / "pulled"
    pull_content(pulled, "demo")
    assert "timezone: Europe/Paris" in (pulled / "workspace.yaml").read_text()
    assert pull_content(pulled, "demo").written == []
    path = content_dir / "workspace.yaml"
    path.write_text(path.read_text().replace("timezone: Europe/Paris", ""))
    push_content(content_dir)
    assert factories.workspace("demo").timezone == "UTC"  # absent: back to the default


@pytest.mark.parametrize("value", ["Mars/Olympus", "europe/paris", "CET+1", "''", "3",
                                   "../../etc/passwd", "true"])
def test_a_timezone_that_is_not_an_iana_name_is_refused(db, content_dir, value):
    set_line(content_dir, f"timezone: {value}")
    with pytest.raises(ContentInvalid) as info:
        push_content(content_dir)
    assert "timezone" in str(info.value.errors[0])

"""Guide files of the survey, announcement, hotspot and tooltip kinds (docs/SURVEYS.md),
shared by the schema, push/pull, bootstrap and envelope tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from guide.content.push import push_content
from tests import factories
from tests.conftest import CONTENT_DIR

FILES = {
    "nps.yaml": """\
key: nps
kind: survey
title: {en: "How are we doing?", fr: Votre avis}
frequency: {every_days: 90, max: 2}
show_when: {visit: 2}
steps:
  - id: score
    type: nps
    title: How likely are you to recommend Acme to a friend or colleague?
  - id: what-went-wrong
    type: text
    title: What should we do better?
    show_if: {question: score, band: detractor}
  - id: what-you-love
    type: text
    title: What do you like most?
    show_if: {question: score, band: [passive, promoter]}
""",
    "pulse.yaml": """\
key: pulse
kind: survey
title: Quick pulse
display: panel
priority: 5
steps:
  - id: csat
    type: csat
    title: How satisfied are you with reports?
  - id: stars
    type: rating
    title: Rate the new editor
    scale: 10
    labels: {low: Poor, high: Great}
    required: false
  - id: used-most
    type: single
    title: What do you use most?
    options:
      - {id: dashboards, label: Dashboards}
      - {id: reports, label: {en: Reports, fr: Rapports}}
  - id: wishes
    type: multiple
    title: What should we build next?
    max: 2
    required: false
    options:
      - {id: api, label: An API}
      - {id: mobile, label: A mobile app}
      - {id: sso, label: Single sign-on}
""",
    "new-reports.yaml": """\
key: new-reports
kind: announcement
title: "New: scheduled reports"
style: banner
position: bottom
mode: inline
starts_at: '2026-01-01T00:00:00Z'
ends_at: '2099-01-01T00:00:00+00:00'
steps:
  - id: main
    title: Reports can now be scheduled
    body: Send a report **every Monday** to your team.
    cta: {label: Try it, guide: getting-started}
""",
    "export-button.yaml": """\
key: export-button
kind: hotspot
title: Export
steps:
  - id: export
    title: Export anything
    body: CSV, Excel or PDF, from *any* chart.
    target: '#export'
    placement: bottom
    page: /demo/**
""",
    "filters-tip.yaml": """\
key: filters-tip
kind: tooltip
title: Filters
steps:
  - id: filters
    title: Filter by date
    target: '#filters'
""",
}


def write_files(guides_dir: Path) -> None:
    for name, text in FILES.items():
        (guides_dir / name).write_text(text)


# The demo's scenarios.yaml has detractor-follow-up (NPS <= 6: a task, an email to the CSM).
SCENARIOS = """
  - key: fix-this-article
    trigger: {article_unhelpful: invite-teammates, count: 2}
    max_per_subject: 10
    actions:
      - task: {message: This article was found unhelpful twice}
"""
WEBHOOKS = """  webhooks:
    - url: https://hooks.example.com/guide
      events: [survey.answered]
"""


def push_demo(app: Any, tmp_path: Path, scenarios: str = "") -> Any:
    """The demo's content with these files, a scenario on an article (and ``scenarios``,
    more items of the list) and a webhook, pushed; emails on (to nowhere): the demo
    workspace."""
    content = Path(shutil.copytree(CONTENT_DIR, tmp_path / "content"))
    write_files(content / "guides")
    with (content / "scenarios.yaml").open("a") as file:
        file.write(SCENARIOS + scenarios)
    workspace_file = content / "workspace.yaml"
    workspace_file.write_text(workspace_file.read_text().replace(
        "  allow_private_webhooks: false\n", WEBHOOKS + "  allow_private_webhooks: false\n"))
    push_content(content)
    app.config["GUIDE_SMTP_URL"] = "smtp://127.0.0.1:1"
    return factories.workspace("demo")

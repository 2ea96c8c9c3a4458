"""The admin in French where its words come from the services (guide/wording.py Messages,
translated at the edge by guide/i18n.py): a refused theme, a refused translation file,
Slack and environment errors, the Scenarios page's descriptions, durations and points.
The same requests in English read as before, and the JSON API stays English."""

from __future__ import annotations

import json

from tests.analytics.conftest import paris  # noqa: F401 (fixture)
from tests.authoring.forms_util import soup
from tests.authoring.test_admin_language import FR
from tests.authoring.test_analytics_lifecycle_pages import BASE, RANGE, member  # noqa: F401
from tests.authoring.test_theme_page import GOOD
from tests.authoring.test_translations_page import english_only_guide, translated_xliff

THEME = "/admin/w/demo/theme"
EN = {"Accept-Language": "en"}


def flashes(response) -> list[str]:
    return [p.get_text(" ", strip=True) for p in soup(response.get_data(as_text=True))
            .select(".flash")]


def test_a_refused_theme_reads_in_french_in_the_flash_the_field_and_the_preview(as_role):
    admin = as_role("admin")
    refused = admin.post(THEME, {**GOOD, "text": "#bbbbbb"}, headers=FR)
    assert refused.status_code == 400
    reason = "texte #bbbbbb sur #ffffff : 1.91:1 ; il faut 4.5:1 (WCAG 2.2 AA)."
    assert f"Le thème n'a pas été enregistré : {reason}" in flashes(refused)
    page = soup(refused.get_data(as_text=True))
    assert page.select_one('[data-testid="error-text"]').get_text() == reason
    bad_colour = soup(admin.post(THEME, {**GOOD, "accent": "blue"}, headers=FR)
                      .get_data(as_text=True))
    assert bad_colour.select_one('[data-testid="error-accent"]').get_text() == (
        "Doit être une couleur hexadécimale (« #4f46e5 »).")
    # The live preview's check answers in the page's language too.
    check = admin.get(f"{THEME}/check", query_string={"theme": json.dumps({"text": "#bbbbbb"})},
                      headers={**FR, "Accept": "application/json"})
    assert check.get_json()["error"]["fields"] == {"text": [reason]}
    english = admin.post(THEME, {**GOOD, "text": "#bbbbbb"}, headers=EN)
    assert ("The theme was not saved: text #bbbbbb on #ffffff is 1.91:1; needs 4.5:1 "
            "(WCAG 2.2 AA).") in flashes(english)


def test_the_theme_api_stays_english_whatever_the_browser_says(as_role):
    admin = as_role("admin")
    refused = admin.client.put(THEME, json={"text": "#bbbbbb"},
                               headers={**FR, "X-CSRF-Token": admin.token})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"] == (
        "The theme was not saved: text #bbbbbb on #ffffff is 1.91:1; needs 4.5:1 (WCAG 2.2 AA).")


def test_a_refused_translation_file_reads_in_french_with_each_line(workspace, as_role):
    import io

    english_only_guide(workspace)
    author = as_role("author")
    data = translated_xliff(author).replace(b"FR Step {n}", b"FR Etape")

    def upload(headers: dict[str, str]) -> list[str]:
        response = author.post("/admin/w/demo/translations/import",
                               data={"file": (io.BytesIO(data), "fr.xlf")},
                               content_type="multipart/form-data", headers=headers)
        assert response.status_code == 400
        errors = soup(response.get_data(as_text=True)).select_one("[data-testid=import-errors]")
        return [errors.p.get_text(), *(li.get_text() for li in errors.select("li"))]

    summary, line = upload(FR)
    assert summary == "1 problème dans fr.xlf ; rien n'a été importé."
    where, key, problem = line.split(" : ", 2)
    assert where.startswith("fr.xlf:") and key.startswith("« guide/english-only/")
    assert problem == ("Le paramètre {n} manque dans la traduction ; gardez-le tel qu'il est "
                       "dans la source.")
    summary, line = upload(EN)
    assert summary == "1 problem(s) in fr.xlf; nothing was imported."
    assert "Placeholder {n} is missing from the translation; keep it" in line


def test_slack_and_environment_errors_read_in_french(workspace, as_role):
    admin = as_role("admin")
    slack = admin.post("/admin/w/demo/integrations",
                       {"section": "slack", "webhook_url": "https://example.com/nope"},
                       headers=FR)
    assert slack.status_code == 200
    errors = soup(slack.get_data(as_text=True)).select(".error")
    assert [e.get_text() for e in errors][0].startswith("Doit ressembler à https://")
    created = admin.post("/admin/w/demo/environments", {"name": "Bad Name!"}, headers=FR,
                         follow_redirects=True)
    [flash] = [f for f in flashes(created) if "name" in f]
    assert flash.startswith("Le corps de la requête n'est pas valide ; voir les champs. name : "
                            "Doit être un nom court en minuscules")


def test_the_scenarios_page_describes_rules_in_french(workspace, as_role):
    page = soup(as_role("viewer").get("/admin/w/demo/scenarios", headers=FR)
                .get_data(as_text=True))
    cards = {c["data-scenario"]: c.get_text(" ", strip=True)
             for c in page.select('[data-testid="scenario"]')}
    trouble, reminder = cards["import-trouble"], cards["connect-data-reminder"]
    assert "Événement import_failed vu 2 fois en 10 minutes" in trouble
    assert "quand l'événement est écrit" in trouble
    assert "Incitation : « Votre import a échoué" not in trouble  # the workspace's language
    assert "Incitation : « Your import failed twice." in trouble
    assert "(« Montrez-moi » ouvre getting-started › connect-data)" in trouble
    assert "Tâche de support : « Two failed imports" in trouble
    assert "Jalon data_connected non atteint 2 jours après la première visite" in reminder
    assert "E-mail à csm" in reminder
    for english in ("Event import_failed", "Nudge:", "Support task:", "Email to", "reach milestone",
                    "trigger's own", "days after"):
        assert english not in " ".join(cards.values()), english
    intro = page.select_one("p.muted").get_text(" ", strip=True)
    assert "modifiées avec guide content push" in intro and "flask" not in intro
    english = as_role("viewer").get("/admin/w/demo/scenarios", headers=EN).get_data(as_text=True)
    assert "Event import_failed seen 2 times within 10 minutes" in english


def test_lifecycle_durations_and_points_read_in_french(member):  # noqa: F811
    page = soup(member("viewer").get(f"{BASE}/lifecycle?{RANGE}", headers=FR)
                .get_data(as_text=True))
    connected = page.select_one('[data-milestone="connected"]')
    cells = [td.get_text(strip=True) for td in connected.find_all("td")]
    assert cells[4:6] == ["2h 0min", "1j 0h"]
    headline = {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row("td")]
                for row in page.select('[data-testid="headline"] tbody tr')}
    shares = next(v for k, v in headline.items() if "part des inscrits" in k)
    assert shares[2] == "-16,7 pts"
    assert "+1h 0min" in {v[2] for v in headline.values()}


def test_other_refusals_flashed_from_the_services_read_in_french(authors, as_role):
    admin = as_role("admin")
    demoted = admin.post(f"/admin/w/demo/members/{authors['admin'].id}/role", {"role": "viewer"},
                         headers=FR, follow_redirects=True)
    assert ("C'est le dernier admin de l'espace de travail ; nommez d'abord quelqu'un d'autre "
            "admin.") in flashes(demoted)
    publisher = as_role("publisher")
    again = publisher.post("/admin/w/demo/guides/getting-started/publish", {"version": "1"},
                           headers=FR, follow_redirects=True)
    assert any(f.startswith("La version 1 est à l'état « publiée » ; seul un brouillon") for f in
               flashes(again)), flashes(again)

"""The admin in French: chosen by the browser's Accept-Language, or by the author's pick
in their profile (kept in the session), else English; dates and numbers in the locale."""

from __future__ import annotations

import re
from datetime import datetime

from flask import g

from guide import i18n
from guide.services import environments
from tests import factories
from tests.authoring.conftest import AdminClient, csrf_token
from tests.authoring.forms_util import soup

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def text(response) -> str:
    return soup(response.get_data(as_text=True)).get_text(" ", strip=True)


def test_the_sign_in_page_follows_the_browser_language(app, authors):
    client = app.test_client()
    french = client.get("/admin/login", headers=FR)
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert "Se connecter" in text(french) and "Sign in" not in text(french)
    english = client.get("/admin/login", headers={"Accept-Language": "de, en;q=0.5"})
    assert 'lang="en"' in english.get_data(as_text=True) and "Sign in" in text(english)


def test_the_guides_list_reads_in_french(app, as_role):
    page = as_role("author").get("/admin/w/demo/", headers=FR)
    body = soup(page.get_data(as_text=True))
    nav = [a.get_text(strip=True) for a in body.select("nav.mainnav a")]
    assert nav == ["Guides", "Comptes", "Scénarios", "Traductions", "Statistiques",
                   "Environnements", "Thème"]
    assert body.select_one("h1").get_text(strip=True) == "Guides"
    heads = [th.get_text(strip=True) for th in body.select("[data-testid=guide-list] th")]
    assert heads == ["Guide", "Type", "En ligne", "Statut", "Dernière modification"]
    assert "Nouveau guide" in text(page) and "Se déconnecter partout" in text(page)
    assert "version 1" in text(page) and "à jour" in text(page)


def test_the_analytics_dashboard_reads_in_french(app, as_role):
    page = text(as_role("viewer").get("/admin/w/demo/analytics", headers=FR))
    assert "Les chiffres sont des utilisateurs uniques sur la période" in page
    assert "Jalons et cycle de vie" in page and "Portefeuille de comptes" in page
    assert "Counts are unique users" not in page


def test_a_flash_after_saving_is_in_french(app, as_role):
    admin = as_role("admin")
    saved = admin.post("/admin/w/demo/settings", {"preview_url": "https://app.example.com/"},
                       headers=FR, follow_redirects=True)
    flashes = [p.get_text(strip=True) for p in soup(saved.get_data(as_text=True)).select(".flash")]
    assert flashes == ["Paramètres enregistrés."]


def test_a_wrong_password_is_refused_in_french(app, authors):
    client = app.test_client()
    page = client.post("/admin/login", headers=FR, data={
        "email": "viewer@example.com", "password": "nope", "csrf_token": csrf_token(client)})
    assert "E-mail ou mot de passe incorrect." in text(page)


def test_the_profile_picker_wins_over_the_browser_and_is_kept(app, authors):
    admin = AdminClient(app.test_client(), "admin@example.com")
    profile = soup(admin.get("/admin/profile").get_data(as_text=True))
    options = {o["value"]: o.get_text() for o in profile.select("[data-testid=language] option")}
    assert options == {"en": "English", "fr": "Français"}
    saved = admin.post("/admin/language", {"locale": "fr"}, follow_redirects=True)
    assert "Langue enregistrée." in text(saved)
    # No Accept-Language at all: the pick decides.
    assert "Comptes" in text(admin.get("/admin/w/demo/"))
    admin.post("/admin/language", {"locale": "en"}, headers=FR)
    # The browser asks for French; the pick (English) wins.
    page = text(admin.get("/admin/w/demo/", headers=FR))
    assert "Accounts" in page and "Comptes" not in page


def test_an_unknown_language_is_a_400_and_changes_nothing(app, authors):
    admin = AdminClient(app.test_client(), "admin@example.com")
    refused = admin.post("/admin/language", {"locale": "xx"})
    assert refused.status_code == 400
    assert "Accounts" in text(admin.get("/admin/w/demo/"))


def test_the_support_inbox_reads_in_french(app, as_role):
    page = text(as_role("admin").get("/support/w/demo/escalations", headers=FR))
    assert "Escalades" in page and "Demandées par les utilisateurs" in page


def test_dates_and_numbers_follow_the_locale(app):
    moment = datetime(2026, 3, 4, 9, 5)
    with app.test_request_context(headers=FR):
        assert i18n.when(moment) == "4 mars 2026 09:05 UTC"
        assert i18n.percent(0.125) == "12,5\u00a0%"
    g.pop("_flask_babel", None)  # Flask-Babel keeps the locale on g: the fixture's app context
    with app.test_request_context():
        assert i18n.when(moment) == "2026-03-04 09:05 UTC"
        assert i18n.percent(0.125) == "12.5%"


def test_a_french_page_shows_french_dates(app, as_role):
    cell = soup(as_role("author").get("/admin/w/demo/", headers=FR).get_data(as_text=True)
                ).select_one("[data-testid=guide-list] tbody tr td:nth-of-type(5)")
    # "6 déc. 2026 11:30 UTC", not "2026-12-06 11:30 UTC".
    assert re.match(r"\d{1,2} \w+\.? \d{4} \d{2}:\d{2} UTC", cell.get_text(" ", strip=True))


def test_the_environments_page_and_its_flash_read_in_french(app, workspace, as_role):
    admin = as_role("admin")
    page = text(admin.get("/admin/w/demo/environments", headers=FR))
    assert "Nouvel environnement" in page and "Origines autorisées" in page
    assert "New environment" not in page
    created = admin.post("/admin/w/demo/environments", {"name": "qa"}, headers=FR,
                         follow_redirects=True)
    assert "Environnement qa créé : sa clé d'application est demo-qa." in text(created)


def test_the_promote_page_reads_in_french(app, workspace, as_role):
    staging = environments.create("test", workspace, {"name": "staging"})
    factories.publish(staging, factories.checklist_body("onboarding"))
    page = text(as_role("publisher").get("/admin/w/demo/promote?from=staging", headers=FR))
    assert "Promouvoir 1 guide vers" in page and "ajouté" in page
    assert "Ce qui est publié dans staging" in page and "Promote 1 guide" not in page


def test_the_translations_page_and_its_refusal_read_in_french(app, workspace, as_role):
    author = as_role("author")
    page = text(author.get("/admin/w/demo/translations", headers=FR))
    assert "Envoyer des traductions" in page and "Ajouter une langue" in page
    assert "Upload translations" not in page
    refused = author.post("/admin/w/demo/translations/import", {}, headers=FR)
    assert refused.status_code == 400
    assert "Choisissez un fichier XLIFF (.xlf) ou PO (.po) à envoyer." in text(refused)
    wrong = author.get("/admin/w/demo/translations/export?locale=fr&format=docx", headers=FR)
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["message"] == (
        "le format doit être l'un des suivants : xliff, po.")


def test_the_theme_page_and_its_preview_read_in_french(app, workspace, as_role):
    admin = as_role("admin")
    page = text(admin.get("/admin/w/demo/theme", headers=FR))
    assert "Forme et texte" in page and "Toujours sombre" in page and "En bas à droite" in page
    assert "Shape and text" not in page
    preview = admin.get("/admin/w/demo/theme/preview", headers=FR).get_data(as_text=True)
    assert 'lang="fr"' in preview and "Votre produit" in soup(preview).get_text()
    saved = admin.post("/admin/w/demo/theme", {"mode": "light"}, headers=FR, follow_redirects=True)
    assert "Thème enregistré : les utilisateurs le verront au prochain démarrage du widget." in (
        text(saved))

"""The admin's and support inbox's own language (Flask-Babel).

Which language a page reads in: the one the author picked in their profile
(kept in the session, so it holds across sign-ins in that browser and needs no
column), else the browser's ``Accept-Language``, else English. Catalogs live in
``guide/translations/<locale>/LC_MESSAGES/messages.po``; the ``.mo`` files are
compiled from them (``make setup``, ``make translations``, the test suite), never
committed, so the ``.po`` is the one source. The widget's own words are not here:
guide/services/strings.py sends them with the bootstrap.
"""

from __future__ import annotations

import os
from datetime import datetime

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, format_date, format_percent, format_time, get_locale

# The languages the admin reads in, by code, each named in its own language for the
# picker. English is the source language (the msgids), so it needs no catalog.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
SESSION_KEY = "admin_locale"
TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")

babel = Babel()


def N_(word: str) -> str:  # noqa: N802 - gettext's name for "extract, do not translate yet"
    """Marks a word for extraction that a template translates later as ``_(value)``."""
    return word


# Words that reach ``_()`` as values (a version's state, an HTTP error's name, a report's
# unit), listed so that extraction finds them and the catalog test holds them to account.
DYNAMIC_WORDS = (
    N_("draft"), N_("published"), N_("archived"),
    N_("open"), N_("acknowledged"), N_("resolved"),
    N_("All"), N_("Asked by users"), N_("Proactive"),
    N_("day"), N_("week"), N_("user"), N_("account"),
    N_("Bad Request"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"),
    N_("Too Many Requests"), N_("Internal Server Error"), N_("Unauthorized"), N_("Conflict"),
    N_("added"), N_("changed"), N_("unchanged"), N_("only in target"),
)


def select_locale() -> str:
    """The author's pick, else the best match for the browser's languages, else English."""
    if not has_request_context():
        return "en"
    picked = session.get(SESSION_KEY)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(list(LANGUAGES), default="en") or "en"


def remember_locale(locale: str) -> bool:
    """Saves the author's pick for this browser; False (nothing saved) for an unknown code."""
    if locale not in LANGUAGES:
        return False
    session[SESSION_KEY] = locale
    return True


def when(value: datetime) -> str:
    """A UTC time as the admin writes it: ``2026-03-04 09:05 UTC`` in English (sortable,
    and what CSV exports and tests read), the locale's own date and time elsewhere
    (``4 mars 2026 09:05 UTC``)."""
    if str(get_locale()) == "en":
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return f"{format_date(value, 'medium')} {format_time(value, 'short')} UTC"


def percent(value: float) -> str:
    """A share with one decimal, in the locale's way: ``12.5%``, ``12,5 %``."""
    pattern = get_locale().percent_formats[None].pattern  # "#,##0%", "#,##0\u00a0%"
    return format_percent(value, pattern.replace("0", "0.0", 1) if "." not in pattern
                          else pattern)


def init_app(app: Flask) -> None:
    """Binds Flask-Babel: ``_``/``gettext``/``ngettext`` and ``format_*`` in templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"admin_languages": LANGUAGES, "current_locale": lambda: str(get_locale())}

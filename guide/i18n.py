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
from typing import Any

from babel.numbers import get_decimal_symbol, get_minus_sign_symbol, get_plus_sign_symbol
from babel.units import format_unit
from flask import Flask, has_request_context, request, session
from flask_babel import (
    Babel,
    format_date,
    format_percent,
    format_time,
    get_locale,
    gettext,
    ngettext,
)

from guide import wording
from guide.errors import GuideError
from guide.wording import N_

# The languages the admin reads in, by code, each named in its own language for the
# picker. English is the source language (the msgids), so it needs no catalog.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
SESSION_KEY = "admin_locale"
TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")

babel = Babel()


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


def decimal(value: float, *, sign: bool = False) -> str:
    """One decimal (with its sign if ``sign``) in the locale's symbols: ``-8.3``, ``-8,3``.
    Python rounds, as the English pages and the CSV exports always have."""
    text = f"{value:+.1f}" if sign else f"{value:.1f}"
    locale = get_locale()
    return (text.replace(".", get_decimal_symbol(locale))
            .replace("-", get_minus_sign_symbol(locale)).replace("+", get_plus_sign_symbol(locale)))


def duration(seconds: float) -> str:
    """A duration in its two largest units, with CLDR's narrow unit names: ``3d 4h``,
    ``2h 5m``, ``40s`` in English, ``3j 4h``, ``2h 5min`` in French."""
    days, rest = divmod(max(int(seconds), 0), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    parts = ([(days, "day"), (hours, "hour")] if days else
             [(hours, "hour"), (minutes, "minute")] if hours else
             [(minutes, "minute")] if minutes else [(rest, "second")])
    return " ".join(format_unit(n, f"duration-{unit}", length="narrow", locale=get_locale())
                    for n, unit in parts)


def localize(text: Any) -> Any:
    """A service's ``Message`` (guide/wording.py) in the page's language; other text as it
    is. Lists and dicts (a form's field errors) item by item. Also a template filter."""
    return wording.translate(text, gettext, ngettext)


def error_text(error: GuideError) -> str:
    """What the admin flashes for a service's error: its message, then each field's
    problems (``name: problem``), in the page's language."""
    def said(problems: Any) -> str:
        return " ".join(map(str, problems)) if isinstance(problems, list) else str(problems)

    details = " ".join(gettext("%(field)s: %(problems)s", field=name,
                               problems=said(localize(problems)))
                       for name, problems in (error.fields or {}).items())
    return f"{localize(error.message)} {details}".strip()


def init_app(app: Flask) -> None:
    """Binds Flask-Babel: ``_``/``gettext``/``ngettext`` and ``format_*`` in templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(localize, "localize")

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"admin_languages": LANGUAGES, "current_locale": lambda: str(get_locale())}

"""The widget's own words (buttons, counts) in the user's language.

Sent with the bootstrap so the widget bundle carries no translations. Keys
match ``DEFAULT_STRINGS`` in static/widget/src/i18n.ts; a test keeps them in
step. Placeholders such as ``{done}`` are filled in by the widget.
"""

from __future__ import annotations

from functools import lru_cache

from guide.services.localize import localize

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "launcher_name": "Onboarding checklist",
        "get_started": "Get started",
        "steps_done": "{done} of {total} steps done",
        "mark_done": "Mark done",
        "open": "Open",
        "close": "Close",
        "checklists": "Checklists",
        "all_done": "All done! You have completed every step.",
        "need_help": "Need help?",
        "done_suffix": "(done)",
        "save_failed": "Could not save this step. Please try again.",
        "back": "Back",
        "next": "Next",
        "done": "Done",
        "skip_tour": "Skip tour",
        "later": "Later",
        "step_of": "{current} of {total}",
    },
    "fr": {
        "launcher_name": "Liste de démarrage",
        "get_started": "Bien démarrer",
        "steps_done": "{done} étape(s) sur {total}",
        "mark_done": "Marquer comme fait",
        "open": "Ouvrir",
        "close": "Fermer",
        "checklists": "Listes",
        "all_done": "Terminé ! Vous avez accompli toutes les étapes.",
        "need_help": "Besoin d'aide ?",
        "done_suffix": "(fait)",
        "save_failed": "Impossible d'enregistrer cette étape. Réessayez.",
        "back": "Retour",
        "next": "Suivant",
        "done": "Terminer",
        "skip_tour": "Passer la visite",
        "later": "Plus tard",
        "step_of": "{current} sur {total}",
    },
    "de": {
        "launcher_name": "Einführungs-Checkliste",
        "get_started": "Loslegen",
        "steps_done": "{done} von {total} Schritten erledigt",
        "mark_done": "Als erledigt markieren",
        "open": "Öffnen",
        "close": "Schließen",
        "checklists": "Checklisten",
        "all_done": "Geschafft! Sie haben alle Schritte erledigt.",
        "need_help": "Hilfe nötig?",
        "done_suffix": "(erledigt)",
        "save_failed": "Dieser Schritt konnte nicht gespeichert werden. Bitte erneut versuchen.",
        "back": "Zurück",
        "next": "Weiter",
        "done": "Fertig",
        "skip_tour": "Tour überspringen",
        "later": "Später",
        "step_of": "{current} von {total}",
    },
    "es": {
        "launcher_name": "Lista de bienvenida",
        "get_started": "Empezar",
        "steps_done": "{done} de {total} pasos hechos",
        "mark_done": "Marcar como hecho",
        "open": "Abrir",
        "close": "Cerrar",
        "checklists": "Listas",
        "all_done": "¡Listo! Has completado todos los pasos.",
        "need_help": "¿Necesitas ayuda?",
        "done_suffix": "(hecho)",
        "save_failed": "No se pudo guardar este paso. Inténtalo de nuevo.",
        "back": "Atrás",
        "next": "Siguiente",
        "done": "Listo",
        "skip_tour": "Saltar el recorrido",
        "later": "Más tarde",
        "step_of": "{current} de {total}",
    },
}


@lru_cache(maxsize=256)
def widget_strings(locale: str, default_locale: str) -> dict[str, str]:
    """Every key in the best language available for ``locale``, English as the last resort."""
    return {
        key: localize({lang: table[key] for lang, table in STRINGS.items()}, locale,
                      default_locale if default_locale in STRINGS else "en") or english
        for key, english in STRINGS["en"].items()
    }

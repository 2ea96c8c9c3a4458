"""Words the services say that the admin shows in its reader's language.

The services cannot import Flask-Babel (layers point down), and the API, the CLI and
the logs read English. So a service says what it means as a ``Message``: a ``str``
holding the English text (what JSON, the CLI, ``str()`` and ``==`` see, so nothing
downstream changes) that also keeps its marked template and parameters. The admin's
edge translates it with ``guide.i18n.localize`` (the catalog's ``gettext`` of the
template, then the parameters, themselves localized when they are Messages).

``N_`` and ``ngettext`` here translate nothing: they build Messages and mark their
templates for ``make translations`` (babel.cfg lists the packages that use them).
Templates use ``%(name)s`` placeholders, as the admin's own strings do; as with
Flask-Babel's ``gettext``, a template is formatted only when it has parameters (so a
template without them is written as it reads: "%20", not "%%20").
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """English text that remembers how to say it in another language."""

    template: str
    plural: str | None
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any] | None = None,
                plural: str | None = None) -> Message:
        params = dict(params or {})
        chosen = template if plural is None or params.get("num") == 1 else plural
        text = super().__new__(cls, chosen % params if params else chosen)
        text.template, text.plural, text.params = template, plural, params
        return text

    def format(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        """Marshmallow's validators ``format`` their ``error=`` with the input: a Message
        without braces stays itself (and translatable)."""
        return self if "{" not in self else super().format(*args, **kwargs)

    def __getnewargs__(self) -> tuple[Any, ...]:  # type: ignore[override]
        return (self.template, self.params, self.plural)


def N_(template: str, /, **params: Any) -> Message:  # noqa: N802 - gettext's "translate later"
    """``template % params`` in English, translatable later; ``N_("word")`` is the word."""
    return Message(template, params)


def ngettext(singular: str, plural: str, num: int, /, **params: Any) -> Message:
    """The singular or plural by ``num`` (a ``%(num)d`` placeholder), translatable later."""
    return Message(singular, {**params, "num": num}, plural)


# Marshmallow's own messages (plain strings, not Messages) that reach admin forms,
# marked so that the admin translates them too.
LIBRARY_WORDS = frozenset((
    N_("Missing data for required field."), N_("Field may not be null."), N_("Invalid value."),
    N_("Not a valid string."), N_("Not a valid integer."), N_("Not a valid list."),
    N_("Not a valid boolean."), N_("Invalid type."), N_("Not a valid mapping type."),
    N_("Invalid input type."), N_("Unknown field."),
))


def translate(text: Any, gettext: Any, ngettext_: Any) -> Any:
    """``text`` in the language of the given catalog functions (Flask-Babel's, at the
    edge). Lists and dicts of Messages (a form's field errors) are translated item by
    item, marshmallow's LIBRARY_WORDS by their text; any other text is returned as it is."""
    if isinstance(text, Message):
        params = {k: translate(v, gettext, ngettext_) for k, v in text.params.items()}
        if text.plural is not None:
            num = params.pop("num")  # ngettext's own argument, and its %(num)d
            return ngettext_(text.template, text.plural, num, **params)
        return gettext(text.template) % params if params else gettext(text.template)
    if isinstance(text, str) and text in LIBRARY_WORDS:
        return gettext(text)
    if isinstance(text, list):
        return [translate(item, gettext, ngettext_) for item in text]
    if isinstance(text, dict):
        return {k: translate(v, gettext, ngettext_) for k, v in text.items()}
    return text

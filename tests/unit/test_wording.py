"""guide/wording.py: a service's Message reads English wherever a str goes (JSON, the
CLI, ``==``) and translates, parameters included, with the catalog functions it is given."""

from __future__ import annotations

import copy
import json
import pickle

from guide.wording import N_, Message, ngettext, translate

FRENCH = {"text %(fg)s on %(bg)s": "texte %(fg)s sur %(bg)s",
          "The theme was not saved: %(reason)s": "Thème refusé : %(reason)s",
          "Unknown field.": "Champ inconnu."}


def gettext(text: str) -> str:
    return FRENCH.get(text, text)


def ngettext_(singular: str, plural: str, num: int, **params: object) -> str:
    return ("%(num)d problème" if num <= 1 else "%(num)d problèmes") % {**params, "num": num}


def test_a_message_is_its_english_text_and_survives_copies():
    reason = N_("text %(fg)s on %(bg)s", fg="#bbb", bg="#fff")
    message = N_("The theme was not saved: %(reason)s", reason=reason)
    assert message == "The theme was not saved: text #bbb on #fff"
    assert isinstance(message, str) and json.dumps([message]) == json.dumps([str(message)])
    for clone in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert isinstance(clone, Message) and clone.params == message.params
    assert N_("encode them (%20).") == "encode them (%20)."  # no parameters: not formatted


def test_translate_fills_translated_templates_with_translated_parameters():
    message = N_("The theme was not saved: %(reason)s",
                 reason=N_("text %(fg)s on %(bg)s", fg="#bbb", bg="#fff"))
    assert translate(message, gettext, ngettext_) == "Thème refusé : texte #bbb sur #fff"
    fields = {"text": [N_("text %(fg)s on %(bg)s", fg="#1", bg="#2")], "x": ["Unknown field."]}
    assert translate(fields, gettext, ngettext_) == {"text": ["texte #1 sur #2"],
                                                     "x": ["Champ inconnu."]}
    assert translate("plain text", gettext, ngettext_) == "plain text"


def test_plurals_read_english_and_choose_the_form_by_count():
    one, three = (ngettext("%(num)d problem", "%(num)d problems", n) for n in (1, 3))
    assert (one, three) == ("1 problem", "3 problems")
    assert translate(three, gettext, ngettext_) == "3 problèmes"

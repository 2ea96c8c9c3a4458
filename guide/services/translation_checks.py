"""What a translation must keep from its source: placeholders and Markdown link targets.

A translated ``{name}`` that lost its braces shows users a raw word; a link
whose target a translator "translated" sends them nowhere. Both are caught at
import, with the unit's line, instead of in front of users.
"""

from __future__ import annotations

import re
from collections import Counter

from guide.wording import N_

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*\}")
# Inline links and images ``[text](target "title")`` and autolinks ``<https://...>``.
LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)"
                         r"|<((?:https?|mailto):[^>\s]+)>")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def link_targets(text: str) -> Counter[str]:
    return Counter(inline or auto for inline, auto in LINK_TARGET.findall(text))


def _listed(items: Counter[str]) -> str:
    return ", ".join(sorted(items.elements()))


def problems(source: str, target: str) -> list[str]:
    """Why ``target`` cannot replace ``source`` (empty list: it can)."""
    if not target.strip():
        return [N_("The translation is empty.")]
    found = []
    wanted, got = placeholders(source), placeholders(target)
    if wanted - got:
        found.append(N_("Placeholder %(names)s is missing from the translation; keep it as it "
                        "is in the source.", names=_listed(wanted - got)))
    if got - wanted:
        found.append(N_("Placeholder %(names)s is not in the source; remove it.",
                        names=_listed(got - wanted)))
    links, translated = link_targets(source), link_targets(target)
    if links != translated:
        found.append(N_("Link targets changed: the source links to [%(source)s], the "
                        "translation to [%(translation)s]; translate the link text only.",
                        source=_listed(links), translation=_listed(translated)))
    return found

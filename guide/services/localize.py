"""Pick the right translation of author text for a user's locale.

Content keeps localized strings as authors wrote them: a plain string (one
language) or a ``{locale: text}`` map. Resolution happens at read time, so a
translation added later reaches users without touching their data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def normalize_tag(tag: str) -> str:
    """``fr_ca`` -> ``fr-ca``: tags compare case-insensitively, with hyphens (BCP 47)."""
    return tag.strip().replace("_", "-").lower()


def _fallbacks(tag: str | None) -> list[str]:
    """``zh-Hant-TW`` -> ``[zh-hant-tw, zh-hant, zh]`` (RFC 4647 lookup order)."""
    if not tag or not tag.strip():
        return []
    parts = normalize_tag(tag).split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _best(available: Iterable[str], requested: str | None) -> str | None:
    """The available tag (as spelled) best matching ``requested``, or None."""
    by_tag = {normalize_tag(tag): tag for tag in available}
    candidates = _fallbacks(requested)
    for candidate in candidates:
        if candidate in by_tag:
            return by_tag[candidate]
    if candidates:
        # A regional variant of the same language beats another language.
        language = candidates[-1]
        for normalized, tag in by_tag.items():
            if normalized.split("-")[0] == language:
                return tag
    return None


def localize(
    value: str | Mapping[str, str] | None, locale: str | None, default_locale: str
) -> str | None:
    """Resolve a localized string: exact tag, then its language, then the default, then any.

    Never fails: an untranslated string still shows something rather than nothing.
    """
    if value is None or isinstance(value, str):
        return value
    if not value:
        return None
    tag = _best(value.keys(), locale) or _best(value.keys(), default_locale)
    return value[tag] if tag is not None else next(iter(value.values()))


def _requested_tags(requested: str) -> list[str]:
    """Tags from ``fr-CA`` or an Accept-Language value (``fr-CA,fr;q=0.9,en;q=0.5``)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(requested.split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def resolve_locale(requested: str | None, available: Iterable[str], default: str) -> str:
    """The locale to serve a user: the best available match for ``requested``, else ``default``."""
    tags = list(available)
    for tag in _requested_tags(requested or ""):
        best = _best(tags, tag)
        if best is not None:
            return best
    return default

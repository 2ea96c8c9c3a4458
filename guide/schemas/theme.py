"""The workspace theme (``workspace.yaml`` ``theme:``, the admin's theme page) and its
WCAG 2.2 AA contrast check (docs/CONTENT.md, "Theme").

One check for every way a theme arrives (content files, the content API, the admin
form): ``ThemeSchema`` refuses a palette whose text, button text or accent is
unreadable, naming the pair, its ratio and the minimum, against the field that would
fix it (so a content error points at its line).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from guide.schemas.base import StrictSchema
from guide.schemas.fields import COLOR, FONT, StrictInteger
from guide.wording import N_, Message

POSITIONS = ("bottom-right", "bottom-left", "top-right", "top-left")
MODES = ("auto", "light", "dark")
# What the widget paints when a colour is left out (static/widget/src/styles.ts and the
# dark palette of theme.ts): the check sees the colours users see.
DEFAULTS = {"accent": "#4f46e5", "background": "#ffffff", "text": "#1f2937"}
DARK_DEFAULTS = {"accent": "#5e5ce6", "background": "#111827", "text": "#f3f4f6"}
# Buttons and the launcher are white text on the accent (styles.ts).
BUTTON_TEXT = "#ffffff"
TEXT_MIN = 4.5  # WCAG 1.4.3, normal text
NON_TEXT_MIN = 3.0  # WCAG 1.4.11: the launcher and the focus ring against the background


def rgba(color: str) -> tuple[float, float, float, float]:
    """``#rgb``, ``#rgba``, ``#rrggbb`` or ``#rrggbbaa`` as channels in 0..1."""
    digits = color.lstrip("#")
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in range(0, len(digits), 2)]
    return (channels[0], channels[1], channels[2], channels[3] if len(channels) == 4 else 1.0)


def _over(top: str, under: tuple[float, float, float]) -> tuple[float, float, float]:
    """``top`` composited over an opaque ``under`` (a translucent colour shows what is behind)."""
    r, g, b, a = rgba(top)
    return (r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a))


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio (1 to 21) of two hex colours; a translucent background is
    taken over white, a translucent foreground over the background."""
    under = _over(background, (1.0, 1.0, 1.0))
    lighter, darker = sorted((luminance(_over(foreground, under)), luminance(under)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _ratio(value: float) -> str:
    # Truncated, not rounded: 4.499 must not read "4.50:1; needs 4.5:1".
    return f"{int(value * 100) / 100:.2f}"


def contrast_problems(palette: dict[str, str]) -> dict[str, Message]:
    """The unreadable pairs of a full palette (accent, background, text), keyed by the
    field to change: ``{"text": "text #999 on #fff is 2.84:1; needs 4.5:1"}``."""
    accent, background, text = palette["accent"], palette["background"], palette["text"]
    pairs = [("text", N_("text %(fg)s on %(bg)s is %(ratio)s:1; needs %(need)s:1 (WCAG 2.2 AA)."),
              text, background, TEXT_MIN),
             ("accent", N_("button text %(fg)s on %(bg)s is %(ratio)s:1; needs %(need)s:1 "
                           "(WCAG 2.2 AA)."), BUTTON_TEXT, accent, TEXT_MIN),
             ("accent", N_("accent %(fg)s on %(bg)s is %(ratio)s:1; needs %(need)s:1 "
                           "(WCAG 2.2 AA)."), accent, background, NON_TEXT_MIN)]
    problems: dict[str, Message] = {}
    for field, words, fg, bg, minimum in pairs:
        ratio = contrast(fg, bg)
        if ratio < minimum and field not in problems:
            problems[field] = N_(words, fg=fg, bg=bg, ratio=_ratio(ratio), need=f"{minimum:g}")
    return problems


class LauncherSchema(StrictSchema):
    position = fields.String(validate=validate.OneOf(POSITIONS))
    label = fields.String(validate=validate.Length(1, 40))


class PaletteSchema(StrictSchema):
    """Three colours; as ``dark:``, each left out is the built-in dark palette's."""

    accent = fields.String(validate=COLOR)
    background = fields.String(validate=COLOR)
    text = fields.String(validate=COLOR)


class ThemeSchema(PaletteSchema):
    radius = StrictInteger(validate=validate.Range(0, 32))
    font = fields.String(validate=FONT)
    launcher = fields.Nested(LauncherSchema)
    # auto: the dark colours when the user's system prefers dark (only with a ``dark:``).
    mode = fields.String(validate=validate.OneOf(MODES))
    dark = fields.Nested(PaletteSchema)

    @validates_schema(skip_on_field_errors=True)
    def check_contrast(self, data: dict[str, Any], **_: Any) -> None:
        light = contrast_problems({**DEFAULTS, **_colours(data)})
        errors: dict[str, Any] = {field: [text] for field, text in light.items()}
        if "dark" in data or data.get("mode") == "dark":
            dark = contrast_problems({**DARK_DEFAULTS, **_colours(data.get("dark") or {})})
            if dark:
                errors["dark"] = {field: [text] for field, text in dark.items()}
        if errors:
            raise ValidationError(errors)


def _colours(data: dict[str, Any]) -> dict[str, str]:
    return {k: data[k] for k in DEFAULTS if k in data}

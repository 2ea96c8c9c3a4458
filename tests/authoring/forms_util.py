"""Read a rendered admin form the way a browser would submit it."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

ONE_LINE = ("text", "search", "url", "tel", "email", "password")


def form_data(html: str, selector: str = "form#editor") -> dict[str, str]:
    """Every successful control of the form: inputs, selected options, textareas."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no {selector} in the page"
    data: dict[str, str] = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        if field.find_parent("template") is not None or field.has_attr("disabled"):
            continue
        name = field["name"]
        if field.name == "textarea":
            # Browsers drop the one newline that follows <textarea>.
            data[name] = field.text[1:] if field.text.startswith("\n") else field.text
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen.get("value", chosen.text) if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type", "text") in ONE_LINE:
            # A one-line input's value sanitization strips newlines (HTML, "Text state").
            data[name] = field.get("value", "").replace("\r", "").replace("\n", "")
        else:
            data[name] = field.get("value", "")
    return data


def soup(html: str) -> Any:
    return BeautifulSoup(html, "html.parser")

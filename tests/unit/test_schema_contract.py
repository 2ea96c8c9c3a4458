"""One definition per contract: one strict schema base, one slug.

``guide.schemas.base.StrictSchema`` is the only place that says what happens to
an unknown key (it is refused); ``guide.schemas.fields.SLUG_PATTERN`` is the only
spelling of a slug, in Python and in the admin's templates alike.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from marshmallow import Schema, ValidationError, fields

import guide.schemas
from guide.schemas import backend, base, help_api, proactive, widget
from guide.schemas import fields as shared
from guide.schemas.base import StrictSchema

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "guide"


def _schema_classes() -> list[type[Schema]]:
    for module in pkgutil.iter_modules(guide.schemas.__path__, "guide.schemas."):
        importlib.import_module(module.name)
    found, todo = [], [Schema]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("guide."):
                found.append(cls)
    return found


def test_only_the_strict_base_sets_unknown_handling() -> None:
    classes = _schema_classes()
    assert StrictSchema in classes
    strays = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes
              if cls is not StrictSchema and "unknown" in vars(cls.__dict__.get("Meta", object))]
    assert not strays, f"Meta.unknown set outside schemas/base.py: {strays}"


def test_no_load_or_schema_passes_its_own_unknown() -> None:
    """``Schema(unknown=...)``, ``.load(..., unknown=...)`` or ``Meta.unknown`` anywhere but
    the base would give one payload two meanings."""
    strays = []
    for path in sorted(GUIDE.rglob("*.py")):
        if path == GUIDE / "schemas" / "base.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            keywords = node.keywords if isinstance(node, ast.Call) else []
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(k.arg == "unknown" for k in keywords) or any(
                    isinstance(t, ast.Name) and t.id == "unknown" for t in targets):
                strays.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not strays, f"unknown-handling outside schemas/base.py: {strays}"


def test_every_api_body_and_query_loads_through_the_strict_base(app) -> None:
    loaded = []
    for name, view in app.view_functions.items():
        for method in getattr(getattr(view, "view_class", None), "methods", None) or ():
            handler = getattr(view.view_class, method.lower())
            for parameter in getattr(handler, "_apidoc", {}).get("arguments", {}).get(
                    "parameters", []):
                loaded.append((f"{name} {method}", parameter["schema"]))
    assert len(loaded) >= 10
    loose = [where for where, schema in loaded if not isinstance(schema, StrictSchema)
             and not (isinstance(schema, type) and issubclass(schema, StrictSchema))]
    assert not loose, f"API arguments not loaded by a StrictSchema: {loose}"


def test_unknown_keys_are_refused_at_every_level() -> None:
    with pytest.raises(ValidationError) as error:
        widget.BootstrapIn().load({"app": "demo", "user": {"id": "u", "extra": 1}})
    assert error.value.messages == {"user": {"extra": ["Unknown field."]}}


class _Plain(StrictSchema):
    text = fields.String()


class _Wire(StrictSchema):
    CHECK_STORABLE = True
    text = fields.String()


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"])
def test_check_storable_refuses_what_json_storage_cannot_keep(value: str) -> None:
    assert _Plain().load({"text": value}) == {"text": value}
    with pytest.raises(ValidationError):
        _Wire().load({"text": value})


def test_payloads_stored_as_they_come_are_checked() -> None:
    for schema in (widget.BootstrapIn, widget.UserIn, widget.AccountIn, widget.EnvelopeBase,
                   widget.StepCompleteIn, widget.BatchIn, widget.EnvelopeItem,
                   backend.TrackCall, backend.IdentifyCall, backend.GroupCall,
                   backend.BatchRequest, help_api.HelpQuery):
        assert schema.CHECK_STORABLE, schema
    assert base.unstorable({"a": [1, 2**63]}) == "Integers must fit in 64 bits."


# ---------------------------------------------------------------- one slug


def test_one_slug_validator() -> None:
    assert widget.SLUG is shared.SLUG
    assert help_api.SLUG is shared.SLUG
    assert proactive.SLUG is shared.SLUG


@pytest.mark.parametrize("value", ["connect-data", "a", "step_2", "9lives", "a" * 100])
def test_slugs_are_accepted(value: str) -> None:
    shared.SLUG(value)
    shared.STEP_REF(f"{value}/{value}")


@pytest.mark.parametrize("value", ["", "-a", "_a", "Connect", "a b", "a/b", "é", "a" * 101])
def test_other_strings_are_not_slugs(value: str) -> None:
    with pytest.raises(ValidationError):
        shared.SLUG(value)


def test_the_slug_is_spelled_once() -> None:
    """No other regex in the package or the admin's templates spells a slug out."""
    spelled = ("[a-z0-9][a-z0-9_-]", "[a-z0-9][a-z0-9_\\-]")
    strays = [f"{path.relative_to(ROOT)}:{number}"
              for path in sorted([*GUIDE.rglob("*.py"), *GUIDE.rglob("*.html")])
              for number, line in enumerate(path.read_text().splitlines(), 1)
              if any(s in line for s in spelled)
              and not (path == GUIDE / "schemas" / "fields.py" and "SLUG_START =" in line)]
    assert not strays, f"a slug pattern outside schemas/fields.py: {strays}"

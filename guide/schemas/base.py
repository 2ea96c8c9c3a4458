"""The one base of every schema that loads input: ``StrictSchema``.

Content files, the widget's bodies and envelopes, backend calls and query
strings all load through it, so there is one answer to "what happens to a key
the schema does not know": it is refused (``400 invalid_payload`` naming it,
or a content error with its line). No other schema sets ``unknown``
(tests/unit/test_schema_contract.py).
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, pre_load

# Nesting anywhere in a payload: traits and props are flat-ish, and a deeper
# structure (hundreds of levels over the socket) would exhaust recursion later.
MAX_DEPTH = 16
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_INT = 2**63


def unstorable(value: Any) -> str | None:
    """What in ``value`` cannot be stored as JSON text, or None.

    NUL characters and lone surrogates (PostgreSQL refuses both in text and
    JSONB), NaN or Infinity (Python's JSON parser accepts them, JSON has not),
    integers beyond 64 bits, and nesting deeper than ``MAX_DEPTH``. Iterative,
    so no payload can exhaust the stack here.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "Text must not contain NUL (\\u0000) characters."
            if LONE_SURROGATE.search(item):
                return "Text must be valid Unicode (no lone surrogates such as \\ud800)."
        elif isinstance(item, float) and not math.isfinite(item):
            return "Numbers must be finite (no NaN or Infinity)."
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) >= MAX_INT:
            return "Integers must fit in 64 bits."
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return f"Values may be nested at most {MAX_DEPTH} levels deep."
            items = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in reversed(items))
    return None


class StrictSchema(Schema):
    """Unknown keys raise, at every level (nested schemas are StrictSchemas too).

    ``RAISE`` is marshmallow's default as well; it is spelled out so that the
    contract does not hang on a library default. It also makes apispec document
    the schema with ``additionalProperties: false``.

    ``CHECK_STORABLE = True`` (the widget's bodies and envelopes, backend calls,
    the widget's query strings: payloads stored as they come) refuses, before any
    field loads, a payload holding what JSON storage cannot keep (``unstorable``).
    Content files leave it off: their YAML loader reports the same problems with
    line numbers (guide/content/yamlfile.py).
    """

    CHECK_STORABLE: ClassVar[bool] = False

    class Meta:
        unknown = RAISE

    # The name matters: marshmallow runs a class's pre_load hooks in the order of
    # their names, and a subclass's ``_segment`` renaming (schemas/backend.py) runs first.
    @pre_load
    def _storable(self, data: Any, **_: Any) -> Any:
        if self.CHECK_STORABLE:
            problem = unstorable(data)
            if problem:
                raise ValidationError(problem)
        return data

"""How API bodies are read: webargs' Flask parser, with JSON nesting bounded
before the text is parsed.

Python's JSON parser recurses once per level: a body of a few kilobytes of
``[[[[...`` reaches the interpreter's recursion limit and was a 500. Counting
brackets outside strings first (two C-speed substitutions, then a loop over the
brackets alone) refuses it with the usual 400 ``invalid_payload``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MAX_BODY_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")


def nesting(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text."""
    deepest = depth = 0
    for byte in _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", body)):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


class GuideParser(FlaskParser):
    """Refuses JSON nested deeper than ``MAX_BODY_DEPTH`` before parsing it, and a body the
    parser itself rejects (a 5,000-digit integer) as invalid JSON rather than a 500."""

    # What guide/errors.py answers a body or query that does not validate (400
    # invalid_payload); flask-smorest documents this status on every @arguments.
    DEFAULT_VALIDATION_STATUS = 400
    # webargs excludes unknown query keys by default; here the query leaves it to the
    # schema, and StrictSchema refuses them (a misspelt ``?stat=`` is a 400 naming it, not
    # a report of the default range).
    # (Headers and cookies keep EXCLUDE: a request always carries ones no schema names.)
    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        return self._parse(req)

    def _parse(self, req: Any) -> Any:
        body = req.get_data(cache=True)
        if nesting(body) > MAX_BODY_DEPTH:
            raise json.JSONDecodeError(
                f"JSON nested more than {MAX_BODY_DEPTH} levels deep.", "<body>", 0)
        try:
            return core.parse_json(body)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as err:  # 5,000-digit integers, and the like
            raise json.JSONDecodeError(str(err).split(";")[0], "<body>", 0) from err


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with Guide's body parser."""

    ARGUMENTS_PARSER = GuideParser()

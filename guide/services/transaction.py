"""The transaction owner's half of a service function: all or nothing.

A service function that is an admin action's whole job (invite a member, set a
role) commits at its end. ``owns_transaction`` makes it also the one that
rolls back when it refuses, so a half-made change never lingers in the
session for the edge to clean up: views, socket handlers and CLI commands
never commit or roll back themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from guide.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def owns_transaction(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return run

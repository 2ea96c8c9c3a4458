"""Report filters: a segment written in the audience rule syntax, and a locale
(docs/ANALYTICS.md, "Filters").

A report given a ``Filters`` counts only the users it matches:

- ``segment``: an audience rule (docs/CONTENT.md, "Audience rules") on the
  user's traits and their account's (``account.NAME``), given as text in the
  YAML flow syntax authors write in a guide's ``audience`` (JSON is the same
  text): ``{trait: plan, in: [trial, pro]}``. ``url`` conditions are refused:
  a report's user has no current page. Dates stay text (``2025-01-31``), as
  in content files.
- ``locale``: a BCP 47 tag; case-insensitive, and a bare language (``fr``)
  also matches its regional tags (``fr-CA``).

The locale is a SQL condition on ``end_user``. The segment is evaluated in
Python by ``guide.services.audience.matches``, the evaluator bootstrap uses,
so a segment means exactly what the same rule means in a guide's audience
(types not coerced, relative dates, list traits); a SQL translation of every
operator on SQLite and PostgreSQL would be a second evaluator to keep equal.
The bound: the users the locale leaves are read in pages of ``PAGE`` (id,
traits, account traits), at most ``MAX_SCAN`` of them; a segment over a
larger workspace is refused (400 ``invalid_filter``) with a message asking
for a locale to narrow it.

How each report applies the matched ids is documented with the report.
Other reports use ``Filters.parse(segment, locale)`` and
``filters.user_ids(workspace)`` (``None``: no filter, every user); the reports
that aggregate in SQL restrict their queries with ``among(column, users)``
and ``accounts_among(column, users)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import yaml

from guide.errors import GuideError
from guide.extensions import db
from guide.models import Account, EndUser, ScenarioFiring, Workspace
from guide.models.base import utcnow
from guide.schemas.audience import has_url, rule_errors
from guide.schemas.fields import LOCALE
from guide.services.audience import matches

MAX_TEXT = 2000
# Brackets deep (rules nest at most 8 levels, two brackets each): PyYAML recurses per level.
MAX_BRACKETS = 32
MAX_SCAN = 200_000
PAGE = 5000


class _Loader(yaml.SafeLoader):
    """Safe YAML whose timestamps stay text, as in content files (``after: 2025-01-31``)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def invalid_filter(field: str, message: str) -> GuideError:
    return GuideError(f"The {field} filter is invalid: {message}", code="invalid_filter",
                      fields={field: [message]})


def _flatten(errors: Any, path: str = "") -> list[str]:
    """``{"all": {1: {"in": ["..."]}}}`` as ``["all.1.in: ..."]``."""
    if isinstance(errors, list):
        return [f"{path}: {message}" if path else str(message) for message in errors]
    found: list[str] = []
    for key, nested in errors.items():
        name = "" if key == "_schema" else str(key)
        found += _flatten(nested, f"{path}.{name}".strip(".") if name else path)
    return found


def _brackets(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in the text (quotes not read: an upper bound)."""
    deepest = depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def among(column: Any, users: frozenset[int] | None) -> sa.ColumnElement[bool]:
    """SQL: ``column`` (a user id) is one of ``users``; None: no restriction. The ids are
    written into the statement, not bound: a segment may match more users than a driver
    takes parameters (SQLite 32,766, PostgreSQL 65,535)."""
    if users is None:
        return sa.true()
    if not users:
        return sa.false()
    return column.in_(sa.bindparam("filter_users", sorted(users), expanding=True,
                                   literal_execute=True, unique=True))


def accounts_among(column: Any, users: frozenset[int] | None) -> sa.ColumnElement[bool]:
    """SQL: ``column`` (an account id) is the account of at least one of ``users``."""
    if users is None:
        return sa.true()
    return column.in_(sa.select(EndUser.account_id).where(
        EndUser.account_id.is_not(None), among(EndUser.id, users)))


def firings_among(users: frozenset[int] | None) -> sa.ColumnElement[bool]:
    """SQL: a scenario firing for one of ``users``, or for the account of one of them."""
    if users is None:
        return sa.true()
    f = ScenarioFiring
    return sa.or_(sa.and_(f.subject_type == "user", among(f.subject_id, users)),
                  sa.and_(f.subject_type == "account", accounts_among(f.subject_id, users)))


@dataclass(frozen=True)
class Segment:
    """An audience rule over traits, and the text it was read from."""

    rule: dict[str, Any]
    text: str

    @classmethod
    def parse(cls, text: str) -> Segment:
        """The rule in ``text``, or 400 ``invalid_filter`` saying what is wrong."""
        if len(text) > MAX_TEXT:
            raise invalid_filter("segment", f"at most {MAX_TEXT} characters.")
        if _brackets(text) > MAX_BRACKETS:
            raise invalid_filter("segment", f"brackets nest at most {MAX_BRACKETS} deep.")
        try:
            events = list(yaml.parse(text, Loader=_Loader))
            if any(isinstance(event, yaml.AliasEvent) for event in events):
                raise invalid_filter("segment", "anchors and aliases are not allowed.")
            rule = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or "not valid YAML or JSON"
            raise invalid_filter("segment", f"{problem} (write a rule such as "
                                            "{trait: plan, eq: pro}).") from error
        errors = rule_errors(rule)
        if errors:
            raise invalid_filter("segment", " ".join(_flatten(errors)))
        if has_url(rule):
            raise invalid_filter("segment", "url conditions are not allowed: a report's "
                                            "users have no current page.")
        return cls(dict(rule), text)

    def matches(self, traits: Mapping[str, Any] | None, account_traits: Mapping[str, Any] | None,
                now: datetime) -> bool:
        return matches(self.rule, traits or {}, account_traits or {}, None, now)


def _locale(text: str) -> str:
    if not LOCALE.match(text):
        raise invalid_filter("locale", "not a locale tag (e.g. en, fr, fr-CA).")
    return text.lower()


@dataclass(frozen=True)
class Filters:
    """The users a report counts: those in ``segment`` (if any) with ``locale`` (if any)."""

    segment: Segment | None = None
    locale: str | None = None

    @classmethod
    def parse(cls, segment: str | None = None, locale: str | None = None) -> Filters:
        """From query values; empty or missing values filter nothing."""
        return cls(Segment.parse(segment) if segment else None,
                   _locale(locale) if locale else None)

    @property
    def active(self) -> bool:
        return self.segment is not None or self.locale is not None

    def args(self) -> dict[str, str]:
        """The query arguments that name these filters again."""
        found = {"segment": self.segment.text} if self.segment else {}
        return {**found, "locale": self.locale} if self.locale else found

    def tagged(self, report: dict[str, Any], users: frozenset[int] | None,
               **more: Any) -> dict[str, Any]:
        """A filtered report says so: its filters and how many users they match."""
        if users is None:
            return report
        return {**report, "filters": {"segment": self.segment.text if self.segment else None,
                                      "locale": self.locale, "users": len(users), **more}}

    def condition(self, workspace: Workspace) -> sa.ColumnElement[bool]:
        """The SQL part: the workspace's users with the locale."""
        where = EndUser.workspace_id == workspace.id
        if self.locale is None:
            return where
        tag = sa.func.lower(EndUser.locale)
        return sa.and_(where, sa.or_(tag == self.locale, tag.like(f"{self.locale}-%")))

    def user_ids(self, workspace: Workspace, now: datetime | None = None) -> frozenset[int] | None:
        """The ids of the users matched, or None without a filter (everyone)."""
        if not self.active:
            return None
        where = self.condition(workspace)
        if self.segment is None:
            return frozenset(db.session.scalars(sa.select(EndUser.id).where(where)))
        candidates = db.session.scalar(sa.select(sa.func.count()).select_from(EndUser)
                                       .where(where)) or 0
        if candidates > MAX_SCAN:
            raise invalid_filter("segment", f"a segment is evaluated over at most {MAX_SCAN} "
                                            f"users and this one would read {candidates}; "
                                            "add a locale filter to narrow it.")
        return frozenset(self._scan(where, now or utcnow()))

    def _scan(self, where: sa.ColumnElement[bool], now: datetime) -> list[int]:
        assert self.segment is not None
        found: list[int] = []
        after = 0
        query = (sa.select(EndUser.id, EndUser.traits, Account.traits)
                 .outerjoin(Account, Account.id == EndUser.account_id)
                 .order_by(EndUser.id).limit(PAGE))
        while True:
            rows = db.session.execute(query.where(where, EndUser.id > after)).all()
            found += [user for user, traits, account in rows
                      if self.segment.matches(traits, account, now)]
            if len(rows) < PAGE:
                return found
            after = rows[-1][0]

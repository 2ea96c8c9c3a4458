"""One definition per contract: an end user or an account as JSON is ``schemas.users``.

The backend API's identify answer, an escalation's context, a timeline and the data
exports dump the models with ``UserOut`` / ``AccountOut``; the text they produce is
pinned here key by key, in order, as clients have always received it.
"""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path

from guide.extensions import db
from guide.models import Account, EndUser
from guide.schemas.users import (
    AccountContextOut,
    AccountExportOut,
    IdentifiedUserOut,
    UserContextOut,
    UserExportOut,
    UserSeenOut,
)
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SHOWN = {"traits", "lifecycle_stage", "stage_entered_at", "first_seen", "last_seen"}
T1 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
T2 = datetime(2024, 6, 2, 10, 0, 0, 123456, tzinfo=UTC)


def _people() -> tuple[EndUser, Account]:
    # Traits keys in JSONB's own order (shorter first): PostgreSQL stores them so.
    ws = factories.make_workspace()
    account = Account(workspace_id=ws.id, external_id="acct-1", traits={"plan": "pro"},
                      lifecycle_stage="active", stage_entered_at=T1, created_at=T1,
                      updated_at=T2)
    db.session.add(account)
    db.session.flush()
    user = EndUser(workspace_id=ws.id, external_id="u-1", account_id=account.id,
                   traits={"n": 2, "name": "Ada"}, locale="fr-CA", lifecycle_stage=None,
                   stage_entered_at=None, first_seen=T1, last_seen=T2)
    db.session.add(user)
    db.session.commit()
    return user, account


def _text(value: object) -> str:
    return json.dumps(value)  # the app's JSON provider keeps the order (sort_keys off)


def test_the_user_views_keep_their_keys_order_and_formats(app) -> None:
    user, _ = _people()
    assert _text(IdentifiedUserOut(first_stage="new").dump(user)) == (
        '{"id": "u-1", "account": "acct-1", "traits": {"n": 2, "name": "Ada"}, "stage": "new"}')
    assert _text(UserContextOut().dump(user)) == (
        '{"id": "u-1", "traits": {"n": 2, "name": "Ada"}, "locale": "fr-CA", '
        '"lifecycle_stage": null, "first_seen": "2024-05-01T09:30:00+00:00", '
        '"last_seen": "2024-06-02T10:00:00.123456+00:00"}')
    assert _text(UserExportOut().dump(user)) == (
        '{"id": "u-1", "account": "acct-1", "traits": {"n": 2, "name": "Ada"}, '
        '"locale": "fr-CA", "lifecycle_stage": null, "stage_entered_at": null, '
        '"first_seen": "2024-05-01T09:30:00+00:00", '
        '"last_seen": "2024-06-02T10:00:00.123456+00:00"}')
    assert _text(UserSeenOut().dump(user)) == (
        '{"id": "u-1", "first_seen": "2024-05-01T09:30:00+00:00", '
        '"last_seen": "2024-06-02T10:00:00.123456+00:00"}')


def test_a_stored_stage_wins_and_no_account_is_null(app) -> None:
    user, _ = _people()
    user.lifecycle_stage, user.account_id = "activated", None
    db.session.commit()
    assert IdentifiedUserOut(first_stage="new").dump(user) == {
        "id": "u-1", "account": None, "traits": {"n": 2, "name": "Ada"}, "stage": "activated"}


def test_the_account_views_keep_their_keys_order_and_formats(app) -> None:
    _, account = _people()
    assert _text(AccountContextOut().dump(account)) == '{"id": "acct-1", "traits": {"plan": "pro"}}'
    assert _text(AccountExportOut().dump(account)) == (
        '{"id": "acct-1", "traits": {"plan": "pro"}, "lifecycle_stage": "active", '
        '"stage_entered_at": "2024-05-01T09:30:00+00:00", '
        '"created_at": "2024-05-01T09:30:00+00:00", '
        '"updated_at": "2024-06-02T10:00:00.123456+00:00"}')


def test_traits_never_show_as_null() -> None:
    assert AccountContextOut().dump(Account(external_id="a", traits=None)) == {
        "id": "a", "traits": {}}
    assert UserContextOut(only=("id", "traits")).dump(EndUser(external_id="u", traits=None)) == {
        "id": "u", "traits": {}}


def _hand_built(node: ast.AST) -> bool:
    """``{"id": x.external_id, "traits": ..., ...}``: a user or account written out by hand
    (a bare reference such as ``{"id": user.external_id, "account": ...}`` is not)."""
    if not isinstance(node, ast.Dict):
        return False
    keys = {key.value: value for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant)}
    identity = keys.get("id")
    return (isinstance(identity, ast.Attribute) and identity.attr == "external_id"
            and bool(SHOWN & keys.keys()))


def test_users_and_accounts_are_not_written_out_by_hand() -> None:
    strays = [f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}"
              for path in sorted((ROOT / "guide").rglob("*.py"))
              for node in ast.walk(ast.parse(path.read_text())) if _hand_built(node)]
    assert not strays, "user/account JSON built by hand (dump it with schemas.users):\n" + (
        "\n".join(strays))

"""Socket tokens: issued at bootstrap, bound to a workspace and user, expiring."""

from __future__ import annotations

import jwt
import pytest

from guide.errors import Unauthorized
from guide.services.identity import issue_socket_token, read_socket_token


def test_socket_token_round_trip(app):
    token, ttl = issue_socket_token(3, 7)
    identity = read_socket_token(token)
    assert (identity.workspace_id, identity.user_id, ttl) == (3, 7, 3600)


def test_identity_jwt_is_not_accepted_as_a_socket_token(app):
    # Signed with the server secret but for another audience (e.g. a customer's token).
    other = jwt.encode({"ws": 1, "uid": 1, "exp": 9999999999}, app.config["SECRET_KEY"],
                       algorithm="HS256")
    with pytest.raises(Unauthorized) as info:
        read_socket_token(other)
    assert info.value.code == "socket_token_invalid"


def test_socket_token_from_another_server_secret_is_refused(app):
    token, _ = issue_socket_token(1, 1)
    app.config["SECRET_KEY"] = "rotated-secret-rotated-secret-rotated-secret"
    with pytest.raises(Unauthorized) as info:
        read_socket_token(token)
    assert info.value.code == "socket_token_invalid"

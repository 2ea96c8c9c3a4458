"""Who is calling: identity JWTs signed by the customer's backend, and socket tokens.

An identity token is an HS256 JWT signed with one of the workspace's signing
secrets; ``sub`` is the user's id in the customer's product and ``exp`` is
required, no further away than the workspace's ``identity_token_max_age``
(from ``iat``, or from now without one), so a leaked token is not a key for
years. A socket token is issued by bootstrap, signed with the server's own
secret, and names the workspace and user a connection acts for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from flask import current_app

from guide.errors import Unauthorized
from guide.models import Workspace

SOCKET_AUDIENCE = "guide:socket"


def verify_identity(workspace: Workspace, user_id: str, token: str | None) -> dict[str, Any]:
    """Return the verified claims, ``{}`` when no token is needed and none was sent.

    Raises ``Unauthorized`` (401) for a missing token on an enforcing workspace
    and for any token that is forged, expired, unsigned or for another user.
    """
    if not token:
        if workspace.require_identity:
            raise Unauthorized(
                "This workspace requires an identity token: sign one on your backend and pass "
                "it as Guide.identify(id, traits, {token}).",
                code="identity_required",
            )
        return {}
    claims = _decode_with_any_secret(token, workspace.signing_secrets or [])
    if str(claims.get("sub")) != user_id:
        raise Unauthorized(
            "The identity token's sub claim does not match the user id.", code="identity_invalid"
        )
    _check_lifetime(claims, workspace.identity_token_max_age)
    return claims


def _check_lifetime(claims: dict[str, Any], max_age: int) -> None:
    """Refuse a token valid for longer than ``max_age`` seconds: ``exp - iat``, or
    ``exp - now`` when ``iat`` is missing or in the future (it cannot shorten the count)."""
    now = datetime.now(UTC).timestamp()
    issued = claims.get("iat")
    start = min(float(issued), now) if isinstance(issued, int | float) else now
    try:
        lifetime = float(claims["exp"]) - start
    except (TypeError, ValueError, OverflowError):  # an exp past what a float holds
        lifetime = math.inf
    if lifetime > max_age:
        raise Unauthorized(
            f"The identity token is valid for {_duration(lifetime)} (exp - iat); this "
            f"workspace accepts at most {_duration(max_age)} (identity_token_max_age: "
            f"{max_age} s in workspace.yaml). Sign tokens that expire sooner.",
            code="identity_invalid",
        )


def _duration(seconds: float) -> str:
    """``90061`` -> ``"25 hours"``; ``3.2e8`` -> ``"3703 days"``: the unit a person reads."""
    if not math.isfinite(seconds):
        return "ever"
    for unit, size in (("days", 86400 * 2), ("hours", 3600 * 2), ("minutes", 60 * 2)):
        if seconds >= size:
            return f"{int(seconds // (size // 2))} {unit}"
    return f"{int(seconds)} s"


def _decode_with_any_secret(token: str, secrets: list[str]) -> dict[str, Any]:
    options = {"require": ["exp", "sub"]}
    last_error: Exception | None = None
    for secret in secrets:
        try:
            return jwt.decode(token, secret, algorithms=["HS256"], options=options, leeway=30)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The identity token has expired.", code="identity_invalid") from exc
        except jwt.InvalidSignatureError as exc:
            last_error = exc  # may be signed with the other (rotated) secret
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(
                f"The identity token is invalid: {exc}.", code="identity_invalid"
            ) from exc
    raise Unauthorized(
        "The identity token's signature does not match this workspace's secrets.",
        code="identity_invalid",
    ) from last_error


@dataclass(frozen=True)
class SocketIdentity:
    workspace_id: int
    user_id: int
    # When the token expires (seconds since the epoch): an open socket ends then.
    expires_at: float = math.inf


def issue_socket_token(workspace_id: int, user_id: int) -> tuple[str, int]:
    """A short-lived token for Socket.IO connect and the HTTP batch endpoint."""
    ttl = int(current_app.config["GUIDE_SOCKET_TOKEN_TTL"])
    now = datetime.now(UTC)
    claims = {
        "aud": SOCKET_AUDIENCE,
        "ws": workspace_id,
        "uid": user_id,
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256"), ttl


def read_socket_token(token: Any) -> SocketIdentity:
    if not token or not isinstance(token, str):
        raise Unauthorized(
            "A socket token is required; bootstrap first.", code="socket_token_missing"
        )
    try:
        claims = jwt.decode(
            token, current_app.config["SECRET_KEY"], algorithms=["HS256"],
            audience=SOCKET_AUDIENCE, options={"require": ["exp", "ws", "uid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(
            "The socket token has expired; bootstrap again.", code="socket_token_expired"
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The socket token is invalid.", code="socket_token_invalid") from exc
    return SocketIdentity(workspace_id=int(claims["ws"]), user_id=int(claims["uid"]),
                          expires_at=float(claims["exp"]))

"""Authors: accounts, passwords (argon2) and roles per workspace."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from guide.errors import Conflict, Forbidden, InvalidPayload, NotFound
from guide.extensions import db
from guide.models import Author, AuthorRole, Workspace
from guide.models.author import ROLES, role_rank
from guide.models.base import utcnow
from guide.services import audit, login_throttle
from guide.services.transaction import owns_transaction
from guide.wording import N_

_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidPayload(N_("Passwords have at least %(least)d characters.",
                                least=MIN_PASSWORD), fields={"password": [N_("Too short.")]})
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 255 or any(ch.isspace() for ch in email):
        raise InvalidPayload(N_("Not a valid email address."),
                             fields={"email": [N_("Not valid.")]})
    return email


def find_author(email: str) -> Author | None:
    if "\x00" in email:  # no address has one (and PostgreSQL refuses it in a query)
        return None
    return db.session.scalar(db.select(Author).where(Author.email == email.strip().lower()))


def authenticate(email: str, password: str) -> Author | None:
    """The active author with this email and password, else None (same time either way)."""
    author = find_author(email or "")
    try:
        _hasher.verify(author.password_hash if author else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if author is None or not author.active:
        return None
    if _hasher.check_needs_rehash(author.password_hash):
        author.password_hash = _hasher.hash(password)
    author.last_login_at = utcnow()
    db.session.commit()
    return author


@dataclass(frozen=True)
class SignIn:
    """``author`` when the password was right; else ``wait`` (refused unchecked: too early)
    or ``delay`` (the seconds the next attempt will have to wait)."""

    author: Author | None = None
    wait: int = 0
    delay: int = 0


def sign_in(email: str, password: str, address: str | None) -> SignIn:
    """Check a password under the login throttle (per address and per account)."""
    email = (email or "").strip().lower()
    account = login_throttle.account_key("email", email)
    ip = login_throttle.address_key(address)
    attempt = login_throttle.begin({ip: login_throttle.ADDRESS, account: login_throttle.ACCOUNT})
    if attempt.wait:
        return SignIn(wait=attempt.wait)
    author = authenticate(email, password)
    if author is None:
        return SignIn(delay=attempt.delay_if_wrong)
    login_throttle.succeeded(account, ip)
    return SignIn(author=author)


def end_sessions(author: Author) -> None:
    """Sign ``author`` out everywhere: every session and remember-me cookie issued so far
    names the old generation and stops loading. Committed."""
    author.session_generation = Author.session_generation + 1
    db.session.commit()


def change_password(author: Author, current: str, new: str, address: str | None) -> SignIn:
    """Set a new password if ``current`` is right (throttled like a sign-in); every other
    session of the author ends. Returns the check's outcome; committed."""
    new_hash = hash_password(new)  # too short: refused before the check counts
    result = sign_in(author.email, current, address)
    if result.author is None:
        return result
    author.password_hash = new_hash
    author.session_generation = Author.session_generation + 1
    for workspace, _ in workspaces_of(author):
        audit.record(workspace.id, author, "author.password", author.email)
    db.session.commit()
    return result


# A workspace's members are its production workspace's (an environment shares its authors).
_MEMBERS_OF = db.func.coalesce(Workspace.production_id, Workspace.id)


def role_of(author: Author | None, workspace: Workspace) -> str | None:
    """The author's role in ``workspace``: in an environment, their production role."""
    if author is None or not getattr(author, "is_authenticated", False):
        return None
    return db.session.scalar(db.select(AuthorRole.role).where(
        AuthorRole.author_id == author.id,
        AuthorRole.workspace_id == workspace.members_workspace_id))


def workspaces_of(author: Author) -> list[tuple[Workspace, str]]:
    rows = db.session.execute(
        db.select(Workspace, AuthorRole.role).join(AuthorRole, AuthorRole.workspace_id ==
                                                   _MEMBERS_OF)
        .where(AuthorRole.author_id == author.id).order_by(Workspace.name))
    return [(workspace, role) for workspace, role in rows]


def members(workspace: Workspace) -> list[tuple[Author, str]]:
    rows = db.session.execute(
        db.select(Author, AuthorRole.role).join(AuthorRole, AuthorRole.author_id == Author.id)
        .where(AuthorRole.workspace_id == workspace.members_workspace_id).order_by(Author.email))
    return [(author, role) for author, role in rows]


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidPayload(N_("Unknown role %(role)s; one of: %(roles)s.", role=repr(role),
                                roles=", ".join(ROLES)), fields={"role": [N_("Unknown role.")]})


def _admins(workspace: Workspace) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuthorRole).where(
        AuthorRole.workspace_id == workspace.members_workspace_id, AuthorRole.role == "admin")) or 0


@owns_transaction
def set_role(actor: Author | str | None, workspace: Workspace, author: Author,
             role: str) -> None:
    """Give ``author`` ``role`` in ``workspace`` (adds the membership if needed); committed."""
    check_role(role)
    row = db.session.scalar(db.select(AuthorRole).where(
        AuthorRole.author_id == author.id,
        AuthorRole.workspace_id == workspace.members_workspace_id))
    before = row.role if row else None
    if before == role:
        return
    if before == "admin" and _admins(workspace) <= 1:
        raise Conflict(N_("This is the workspace's last admin; make someone else admin first."))
    if row is None:
        db.session.add(AuthorRole(author_id=author.id, workspace_id=workspace.members_workspace_id,
                                  role=role))
    else:
        row.role = role
    # In the log of the workspace whose members these are (production's, from an environment).
    audit.record(workspace.members_workspace_id, actor, "role.set", author.email, role=role,
                 previous=before)
    db.session.commit()


def member(workspace: Workspace, author_id: int) -> Author:
    """An author with a role in this workspace (never anyone else's author), or 404."""
    found = db.session.scalar(db.select(Author).join(
        AuthorRole, AuthorRole.author_id == Author.id).where(
        Author.id == author_id, AuthorRole.workspace_id == workspace.members_workspace_id))
    if found is None:
        raise NotFound(N_("That author has no role in this workspace."))
    return found


@owns_transaction
def remove_role(actor: Author, workspace: Workspace, author_id: int) -> None:
    row = db.session.scalar(db.select(AuthorRole).where(
        AuthorRole.author_id == author_id,
        AuthorRole.workspace_id == workspace.members_workspace_id))
    author = db.session.get(Author, author_id)
    if row is None or author is None:
        raise NotFound(N_("That author has no role in this workspace."))
    if row.role == "admin" and _admins(workspace) <= 1:
        raise Conflict(N_("This is the workspace's last admin; make someone else admin first."))
    db.session.delete(row)
    audit.record(workspace.members_workspace_id, actor, "role.remove", author.email,
                 previous=row.role)
    db.session.commit()


def create_author(email: str, password: str, *, name: str | None = None) -> Author:
    """A new author without any role (add one with ``set_role``); flushed, not committed."""
    email = normalize_email(email)
    if find_author(email) is not None:
        raise Conflict(N_("An author with the email %(email)s already exists.", email=email))
    author = Author(email=email, name=name, password_hash=hash_password(password))
    db.session.add(author)
    db.session.flush()
    return author


def ensure_author(email: str, password: str, workspace: Workspace, role: str, *,
                  actor: str = "cli") -> tuple[Author, bool]:
    """Create the author, or reset the password of an existing one; give it ``role``.

    Returns ``(author, created)``. Used by ``flask guide author create --exists-ok``
    and so by ``make demo``, which must be safe to run again.
    """
    author = find_author(email)
    created = author is None
    if author is None:
        author = create_author(email, password)
        audit.record(workspace.id, actor, "author.create", author.email)
    elif not _matches(author, password):
        author.password_hash = hash_password(password)
        author.session_generation = Author.session_generation + 1  # signed out everywhere
        audit.record(workspace.id, actor, "author.password", author.email)
    db.session.commit()
    set_role(actor, workspace, author, role)
    return author, created


def _matches(author: Author, password: str) -> bool:
    try:
        return _hasher.verify(author.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def require_rank(role: str | None, needed: str) -> None:
    if role_rank(role) < role_rank(needed):
        raise Forbidden(N_("This needs the %(role)s role in this workspace.", role=needed))

"""Adding members by invitation: consent from the person, nothing learned by the admin.

An admin adds a member by email; the answer is the same whether or not the email
has a Guide account (here or in another workspace): an invitation and its link.
The person opens the link and joins, signed in as that email if the account
exists, or by choosing a password if it does not. So no admin can attach another
company's author, or find out from the members page who has an account. The link
carries a random token (only its SHA-256 is stored), works once, and expires
after ``VALID_FOR``; inviting the same email again replaces the previous link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from guide.errors import Conflict, Forbidden
from guide.extensions import db
from guide.models import Author, AuthorInvitation, AuthorRole, Workspace
from guide.models.base import utcnow
from guide.services import audit, authors
from guide.services.transaction import owns_transaction
from guide.wording import N_

VALID_FOR = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _member_role(workspace: Workspace, email: str) -> str | None:
    return db.session.scalar(db.select(AuthorRole.role).join(
        Author, Author.id == AuthorRole.author_id).where(
        AuthorRole.workspace_id == workspace.members_workspace_id, Author.email == email))


@owns_transaction
def invite(actor: Author, workspace: Workspace, email: str, role: str) -> str:
    """Invite ``email`` with ``role``; returns the link's token (shown once). Committed.

    Only a member of this very workspace is answered differently (the admin sees
    them in the list anyway); an account elsewhere is never looked at.
    """
    email = authors.normalize_email(email)
    authors.check_role(role)
    if _member_role(workspace, email) is not None:
        raise Conflict(N_("%(email)s is already a member; change their role in the list.",
                          email=email))
    db.session.execute(db.delete(AuthorInvitation).where(
        AuthorInvitation.workspace_id == workspace.id, AuthorInvitation.email == email,
        AuthorInvitation.accepted_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(AuthorInvitation(
        workspace_id=workspace.id, email=email, role=role, token_hash=_digest(token),
        invited_by_id=actor.id, expires_at=utcnow() + VALID_FOR))
    audit.record(workspace.id, actor, "member.invite", email, role=role)
    db.session.commit()
    return token


def pending(workspace: Workspace) -> list[AuthorInvitation]:
    """Invitations not yet accepted, the expired ones included (so they can be renewed)."""
    return list(db.session.scalars(db.select(AuthorInvitation).where(
        AuthorInvitation.workspace_id == workspace.id, AuthorInvitation.accepted_at.is_(None))
        .order_by(AuthorInvitation.created_at)))


@owns_transaction
def revoke(actor: Author, workspace: Workspace, invitation_id: int) -> str:
    """Delete a pending invitation (its link stops working); returns its email. Committed."""
    invitation = db.session.get(AuthorInvitation, invitation_id)
    if (invitation is None or invitation.workspace_id != workspace.id
            or invitation.accepted_at is not None):
        raise Conflict(N_("That invitation was already accepted or revoked."))
    db.session.delete(invitation)
    audit.record(workspace.id, actor, "member.invite_revoke", invitation.email)
    db.session.commit()
    return invitation.email


def find(token: str) -> AuthorInvitation | None:
    """The invitation this link's token opens, or None (unknown, used or expired)."""
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(db.select(AuthorInvitation).where(
        AuthorInvitation.token_hash == _digest(token)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    return invitation if invitation.expires_at > utcnow() else None


def workspace_of(invitation: AuthorInvitation) -> Workspace:
    return db.session.get_one(Workspace, invitation.workspace_id)


@owns_transaction
def accept(invitation: AuthorInvitation, author: Author) -> Workspace:
    """``author`` (signed in) joins; the invitation must be for their email. Committed.

    Already a member: the role they have is kept (accepting never demotes anyone).
    """
    if author.email != invitation.email:
        raise Forbidden(N_("This invitation is for %(email)s; sign in with that email to accept "
                           "it.", email=invitation.email))
    workspace = workspace_of(invitation)
    invitation.accepted_at = utcnow()
    audit.record(workspace.id, author, "member.join", author.email, role=invitation.role)
    if _member_role(workspace, author.email) is None:
        authors.set_role(author, workspace, author, invitation.role)
    db.session.commit()
    return workspace


@owns_transaction
def accept_new(invitation: AuthorInvitation, password: str, name: str | None) -> Author:
    """Create the invited email's account with ``password`` and join. Committed.

    Refused when the email has an account: its owner signs in to accept instead.
    """
    if authors.find_author(invitation.email) is not None:
        raise Conflict(N_("This email already has a Guide account: sign in to accept."))
    author = authors.create_author(invitation.email, password, name=(name or "").strip()[:200]
                                   or None)
    audit.record(invitation.workspace_id, author, "author.create", author.email)
    accept(invitation, author)
    return author

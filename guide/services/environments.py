"""Environments: a staging workspace beside its production workspace (docs/ENVIRONMENTS.md).

An environment is a workspace row of its own, so its app key, allowed origins,
signing secrets, end users, progress, events and analytics are separate like
any workspace's; ``production_id`` links it to its production workspace, whose
members (author roles) it shares (``services.authors`` resolves roles through
it). A new environment starts with its production's workspace.yaml settings but
its own name, key, origins and secret; content reaches it by ``content push
--environment`` or the admin, and leaves it for production by ``promote``. Its
origins change with ``set_origins`` (its Settings page, ``environment
set-origins``): workspace.yaml never sets them.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from guide.errors import Conflict, InvalidPayload, NotFound, invalid_payload
from guide.extensions import db
from guide.models import Author, Workspace
from guide.schemas.environments import EnvironmentSchema, OriginsSchema
from guide.services import audit, workspaces
from guide.services.transaction import owns_transaction
from guide.wording import N_

# Settings a new environment copies from its production workspace (never the key,
# name, origins or secrets: those are the environment's own).
COPIED = tuple(name for name in workspaces.SETTINGS_FIELDS
               if name not in ("name", "allowed_origins"))


def production_of(workspace: Workspace) -> Workspace:
    """The production workspace of ``workspace`` (itself if it is one)."""
    if workspace.production_id is None:
        return workspace
    return db.session.get(Workspace, workspace.production_id) or workspace


def of(workspace: Workspace) -> list[Workspace]:
    """Every environment of ``workspace``'s production, production first, then by name."""
    production = production_of(workspace)
    others = db.session.scalars(db.select(Workspace).where(
        Workspace.production_id == production.id).order_by(Workspace.environment))
    return [production, *others]


def find(workspace: Workspace, name: str) -> Workspace:
    """The environment ``name`` of ``workspace``'s production (``production``: itself)."""
    for candidate in of(workspace):
        if candidate.environment == name:
            return candidate
    names = ", ".join(env.environment for env in of(workspace))
    raise NotFound(N_('%(workspace)s has no environment "%(name)s" (it has: %(names)s).',
                      workspace=production_of(workspace).key, name=name, names=names))


def resolve(key: str, name: str | None) -> Workspace:
    """The workspace with app key ``key``, or its environment ``name`` when given."""
    workspace = workspaces.by_key(key)
    if workspace is None:
        raise NotFound(N_('No workspace "%(key)s" on this server.', key=key))
    return workspace if name is None else find(workspace, name)


@owns_transaction
def create(actor: Author | str, workspace: Workspace, data: dict[str, Any]) -> Workspace:
    """A new environment of ``workspace`` (a production workspace) from ``{name,
    allowed_origins}``, with an app key ``<production key>-<name>`` and a signing secret of
    its own. Audited in both workspaces; committed."""
    try:
        loaded = EnvironmentSchema().load(data)
    except ValidationError as error:
        raise invalid_payload(error) from error
    name = loaded["name"]
    if workspace.production_id is not None:
        raise InvalidPayload(N_("%(workspace)s is itself an environment; create environments "
                                "of its production workspace.", workspace=workspace.key),
                             fields={"workspace": [N_("Not production.")]})
    if any(env.environment == name for env in of(workspace)):
        raise Conflict(N_('%(workspace)s already has an environment "%(name)s".',
                          workspace=workspace.key, name=name),
                       code="environment_exists")
    key = f"{workspace.key}-{name}"[:64]
    if workspaces.by_key(key) is not None:
        raise Conflict(N_('The app key "%(key)s" is taken by another workspace.', key=key),
                       code="key_taken")
    environment = Workspace(key=key, name=f"{workspace.name} ({name})", environment=name,
                            production_id=workspace.id,
                            allowed_origins=loaded["allowed_origins"],
                            **{field: getattr(workspace, field) for field in COPIED})
    environment.ensure_signing_secret()
    db.session.add(environment)
    db.session.flush()
    for where in (workspace, environment):
        audit.record(where.id, actor, "environment.create", name, app_key=key)
    db.session.commit()
    return environment


@owns_transaction
def set_origins(actor: Author | str, environment: Workspace, origins: list[str]) -> bool:
    """Replace an environment's allowed origins (validated and normalized as at creation).
    True if they changed: audited in the environment as ``settings.update`` of
    ``allowed_origins``, and committed. A production workspace's come from workspace.yaml."""
    if environment.production_id is None:
        raise InvalidPayload(f"{environment.key} is the production workspace: its allowed "
                             "origins are set in workspace.yaml (guide content push).",
                             fields={"allowed_origins": ["Set in workspace.yaml."]})
    try:
        loaded = OriginsSchema().load({"allowed_origins": origins})["allowed_origins"]
    except ValidationError as error:
        problems = error.messages.get("allowed_origins", []) if isinstance(
            error.messages, dict) else error.messages
        if isinstance(problems, dict):  # by position in the list: the messages name the value
            problems = [m for messages in problems.values() for m in messages]
        raise InvalidPayload("Not valid allowed origins.",
                             fields={"allowed_origins": list(problems)}) from error
    loaded = list(dict.fromkeys(loaded))
    previous = list(environment.allowed_origins or [])
    if loaded == previous:
        return False
    environment.allowed_origins = loaded
    audit.record(environment.id, actor, "settings.update", "allowed_origins",
                 previous=previous, value=loaded)
    db.session.commit()
    return True

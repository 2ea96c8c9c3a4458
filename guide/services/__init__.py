"""Building blocks: one thing each (progress, audience, outbox, push, users, ...).

They work in the caller's transaction, and record what happened on the
caller's ``Outcome`` (``services/unit.py``) instead of calling the proactive
engine; they never import the use cases, the features, ``content/`` or an
edge (docs/ARCHITECTURE.md).
"""

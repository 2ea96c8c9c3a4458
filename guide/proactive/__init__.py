"""Proactive onboarding (docs/PROACTIVE.md): lifecycle, success plans, scenarios.

The engine (``guide.proactive.engine``) is called by transaction owners
(``guide.usecases``) with what their unit of work changed, inside the same
transaction: milestones are reached, stages move and event triggers fire
before the change commits, so they commit with it or not at all.
"""

"""Use cases: the transaction owners the edges call (docs/ARCHITECTURE.md).

An envelope from the widget (``envelopes``), a bootstrap (``bootstrap``), a
backend's track, identify and group (``backend``): each opens one unit of
work, calls the building blocks in ``guide.services``, hands what they
recorded to the proactive engine, commits once, and only then acknowledges
or pushes.
"""

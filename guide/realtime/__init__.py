"""Socket.IO handlers. Thin: authenticate, then hand envelopes to ``services.envelopes``.

Importing this package declares the handlers on the unbound ``socketio``.
"""

from __future__ import annotations

from guide.realtime import widget  # noqa: F401

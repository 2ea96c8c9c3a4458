"""What the edges read from the current request for the layers below.

Services and use cases never read Flask's ``request``: an edge (an HTTP view,
a socket handler) calls ``caller()`` and passes the result down.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from guide.services.origins import Caller


def caller() -> Caller:
    """The calling browser or client: its Origin, this server's own origin, its User-Agent
    (for a socket event, those of the connection's handshake)."""
    parts = urlsplit(request.host_url)
    return Caller(origin=request.headers.get("Origin"), server=f"{parts.scheme}://{parts.netloc}",
                  user_agent=request.headers.get("User-Agent"))

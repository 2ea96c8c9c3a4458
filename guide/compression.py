"""gzip for the app's own JSON and CSV responses, when the client accepts it.

A demo user's bootstrap is 10-12 KB of JSON and about 4 KB gzipped; the OpenAPI
document and analytics CSV exports shrink more. The widget's bundles are not
compressed here: they are precompressed at build time (guide/widget_assets.py)
and carry their ``Content-Encoding`` already. Socket.IO never reaches Flask's
response hooks (Engine.IO answers it in front of the app).

- Not HTML: the admin's and support inbox's pages carry a CSRF token beside
  text the request chose (a search, a filter), the shape BREACH reads a secret
  from through compressed sizes over TLS. JSON and CSV carry no token that
  stays the same across responses (the bootstrap's socket token is signed
  afresh each time), and the pages are small.
- Only bodies of at least ``MIN_SIZE`` bytes: below a packet, gzip saves no
  round trip and costs its header.
- Level 5: on a demo bootstrap (10-12 KB) the bytes of level 6 within 0.5%
  for a little less CPU, and ~10% fewer than level 1 (3.56 KB against 3.93 KB
  for the demo user grace) for 30-50 us more (docs/BENCHMARKS.md, "Compressed
  JSON"). Those ~400 B count against the first load's 22 KB (guide.js plus
  the bootstrap, issue #17); the CPU is a few percent of a bootstrap's.
- ``Vary: Accept-Encoding`` on every response that could have been compressed,
  whether or not this one was, so a cache keeps one copy per encoding.
- Streamed and file responses (``direct_passthrough``), responses that are
  already encoded, partial content and ``Cache-Control: no-transform`` pass as
  they are.
- A strong ETag becomes weak on the compressed copy (as nginx does): the two
  encodings are not byte-identical, and ``If-None-Match`` compares weakly, so a
  304 still comes back for either.

``GUIDE_COMPRESS=off`` leaves compression to a proxy in front (docs/DEPLOY.md).
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_SIZE = 1400
LEVEL = 5
MIMETYPES = frozenset({"application/json", "text/csv"})


def compressible(response: Response) -> bool:
    """A complete body of a type worth compressing, big enough and not encoded yet."""
    return (
        response.mimetype in MIMETYPES
        and 200 <= response.status_code < 300
        and response.status_code not in (204, 206)
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
        and not response.cache_control.no_transform
        and (response.content_length or 0) >= MIN_SIZE
    )


def accepts_gzip() -> bool:
    """gzip named (or ``*``) with a quality above zero; werkzeug reads the q-values."""
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """After every request: gzip the body when it is compressible and the client accepts it."""
    if not compressible(response):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip():
        return response
    # mtime=0: the same body always gives the same bytes (caches, ETags, tests).
    response.set_data(gzip.compress(response.get_data(), compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    if app.config["GUIDE_COMPRESS"]:
        app.after_request(compress)

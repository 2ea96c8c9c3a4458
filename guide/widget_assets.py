"""Serves the built widget at ``/widget/<name>``: precompressed, and cached by name.

``static/widget/scripts/build.mjs`` writes ``dist/manifest.json`` (logical name ->
file served for it) and a ``.gz`` and ``.br`` sibling of every file it lists, so
no request compresses anything (Brotli at quality 11 takes ~50 ms for guide.js).

- Only names in the manifest are served: a logical name (``guide.js``,
  ``tour.js``) or a file it maps to (``tour.3fa2c1d9.js``); anything else is a 404.
- Content-hashed names never change, so they are cached for a year
  (``immutable``). ``guide.js`` (the URL product teams paste), ``stub.min.js``
  and the plain lazy names (asked for by a guide.js cached from an earlier
  release) are cached for five minutes and revalidated with an ETag.
- The encoding follows ``Accept-Encoding`` and its quality values: Brotli, else
  gzip, else the file as is; ``Vary: Accept-Encoding`` always, so caches keep
  one copy per encoding (and each encoding has its own ETag).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_file

from guide.errors import error_response

bp = Blueprint("widget_assets", __name__)

MANIFEST = "manifest.json"
HASHED = re.compile(r"\.[0-9a-f]{8}\.js(\.map)?$")
YEAR = 365 * 24 * 3600
SHORT_MAX_AGE = 300
# Preferred first when the client rates them equally: Brotli is ~10% smaller here.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
MIMETYPES = {".js": "application/javascript", ".map": "application/json"}

# (path, mtime_ns) -> the names it lets us serve; reread when the build rewrites it.
_manifests: dict[tuple[str, int], frozenset[str]] = {}
# (path, mtime_ns, size) -> the hash of the file's bytes.
_etags: dict[tuple[str, int, int], str] = {}


@bp.get("/widget/<name>")
def bundle(name: str) -> Response | tuple[Response, int]:
    """One built file, in the best encoding the client accepts."""
    dist = Path(current_app.config["GUIDE_WIDGET_DIST"])
    servable = _servable(dist)
    if servable is None:
        return error_response(
            404, "widget_not_built",
            f"The widget bundle is missing from {dist}; build it with `make widget`.",
        )
    if name not in servable:
        return error_response(404, "not_found", f"No widget file {name!r}.")
    encoding, path = _negotiate(dist / name)
    if not path.is_file():
        return error_response(
            404, "widget_not_built",
            f"{name} is missing from {dist}; build the widget again with `make widget`.",
        )
    hashed = HASHED.search(name) is not None
    response = send_file(path, mimetype=MIMETYPES[Path(name).suffix], download_name=name,
                         conditional=True, etag=_etag(path),
                         max_age=YEAR if hashed else SHORT_MAX_AGE)
    response.cache_control.immutable = hashed or None
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _servable(dist: Path) -> frozenset[str] | None:
    """Every name the manifest lists, as a key or a value; None when the widget is not built."""
    path = dist / MANIFEST
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return None
    names = _manifests.get(key)
    if names is None:
        manifest: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        names = frozenset(manifest) | frozenset(manifest.values())
        _manifests.clear()  # one build is live at a time
        _manifests[key] = names
    return names


def _negotiate(path: Path) -> tuple[str | None, Path]:
    """The encoding to send and the file holding it, by the client's quality values.

    Brotli before gzip when rated equally; either before the file as is unless the
    client names ``identity`` with a higher quality. Unnamed, the file as is is the
    fallback, never the preference (RFC 9110, 12.5.3); we send it even when refused.
    """
    accepted = request.accept_encodings
    identity = next((q for value, q in accepted if value == "identity"), 0.0)
    best: tuple[float, str | None, Path] = (0.0, None, path)
    for encoding, suffix in ENCODINGS:
        quality = accepted[encoding]  # werkzeug: 0 when absent or refused, "*" honoured
        candidate = path.with_name(path.name + suffix)
        if quality > best[0] and quality >= identity and candidate.is_file():
            best = (quality, encoding, candidate)
    return best[1], best[2]


def _etag(path: Path) -> str:
    """A hash of the bytes sent: one per encoding, and the same on every server running
    the same build (werkzeug's default ETag is made of the file's mtime)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    etag = _etags.get(key)
    if etag is None:
        etag = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        if len(_etags) > 256:  # old builds' entries
            _etags.clear()
        _etags[key] = etag
    return etag


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

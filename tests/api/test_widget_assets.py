"""/widget/<name>: precompressed bundles by Accept-Encoding, caching by name, only manifest names.

Most tests serve a small dist directory written here (the server's behaviour, whatever
the bundle holds); the last ones check what `npm run build` wrote to static/widget/dist.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import brotli
import pytest

HASHED = "tour.0123abcd.js"
FILES = {
    "guide.js": b"(()=>{window.Guide={init(){}};})();\n" * 40,
    "guide.js.map": b'{"version":3,"sources":["index.ts"],"mappings":""}',
    "stub.min.js": b"window.Guide=window.Guide||[];\n",
    "tour.js": b"(()=>{window.__guideTour=()=>0;})();\n" * 30,
    "tour.js.map": b'{"version":3,"sources":["tour.ts"],"mappings":""}',
    HASHED: b"(()=>{window.__guideTour=()=>0;})();\n" * 30,
    f"{HASHED}.map": b'{"version":3,"sources":["tour.ts"],"mappings":""}',
}
MANIFEST = {"tour.js": HASHED, "tour.js.map": f"{HASHED}.map", "guide.js": "guide.js",
            "guide.js.map": "guide.js.map", "stub.min.js": "stub.min.js"}
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda body: body}


@pytest.fixture
def dist(app, tmp_path: Path) -> Path:
    """A built widget as build.mjs lays it out: files, .gz and .br siblings, manifest."""
    for name, raw in FILES.items():
        (tmp_path / name).write_bytes(raw)
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(raw, 9))
        (tmp_path / f"{name}.br").write_bytes(brotli.compress(raw, quality=11))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    app.config["GUIDE_WIDGET_DIST"] = str(tmp_path)
    return tmp_path


def get(client: Any, name: str, accept: str | None = None, **headers: str) -> Any:
    if accept is not None:
        headers["Accept-Encoding"] = accept
    return client.get(f"/widget/{name}", headers=headers)


@pytest.mark.parametrize("accept, encoding", [
    ("gzip, deflate, br", "br"),  # what browsers send
    ("br", "br"),
    ("gzip", "gzip"),
    ("br;q=0.5, gzip", "gzip"),  # quality values decide, not our preference
    ("gzip;q=0.5, br;q=0.8", "br"),
    ("*", "br"),
    ("gzip;q=0.5, identity", None),  # the file as is, rated higher
    (None, None),  # no header
    ("identity", None),
    ("br;q=0", None),
    ("deflate", None),  # nothing we have
    ("br;q=0, gzip;q=0", None),
])
def test_the_encoding_follows_accept_encoding(client, dist, accept, encoding):
    response = get(client, "guide.js", accept)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.mimetype == "application/javascript"
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert DECODE[encoding](response.data) == FILES["guide.js"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_compressed_bodies_are_the_precompressed_files(client, dist):
    assert get(client, "guide.js", "br").data == (dist / "guide.js.br").read_bytes()
    assert get(client, "guide.js", "gzip").data == (dist / "guide.js.gz").read_bytes()
    assert len(get(client, "guide.js", "br").data) < len(FILES["guide.js"])


@pytest.mark.parametrize("name", ["guide.js", "stub.min.js", "tour.js", "guide.js.map"])
def test_stable_names_are_cached_briefly_and_revalidated_per_encoding(client, dist, name):
    etags = {}
    for accept in ("br", "gzip", "identity"):
        response = get(client, name, accept)
        assert response.headers["Cache-Control"] == "public, max-age=300"
        etags[accept] = response.headers["ETag"]
        again = get(client, name, accept, **{"If-None-Match": etags[accept]})
        assert again.status_code == 304 and again.data == b""
        assert "Accept-Encoding" in again.headers["Vary"]
    assert len(set(etags.values())) == 3, "each encoding is its own representation"
    # The gzip ETag does not validate the Brotli body.
    assert get(client, name, "br", **{"If-None-Match": etags["gzip"]}).status_code == 200


@pytest.mark.parametrize("name", [HASHED, f"{HASHED}.map"])
def test_content_hashed_names_are_immutable(client, dist, name):
    response = get(client, name, "gzip, br")
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and cache.max_age == 31536000 and cache.immutable
    assert DECODE[response.headers["Content-Encoding"]](response.data) == FILES[name]


def test_source_maps_are_json(client, dist):
    response = get(client, "tour.js.map", "gzip")
    assert response.mimetype == "application/json"
    assert json.loads(gzip.decompress(response.data))["version"] == 3


@pytest.mark.parametrize("name", [
    "x.js", "manifest.json", "guide.js.gz", "guide.js.br", "tour.ffffffff.js", "stub.js",
    "..", "%2e%2e", "..%2Fmanifest.json", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2fguide.js",
    "..%5Cguide.js",
])
def test_only_names_in_the_manifest_are_served(client, dist, name):
    response = get(client, name, "br")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_name_with_nul_is_refused_before_anything_reads_it(client, dist):
    response = get(client, "guide.js%00.map", "br")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_payload"


def test_names_outside_the_manifest_are_refused_even_when_the_file_exists(client, dist):
    (dist / "extra.js").write_bytes(b"1")
    assert get(client, "extra.js").status_code == 404


def test_an_unbuilt_widget_says_how_to_build_it(client, app, tmp_path):
    app.config["GUIDE_WIDGET_DIST"] = str(tmp_path / "nothing")
    response = get(client, "guide.js")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "widget_not_built" and "make widget" in error["message"]


# What `npm run build` wrote.

REAL_DIST = Path(__file__).resolve().parents[2] / "static" / "widget" / "dist"


@pytest.fixture
def built(app) -> dict[str, str]:
    manifest = REAL_DIST / "manifest.json"
    if not manifest.is_file():
        reason = f"no built widget at {REAL_DIST}: run `make widget`"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    app.config["GUIDE_WIDGET_DIST"] = str(REAL_DIST)
    return json.loads(manifest.read_text())


def test_the_build_hashes_the_lazy_bundles_and_guide_js_asks_for_them(built):
    guide_js = (REAL_DIST / "guide.js").read_text()
    for logical in ("tour.js", "help.js", "author.js"):
        hashed = built[logical]
        match = re.fullmatch(rf"{logical[:-3]}\.([0-9a-f]{{8}})\.js", hashed)
        assert match, hashed
        code = (REAL_DIST / hashed).read_bytes()
        assert code.endswith(f"sourceMappingURL={hashed}.map\n".encode())
        # The hash is of the bundle as built (naming the plain map) and its map.
        as_built = code.replace(f"sourceMappingURL={hashed}.map".encode(), f"sourceMappingURL={logical}.map".encode())
        assert hashlib.sha256(as_built + (REAL_DIST / f"{hashed}.map").read_bytes()).hexdigest()[:8] == match[1]
        # The plain name serves a guide.js of an earlier release: it carries its own helpers.
        assert b"__guideLib" not in (REAL_DIST / logical).read_bytes()
        assert built[f"{logical}.map"] == f"{hashed}.map"
        assert f'"{hashed}"' in guide_js, f"guide.js does not load {hashed}"
    assert built["guide.js"] == "guide.js" and built["stub.min.js"] == "stub.min.js"


def test_every_built_file_is_served_decoding_to_its_bytes(client, built):
    for name in sorted(set(built) | set(built.values())):
        raw = (REAL_DIST / name).read_bytes()
        for accept, encoding in (("br", "br"), ("gzip", "gzip"), ("identity", None)):
            response = get(client, name, accept)
            assert response.status_code == 200, name
            assert response.headers.get("Content-Encoding") == encoding, name
            assert DECODE[encoding](response.data) == raw, (name, encoding)


def test_public_responses_do_not_vary_on_the_admins_session_cookie(client, dist):
    """A proxy or CDN keeps one guide.js for everyone, not one per visitor's cookie."""
    with client.session_transaction() as session:
        session["demo_user"] = "ada"  # a visitor who is signed in somewhere on this server
    response = get(client, "guide.js", "br")
    assert response.status_code == 200
    assert response.vary.as_set() == {"accept-encoding"}
    assert "Cookie" not in response.headers.get("Vary", "")
    # Pages that do read the session still say so.
    assert "cookie" in client.get("/admin/login").vary.as_set()

"""gzip on the app's JSON, CSV and HTML responses (guide/compression.py)."""

from __future__ import annotations

import gzip
import json

from flask import Response, request, stream_with_context

from guide import compression, create_app
from guide.demo import users
from tests import factories
from tests.conftest import _config

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def demo_bootstrap(client, workspace, headers=None):
    """The bootstrap the demo page sends for Ada, as the widget sends it."""
    ada = next(u for u in users.USERS if u["id"] == "ada")
    return factories.bootstrap(
        client, workspace, "ada", traits=users.user_traits(ada), url="/demo/dashboard",
        account={"id": ada["account"], "traits": users.account_traits(ada["account"])},
        headers=headers)


def test_bootstrap_is_gzipped_when_accepted_and_decodes_to_the_plain_body(client, workspace):
    plain = demo_bootstrap(client, workspace)
    packed = demo_bootstrap(client, workspace, GZIP)
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.vary
    raw = packed.get_data()
    assert int(packed.headers["Content-Length"]) == len(raw)
    body = json.loads(gzip.decompress(raw))
    expected = plain.get_json()
    for doc in (body, expected):  # signed per request
        doc["socket"].pop("token")
    assert body == expected
    assert len(raw) < len(plain.get_data()) / 2


def test_bootstrap_is_plain_without_accept_encoding_and_still_varies(client, workspace):
    response = demo_bootstrap(client, workspace)
    assert len(response.get_data()) >= compression.MIN_SIZE
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.vary
    assert response.get_json()["socket"]["token"]


def test_gzip_refused_by_quality_zero_is_plain(client, workspace):
    response = demo_bootstrap(client, workspace, {"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["user"]["id"] == "ada"


def test_small_responses_stay_plain_and_do_not_vary(client, app):
    response = client.get("/healthz", headers=GZIP)
    assert len(response.get_data()) < compression.MIN_SIZE
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.vary


def test_openapi_document_is_gzipped_and_html_pages_are_not(client, workspace):
    api = client.get("/api/v1/openapi.json", headers=GZIP)
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(api.get_data()))["info"]["title"] == "Guide API"
    # HTML pages carry CSRF tokens beside reflected input: compressing them would open
    # BREACH (guide/compression.py).
    page = client.get("/demo/", headers=GZIP)
    assert page.mimetype == "text/html"
    assert len(page.get_data()) >= compression.MIN_SIZE
    assert "Content-Encoding" not in page.headers
    assert b"/demo/login" in page.get_data()


def test_widget_bundle_is_its_precompressed_file_not_compressed_again(client, app, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    source = b"/* guide */" + b"x" * 5000
    (dist / "manifest.json").write_text('{"guide.js": "guide.js"}')
    (dist / "guide.js").write_bytes(source)
    (dist / "guide.js.gz").write_bytes(gzip.compress(source))
    app.config["GUIDE_WIDGET_DIST"] = str(dist)
    response = client.get("/widget/guide.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == source  # one layer of gzip, not two


def _routes(app):
    big = {"rows": [{"n": n, "text": "row"} for n in range(400)]}

    @app.get("/test-etag")
    def with_etag() -> Response:
        response = app.json.response(big)
        response.set_etag("v1")
        return response.make_conditional(request)

    @app.get("/test-stream")
    def streamed() -> Response:
        chunks = iter([json.dumps(big)])
        return Response(stream_with_context(chunks), mimetype="application/json")


def test_a_strong_etag_becomes_weak_and_revalidation_still_gives_304(client, app):
    _routes(app)
    first = client.get("/test-etag", headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"] == 'W/"v1"'
    again = client.get("/test-etag", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/test-etag")
    assert plain.headers["ETag"] == '"v1"' and "Content-Encoding" not in plain.headers


def test_streamed_responses_are_not_compressed(client, app):
    _routes(app)
    response = client.get("/test-stream", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert json.loads(response.get_data())["rows"][0] == {"n": 0, "text": "row"}


def test_compression_off_leaves_bodies_plain(database_url):
    app = create_app(_config(database_url, GUIDE_COMPRESS=False))
    response = app.test_client().get("/api/v1/openapi.json", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers

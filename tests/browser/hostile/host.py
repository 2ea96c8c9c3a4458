"""Borealis: a product on a second origin that embeds Guide the way the README says,
carrying what real products carry.

Served by werkzeug in a daemon thread on 127.0.0.1 (another port is another
origin than the Guide server). Its backend signs each page's identity token with
the demo workspace's secret, and every page sends a strict CSP with a fresh
nonce: scripts only by nonce or from the Guide server, styles only from itself,
connections only to the Guide server. Its scripts and styles are files under
assets/; the only inline script is the nonce'd embed (the README snippet with
this server's URL).

Query flags pile up the hostile things; each is on unless the URL turns it off
(``?pollute=0``), except those that conflict with the rest (off unless asked):

  pollute    Prototype's toJSON on Array/String/Number/Date, enumerable
             Object.prototype properties, MooTools-style Array/Function methods
  json2      a json2-style JSON.stringify over the native one (honours toJSON)
  amd        an AMD loader: window.define with define.amd
  analytics  fetch, XMLHttpRequest, sendBeacon, WebSocket and history wrapped
  css        hostile global CSS (assets/hostile.css)
  sticky     a 240 px sticky header at z-index 2147483647
  transform  a transformed body
  scroll     html { overflow: hidden }, the content in a scroll container
  ws         connect-src allows the Guide server's ws: origin (ws=0: HTTP only)
  rtl        (off) <html dir="rtl">
  zoom       (off) CSS zoom on the root, e.g. zoom=1.5
  guide_el   (off) a <div id="Guide"> in the page before the snippet
  token      good (default) | forged: signed with a wrong secret
  locale     en (default) | any BCP 47 tag: the user's locale trait (ar: a right-to-left widget)

The user is ``?user=<id>``; each test makes up its own, so tests never share progress.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import mimetypes
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests import live

ASSETS = Path(__file__).resolve().parent / "assets"
SNIPPET = live.ROOT / "static" / "widget" / "snippet.html"
EXAMPLE_SERVER = "https://guide.example.com"
APP_KEY = "demo"

ON = ("pollute", "json2", "amd", "analytics", "css", "sticky", "transform", "scroll", "ws")
OFF = ("rtl", "guide_el")


@dataclass
class HostConfig:
    """What Borealis's backend knows: where Guide is and the workspace's signing secret."""

    guide_url: str = ""
    secret: str = ""
    stub: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def readme_stub(server: str) -> str:
    """The snippet's loader stub (static/widget/snippet.html), pointed at `server`:
    what a product team pastes after replacing the example URL."""
    text = SNIPPET.read_text(encoding="utf-8")
    body = text.split("<script>", 1)[1].split("</script>", 1)[0]
    stub = body.split("Guide.init(", 1)[0].strip()
    assert EXAMPLE_SERVER in stub, f"{SNIPPET} has no {EXAMPLE_SERVER} to replace"
    return stub.replace(EXAMPLE_SERVER, server)


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def traits_for(user: str, locale: str = "en") -> dict[str, Any]:
    # Signed up today: no time-based scenario (the server sweeps) nudges the user mid-test.
    return {"name": f"Test {user}", "email": f"{user}@borealis.example", "role": "member",
            "plan": "pro", "signed_up_at": today(), "locale": locale}


def identity_token(secret: str, user: str, locale: str = "en") -> str:
    """What Borealis's backend signs for the signed-in user (README: "Sign the user's identity")."""
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": user, "iat": now, "exp": now + dt.timedelta(hours=1),
              "traits": traits_for(user, locale),
              "account": {"id": f"acct-{user}", "traits": {"plan": "pro"}}}
    return jwt.encode(claims, secret, algorithm="HS256")


def flags_of(request: Request) -> dict[str, str]:
    args = request.args
    flags = {name: args.get(name, "1") for name in ON}
    flags.update({name: args.get(name, "0") for name in OFF})
    flags["zoom"] = args.get("zoom", "")
    flags["token"] = args.get("token", "good")
    flags["locale"] = args.get("locale", "en")
    # "after": the product's listeners (probe.js) load after the embed, as the README
    # shows; "before": between the stub and Guide.init, queued by the stub, so they hear
    # even what the widget says before a slow host script would have loaded.
    flags["listen"] = args.get("listen", "after")
    return flags


def csp(nonce: str, guide_url: str, ws: bool) -> str:
    """Strict: no 'self' scripts, no inline styles, no eval; connections to Guide only.
    Without ws the socket is refused: connect-src names only the widget API's path."""
    origin = urlsplit(guide_url)
    ws_origin = f"ws://{origin.netloc}"
    connect = f"{guide_url} {ws_origin}" if ws else f"{guide_url}/api/v1/widget/"
    return "; ".join([
        "default-src 'self'",
        f"script-src 'nonce-{nonce}' {guide_url}",
        "style-src 'self'",
        f"connect-src {connect}",
        f"img-src 'self' data: {guide_url}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _link(path: str, query: str) -> str:
    return html.escape(f"{path}?{query}" if query else path)


def _content(path: str, q: str) -> tuple[str, str] | None:
    """(title, main HTML) of a page, or None."""
    fillers = "".join(f'<section class="card filler"><h2>Notes {n}</h2><p>Week {n}.</p></section>'
                      for n in range(1, 7))
    if path in ("/demo/dashboard", "/demo/dashboard/reports"):
        reports = path.endswith("/reports")
        return "Dashboard", f"""
<h1>Dashboard</h1>
<p id="new"><input type="button" class="btn" id="new-dashboard" value="New dashboard"></p>
<nav class="tabs" id="dashboard-tabs" aria-label="Dashboard views">
  <a id="tab-overview" href="{_link('/demo/dashboard', q)}">Overview</a>
  <a id="tab-reports" href="{_link('/demo/dashboard/reports', q)}">Reports</a>
</nav>
<div class="view" id="view-overview"{' hidden' if reports else ''}>
  <section class="card" id="kpis"><h2>Key metrics</h2>
    <ul class="kpis"><li>Active users 12,480</li><li>Sessions 48,912</li><li>Revenue $86,240</li></ul>
  </section>
  <div id="insights-slot"></div>
  {fillers}
</div>
<div class="view" id="view-reports"{'' if reports else ' hidden'}>
  <section class="card" id="reports"><h2>Scheduled reports</h2><p>Weekly revenue, Mondays.</p></section>
</div>"""
    if path == "/demo/integrations":
        items = "".join(
            f'<li class="card integration" id="integration-{key}"><h2>{name}</h2>'
            f'<input type="button" class="btn" data-integration="{key}" value="Connect"></li>'
            for key, name in (("postgres", "PostgreSQL"), ("stripe", "Stripe"), ("slack", "Slack")))
        return "Integrations", f"""
<h1>Integrations</h1>
<ul class="integrations" id="integration-list">{items}</ul>
<section class="card" id="import"><h2>Import a CSV file</h2>
  <input type="button" class="btn" id="import-csv" value="Import CSV">
  <p id="import-error" role="alert" hidden></p>
</section>"""
    if path == "/demo/settings":
        return "Settings", """
<h1>Settings</h1>
<form class="card" id="profile-form"><label>Name <input name="name" value="Borealis"></label>
  <input type="submit" value="Save"></form>"""
    if path == "/demo/hostile/dialog":
        return "Team profile", """
<h1>Team profile</h1>
<p><input type="button" class="btn" id="open-dialog" value="Edit profile"></p>
<p>Saved <output id="submits">0</output> times.</p>
<dialog id="host-dialog" class="host-dialog" aria-labelledby="dialog-title">
  <form id="dialog-form">
    <h2 id="dialog-title">Edit profile</h2>
    <label for="dialog-name">Display name</label>
    <input id="dialog-name" name="name" value="Borealis team">
    <label for="dialog-email">Email</label>
    <input id="dialog-email" name="email" type="email" value="team@borealis.example">
    <p><input type="button" id="dialog-cancel" value="Cancel">
       <input type="submit" id="dialog-save" value="Save"></p>
  </form>
</dialog>"""
    if path == "/demo/hostile/messages":
        return "Release notes", """
<h1>Release notes</h1>
<p><input type="button" class="btn" id="share" value="Share">
   <input type="button" class="btn" id="copy-link" value="Copy link"></p>
<section class="card" id="notes"><h2>Borealis 2.0</h2><p>Faster everything.</p></section>"""
    if path == "/demo/hostile/scroll":
        return "Data retention", f"""
<h1>Data retention</h1>
{fillers}{fillers}
<section class="card" id="deep-target"><h2>Retention period</h2><p>Keep raw events 13 months.</p></section>
<section class="card filler"><h2>Archive</h2></section>"""
    return None


class HostApp:
    """The WSGI app. `config` is filled in once the Guide server is up."""

    def __init__(self, config: HostConfig) -> None:
        self.config = config

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/assets/"):
            return self.asset(request)
        page = _content(request.path, request.query_string.decode())
        user = request.args.get("user")
        if page is None or not user:
            return Response("Not found (pages need ?user=...)", status=404)
        return self.page(request, user, *page)

    def asset(self, request: Request) -> Response:
        name = request.path.removeprefix("/assets/")
        if name == "zoom.css":  # CSS zoom on the root, as a file: the CSP allows no inline style
            zoom = float(request.args.get("z", "1"))
            return Response(f"html {{ zoom: {zoom}; }}\n", mimetype="text/css")
        path = ASSETS / name
        if "/" in name or not path.is_file():
            return Response("Not found", status=404)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = Response(path.read_bytes(), mimetype=mimetype)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def page(self, request: Request, user: str, title: str, main: str) -> Response:
        flags = flags_of(request)
        on = {name for name, value in flags.items() if value not in ("0", "", "good")}
        nonce = secrets.token_urlsafe(18)
        cfg = self.config
        styles = ["host.css"] + [f"{name}.css" for name in ("css", "sticky", "scroll", "transform")
                                 if name in on]
        styles = ["hostile.css" if s == "css.css" else s for s in styles]
        links = "".join(f'<link rel="stylesheet" href="/assets/{s}">' for s in styles)
        if flags["zoom"]:
            links += f'<link rel="stylesheet" href="/assets/zoom.css?z={float(flags["zoom"])}">'
        head_scripts = ["early.js"] + [f"{name}.js" for name in ("pollute", "json2", "amd", "analytics")
                                       if name in on]
        script = lambda src: f'<script nonce="{nonce}" src="/assets/{src}"></script>'  # noqa: E731
        secret = cfg.secret if flags["token"] == "good" else "not-the-workspace-secret-0123456789"
        stub = cfg.stub.replace("</", "<\\/")
        embed = "\n".join([
            f"Guide.init({{appKey: {json.dumps(APP_KEY)}, server: {json.dumps(cfg.guide_url)}}});",
            f"Guide.identify({json.dumps(user)}, {json.dumps(traits_for(user, flags['locale']))}, "
            f"{{token: {json.dumps(identity_token(secret, user, flags['locale']))}}});",
            f"Guide.group({json.dumps('acct-' + user)}, {json.dumps({'plan': 'pro'})});",
        ]).replace("</", "<\\/")
        q = request.query_string.decode()
        nav = "".join(f'<a id="nav-{key}" href="{_link(path, q)}">{label}</a>' for key, path, label in (
            ("dashboard", "/demo/dashboard", "Home"), ("integrations", "/demo/integrations", "Integrations"),
            ("settings", "/demo/settings", "Settings")))
        header = (f'<header class="topbar" id="topbar"><span class="brand">Borealis</span>'
                  f'<nav class="nav" aria-label="Main">{nav}<a id="open-help" href="#">Help</a></nav></header>')
        body = f"{header}<main id=\"main\">{main}</main>"
        if "scroll" in on:
            # The status bar below the container overflows the root by its height: the
            # user cannot scroll it (overflow: hidden), a script still can.
            body = (f'<div class="scroller" id="scroller">{body}</div>'
                    '<footer class="statusbar" id="statusbar">All systems normal</footer>')
        document = f"""<!doctype html>
<html lang="en"{' dir="rtl"' if 'rtl' in on else ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(title)} · Borealis</title>
{links}
{''.join(script(s) for s in head_scripts)}
</head>
<body>
{'<div id="Guide" class="guide-tour-banner">Guide: our own product tours</div>' if 'guide_el' in on else ''}
{body}
{script('app.js')}
<script nonce="{nonce}">
{stub}
</script>
{script('probe.js') if flags["listen"] == "before" else ""}
<script nonce="{nonce}">
{embed}
</script>
{script('probe.js') if flags["listen"] != "before" else ""}
</body>
</html>
"""
        response = Response(document, mimetype="text/html")
        response.headers["Content-Security-Policy"] = csp(nonce, cfg.guide_url, "ws" in on)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


@dataclass
class Host:
    url: str
    config: HostConfig

    def page_url(self, path: str, user: str, **flags: Any) -> str:
        params = {"user": user, **{k: str(v) for k, v in flags.items()}}
        return f"{self.url}{path}?{urlencode(params)}"


class QuietHandler(WSGIRequestHandler):
    """No access log: the test output shows the failures, not every asset request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def serve() -> Iterator[Host]:
    """Borealis on a free port, in a daemon thread; configure `host.config` before use."""
    config = HostConfig()
    server = make_server("127.0.0.1", 0, HostApp(config), threaded=True,
                         request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="borealis", daemon=True)
    thread.start()
    try:
        yield Host(url=f"http://127.0.0.1:{server.server_port}", config=config)
    finally:
        server.shutdown()
        server.server_close()

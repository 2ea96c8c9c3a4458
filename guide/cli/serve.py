"""``guide serve``: the web server, as ``make demo`` and production run it.

gunicorn with guide/gunicorn_config.py (one gevent worker: a greenlet per
connection, so WebSockets cost memory, not threads), or Flask's development
server with ``--dev``. Before starting, it prints where everything is.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.serving import is_running_from_reloader

from guide.cli.common import examples
from guide.extensions import socketio

SERVE_EPILOG = examples(
    "guide serve                          # http://127.0.0.1:5000, gevent worker",
    "guide serve --host 0.0.0.0 --port 8000",
    "guide serve --dev                    # debugger and reloader, for development",
    "guide serve -- --worker-connections 20000   # after --: passed to gunicorn",
    note="Stop with Ctrl-C (or SIGTERM): requests in progress get 10 seconds to finish.\n"
         "Production: docs/DEPLOY.md (several processes, PostgreSQL, Redis).")

# What the server offers, by path: printed at start so a newcomer knows where to go.
PLACES = (
    ("Admin (write, preview, publish guides)", "/admin/"),
    ("Support inbox (escalations, user timelines)", "/support/"),
    ("Widget bundle (the snippet loads it)", "/widget/guide.js"),
    ("API document (OpenAPI, docs/API.md)", "/api/v1/openapi.json"),
    ("Health check (readiness: /readyz)", "/healthz"),
)
DEMO = ("Demo product (the widget in a customer app)", "/demo/")
DELIVERIES = "Deliveries (webhooks, emails, sweeps)"


def base_url(host: str, port: int) -> str:
    """The address to open in a browser: a wildcard bind is reached on 127.0.0.1."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def places(app: Flask, url: str) -> list[str]:
    """One line per address the server offers, and where deliveries run."""
    found = [DEMO, *PLACES] if app.config["GUIDE_DEMO"] else list(PLACES)
    width = max(len(label) for label, _ in [*found, (DELIVERIES, "")]) + 1
    lines = [f"  Guide is serving on {url}"]
    lines += [f"    {label + ':':<{width}}  {url}{path}" for label, path in found]
    if not (Path(app.config["GUIDE_WIDGET_DIST"]) / "guide.js").is_file():
        lines.append("    (the widget bundle is not built: run `make widget`)")
    where = ("in this server (GUIDE_WORKER=embedded)" if app.config["GUIDE_WORKER"] == "embedded"
             else "by `guide worker` processes (GUIDE_WORKER=off)")
    lines.append(f"    {DELIVERIES + ':':<{width}}  {where}")
    return lines


def gunicorn_argv(host: str, port: int, extra: tuple[str, ...]) -> list[str]:
    """gunicorn with the server's settings; options after ``--`` override them."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:guide.gunicorn_config",
            "--bind", bind_address(host, port), "--access-logfile", "-", *extra,
            "guide.wsgi:app"]


@click.command("serve", epilog=SERVE_EPILOG)
@click.option("--host", envvar="GUIDE_HOST", default="127.0.0.1", show_default=True,
              show_envvar=True, help="Address to listen on; 0.0.0.0 for every interface.")
@click.option("--port", envvar="GUIDE_PORT", default=5000, show_default=True, show_envvar=True,
              type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--dev", is_flag=True,
              help="Flask's development server with the debugger and the reloader "
                   "instead of gunicorn. Never in production.")  # fmt: skip
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- GUNICORN_ARGS]")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, dev: bool,
                  gunicorn_args: tuple[str, ...]) -> None:
    """Run the web server (widget API, sockets, admin, support inbox)."""
    if dev and gunicorn_args:
        raise click.UsageError("gunicorn options do not apply to --dev")
    app = ctx.ensure_object(ScriptInfo).load_app()
    if not is_running_from_reloader():  # printed once, not again by --dev's reloader
        click.echo("\n".join(["", *places(app, base_url(host, port)), "  Stop with Ctrl-C.", ""]))
    if dev:
        socketio.run(app, host=host, port=port, debug=True, allow_unsafe_werkzeug=True)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    # The server replaces this process: signals and the exit status are gunicorn's own.
    os.execv(sys.executable, gunicorn_argv(host, port, gunicorn_args))

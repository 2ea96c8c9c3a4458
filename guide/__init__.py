"""Guide: a self-hosted server for proactive in-product onboarding."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config from ``GUIDE_*`` env vars, overridden by ``config``."""
    from guide import cli, errors, extensions, models, ratelimit  # noqa: F401
    from guide import config as config_module

    app = Flask(__name__, instance_relative_config=False, static_folder=None)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.from_env(app.instance_path))
    app.config.update(
        API_TITLE="Guide API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    # Responses and socket packets keep the order they were built in; sorting the keys
    # of every bootstrap was measurable work. (Flask 3 no longer reads JSON_SORT_KEYS.)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            url = config_module.normalize_database_url(config["SQLALCHEMY_DATABASE_URI"])
            app.config["SQLALCHEMY_DATABASE_URI"] = url
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(url)

    extensions.db.init_app(app)
    models.base.install_sqlite_pragmas(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True, include_name=models.help.is_model_table,
    )
    _init_socketio(app)
    # Per-client limits and read timeouts (guide/serving.py): around Socket.IO, so they
    # cover its upgrades, and inside ProxyFix, so they count the client's own address.
    from guide import serving

    serving.init_app(app)
    if app.config["GUIDE_TRUSTED_PROXIES"]:
        # Outermost, so Socket.IO handshakes see the client's scheme and host too.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["GUIDE_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    from guide.api import openapi

    openapi.init_app(app, extensions.api)  # before errors: their handlers win
    errors.init_app(app)
    ratelimit.init_app(app)
    cli.init_app(app)

    from guide import (
        access,
        authoring,
        compression,
        health,
        i18n,
        metrics,
        public,
        support,
        widget_assets,
    )
    from guide import api as api_package

    # First of the app's after_request hooks, so the last to run: it sees the final body.
    compression.init_app(app)
    api_package.init_app(app)
    i18n.init_app(app)
    access.init_app(app)  # one sign-in for both: the admin and the support inbox
    authoring.init_app(app)
    support.init_app(app)
    widget_assets.init_app(app)
    public.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
    if app.config["GUIDE_WORKER"] == "embedded" and not app.testing:
        from guide import worker

        worker.init_app(app)
    if app.config["GUIDE_DEMO"]:
        from guide import demo

        demo.init_app(app)
    return app


def _init_socketio(app: Flask) -> None:
    # Handlers must be declared before the first init_app: Flask-SocketIO keeps
    # handlers declared while it has no server and replays them for every app.
    from guide import (
        realtime,  # noqa: F401
        socket_transport,
    )
    from guide.authoring import realtime as admin_realtime  # noqa: F401
    from guide.extensions import socketio
    from guide.serving import PING_INTERVAL, PING_TIMEOUT

    socketio.init_app(
        app,
        async_mode=app.config["GUIDE_ASYNC_MODE"],
        message_queue=app.config["GUIDE_MESSAGE_QUEUE"],
        channel=app.config["GUIDE_MESSAGE_QUEUE_CHANNEL"],
        transports=["websocket"],
        # Origins are checked per workspace in the connect handler, which knows the
        # workspace from the socket token; WebSocket upgrades are not subject to CORS.
        cors_allowed_origins="*",
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
        ping_interval=PING_INTERVAL,
        ping_timeout=PING_TIMEOUT,
    )
    socket_transport.install(socketio)  # gevent: one greenlet per idle socket, no deflate

"""gunicorn settings for every tier: ``gunicorn -c python:guide.gunicorn_config wsgi:app``.

One gevent worker per process (``make demo``, and each production process): a
greenlet per connection instead of a thread, so idle WebSockets and slow clients
cost memory, not the server's ability to answer. What one client may hold is
bounded in the app (guide/serving.py); here:

- ``keepalive``: seconds a client has to send a request's headers (gunicorn's
  gevent worker reads them under this deadline), and that an idle keep-alive
  connection stays open;
- ``worker_connections``: connections the process holds at once (beyond it,
  new ones wait in the listen backlog); the open-file limit is raised to fit;
- ``limit_request_line``: bytes of a request line, gunicorn's largest (its default,
  4094, answered an analytics URL with a long segment filter by its own HTML "414");
  a segment of the most characters the reports take (``guide.analytics.filters
  .MAX_TEXT``) in ASCII, each percent-encoded, fits, and a longer one is the app's 400
  ``invalid_filter`` in the JSON error shape.

Command-line options override these (``--worker-connections 20000``).
"""

from __future__ import annotations

import resource
from typing import Any

worker_class = "gevent"
workers = 1
worker_connections = 10000
keepalive = 5
limit_request_line = 8190
# gunicorn 27 opens a control socket under the home directory unless told not to.
control_socket_disable = True
# Lets in-flight requests finish on a restart; WebSockets reconnect to the new worker.
graceful_timeout = 10

# Descriptors the process needs besides its connections: the database, logs, the
# widget files, the message queue.
SPARE_FILES = 128


def on_starting(server: Any) -> None:
    """Raise the soft open-file limit to fit ``worker_connections`` (the hard limit caps it)."""
    wanted = server.cfg.worker_connections + SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            server.log.warning(
                "open-file limit %d holds about %d connections, not %d: raise it "
                "(ulimit -Hn, LimitNOFILE=) or lower --worker-connections",
                target, target - SPARE_FILES, server.cfg.worker_connections)

"""gunicorn entry point: ``gunicorn -c python:guide.gunicorn_config guide.wsgi:app``.

``guide serve`` runs exactly that (the checkout's wsgi.py re-exports ``app``).

That configuration runs gunicorn's gevent worker, which monkey-patches the standard
library before it imports this module, so the app, its locks and its threads (the
embedded outbox worker) are gevent's, and Socket.IO picks the gevent mode
(guide.config.default_async_mode). Never run it with ``--preload``: the app would
be imported in the master before gevent patches anything, with real thread locks
that block the whole worker when contended.
"""

import gc

from guide import create_app

app = create_app()

# The cyclic garbage collector's full passes scan every object of the process: with
# 1,000 sockets connected they took 80-230 ms each in a gevent worker, a pause for
# every socket at once (the p99 of `make bench`). What the app loaded lives as long
# as the process, so it is frozen out of those passes, and a full pass waits for 100
# middle-generation passes instead of 10. The young passes stay as they are: requests
# leave many short-lived reference cycles, and those are cheapest to free young.
gc.freeze()
gc.set_threshold(700, 10, 100)

"""gunicorn entry point: ``gunicorn --no-control-socket -w 1 --threads 100 wsgi:app``."""

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

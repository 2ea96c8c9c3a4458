"""SQLite writers contending under gevent, run in a process of its own (it monkey-patches).

``python -m tests.security.gevent_writers sqlite:///path.db WRITERS ROWS`` prints JSON:
the event loop's longest stall while they contend, the rows written, the errors.

One greenlet holds its write transaction across a yield (as the outbox worker does
while a webhook is delivered); the writers start meanwhile. Each must wait for its
turn without stalling the loop, and every row must land.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from guide import create_app  # noqa: E402
from guide.extensions import db  # noqa: E402
from guide.models import LoginThrottle  # noqa: E402

TICK = 0.01
HOLD = 1.0


def main(url: str, writers: int, rows: int) -> dict[str, object]:
    app = create_app({"TESTING": True, "SECRET_KEY": "gevent-writers-" + "0" * 32,
                      "SQLALCHEMY_DATABASE_URI": url, "GUIDE_WORKER": "off"})
    stalls: list[float] = []
    errors: list[str] = []
    holding = gevent.event.Event()
    done = gevent.event.Event()

    def ticker() -> None:
        while not done.is_set():
            started = time.monotonic()
            gevent.sleep(TICK)
            stalls.append(time.monotonic() - started - TICK)

    def holder() -> None:
        with app.app_context():
            db.session.add(LoginThrottle(key="holder", failures=1))
            db.session.flush()  # the write transaction is open
            holding.set()
            gevent.sleep(HOLD)  # network I/O while holding it
            db.session.commit()

    def writer(n: int) -> None:
        holding.wait()
        with app.app_context():
            for i in range(rows):
                try:
                    db.session.add(LoginThrottle(key=f"writer-{n}-{i}", failures=1))
                    db.session.commit()
                except Exception as error:  # reported, and the test fails on it
                    errors.append(repr(error)[:300])
                    db.session.rollback()

    tick = gevent.spawn(ticker)
    gevent.joinall([gevent.spawn(holder), *(gevent.spawn(writer, n) for n in range(writers))])
    done.set()
    tick.join()
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle))
    return {"max_stall": max(stalls), "rows": count, "errors": errors}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))

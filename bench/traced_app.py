"""Guide's app with tracemalloc on, for bench/socket_memory.py only (never deployed).

``gunicorn ... bench.traced_app:app`` serves Guide as ``wsgi:app`` does, and
answers ``GET /__bench/snapshot?name=N`` by writing a tracemalloc snapshot and
the live objects counted by type to ``$GUIDE_BENCH_SNAPSHOTS/N.*``. Tracing starts
at the first snapshot (tracing the app's imports would take minutes), so a later
snapshot holds what was allocated since and is still alive.
"""

from __future__ import annotations

import gc
import json
import os
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from guide.wsgi import app as guide_app

OUT = Path(os.environ.get("GUIDE_BENCH_SNAPSHOTS", "."))


def _snapshot(name: str) -> None:
    gc.collect()
    if not tracemalloc.is_tracing():
        tracemalloc.start(int(os.environ.get("GUIDE_BENCH_FRAMES", "12")))
    tracemalloc.take_snapshot().dump(str(OUT / f"{name}.tracemalloc"))
    counts = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    (OUT / f"{name}.types.json").write_text(json.dumps(counts.most_common(300)))


class Traced:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/__bench/snapshot":
            name = parse_qs(environ.get("QUERY_STRING", "")).get("name", ["snapshot"])[0]
            _snapshot("".join(c for c in name if c.isalnum() or c in "-_"))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return self.inner(environ, start_response)


app = Traced(guide_app)

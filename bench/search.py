"""Help search latency for 1,000 articles, on SQLite and PostgreSQL (not a test).

    .venv/bin/python bench/search.py                 # SQLite
    GUIDE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/search.py             # SQLite and PostgreSQL

Loads generated articles through the real push path (index included), then
times many queries typed the way users type them (one word, two words, a
prefix of the last word, a word that matches nothing). Two figures per query:
``index`` is the full-text query alone; ``endpoint`` is the whole
``GET /api/v1/widget/help?q=`` through the WSGI app (token check, query,
loading, localizing and excerpts), without the network. Prints a table and
writes bench/results/search.json. Target: p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "search.json"
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qu", "do", "fi",
             "gre", "str", "on", "el", "ax", "um", "ist"]
DOMAIN = ["dashboard", "integration", "postgresql", "invoice", "teammate", "permissions",
          "export", "currency", "timezone", "webhook", "report", "chart", "billing", "sso"]


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words) + DOMAIN


def articles(count: int, rng: random.Random, words: list[str]) -> list[dict[str, Any]]:
    def text(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    return [{
        "key": f"article-{n:04d}",
        "title": {"en": text(5).capitalize(), "fr": text(5).capitalize()},
        "tags": [rng.choice(DOMAIN), rng.choice(words)],
        "pages": [f"/app/{rng.choice(DOMAIN)}/**"], "guides": [], "steps": [],
        "body": "\n\n".join(text(60) + "." for _ in range(5)),
    } for n in range(count)]


def queries(rng: random.Random, words: list[str], count: int) -> list[str]:
    out = []
    for n in range(count):
        kind = n % 4
        if kind == 0:
            out.append(rng.choice(words))
        elif kind == 1:
            out.append(f"{rng.choice(words)} {rng.choice(DOMAIN)}")
        elif kind == 2:
            word = rng.choice(words)
            out.append(f"{rng.choice(DOMAIN)} {word[:max(2, len(word) // 2)]}")  # still typing
        else:
            out.append(f"zzq{n} {rng.choice(words)}")  # no AND match: falls back to OR
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)
    return {"p50_ms": pick(0.5), "p90_ms": pick(0.9), "p99_ms": pick(0.99),
            "max_ms": round(ordered[-1] * 1000, 2),
            "mean_ms": round(statistics.mean(ordered) * 1000, 2)}


def timed(fn: Callable[[str], Any], items: list[str]) -> list[float]:
    samples = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        samples.append(time.perf_counter() - start)
    return samples


@contextmanager
def database(backend: str, pg_url: str | None) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/search.db"
        return
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from guide.config import normalize_database_url

    admin = sa.create_engine(normalize_database_url(pg_url or ""), isolation_level="AUTOCOMMIT")
    name = f"guide_bench_search_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url or "").set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def each_backend(postgres: str | None, run: Callable[[str], dict[str, Any]],
                 only: str | None = None) -> dict[str, Any]:
    """``run(url)`` on a throwaway SQLite database, then PostgreSQL when a URL is given."""
    results: dict[str, Any] = {}
    for backend in ["sqlite"] + (["postgresql"] if postgres else []):
        if only not in (None, backend):
            continue
        with database(backend, postgres) as url:
            results[backend] = run(url)
    return results


def write_section(doc: Path, start: str, end: str, section: str) -> None:
    """Replace the part of ``doc`` between the markers (or append it) with ``section``."""
    text = doc.read_text()
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: section, text,
                      flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    doc.write_text(text)


def save_results(path: Path, results: dict[str, Any]) -> float:
    """Write the JSON results with the machine they ran on; returns the load average."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": {"python": platform.python_version(),
                                            "cores": os.cpu_count(), "load_average": load},
                                "results": results}, indent=2) + "\n")
    return load


def settle(db: Any) -> None:
    """What happens on its own shortly after a push: autovacuum on PostgreSQL (hint bits,
    visibility map, statistics), an FTS5 merge on SQLite. Measured without it, the first
    minutes after loading 1,000 articles at once are several times slower on PostgreSQL."""
    import sqlalchemy as sa

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("VACUUM ANALYZE help_article"))
        else:
            conn.execute(sa.text(
                "INSERT INTO help_article_fts(help_article_fts) VALUES ('optimize')"))
            conn.execute(sa.text("ANALYZE"))


def bench_app(url: str) -> Any:
    """The app on ``url``, without the demo or the outbox worker."""
    from guide import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32,
                       "GUIDE_DEMO": False, "GUIDE_WORKER": "off"})


def bench_workspace() -> Any:
    """A new workspace "bench" with a signing secret, flushed (in an app context)."""
    from guide.extensions import db
    from guide.models import Workspace

    workspace = Workspace(key="bench", name="Bench")
    workspace.ensure_signing_secret()
    db.session.add(workspace)
    db.session.flush()
    return workspace


def run_backend(url: str, count: int, query_count: int, seed: int) -> dict[str, Any]:
    from flask_migrate import upgrade

    from guide.extensions import db
    from guide.models import EndUser
    from guide.services import help_articles
    from guide.services.help_search import search
    from guide.services.identity import issue_socket_token

    rng = random.Random(seed)
    words = vocabulary(rng)
    app = bench_app(url)
    with app.app_context():
        upgrade()
        workspace = bench_workspace()
        user = EndUser(workspace_id=workspace.id, external_id="bench", traits={}, locale="en")
        db.session.add(user)
        start = time.perf_counter()
        help_articles.apply(workspace, articles(count, rng, words), "bench")
        db.session.commit()
        load_s = time.perf_counter() - start
        settle(db)
        token, _ = issue_socket_token(workspace.id, user.id)
        items = queries(rng, words, query_count)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        hits = [len(search(workspace.id, q)) for q in items[:200]]

        def endpoint(q: str) -> None:
            response = client.get("/api/v1/widget/help", query_string={"q": q}, headers=headers)
            assert response.status_code == 200, response.get_json()

        # Warm up as a server that has been answering for a while: the connection pool and
        # each article's plain text for excerpts (an LRU cache) are ready.
        timed(endpoint, items)
        result = {
            "articles": count, "queries": len(items), "load_s": round(load_s, 2),
            "queries_with_results": round(sum(1 for h in hits if h) / len(hits), 3),
            "index": percentiles(timed(lambda q: search(workspace.id, q), items)),
            "endpoint": percentiles(timed(endpoint, items)),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", default=os.environ.get("GUIDE_TEST_DATABASE_URL"),
                        help="a PostgreSQL URL to create a throwaway database next to")
    args = parser.parse_args()
    results = each_backend(args.postgres, lambda url: run_backend(
        url, args.articles, args.queries, args.seed))
    print(f"\nHelp search, {args.articles} articles, {args.queries} queries "
          f"({platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores)\n")
    print(f"{'backend':<11} {'what':<9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}  "
          f"load s  hit rate")
    for backend, result in results.items():
        for what in ("index", "endpoint"):
            r = result[what]
            print(f"{backend:<11} {what:<9} {r['p50_ms']:>8} {r['p90_ms']:>8} {r['p99_ms']:>8} "
                  f"{r['max_ms']:>8}  {result['load_s']:>6}  {result['queries_with_results']:>8}")
    worst = max(r["endpoint"]["p99_ms"] for r in results.values())
    load = save_results(RESULTS, results)
    print(f"\nload average during the run: {load:.1f} on {os.cpu_count()} cores")
    print(f"target: p99 < 50 ms; worst endpoint p99: {worst} ms "
          f"({'met' if worst < 50 else 'NOT met'})")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

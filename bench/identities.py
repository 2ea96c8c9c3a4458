"""The demo workspace's users as the benchmarks sign them, and the machine they ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jwt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import live  # noqa: E402


def demo_secret(server: live.LiveServer) -> str:
    out = subprocess.run(
        [str(live.BIN / "flask"), "--app", "wsgi", "guide", "workspace", "secret", "demo"],
        cwd=ROOT, env=server.env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout
    return out.strip().splitlines()[-1]


def identity(secret: str, user: str) -> str:
    return jwt.encode({"sub": user, "exp": int(time.time()) + 7200}, secret, algorithm="HS256")


def bootstrap_bodies(secret: str, count: int) -> list[dict[str, Any]]:
    return [{"app": "demo", "user": {"id": f"bench-{i}"}, "token": identity(secret, f"bench-{i}"),
             "url": "/demo/dashboard", "locale": "en"} for i in range(count)]


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "note": "load generators (wrk, Python asyncio clients) share the machine "
                    "with the server"}

"""HTTP load with wrk: throughput and latency percentiles for one endpoint."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def lua_for(bodies: list[dict[str, Any]], headers: dict[str, str] | None = None) -> str:
    """A wrk script that POSTs the given JSON bodies in turn (many users, not one)."""
    items = ",\n".join("[==[" + json.dumps(body) + "]==]" for body in bodies)
    fields = {"Content-Type": "application/json", **(headers or {})}
    lua_headers = ", ".join(f'["{name}"] = "{value}"' for name, value in fields.items())
    return (
        "local bodies = {\n" + items + "\n}\n"
        "local i = 0\n"
        f"local headers = {{{lua_headers}}}\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        '  return wrk.format("POST", nil, headers, bodies[i])\n'
        "end\n"
    )


def run_wrk(url: str, bodies: list[dict[str, Any]], *, seconds: int, connections: int,
            threads: int = 2, headers: dict[str, str] | None = None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_for(bodies, headers))
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
             "-s", script.name, url],
            check=True, capture_output=True, text=True, timeout=seconds + 60,
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        result[f"p{pct}_ms"] = float(match.group(1)) * UNITS[match.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["errors"] = float(non2xx.group(1)) if non2xx else 0.0
    return result

"""The widget's npm package (docs/NPM.md), built and packed as `make package` does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests import live

WIDGET = live.ROOT / "static" / "widget"
PACKAGE = WIDGET / "build" / "package"


def build_package() -> Path:
    """Runs `npm run package` (what `make package` runs) and returns the tarball it packed."""
    if shutil.which("node") is None or not (WIDGET / "node_modules" / "esbuild").exists():
        raise RuntimeError("node and the widget's node_modules are needed: make widget")
    result = subprocess.run(["npm", "run", "--silent", "package"], cwd=WIDGET, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr or result.stdout
    return Path(result.stdout.strip().splitlines()[-1])

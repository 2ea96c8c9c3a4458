"""The widget's npm package (docs/NPM.md), built and packed as `make package` does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests import live

WIDGET = live.ROOT / "static" / "widget"


def build_package(out: Path) -> Path:
    """Runs `npm run package` (what `make package` runs) into ``out`` and returns the tarball
    it packed; the package's files are in ``out / "package"``. A directory of the test's
    own, so two suites running at once (CI's two rounds) never build over each other."""
    if shutil.which("node") is None or not (WIDGET / "node_modules" / "esbuild").exists():
        raise RuntimeError("node and the widget's node_modules are needed: make widget")
    result = subprocess.run(["npm", "run", "--silent", "package"], cwd=WIDGET, capture_output=True,
                            env={**os.environ, "GUIDE_PACKAGE_OUT": str(out)},
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr or result.stdout
    return Path(result.stdout.strip().splitlines()[-1])

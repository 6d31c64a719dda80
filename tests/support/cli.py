"""The pipeline's command line run as users run it: a separate process, its stderr captured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_pipeline(*args: object) -> subprocess.CompletedProcess[str]:
    """``python -m helpers.pipeline ARGS`` from the repository root, never raising on a non-zero exit."""
    command = [sys.executable, "-m", "helpers.pipeline", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)

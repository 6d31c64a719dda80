"""A writable copy of the committed raw directory, for tests that change or add raw files."""

from __future__ import annotations

import shutil
from pathlib import Path

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def copy_raw(tmp_path: Path, with_reference: bool = True) -> Path:
    """Copy data/raw to ``tmp_path/raw`` with write permission (the committed files are read-only)."""
    raw = tmp_path / "raw"
    ignore = None if with_reference else shutil.ignore_patterns("reference")
    shutil.copytree(RAW, raw, ignore=ignore)
    for path in raw.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return raw

"""A writable copy of the committed raw directory, for tests that change or add raw files."""

from __future__ import annotations

import shutil
from dataclasses import replace
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


def replace_listed(raw: Path, contents: dict[str, bytes], keep: set[str] | None = None) -> None:
    """Give listed files new bytes and record their new checksums in the manifest (so the checksum cannot be what
    refuses them); with ``keep``, list only those files."""
    from helpers.sources.manifest import format_manifest, read_manifest, sha256_of

    for name, data in contents.items():
        (raw / name).write_bytes(data)
    sources = [s for s in read_manifest(raw) if keep is None or s.file in keep]
    sources = [replace(s, sha256=sha256_of(raw / s.file)) for s in sources]
    (raw / "sources.csv").write_text(format_manifest(sources), encoding="utf-8", newline="")

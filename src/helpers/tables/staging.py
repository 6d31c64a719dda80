"""All-or-nothing outputs: a run writes into staging folders and its files move into place only when it succeeds.

A run that fails at any step leaves the previous tables, figures and report exactly as they were. Staging folders
sit beside their targets, so every move is a rename on one file system.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

PREVIOUS = ".previous"
"""Inside a staging folder: the files a publication replaced, kept until every move has succeeded."""


def staged_files(staging: Path) -> list[Path]:
    """Every file written into a staging folder, relative to it, in a stable order."""
    return sorted(
        p.relative_to(staging)
        for p in staging.rglob("*")
        if p.is_file() and p.relative_to(staging).parts[0] != PREVIOUS
    )


def publish(pairs: Sequence[tuple[Path, Path]]) -> list[Path]:
    """Move every staged file to the same place under its target, replacing what was there; if any move fails,
    put every replaced file back and re-raise. Returns the published paths."""
    done: list[tuple[Path, Path, Path | None]] = []
    try:
        for staging, target in pairs:
            for rel in staged_files(staging):
                destination = target / rel
                backup = None
                if destination.exists():
                    backup = staging / PREVIOUS / rel
                    backup.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(destination, backup)
                destination.parent.mkdir(parents=True, exist_ok=True)
                done.append((staging / rel, destination, backup))
                os.replace(staging / rel, destination)
    except BaseException:
        for source, destination, backup in reversed(done):
            if destination.exists():
                os.replace(destination, source)
            if backup is not None:
                os.replace(backup, destination)
        raise
    return [destination for _, destination, _ in done]


@contextmanager
def staged_directories(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield an empty staging folder beside each target; publish them all if the block succeeds, and in every
    case remove the staging folders (so a failed run leaves the targets untouched and no debris)."""
    stagings: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            stagings.append(Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent)))
        yield stagings
        publish(list(zip(stagings, targets, strict=True)))
    finally:
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a file's text in one rename, so a reader sees the old or the new file, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def copy_file_atomic(source: Path, target: Path, mode: int) -> None:
    """Copy a file under a temporary name, set its mode, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

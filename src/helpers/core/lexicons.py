"""The reviewed lexicon CSVs (``helpers/lexicons/``), found by name and read once."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LEXICONS_DIR = Path(__file__).resolve().parents[1] / "lexicons"
"""Where every lexicon CSV lives."""


def lexicon_path(name: str) -> Path:
    """The path of a lexicon CSV by file name (``yamagata_progress_departments.csv``)."""
    path = LEXICONS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"no lexicon {name} in {LEXICONS_DIR}")
    return path


@cache
def lexicon_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a lexicon CSV by file name, read once per process (callers must not change them)."""
    with lexicon_path(name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))

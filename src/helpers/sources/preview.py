"""Small text views for the notebooks (kept here so notebook cells stay short)."""

from __future__ import annotations

from pathlib import Path

from helpers.sources.raw_text import read_sheet_text


def preview_lines(path: Path, n: int = 12, width: int = 110, start: int = 1) -> str:
    """The first ``n`` non-empty lines from ``start``, tabs shown as ⇥, each cut to ``width`` characters."""
    lines = read_sheet_text(path).split("\n")
    shown: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number < start or not line.strip():
            continue
        text = line.replace("\t", "⇥")
        shown.append(f"{number:5d}: {text[:width]}{'…' if len(text) > width else ''}")
        if len(shown) == n:
            break
    return "\n".join(shown)

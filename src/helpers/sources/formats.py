"""The sheet-format registry ``lexicons/sheet_formats.csv``: the parsers a manifest row may name, and their modules.

A new format is a row here, a module implementing the parser contract (``helpers/sheets/CONTRACT.md``) and the
format's landmark lines in ``lexicons/sheet_landmarks.csv``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FORMATS_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "sheet_formats.csv"


@dataclass(frozen=True)
class SheetFormat:
    """One registered sheet format: the name the manifest uses and the module whose ``parse`` reads it."""

    parser: str
    module: str
    description: str


@cache
def load_formats(path: Path = FORMATS_CSV) -> tuple[SheetFormat, ...]:
    """Every registered format, in file order; a duplicate name or an empty field stops with the line at fault."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    formats: list[SheetFormat] = []
    for number, row in enumerate(rows, start=2):
        if any(not (row.get(name) or "").strip() for name in SheetFormat.__dataclass_fields__):
            raise ValueError(f"{path.name}:{number}: every column of the format registry needs a value")
        if row["parser"] in {f.parser for f in formats}:
            raise ValueError(f"{path.name}:{number}: parser {row['parser']!r} is registered twice")
        formats.append(SheetFormat(row["parser"], row["module"], row["description"]))
    return tuple(formats)


def parser_names() -> tuple[str, ...]:
    """The registered parser names, in registry order.

    >>> parser_names()[0]
    'yamagata_progress'
    """
    return tuple(f.parser for f in load_formats())


def parser_module(parser: str) -> str:
    """The dotted module path implementing ``parser``; an unknown name is a ValueError listing the known ones."""
    for sheet_format in load_formats():
        if sheet_format.parser == parser:
            return sheet_format.module
    raise ValueError(f"unknown parser {parser!r}; known: {', '.join(parser_names())}")

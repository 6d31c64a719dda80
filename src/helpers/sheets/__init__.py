"""One parser module per sheet format; ``sources.csv`` names the parser for each raw file."""

from __future__ import annotations

import csv
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpers.core.errors import SheetError
from helpers.core.text import clear_caches, key
from helpers.sheets.records import ParsedSheet
from helpers.sources.formats import parser_module, parser_names
from helpers.sources.raw_text import read_sheet_lines

PARSER_NAMES: tuple[str, ...] = parser_names()
"""The registered formats (``lexicons/sheet_formats.csv``), each a module implementing ``CONTRACT.md``."""

LANDMARKS_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "sheet_landmarks.csv"
"""Lines every document of a format contains (header rows, headings, titles): a file without them is another
format, or a document cut short before them."""

Parser = Callable[..., ParsedSheet]


@dataclass(frozen=True)
class Landmark:
    """A line a format's documents always contain, matched against the line's comparison key (NFKC, no spaces)."""

    parser: str
    landmark_id: str
    pattern: re.Pattern[str]
    description: str
    example: str


@cache
def load_landmarks() -> dict[str, tuple[Landmark, ...]]:
    """The reviewed landmarks of every parser, in file order."""
    with LANDMARKS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    landmarks: dict[str, list[Landmark]] = {name: [] for name in parser_names()}
    for row in rows:
        if row["parser"] not in landmarks:
            raise ValueError(f"{LANDMARKS_CSV.name}: unknown parser {row['parser']!r}")
        landmarks[row["parser"]].append(
            Landmark(row["parser"], row["landmark_id"], re.compile(row["pattern"]), row["description"], row["example"])
        )
    return {name: tuple(found) for name, found in landmarks.items()}


def require_landmarks(lines: list[str], parser: str, source_file: str) -> None:
    """Refuse a document that lacks a line its format always has, before the parser reads it."""
    for landmark in load_landmarks()[parser]:
        if not any(landmark.pattern.search(key(line)) for line in lines if line.strip()):
            raise SheetError(
                source_file,
                1,
                f"the {parser} parser does not recognise this document: no line has {landmark.description} "
                "(check the parser named in sources.csv, or whether the file is complete)",
            )


def sheet_lines(path: Path, parser: str, source_file: str) -> list[str]:
    """A parser's input: the file decoded (UTF-8, BOM, CP932; any line end), checked complete and of its format."""
    lines = read_sheet_lines(path, source_file)
    require_landmarks(lines, parser, source_file)
    return lines


def get_parser(name: str) -> Parser:
    """Return ``parse(path, *, city, source_file, lines=None)`` of the named sheet module (``lines``: the file's
    lines when the caller has read them already)."""
    module = importlib.import_module(parser_module(name))
    return module.parse


def parse_file(path: Path, *, parser: str, city: str) -> ParsedSheet:
    """Parse one raw file with the parser the manifest names for it; a sheet it cannot read is a SheetError.

    The format's landmarks are checked here, not in the parsers, so that tests can parse excerpts of a sheet."""
    lines = sheet_lines(path, parser, path.name)
    clear_caches()
    try:
        sheet = get_parser(parser)(path, city=city, source_file=path.name, lines=lines)
    except SheetError:
        raise
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise SheetError(path.name, _line_of(message), f"{parser} cannot read this sheet: {message}") from None
    if not sheet.observations and not sheet.measures:
        raise SheetError(path.name, 1, f"the {parser} parser found no measures and no figures in this file")
    return sheet


def _line_of(message: str) -> int:
    """The line a parser's message names (``line 264: …``), else 1."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1

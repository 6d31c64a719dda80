"""One parser module per sheet format; ``sources.csv`` names the parser for each raw file."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

from helpers.errors import SheetError
from helpers.records import ParsedSheet

PARSER_NAMES: tuple[str, ...] = (
    "yamagata_progress",
    "yamagata_overview",
    "yamaguchi_report",
    "ichinoseki_council",
    "shiroi_sheet",
)

Parser = Callable[..., ParsedSheet]


def get_parser(name: str) -> Parser:
    """Return ``parse(path, *, city, source_file)`` of the named sheet module."""
    if name not in PARSER_NAMES:
        raise ValueError(f"unknown parser {name!r}; known: {', '.join(PARSER_NAMES)}")
    module = importlib.import_module(f"helpers.sheets.{name}")
    return module.parse


def parse_file(path: Path, *, parser: str, city: str) -> ParsedSheet:
    """Parse one raw file with the parser the manifest names for it; a sheet it cannot read is a SheetError."""
    try:
        return get_parser(parser)(path, city=city, source_file=path.name)
    except SheetError:
        raise
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise SheetError(path.name, _line_of(message), f"{parser} cannot read this sheet: {message}") from None


def _line_of(message: str) -> int:
    """The line a parser's message names (``line 264: …``), else 1."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1

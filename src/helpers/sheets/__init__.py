"""One parser module per sheet format; ``sources.csv`` names the parser for each raw file."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

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
    """Parse one raw file with the parser the manifest names for it."""
    return get_parser(parser)(path, city=city, source_file=path.name)

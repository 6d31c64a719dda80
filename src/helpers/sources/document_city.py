"""Whose document is it: the city a sheet names itself by (its title, its own plan, department or council), so
that a sheet filed under the wrong city is refused before its numbers are published as another city's.

The reviewed patterns are in ``lexicons/document_cities.csv`` (one row per way a document names its own city, with
the line it comes from); a city's document is the one whose lines match that city's patterns more than any other's.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpers.core.errors import SheetError
from helpers.core.text import key, strip_html
from helpers.sources.cities import city_ids, city_names_ja

LEXICON_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "document_cities.csv"
TITLE_WIDTH = 40
"""Characters of a matched line quoted in a message."""


@dataclass(frozen=True)
class CityPattern:
    """One way a document names its own city, matched against a line's comparison key (NFKC, no spaces)."""

    city: str
    pattern: re.Pattern[str]
    title: bool
    """A line it matches can serve as the document's title."""
    description: str
    example: str


@dataclass(frozen=True)
class CityEvidence:
    """The city a document names itself by, the first line that says so, and how many lines do."""

    city: str
    line: int
    text: str
    lines: int


@cache
def load_city_patterns(path: Path = LEXICON_CSV) -> tuple[CityPattern, ...]:
    """The reviewed patterns, in file order; an unregistered city stops with the lexicon line at fault."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    patterns = []
    for number, row in enumerate(rows, start=2):
        if row["city"] not in city_ids():
            raise ValueError(f"{path.name}:{number}: unknown city {row['city']!r}")
        patterns.append(
            CityPattern(
                row["city"], re.compile(row["pattern"]), row["title"] == "yes", row["description"], row["example"]
            )
        )
    return tuple(patterns)


def _clean(line: str) -> str:
    """A line as a title or a quotation: markup and Markdown heading marks dropped, spaces collapsed.

    >>> _clean("# 令和5年度 第1回 一関市地域福祉計画推進会議")
    '令和5年度 第1回 一関市地域福祉計画推進会議'
    """
    return " ".join(strip_html(line).lstrip("#").split())


def document_cities(lines: list[str]) -> list[CityEvidence]:
    """Every city the document names itself by, the most-named first (ties in registry order).

    >>> [e.city for e in document_cities(["", "白井市第2次地域福祉計画 進行管理シート(令和4年度)"])]
    ['shiroi']
    >>> document_cities(["年度\\t実績値"])
    []
    """
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    patterns = load_city_patterns()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        line_key = key(line)
        for city in dict.fromkeys(p.city for p in patterns if p.pattern.search(line_key)):
            counts[city] += 1
            first.setdefault(city, (number, _clean(line)))
    order = {city: n for n, city in enumerate(city_ids())}
    ranked = sorted(counts, key=lambda c: (-counts[c], order[c]))
    return [CityEvidence(c, first[c][0], first[c][1], counts[c]) for c in ranked]


def check_document_city(lines: list[str], city: str, source_file: str, said_by: str) -> None:
    """Refuse a document that names another city than the one ``said_by`` (a manifest line, ``--city``) gives it,
    or that names no city at all: its numbers would be published as the wrong city's.

    >>> check_document_city(["白井市第2次地域福祉計画 進行管理シート"], "shiroi", "s.txt", "--city")
    >>> try:
    ...     check_document_city(["白井市第2次地域福祉計画 進行管理シート"], "yamagata", "s.txt", "--city")
    ... except SheetError as exc:
    ...     print(str(exc).split(";")[0])
    s.txt:1: this is 白井市's document (「白井市第2次地域福祉計画 進行管理シート」), not 山形市's as --city says
    """
    names = city_names_ja()
    found = document_cities(lines)
    if not found:
        raise SheetError(
            source_file,
            1,
            f"no line names the document's city (none of the patterns in {LEXICON_CSV.name}); check that this is "
            f"{names[city]}'s document, and add a reviewed pattern for it there if it is",
        )
    top = found[0]
    tied = [e for e in found if e.lines == top.lines]
    if len(tied) == 1 and top.city == city:
        return
    if len(tied) > 1 and city in {e.city for e in tied}:  # no way to tell whose document it is
        other = next(e for e in tied if e.city != city)
        raise SheetError(
            source_file,
            other.line,
            f"the document names {names[city]} and {names[other.city]} equally often; check that it is "
            f"{names[city]}'s document",
        )
    quoted = top.text if len(top.text) <= TITLE_WIDTH else top.text[:TITLE_WIDTH] + "…"
    raise SheetError(
        source_file,
        top.line,
        f"this is {names[top.city]}'s document (「{quoted}」), not {names[city]}'s as {said_by} says; "
        "give the city the document names",
    )


def document_title(lines: list[str]) -> str:
    """The document's title: the first line that names its city as a title does (an empty string if none does).

    >>> document_title(["", "# 令和5年度 第1回 一関市地域福祉計画推進会議", "日時 令和5年8月29日"])
    '令和5年度 第1回 一関市地域福祉計画推進会議'
    >>> document_title(["施策\\t主な取組"])
    ''
    """
    titles = [p.pattern for p in load_city_patterns() if p.title]
    for line in lines:
        if line.strip() and any(pattern.search(key(line)) for pattern in titles):
            return _clean(line)
    return ""

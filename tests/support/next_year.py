"""Build a next-year Shiroi sheet from the committed one: same format, years moved on by one, new latest values."""

from __future__ import annotations

import re

YEAR_COLUMN, VALUE_COLUMN = 6, 7
"""Positions of 年度 and 実績値 in the sheet's table rows (header on line 18 of the committed sheet)."""


def _bump_numbers(cell: str, step: int) -> str:
    """Add ``step`` to every integer in a cell, keeping thousands separators."""

    def bump(match: re.Match[str]) -> str:
        value = int(match.group(0).replace(",", "")) + step
        return f"{value:,}" if "," in match.group(0) else str(value)

    return re.sub(r"\d{1,3}(?:,\d{3})+|\d+", bump, cell)


def next_year_shiroi(text: str, step: int = 7) -> str:
    """Title 令和4年度 → 令和5年度; in each block the 2/3/4 rows become 3/4/5, each row taking the values of the
    row below it, and the new 5 row the old latest values plus ``step``."""
    lines = text.split("\n")
    lines = [line.replace("進行管理シート（令和4年度）", "進行管理シート（令和5年度）") for line in lines]
    rows = [i for i, line in enumerate(lines) if _year(line) in ("2", "3", "4")]
    by_index = {i: lines[i].split("\t") for i in rows}
    for first, second, third in zip(rows, rows[1:], rows[2:], strict=False):
        years = [by_index[i][YEAR_COLUMN] for i in (first, second, third)]
        if years != ["2", "3", "4"]:
            continue
        cells = [list(by_index[i]) for i in (first, second, third)]
        values = [c[VALUE_COLUMN] for c in cells]
        new_values = [values[1], values[2], _bump_numbers(values[2], step)]
        for i, cell, value, year in zip((first, second, third), cells, new_values, ("3", "4", "5"), strict=True):
            cell[YEAR_COLUMN], cell[VALUE_COLUMN] = year, value
            lines[i] = "\t".join(cell)
    return "\n".join(lines)


def _year(line: str) -> str:
    cells = line.split("\t")
    return cells[YEAR_COLUMN].strip() if len(cells) > VALUE_COLUMN else ""

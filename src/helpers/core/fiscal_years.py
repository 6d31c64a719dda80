"""Japanese fiscal-year labels (令和2年度, R2, H32, 平成29年度, 年度 2) to Gregorian start years."""

from __future__ import annotations

import re

from helpers.core.text import nfkc, per_parse_cache

ERA_START: dict[str, int] = {"令和": 2019, "R": 2019, "平成": 1989, "H": 1989, "昭和": 1926, "S": 1926}
"""Gregorian year of each era's first year (元年). 令和元年 = 2019, 平成元年 = 1989."""

ERA_PATTERN = r"(?:令和|平成|昭和|R(?<![A-Za-z]R)|H(?<![A-Za-z]H)|S(?<![A-Za-z]S))"
"""An era name or initial as the sheets print it; an initial counts only when no Latin letter stands before it.

Every alternative opens with its own first character (the check on the letter before an initial comes after it),
so that a search can skip straight to the places where an era may start."""

ERA_YEAR_PATTERN = rf"{ERA_PATTERN}\s*(?:元|\d{{1,2}})(?!\d)"
"""An era and its year number (``令和4``, ``R 3``, ``平成元``), without what follows (年, 年度, ``.6``)."""

_ERA_YEAR = re.compile(rf"({ERA_PATTERN})\s*(元|\d{{1,2}})(?!\d)")
_BARE_YEAR = re.compile(r"\s*(元|\d{1,2})\s*(年度)?\s*")
_GREGORIAN_YEAR = re.compile(r"(?<!\d)(20[0-4]\d|19[89]\d)(?!\d)\s*年度?")


def era_to_gregorian(era: str, year: str | int) -> int:
    """Convert an era name or initial and its year number (``元`` = 1) to the Gregorian year.

    >>> era_to_gregorian("令和", 2), era_to_gregorian("H", 32), era_to_gregorian("令和", "元")
    (2020, 2020, 2019)
    """
    number = 1 if year == "元" else int(year)
    return ERA_START[era] + number - 1


@per_parse_cache
def parse_fiscal_year(label: str, default_era: str | None = None) -> int | None:
    """Return the fiscal year (the Gregorian year it starts in) that ``label`` names, or None.

    A bare number (the 年度 column of a sheet, ``2``) needs ``default_era``; an explicit
    Gregorian year in brackets (``H32(2020)``) is checked against the era year.

    >>> parse_fiscal_year("令和3年度実績"), parse_fiscal_year("R2 策定時"), parse_fiscal_year("平成29年度")
    (2021, 2020, 2017)
    >>> parse_fiscal_year("令和元年度"), parse_fiscal_year("4", default_era="令和"), parse_fiscal_year("備考")
    (2019, 2022, None)
    """
    text = nfkc(label)
    match = _ERA_YEAR.search(text)
    if match:
        return era_to_gregorian(match.group(1), match.group(2))
    bare = _BARE_YEAR.fullmatch(text)
    if bare and default_era:
        return era_to_gregorian(default_era, bare.group(1))
    gregorian = _GREGORIAN_YEAR.search(text)
    if gregorian:
        return int(gregorian.group(1))
    return None


def parse_fiscal_years(label: str) -> list[int]:
    """Every fiscal year a label names, in order (``令和2年度・令和3年度`` covers two years).

    >>> parse_fiscal_years("令和2年度・令和3年度 21地区23拠点")
    [2020, 2021]
    >>> parse_fiscal_years("R3～R7")
    [2021, 2025]
    """
    text = nfkc(label)
    return [era_to_gregorian(m.group(1), m.group(2)) for m in _ERA_YEAR.finditer(text)]


def era_label(fiscal_year: int) -> str:
    """The Japanese name of a fiscal year (the inverse of ``parse_fiscal_year`` for 令和 and 平成).

    >>> era_label(2022), era_label(2019), era_label(2017)
    ('令和4年度', '令和元年度', '平成29年度')
    """
    if fiscal_year >= ERA_START["令和"]:
        number = fiscal_year - ERA_START["令和"] + 1
        era = "令和"
    else:
        number = fiscal_year - ERA_START["平成"] + 1
        era = "平成"
    return f"{era}{'元' if number == 1 else number}年度"

"""The city registry ``lexicons/cities.csv``: one row per city, read wherever a city is named.

A new city is a row here (id, 日本語名, prefecture, the label figures use, the reference file holding its
population), a parser in ``helpers.sheets`` and that parser's landmarks; nothing else names it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REGISTRY_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "cities.csv"


@dataclass(frozen=True)
class City:
    """One registered city; rows keep the registry's order (the order the project presents the cities in)."""

    city: str
    city_ja: str
    prefecture: str
    prefecture_code: str
    label: str
    population_reference: str


@cache
def load_cities(path: Path = REGISTRY_CSV) -> tuple[City, ...]:
    """Every registered city, in file order; a duplicate id or a missing field stops with the line at fault."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cities: list[City] = []
    for number, row in enumerate(rows, start=2):
        if any(not (row.get(name) or "").strip() for name in City.__dataclass_fields__):
            raise ValueError(f"{path.name}:{number}: every column of the city registry needs a value")
        if row["city"] in {c.city for c in cities}:
            raise ValueError(f"{path.name}:{number}: city {row['city']!r} is registered twice")
        cities.append(City(**{name: row[name] for name in City.__dataclass_fields__}))
    return tuple(cities)


def city_ids() -> tuple[str, ...]:
    """The registered city ids in presentation order.

    >>> city_ids()[:2]
    ('yamagata', 'yamaguchi')
    """
    return tuple(c.city for c in load_cities())


def city_names_ja() -> dict[str, str]:
    """City id → 日本語名 (山形市 …).

    >>> city_names_ja()["shiroi"]
    '白井市'
    """
    return {c.city: c.city_ja for c in load_cities()}


def city_labels() -> dict[str, str]:
    """City id → the label figures and tables show."""
    return {c.city: c.label for c in load_cities()}

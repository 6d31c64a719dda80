"""The cleaning step: parse a city's raw documents, merge them, and write validated per-city and combined tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers import BY_CITY, CITIES
from helpers.core.errors import PipelineError
from helpers.sheets import parse_file
from helpers.sheets.records import ParsedSheet
from helpers.sources.manifest import Source, read_manifest, verify_checksums
from helpers.tables.schema import (
    CLEAN_TABLES,
    COVERAGE,
    INDICATORS,
    LINK_TABLES,
    MEASURE_LISTINGS,
    MEASURES,
    SAME_FACTS,
    SUPERSEDED,
)
from helpers.tables.store import (
    SUPERSEDED_COLUMNS,
    measures_from_listings,
    merge_documents,
    read_table,
    same_fact_links,
    sheet_frames,
    tidy,
    validate,
    write_clean_tables,
)


@dataclass
class CityTables:
    """A city's cleaned tables, with the parsed sheets kept for the notebook to show."""

    city: str
    sources: list[Source]
    sheets: list[ParsedSheet]
    frames: dict[str, pd.DataFrame]
    superseded: pd.DataFrame


def city_sources(raw_dir: Path, city: str) -> list[Source]:
    """The manifest rows of one city, checksums verified, oldest document first (newer ones win merges)."""
    if city not in CITIES:
        raise PipelineError(f"unknown city {city!r} (one of {', '.join(CITIES)})")
    sources = [s for s in read_manifest(raw_dir) if s.city == city]
    verify_checksums(raw_dir, sources)
    if not sources:
        raise PipelineError(f"{raw_dir / 'sources.csv'}: no document listed for {city}")
    return sorted(sources, key=lambda s: (s.last_fiscal_year, s.file))


def clean_city(raw_dir: Path, city: str) -> CityTables:
    """Parse every document of a city and merge them into validated frames."""
    sources = city_sources(raw_dir, city)
    sheets = [parse_file(raw_dir / s.file, parser=s.parser, city=city) for s in sources]
    frames, superseded = merge_documents([sheet_frames(sheet) for sheet in sheets])
    frames[MEASURES.name] = measures_from_listings(frames[MEASURE_LISTINGS.name])
    for table in CLEAN_TABLES:
        frames[table.name] = validate(table, tidy(table, frames[table.name]))
    frames[SAME_FACTS.name] = validate(SAME_FACTS, tidy(SAME_FACTS, same_fact_links(frames[INDICATORS.name])))
    return CityTables(city, sources, sheets, frames, superseded)


def write_city(processed_dir: Path, tables: CityTables) -> Path:
    """Write one city's validated tables to ``<processed>/by_city/<city>/``."""
    out_dir = processed_dir / BY_CITY / tables.city
    write_clean_tables(out_dir, tables.frames, tables.superseded)
    return out_dir


def combine_cities(processed_dir: Path, cities: tuple[str, ...] = CITIES) -> dict[str, pd.DataFrame]:
    """Concatenate the per-city tables into the published tables and write them with ``datapackage.json``."""
    frames: dict[str, list[pd.DataFrame]] = {t.name: [] for t in (*CLEAN_TABLES, *LINK_TABLES)}
    for city in cities:
        city_dir = processed_dir / BY_CITY / city
        if not (city_dir / INDICATORS.path).is_file():
            raise PipelineError(f"{city_dir}: cleaned tables missing (run the cleaning step for {city})")
        for table in (*CLEAN_TABLES, *LINK_TABLES):
            frames[table.name].append(read_table(city_dir, table))
    combined = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    superseded = combined.pop(SUPERSEDED.name)
    write_clean_tables(processed_dir, combined, superseded.reindex(columns=list(SUPERSEDED_COLUMNS)))
    return combined


def reason_kind(reason: str) -> str:
    """A skip reason without its particulars (numbers and what follows a colon), for counting.

    >>> reason_kind("※再掲 of No.9: same figure recorded at line 116")
    '※再掲 of No.N'
    """
    return re.sub(r"\d[\d,.]*", "N", reason.split(":")[0]).strip()


def coverage_summary(coverage: pd.DataFrame) -> pd.DataFrame:
    """Numeric tokens in value columns by outcome and kind of reason, per source file."""
    if coverage.empty:
        return pd.DataFrame(columns=["source_file", "outcome", "reason", "tokens"])
    coverage = coverage.assign(reason=coverage["reason"].map(reason_kind))
    summary = coverage.groupby(["source_file", "outcome", "reason"], dropna=False).size().rename("tokens")
    return summary.reset_index().sort_values(["source_file", "outcome", "reason"], kind="stable", ignore_index=True)


def unaccounted_observations(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Observations with a number whose line has no coverage entry (should be empty)."""
    obs = frames[INDICATORS.name]
    cov = frames[COVERAGE.name]
    numeric = obs[obs["value"].notna()]
    lines = set(zip(cov["source_file"], cov["source_line"], strict=True))
    mask = [(f, n) not in lines for f, n in zip(numeric["source_file"], numeric["source_line"], strict=True)]
    return numeric[mask]

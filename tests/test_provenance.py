"""Every published number traces back to a line of a raw file, and every numeric token is accounted for."""

from functools import cache
from pathlib import Path

import pytest

from helpers import CITIES
from helpers.core.markers import NOT_HELD_NOTE
from helpers.sources.manifest import read_manifest
from helpers.sources.raw_text import read_sheet_text
from helpers.tables.schema import COVERAGE, INDICATORS, MEASURES
from helpers.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]
RAW, PROCESSED = ROOT / "data" / "raw", ROOT / "data" / "processed"


@cache
def _lines(file: str) -> list[str]:
    return read_sheet_text(RAW / file).split("\n")


@pytest.fixture(scope="module")
def indicators():
    return read_table(PROCESSED, INDICATORS)


def test_value_raw_stands_on_its_source_line(indicators):
    listed = {s.file for s in read_manifest(RAW)}
    bad = []
    for row in indicators.itertuples(index=False):
        assert row.source_file in listed, f"{row.source_file} is not in sources.csv"
        line = _lines(row.source_file)[row.source_line - 1]
        if row.value_raw not in line:
            bad.append(f"{row.source_file}:{row.source_line}: {row.value_raw!r}")
    assert not bad, f"{len(bad)} value_raw not on their line, e.g. {bad[:5]}"


def test_coverage_tokens_stand_on_their_lines():
    coverage = read_table(PROCESSED, COVERAGE)
    bad = [
        f"{r.source_file}:{r.source_line}: {r.token!r}"
        for r in coverage.itertuples(index=False)
        if r.token not in _lines(r.source_file)[r.source_line - 1]
    ]
    assert not bad, f"{len(bad)} coverage tokens not on their line, e.g. {bad[:5]}"


def test_every_numeric_observation_is_in_coverage(indicators):
    coverage = read_table(PROCESSED, COVERAGE)
    taken = coverage[coverage["outcome"] == "observation"]
    lines = set(zip(taken["source_file"], taken["source_line"], strict=True))
    # a value the sheet writes as a word (開催なし, 中止 → 0) has no digits to cover: its raw token is the word
    numeric = indicators[indicators["value"].notna() & indicators["value_raw"].str.contains(r"\d", regex=True)]
    missing = [
        (f, n) for f, n in zip(numeric["source_file"], numeric["source_line"], strict=True) if (f, n) not in lines
    ]
    assert not missing, f"observations without a coverage entry: {missing[:5]}"


def test_a_value_written_as_a_word_is_a_not_held_zero(indicators):
    """The only values without a digit in their raw token are 0 read from a word saying nothing was held
    (山形市 lines 38 and 305, 山口市 lines 108 and 521), with the reason in the note."""
    worded = indicators[indicators["value"].notna() & ~indicators["value_raw"].str.contains(r"\d", regex=True)]
    assert len(worded) >= 4
    assert worded["value"].eq(0).all()
    assert worded["note"].str.contains(NOT_HELD_NOTE, regex=False).all()


def test_all_four_cities_and_every_document_contribute(indicators):
    assert set(indicators["city"]) == set(CITIES)
    assert set(indicators["source_file"]) == {s.file for s in read_manifest(RAW)}


def test_every_observation_belongs_to_a_listed_measure(indicators):
    measures = read_table(PROCESSED, MEASURES)
    known = set(zip(measures["city"], measures["measure_id"], strict=True))
    orphans = {(c, m) for c, m in zip(indicators["city"], indicators["measure_id"], strict=True)} - known
    assert not orphans, f"observations of unlisted measures: {sorted(orphans)[:5]}"


def test_empty_values_say_why(indicators):
    empty = indicators[indicators["value"].isna()]
    assert (empty["note"].str.len() > 0).all(), empty[empty["note"] == ""].head().to_dict("records")


def test_fiscal_years_are_plausible(indicators):
    assert indicators["fiscal_year"].between(2015, 2030).all()

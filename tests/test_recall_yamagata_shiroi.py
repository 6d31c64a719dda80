"""Recall as the reviewer measures it: values picked by hand from the 山形市 and 白井市 documents, looked up in the
published indicators.csv by city, measure, indicator, fiscal year, kind, value and unit."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from helpers.core.text import key
from helpers.sources.manifest import read_manifest
from helpers.tables.schema import INDICATORS
from helpers.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]
PICKS = ROOT / "tests" / "fixtures" / "recall_yamagata_shiroi.csv"
PROCESSED = ROOT / "data" / "processed"


def read_picks(path: Path = PICKS) -> list[dict[str, str]]:
    """The hand-picked values, one per row (``source`` is ``file:line``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def found(pick: dict[str, str], indicators: pd.DataFrame, cities: dict[str, str]) -> bool:
    """True when a row of the table gives the picked value: same city, measure and indicator (the picked words
    stand in the table's), year, kind, value and unit."""
    file, _ = pick["source"].split(":")
    rows = indicators[
        (indicators["city"] == cities[file])
        & (indicators["fiscal_year"] == int(pick["fiscal_year"]))
        & (indicators["value_kind"] == pick["value_kind"])
        & (indicators["value"] == float(pick["value"]))
        & (indicators["unit"] == pick["unit"])
    ]
    measure, indicator = key(pick["measure"]), key(pick["indicator"])
    return any(
        measure in key(m) and indicator in key(i) for m, i in zip(rows["measure"], rows["indicator"], strict=True)
    )


def recall(indicators: pd.DataFrame, picks: list[dict[str, str]]) -> tuple[float, list[str]]:
    """Share of picks found, and the picks missing (``file:line indicator year value``)."""
    cities = {s.file: s.city for s in read_manifest(ROOT / "data" / "raw")}
    missing = [
        f"{p['source']} {p['indicator']} {p['fiscal_year']} {p['value']}{p['unit']}"
        for p in picks
        if not found(p, indicators, cities)
    ]
    return 1 - len(missing) / len(picks), missing


def test_picks_stand_on_their_lines():
    for pick in read_picks():
        file, line = pick["source"].split(":")
        text = (ROOT / "data" / "raw" / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        value = float(pick["value"])
        printed = {f"{v:,.10g}" for v in (value, value / 1000)}  # line 124: 96,092千円
        assert any(n in text or n.replace(",", "") in text for n in printed) or value == 0, pick


@pytest.mark.skipif(not (PROCESSED / INDICATORS.path).is_file(), reason="tables not built")
def test_hand_picked_values_are_found_in_the_tables(capsys):
    picks = read_picks()
    share, missing = recall(read_table(PROCESSED, INDICATORS), picks)
    with capsys.disabled():
        print(f"\nrecall (山形市, 白井市): {share:.1%} of {len(picks)} hand-picked values; missing: {missing}")
    assert len(picks) >= 40 and share >= 0.95, missing

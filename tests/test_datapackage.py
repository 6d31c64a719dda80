"""The committed tables: a valid Frictionless Data Package, and each table passes its pandera schema."""

import json
from pathlib import Path

import pytest

from helpers.tables.schema import ANALYSIS_TABLES, CLEAN_TABLES
from helpers.tables.store import read_table, tidy, validate

PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"


def test_datapackage_validates_with_frictionless():
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(PROCESSED / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_datapackage_describes_every_table_present():
    package = json.loads((PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    expected = {t.path for t in (*CLEAN_TABLES, *ANALYSIS_TABLES) if (PROCESSED / t.path).is_file()}
    assert described == expected


@pytest.mark.parametrize("table", [*CLEAN_TABLES, *ANALYSIS_TABLES], ids=lambda t: t.name)
def test_committed_table_passes_its_schema(table):
    if not (PROCESSED / table.path).is_file():
        pytest.skip(f"{table.path} not produced yet")
    frame = read_table(PROCESSED, table)
    validate(table, tidy(table, frame))

"""The committed tables: a valid Frictionless Data Package, and each table passes its pandera schema."""

import json
from pathlib import Path

import pytest

from helpers import BY_CITY
from helpers.tables.schema import ANALYSIS_TABLES, CLEAN_TABLES, LINK_TABLES
from helpers.tables.store import read_table, tidy, validate

PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"


def test_datapackage_validates_with_frictionless():
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(PROCESSED / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_datapackage_describes_every_file_on_disk():
    """Every published CSV is described (an undescribed file fails), and every described file exists."""
    package = json.loads((PROCESSED / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in PROCESSED.glob("*.csv")}
    assert described == on_disk, (sorted(on_disk - described), sorted(described - on_disk))
    assert {"superseded.csv", "same_facts.csv"} <= described
    for city_dir in sorted(p for p in (PROCESSED / BY_CITY).iterdir() if p.is_dir()):
        city_package = json.loads((city_dir / "datapackage.json").read_text(encoding="utf-8"))
        assert {r["path"] for r in city_package["resources"]} == {p.name for p in city_dir.glob("*.csv")}, city_dir


@pytest.mark.parametrize("table", [*CLEAN_TABLES, *LINK_TABLES, *ANALYSIS_TABLES], ids=lambda t: t.name)
def test_committed_table_passes_its_schema(table):
    if not (PROCESSED / table.path).is_file():
        pytest.skip(f"{table.path} not produced yet")
    frame = read_table(PROCESSED, table)
    validate(table, tidy(table, frame))

"""Table building: document merging with supersession, sorting, CSV rendering, schema and Data Package."""

import json

import pandas as pd
import pytest

from helpers.core.errors import PipelineError
from helpers.sheets.records import Activity, CoverageItem, MeasureListing, Observation, ParsedSheet
from helpers.tables.schema import CLEAN_TABLES, INDICATORS, LINK_TABLES, MEASURE_LISTINGS, MEASURES, SAME_FACTS
from helpers.tables.store import (
    measures_from_listings,
    merge_documents,
    same_fact_links,
    sheet_frames,
    tidy,
    to_csv_text,
    validate,
    write_clean_tables,
)


def _obs(value, line, file="a.txt", year=2021, indicator="参加人数"):
    return Observation(
        city="shiroi",
        measure_id="shiroi-no01",
        measure="講座",
        indicator=indicator,
        fiscal_year=year,
        value_kind="actual",
        value=value,
        unit="人",
        value_raw=f"{value}人",
        source_file=file,
        source_line=line,
    )


def _sheet(file, observations):
    return ParsedSheet(
        source_file=file,
        observations=observations,
        measures=[MeasureListing("shiroi", "shiroi-no01", "講座", file, 3)],
        activities=[Activity("shiroi", "shiroi-no01", 2021, "actual", "開催した。", file, 3)],
        coverage=[CoverageItem("shiroi", file, o.source_line, o.value_raw, "observation") for o in observations],
    )


def test_newer_document_wins_and_the_replacement_is_recorded():
    old = sheet_frames(_sheet("old.txt", [_obs(10, 5, "old.txt", 2021), _obs(8, 6, "old.txt", 2020)]))
    new = sheet_frames(_sheet("new.txt", [_obs(12, 7, "new.txt", 2021), _obs(15, 8, "new.txt", 2022)]))
    merged, superseded = merge_documents([old, new])
    indicators = tidy(INDICATORS, merged["indicators"])
    assert list(indicators["fiscal_year"]) == [2020, 2021, 2022]
    assert indicators.set_index("fiscal_year").loc[2021, "source_file"] == "new.txt"
    assert len(superseded) == 1
    row = superseded.iloc[0]
    assert (row.kept_source_file, row.replaced_source_file, row.replaced_value_raw) == ("new.txt", "old.txt", "10人")


def test_duplicate_key_fails_validation_naming_the_table():
    frames = sheet_frames(_sheet("a.txt", [_obs(10, 5), _obs(11, 6)]))
    with pytest.raises(PipelineError, match="indicators: schema validation failed"):
        validate(INDICATORS, tidy(INDICATORS, frames["indicators"]))


def test_csv_rendering_is_stable_and_readable():
    frame = pd.DataFrame({"a": [1.0, 2.5, None], "b": [True, False, True], "c": ["x", "", "日本"]})
    assert to_csv_text(frame) == "a,b,c\n1,true,x\n2.5,false,\n,true,日本\n"


def test_measures_take_the_first_listing_and_count_all():
    listings = pd.DataFrame(
        [
            MeasureListing("yamagata", "m1", "事業", "f.txt", 40, policy="②", is_repeat=True).__dict__,
            MeasureListing("yamagata", "m1", "事業", "f.txt", 10, policy="①").__dict__,
        ]
    )
    measures = measures_from_listings(listings)
    assert len(measures) == 1
    assert (measures.iloc[0].policy, measures.iloc[0].n_listings) == ("①", 2)


def test_written_package_validates_with_frictionless(tmp_path):
    from frictionless import validate as frictionless_validate

    frames = sheet_frames(_sheet("a.txt", [_obs(10, 5), _obs(None, 6, year=2022)]))
    frames["measures"] = measures_from_listings(frames["measure_listings"])
    write_clean_tables(tmp_path, frames, pd.DataFrame(columns=["city"]))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == [t.path for t in (*CLEAN_TABLES, *LINK_TABLES)]
    report = frictionless_validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_failed_validation_writes_nothing(tmp_path):
    frames = sheet_frames(_sheet("a.txt", [_obs(10, 5), _obs(11, 6)]))
    frames["measures"] = measures_from_listings(frames["measure_listings"])
    with pytest.raises(PipelineError):
        write_clean_tables(tmp_path, frames, pd.DataFrame())
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def yamagata_indicators():
    from pathlib import Path

    from helpers.sheets.yamagata_overview import parse as parse_overview
    from helpers.sheets.yamagata_progress import parse as parse_progress

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    frames = [
        sheet_frames(parse(raw / name, city="yamagata", source_file=name))[INDICATORS.name]
        for parse, name in (
            (parse_progress, "yamagata_fy2022_progress_sheet.txt"),
            (parse_overview, "yamagata_fy2023_jusoteki_overview.txt"),
        )
    ]
    return pd.concat(frames, ignore_index=True)


def test_one_fact_under_two_measures_of_one_sheet_is_linked(yamagata_indicators):
    links = same_fact_links(yamagata_indicators)
    # line 96 (一般介護予防事業) and line 164 (地域包括支援センター運営事業), both 長寿支援課: 相談件数 5,044 / 5,105
    consult = links[(links["source_line"] == 164) & (links["indicator"] == "相談件数")]
    assert list(consult["fiscal_year"]) == [2020, 2022]
    assert set(consult["same_as_source_line"]) == {96} and set(consult["relation"]) == {"also_listed"}
    # 相談件数 of other measures (line 245: 745, line 260: 458) are other facts: never linked to line 96
    assert not links[(links["same_as_source_line"] == 96) & (links["source_line"] != 164)].shape[0]
    # equal figures under measures of different departments are not linked (line 14 福祉指定校 7校 appears once)
    assert set(links["relation"]) == {"also_listed", "same_as"}
    validate(SAME_FACTS, tidy(SAME_FACTS, links))


def test_the_same_fact_in_two_documents_is_linked_only_where_the_figures_agree(yamagata_indicators):
    links = same_fact_links(yamagata_indicators)
    hubs = links[links["relation"] == "same_as"]
    # progress sheet line 46 (23拠点, 24拠点) = overview line 112 (令和2年度・令和3年度 23拠点) and 114 (24拠点)
    assert [(r.source_line, r.fiscal_year, r.same_as_source_line) for r in hubs.itertuples()] == [
        (46, 2020, 112),
        (46, 2022, 114),
    ]
    changed = yamagata_indicators.copy()
    changed.loc[(changed["source_line"] == 46) & (changed["fiscal_year"] == 2022), "value"] = 25.0
    assert list(same_fact_links(changed).query("relation == 'same_as'")["fiscal_year"]) == [2020]


def test_link_tables_are_written_and_described(tmp_path):
    frames = sheet_frames(_sheet("a.txt", [_obs(10, 5)]))
    frames[MEASURES.name] = measures_from_listings(frames[MEASURE_LISTINGS.name])
    merged, superseded = merge_documents([frames])
    merged[MEASURES.name] = frames[MEASURES.name]
    write_clean_tables(tmp_path, merged, superseded)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {p.name for p in tmp_path.glob("*.csv")}
    assert (tmp_path / "same_facts.csv").read_text(encoding="utf-8").startswith("city,measure_id,indicator,")

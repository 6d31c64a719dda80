"""The whole pipeline, run with papermill into temporary folders: the committed outputs are exactly what it
produces, and a next fiscal year's sheet flows through to the tables, the analyses and the report."""

from pathlib import Path

import pandas as pd
import pytest
from support.next_year import next_year_shiroi
from support.raw_copy import copy_raw

from helpers.pipeline import RunConfig, add_source, run
from helpers.schema import COVID_TRAJECTORIES, INDICATORS
from helpers.tables import read_table

ROOT = Path(__file__).resolve().parents[1]
RAW, PROCESSED, REPORTS = ROOT / "data" / "raw", ROOT / "data" / "processed", ROOT / "reports"

COMPARED_REPORT_FILES = ("index.html", "tables.xlsx")
"""Report outputs compared byte for byte (executed notebooks under reports/notebooks/ carry the run's
directories in their parameters cell, so they are compared through the tables and figures they write)."""


@pytest.fixture(scope="module")
def fresh_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    config = RunConfig(copy_raw(tmp), tmp / "processed", tmp / "reports", jobs=2)
    run(config, log=lambda _: None)
    return config


def _files(root: Path, pattern: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob(pattern)) if p.is_file()}


def test_committed_tables_are_what_the_pipeline_produces(fresh_run):
    committed, produced = _files(PROCESSED, "**/*"), _files(fresh_run.processed_dir, "**/*")
    assert sorted(committed) == sorted(produced)
    differ = [name for name in committed if committed[name] != produced[name]]
    assert not differ, f"committed tables differ from a fresh run: {differ}"


def test_committed_figures_and_report_are_what_the_pipeline_produces(fresh_run):
    committed = _files(REPORTS / "figures", "*")
    produced = _files(fresh_run.reports_dir / "figures", "*")
    assert sorted(committed) == sorted(produced)
    assert [n for n in committed if committed[n] != produced[n]] == []
    for name in COMPARED_REPORT_FILES:
        assert (REPORTS / name).read_bytes() == (fresh_run.reports_dir / name).read_bytes(), name


def test_next_years_sheet_reaches_tables_analyses_and_report(tmp_path):
    raw = copy_raw(tmp_path)
    incoming = tmp_path / "incoming" / "shiroi_fy2023_progress_sheet.txt"
    incoming.parent.mkdir()
    original = (RAW / "shiroi_fy2022_progress_sheet.txt").read_text(encoding="utf-8")
    incoming.write_text(next_year_shiroi(original), encoding="utf-8")
    added = add_source(incoming, raw, "shiroi", "shiroi_sheet")
    assert added.fiscal_years == "2021-2023"

    config = RunConfig(raw, tmp_path / "processed", tmp_path / "reports", fiscal_year=2023, jobs=2)
    run(config, log=lambda _: None)

    indicators = read_table(config.processed_dir, INDICATORS)
    new_rows = indicators[(indicators["city"] == "shiroi") & (indicators["fiscal_year"] == 2023)]
    assert len(new_rows) > 40 and set(new_rows["source_file"]) == {incoming.name}
    first = new_rows[(new_rows["measure_id"] == "shiroi-no01") & (new_rows["indicator"] == "発行部数")]
    assert first["value"].tolist() == [2007.0]  # 2,000 in FY2022, moved on by the test's step of 7

    superseded = pd.read_csv(config.processed_dir / "superseded.csv", dtype=str)
    assert set(superseded["fiscal_year"]) == {"2021", "2022"}
    assert set(superseded["kept_source_file"]) == {incoming.name}
    key = ["city", "measure_id", "indicator", "fiscal_year", "value_kind"]
    assert not indicators.duplicated(key).any()

    trajectories = read_table(config.processed_dir, COVID_TRAJECTORIES)
    assert (trajectories.loc[trajectories["city"] == "shiroi", "latest_year"] == 2023).any()
    report = (config.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "令和5年度" in report and "2023" in report

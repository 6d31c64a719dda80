"""The whole pipeline, run with papermill into temporary folders: the committed outputs are exactly what it
produces, and a next fiscal year's sheet flows through to the tables, the analyses and the report.

Two full runs serve every check here: ``fresh_run`` (the committed raw data, shared with other end-to-end tests
through ``conftest.py``) and ``variant_run`` (hostile markup in a sheet plus a next year's sheet).
"""

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from support.next_year import next_year_shiroi
from support.raw_copy import copy_raw, replace_listed

from helpers.pipeline import RunConfig, add_source, run
from helpers.tables.schema import ACTIVITIES, COVID_TRAJECTORIES, INDICATORS, MEASURES
from helpers.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]
RAW, PROCESSED, REPORTS = ROOT / "data" / "raw", ROOT / "data" / "processed", ROOT / "reports"

COMPARED_REPORT_FILES = ("index.html", "tables.xlsx")
"""Report outputs compared byte for byte (executed notebooks under reports/notebooks/ carry the run's
directories in their parameters cell, so they are compared through the tables and figures they write)."""


pytestmark = pytest.mark.e2e


def _files(root: Path, pattern: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob(pattern)) if p.is_file()}


def test_committed_tables_are_what_the_pipeline_produces(fresh_run):
    """The committed tables came from ``make report`` (two notebooks at a time); the fresh run takes one at a time
    in other folders: equal bytes show both that they are current and that a run is deterministic."""
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


HOSTILE_NAME = "<script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_QUOTE = "<script>alert(3)</script>"


class _Tags(HTMLParser):
    """Every start tag and attribute name of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def variant_run(tmp_path_factory):
    """白井市 No.15's name carries a script tag and an img with onerror, its comment an entity-escaped script; a next
    year's sheet built from that sheet is added with ``add-source``; the report is about FY2023."""
    tmp = tmp_path_factory.mktemp("variant")
    raw = copy_raw(tmp)
    name = "shiroi_fy2022_progress_sheet.txt"
    text = (RAW / name).read_text(encoding="utf-8")
    text = text.replace("\t多職種連携研修の実施\t", f"\t多職種連携研修の実施{HOSTILE_NAME}\t", 1)
    escaped = HOSTILE_QUOTE.replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("救命講習会を開催することができた", f"救命講習会{escaped}を開催することができた", 1)
    replace_listed(raw, {name: text.encode("utf-8")})
    incoming = tmp / "incoming" / "shiroi_fy2023_progress_sheet.txt"
    incoming.parent.mkdir()
    incoming.write_text(next_year_shiroi(text), encoding="utf-8")
    added = add_source(incoming, raw, "shiroi", "shiroi_sheet")
    config = RunConfig(raw, tmp / "processed", tmp / "reports", fiscal_year=2023, jobs=2)
    run(config, log=lambda _: None)
    return config, added


def test_markup_in_a_sheet_is_shown_as_text_and_runs_nothing(variant_run):
    """The hostile text reaches the report as text, and no page has a script element or an event attribute that
    came from a sheet."""
    config, _ = variant_run
    measures = read_table(config.processed_dir, MEASURES)
    assert (measures["measure"] == f"多職種連携研修の実施{HOSTILE_NAME}").any()
    for name in ("index.html", "raw/shiroi_fy2022_progress_sheet.html"):
        tags = _Tags()
        tags.feed((config.reports_dir / name).read_text(encoding="utf-8"))
        assert "script" not in tags.tags and not [a for a in tags.attributes if a.startswith("on")], name
    shown = "".join(tags.text)  # the raw sheet's page shows every line of the sheet as written, as text
    escaped = HOSTILE_QUOTE.replace("<", "&lt;").replace(">", "&gt;")
    assert HOSTILE_NAME in shown and escaped in shown
    activities = read_table(config.processed_dir, ACTIVITIES)
    assert activities["text"].str.contains(HOSTILE_QUOTE, regex=False).any()  # entities decoded, kept as text
    for html_file in sorted(config.reports_dir.rglob("*.html")):
        content = html_file.read_text(encoding="utf-8")
        assert HOSTILE_NAME not in content and HOSTILE_QUOTE not in content, html_file.name
    for svg in sorted(config.reports_dir.rglob("*.svg")):
        assert "<script" not in svg.read_text(encoding="utf-8"), svg.name


def test_next_years_sheet_reaches_tables_analyses_and_report(variant_run):
    config, added = variant_run
    assert added.fiscal_years == "2021-2023"
    indicators = read_table(config.processed_dir, INDICATORS)
    new_rows = indicators[(indicators["city"] == "shiroi") & (indicators["fiscal_year"] == 2023)]
    assert len(new_rows) > 40 and set(new_rows["source_file"]) == {added.file}
    first = new_rows[(new_rows["measure_id"] == "shiroi-no01") & (new_rows["indicator"] == "発行部数")]
    assert first["value"].tolist() == [2007.0]  # 2,000 in FY2022, moved on by the test's step of 7

    superseded = pd.read_csv(config.processed_dir / "superseded.csv", dtype=str)
    assert set(superseded["fiscal_year"]) == {"2021", "2022"}
    assert set(superseded["kept_source_file"]) == {added.file}
    key = ["city", "measure_id", "indicator", "fiscal_year", "value_kind"]
    assert not indicators.duplicated(key).any()

    trajectories = read_table(config.processed_dir, COVID_TRAJECTORIES)
    assert (trajectories.loc[trajectories["city"] == "shiroi", "latest_year"] == 2023).any()
    report = (config.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "令和5年度" in report and "2023" in report


def test_a_manifest_with_one_city_runs_through_to_the_report(tmp_path):
    """One city alone has nothing to compare per 1,000 residents: the figure says so and the run completes."""
    raw = copy_raw(tmp_path)
    replace_listed(raw, {}, keep={"shiroi_fy2022_progress_sheet.txt"})
    config = RunConfig(raw, tmp_path / "processed", tmp_path / "reports", jobs=1)
    run(config, log=lambda _: None)
    assert set(read_table(config.processed_dir, INDICATORS)["city"]) == {"shiroi"}
    assert "白井市" in (config.reports_dir / "index.html").read_text(encoding="utf-8")

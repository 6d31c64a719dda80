"""The command line: one-line errors with a non-zero exit, no partial outputs, and add-source."""

from pathlib import Path

import pytest
from support.cli import run_pipeline
from support.raw_copy import copy_raw

from helpers.pipeline import main
from helpers.sources.manifest import read_manifest, sha256_of

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def test_tampered_raw_file_stops_the_run_with_one_line_and_writes_nothing(tmp_path):
    raw = copy_raw(tmp_path)
    (raw / "yamaguchi_fy2021_implementation_report.txt").write_text("changed", encoding="utf-8")
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    result = run_pipeline("run", "--raw-dir", raw, "--processed-dir", processed, "--reports-dir", reports)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "yamaguchi_fy2021_implementation_report.txt" in lines[0] and "sha256" in lines[0]
    assert not processed.exists() and not reports.exists()


def test_raw_directory_cannot_be_an_output(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    assert main(["run", "--raw-dir", str(raw), "--processed-dir", str(raw), "--reports-dir", str(tmp_path)]) == 1
    assert "read-only" in capsys.readouterr().err


def test_add_source_copies_checksums_and_appends(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    new = tmp_path / "incoming" / "shiroi_fy2022_progress_sheet_copy.txt"
    new.parent.mkdir()
    new.write_bytes((RAW / "shiroi_fy2022_progress_sheet.txt").read_bytes())
    code = main(["add-source", str(new), "--raw-dir", str(raw), "--city", "shiroi", "--parser", "shiroi_sheet"])
    assert code == 0, capsys.readouterr().err
    rows = {s.file: s for s in read_manifest(raw)}
    added = rows["shiroi_fy2022_progress_sheet_copy.txt"]
    assert added.sha256 == sha256_of(new) and added.fiscal_years == "2020-2022" and added.city_ja == "白井市"
    assert (raw / new.name).read_bytes() == new.read_bytes()
    assert main(["add-source", str(new), "--raw-dir", str(raw), "--city", "shiroi", "--parser", "shiroi_sheet"]) == 1
    assert "already listed" in capsys.readouterr().err


def test_unreadable_new_sheet_is_refused_before_it_enters_the_manifest(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    new = tmp_path / "not_a_sheet.txt"
    new.write_text("ただのメモ\n", encoding="utf-8")
    code = main(["add-source", str(new), "--raw-dir", str(raw), "--city", "shiroi", "--parser", "shiroi_sheet"])
    assert code == 1 and "not_a_sheet.txt" in capsys.readouterr().err
    assert not (raw / new.name).exists()
    assert "not_a_sheet.txt" not in (raw / "sources.csv").read_text(encoding="utf-8")


def test_unknown_file_is_one_line(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    code = main(["add-source", str(tmp_path / "nope.txt"), "--raw-dir", str(raw), "--city", "shiroi",
                 "--parser", "shiroi_sheet"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "nope.txt" in err


def test_unreadable_sheet_is_one_line_naming_file_and_line(tmp_path):
    from helpers.core.errors import SheetError
    from helpers.sheets import parse_file

    sheet = tmp_path / "shiroi_broken.txt"
    sheet.write_text("白井市 進行管理シート\n\nNo.\t取組項目\n", encoding="utf-8")
    try:
        parse_file(sheet, parser="shiroi_sheet", city="shiroi")
    except SheetError as exc:
        message = str(exc)
    else:
        raise AssertionError("a sheet without its title year must not parse")
    assert message.startswith("shiroi_broken.txt:") and "\n" not in message


def test_executed_notebooks_are_made_byte_stable(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from helpers.views.notebooks import strip_run_metadata

    cell = new_code_cell("print('a'); print('b')")
    cell.outputs = [new_output("stream", name="stdout", text="a"), new_output("stream", name="stdout", text="\nb\n")]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    injected = new_code_cell("city = 'x'")
    injected.metadata["tags"] = ["injected-parameters"]
    nb = new_notebook(cells=[injected, cell])
    nb.metadata["papermill"] = {"parameters": {"city": "x"}, "start_time": "2026-01-01", "duration": 1.5}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    strip_run_metadata(path)
    back = nbformat.read(path, as_version=4)
    assert back.cells[1].outputs == [new_output("stream", name="stdout", text="a\nb\n")]
    assert "execution" not in back.cells[1].metadata
    assert back.cells[0]["id"] == "injected-parameters"
    assert back.metadata["papermill"] == {"parameters": {"city": "x"}}


def _incoming(tmp_path: Path, name: str, source: str = "shiroi_fy2022_progress_sheet.txt") -> Path:
    new = tmp_path / "incoming" / name
    new.parent.mkdir(exist_ok=True)
    new.write_bytes((RAW / source).read_bytes())
    return new


def _add(raw: Path, file: Path, city: str, parser: str, *extra: str) -> int:
    return main(["add-source", str(file), "--raw-dir", str(raw), "--city", city, "--parser", parser, *extra])


def test_add_source_refuses_a_sheet_filed_under_another_city(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    manifest = (raw / "sources.csv").read_bytes()
    new = _incoming(tmp_path, "shiroi_fy2023_progress_sheet.txt")
    assert _add(raw, new, "yamagata", "shiroi_sheet") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "shiroi_fy2023_progress_sheet.txt:3: this is 白井市's document (「議題1-資料① 白井市第2次地域福祉計画" in err
    assert "not 山形市's as --city says" in err
    assert (raw / "sources.csv").read_bytes() == manifest and not (raw / new.name).exists()


def test_a_manifest_row_under_another_city_stops_the_run_before_any_notebook(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    manifest = raw / "sources.csv"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace(",shiroi,白井市,shiroi_sheet,", ",yamagata,山形市,shiroi_sheet,"), encoding="utf-8"
    )
    assert main(["verify", "--raw-dir", str(raw)]) == 1
    err = capsys.readouterr().err
    assert "shiroi_fy2022_progress_sheet.txt:3: this is 白井市's document" in err
    assert "not 山形市's as sources.csv:3 says" in err


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("23", "--fiscal-years: fiscal years must be YYYY or YYYY-YYYY"),
        ("2023-2021", "--fiscal-years: fiscal years must run forwards (2021-2023)"),
        ("2021-2023", "--fiscal-years 2021-2023 is outside the years the document reports (2020-2022)"),
        ("2019", "--fiscal-years 2019 is outside the years the document reports (2020-2022)"),
    ],
)
def test_add_source_refuses_a_bad_year_span_and_writes_nothing(tmp_path, capsys, span, expected):
    raw = copy_raw(tmp_path)
    manifest = (raw / "sources.csv").read_bytes()
    new = _incoming(tmp_path, "shiroi_copy.txt")
    assert _add(raw, new, "shiroi", "shiroi_sheet", "--fiscal-years", span) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
    assert (raw / "sources.csv").read_bytes() == manifest and not (raw / new.name).exists()


def test_add_source_takes_a_span_within_the_documents_years(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    new = _incoming(tmp_path, "shiroi_copy.txt")
    assert _add(raw, new, "shiroi", "shiroi_sheet", "--fiscal-years", "2021-2022") == 0, capsys.readouterr().err
    assert {s.file: s for s in read_manifest(raw)}["shiroi_copy.txt"].fiscal_years == "2021-2022"


def test_an_untitled_source_takes_its_title_line_or_must_be_given_one(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    titled = _incoming(tmp_path, "ichinoseki_copy.txt", "ichinoseki_fy2023_council_papers.txt")
    assert _add(raw, titled, "ichinoseki", "ichinoseki_council") == 0, capsys.readouterr().err
    title = {s.file: s for s in read_manifest(raw)}["ichinoseki_copy.txt"].title
    assert title == "令和5年度 第1回 一関市地域福祉計画推進会議"  # ichinoseki_fy2023_council_papers.txt:3
    untitled = _incoming(tmp_path, "yamagata_copy.txt", "yamagata_fy2022_progress_sheet.txt")
    assert _add(raw, untitled, "yamagata", "yamagata_progress") == 1
    assert "yamagata_copy.txt: no line of the document reads as its title" in capsys.readouterr().err
    assert _add(raw, untitled, "yamagata", "yamagata_progress", "--title", " 施策の 実施状況 ") == 0
    assert {s.file: s for s in read_manifest(raw)}["yamagata_copy.txt"].title == "施策の 実施状況"


def test_add_source_keeps_the_manifest_mode(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    (raw / "sources.csv").chmod(0o664)
    new = _incoming(tmp_path, "shiroi_copy.txt")
    assert _add(raw, new, "shiroi", "shiroi_sheet") == 0, capsys.readouterr().err
    assert (raw / "sources.csv").stat().st_mode & 0o777 == 0o664
    assert (raw / new.name).stat().st_mode & 0o777 == 0o444


def test_verify_makes_the_raw_documents_read_only(tmp_path, capsys):
    """A fresh clone has them writable (git keeps no write bits); verifying (and every run) takes write away."""
    raw = copy_raw(tmp_path)
    sheet = raw / "shiroi_fy2022_progress_sheet.txt"
    assert sheet.stat().st_mode & 0o222
    assert main(["verify", "--raw-dir", str(raw)]) == 0, capsys.readouterr().err
    assert {p.name: p.stat().st_mode & 0o777 for p in raw.glob("*.txt")} == {s.file: 0o444 for s in read_manifest(raw)}
    assert (raw / "sources.csv").stat().st_mode & 0o200  # the manifest stays editable

"""A run that cannot finish says why in one line, exits non-zero and leaves the previous outputs exactly as they
were; nothing of the failed run is left behind. Bad raw directories are built from the committed sheets."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from support.cli import run_pipeline
from support.raw_copy import copy_raw, replace_listed

from helpers import pipeline
from helpers.core.errors import PipelineError
from helpers.pipeline import RunConfig, main, run
from helpers.tables.staging import LOCK_SUFFIX, publish, staged_directories

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SHIROI = "shiroi_fy2022_progress_sheet.txt"
YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"


def _snapshot(*roots: Path) -> dict[str, bytes]:
    """Every file (debris included) under the roots' parent folder, by path; the output folders' lock files, which
    stay once made, are not outputs."""
    parent = roots[0].parent
    return {
        str(p.relative_to(parent)): p.read_bytes()
        for p in sorted(parent.rglob("*"))
        if p.is_file() and not p.name.endswith(LOCK_SUFFIX)
    }


@pytest.fixture
def previous_run(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An output folder holding a previous run's files, beside a writable raw copy."""
    out = tmp_path / "out"
    processed, reports = out / "processed", out / "reports"
    (processed / "by_city" / "shiroi").mkdir(parents=True)
    (processed / "indicators.csv").write_text("previous tables\n", encoding="utf-8")
    (processed / "by_city" / "shiroi" / "indicators.csv").write_text("previous city table\n", encoding="utf-8")
    (reports / "figures").mkdir(parents=True)
    (reports / "index.html").write_text("<p>previous report</p>\n", encoding="utf-8")
    (reports / "figures" / "a.png").write_bytes(b"previous figure")
    return copy_raw(tmp_path), processed, reports


def _cli(raw: Path, processed: Path, reports: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(
        ["run", "--raw-dir", str(raw), "--processed-dir", str(processed), "--reports-dir", str(reports), *extra]
    )
    return code, capsys.readouterr().err


def _text(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


def _edit_manifest(raw: Path, old: str, new: str) -> None:
    manifest = raw / "sources.csv"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new), encoding="utf-8")


def _cut_mid_row(text: str) -> tuple[bytes, int]:
    lines = text.split("\n")
    rows = [n for n, line in enumerate(lines, start=1) if line.count("\t") >= 3]
    cut = rows[len(rows) // 2]
    cells = lines[cut - 1].split("\t")
    return "\n".join([*lines[: cut - 1], "\t".join(cells[:2])]).encode("utf-8"), cut


def _row_cut_short(text: str, keep: int = 7) -> tuple[bytes, int]:
    """The sheet with one table row in its middle cut to its first ``keep`` cells (the rest of the row lost)."""
    lines = text.split("\n")
    rows = [n for n, line in enumerate(lines, start=1) if line.count("\t") == 10]
    cut = rows[len(rows) // 2]
    lines[cut - 1] = "\t".join(lines[cut - 1].split("\t")[:keep])
    return "\n".join(lines).encode("utf-8"), cut


CASES = {
    "missing": (lambda raw: (raw / SHIROI).unlink(), f"{SHIROI}: listed in sources.csv but missing"),
    "checksum": (lambda raw: (raw / SHIROI).write_text("changed", encoding="utf-8"), f"{SHIROI}: sha256"),
    "unknown parser": (
        lambda raw: _edit_manifest(raw, ",shiroi_sheet,", ",shiroi_v2,"),
        "sources.csv:3: unknown parser 'shiroi_v2'",
    ),
    "unknown city": (
        lambda raw: _edit_manifest(raw, f"\n{SHIROI},shiroi,", f"\n{SHIROI},inzai,"),
        "sources.csv:3: unknown city 'inzai'",
    ),
    "empty": (lambda raw: replace_listed(raw, {SHIROI: b""}), f"{SHIROI}:1: the file is empty"),
    "truncated mid-table": (
        lambda raw: replace_listed(raw, {YAMAGUCHI: _cut_mid_row(_text(YAMAGUCHI))[0]}),
        f"{YAMAGUCHI}:{_cut_mid_row(_text(YAMAGUCHI))[1]}: the file ends inside a table row",
    ),
    "row cut short mid-sheet": (
        lambda raw: replace_listed(raw, {SHIROI: _row_cut_short(_text(SHIROI))[0]}),
        f"{SHIROI}:{_row_cut_short(_text(SHIROI))[1]}: a table row with 7 of the table's 11 cells",
    ),
    "another city's sheet under this city": (
        lambda raw: _edit_manifest(raw, f"\n{SHIROI},shiroi,白井市,", f"\n{SHIROI},yamagata,山形市,"),
        f"{SHIROI}:3: this is 白井市's document",
    ),
    "truncated mid-character": (
        lambda raw: replace_listed(raw, {SHIROI: (RAW / SHIROI).read_bytes()[:-2]}),
        f"{SHIROI}:587: the file ends inside a character",
    ),
    "other format": (
        lambda raw: replace_listed(raw, {SHIROI: (RAW / YAMAGUCHI).read_bytes()}),
        f"{SHIROI}:1: the shiroi_sheet parser does not recognise this document",
    ),
    "unsupported encoding": (
        lambda raw: replace_listed(raw, {SHIROI: codecs.BOM_UTF16_LE + _text(SHIROI).encode("utf-16-le")}),
        f"{SHIROI}:1: UTF-16/UTF-32 text is not read",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_raw_input_is_one_line_and_changes_nothing(previous_run, capsys, case):
    raw, processed, reports = previous_run
    spoil, expected = CASES[case]
    spoil(raw)
    before = _snapshot(processed, reports)
    code, err = _cli(raw, processed, reports, capsys)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and expected in err, err
    assert "Traceback" not in err
    assert _snapshot(processed, reports) == before


def test_the_last_line_of_the_committed_shiroi_sheet_is_587():
    assert _text(SHIROI).count("\n") + 1 == 587


def _fake_execute(fail_at: str):
    """Stand-in for a notebook run: writes what a notebook would, into the staged folders, and fails at one step."""

    def execute(step, reports_dir, relocate=None):
        processed = Path(step.parameters["processed_dir"])
        processed = processed if processed.is_absolute() else (pipeline.NOTEBOOK_DIR / processed).resolve()
        (reports_dir / "figures").mkdir(parents=True, exist_ok=True)
        (reports_dir / "figures" / "a.png").write_bytes(b"half-written figure")
        (reports_dir / "index.html").write_text("half-written report", encoding="utf-8")
        (processed / "indicators.csv").write_text("half-written table", encoding="utf-8")
        if step.notebook == fail_at:
            raise PipelineError(f"{step.label}: ValueError: failed on purpose")

    return execute


@pytest.mark.parametrize("fail_at", ["02_covid_stall_recovery.ipynb", "04_report.ipynb"])
def test_a_step_failing_late_leaves_the_previous_outputs(previous_run, monkeypatch, fail_at):
    raw, processed, reports = previous_run
    monkeypatch.setattr(pipeline, "execute", _fake_execute(fail_at))
    monkeypatch.setattr(pipeline, "combine_and_pick_year", lambda *args: 2022)
    monkeypatch.setattr(pipeline, "describe_tables", lambda *args: None)
    before = _snapshot(processed, reports)
    with pytest.raises(PipelineError, match="failed on purpose"):
        run(RunConfig(raw, processed, reports, jobs=1), log=lambda _: None)
    assert _snapshot(processed, reports) == before


def test_a_successful_run_replaces_the_previous_outputs(previous_run, monkeypatch):
    raw, processed, reports = previous_run
    monkeypatch.setattr(pipeline, "execute", _fake_execute(fail_at="none"))
    monkeypatch.setattr(pipeline, "combine_and_pick_year", lambda *args: 2022)
    monkeypatch.setattr(pipeline, "describe_tables", lambda *args: None)
    run(RunConfig(raw, processed, reports, jobs=1), log=lambda _: None)
    assert (reports / "index.html").read_text(encoding="utf-8") == "half-written report"
    assert (processed / "indicators.csv").read_text(encoding="utf-8") == "half-written table"
    debris = sorted(p.name for p in processed.parent.iterdir() if not p.name.endswith(LOCK_SUFFIX))
    assert debris == ["processed", "reports"]  # no staging folder, no journal


def test_a_failed_publication_puts_every_replaced_file_back(tmp_path, monkeypatch):
    target = tmp_path / "reports"
    (target / "figures").mkdir(parents=True)
    (target / "figures" / "a.png").write_bytes(b"old a")
    (target / "index.html").write_text("old", encoding="utf-8")
    real_replace, moves = os.replace, []

    def flaky_replace(source, destination):
        moves.append(destination)
        if len(moves) == 4:  # the first file is in place; moving the second one in fails
            raise OSError("disk full")
        return real_replace(source, destination)

    with pytest.raises(OSError, match="disk full"), staged_directories([target]) as (staging_dir,):
        (staging_dir / "figures").mkdir()
        (staging_dir / "figures" / "a.png").write_bytes(b"new a")
        (staging_dir / "index.html").write_text("new", encoding="utf-8")
        monkeypatch.setattr(os, "replace", flaky_replace)
    monkeypatch.undo()
    assert (target / "figures" / "a.png").read_bytes() == b"old a"
    assert (target / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_publish_moves_files_into_new_folders(tmp_path):
    staging, target = tmp_path / "staging", tmp_path / "target"
    (staging / "by_city" / "shiroi").mkdir(parents=True)
    (staging / "by_city" / "shiroi" / "t.csv").write_text("x", encoding="utf-8")
    assert publish([(staging, target)]) == [target / "by_city" / "shiroi" / "t.csv"]
    assert (target / "by_city" / "shiroi" / "t.csv").read_text(encoding="utf-8") == "x"


def test_a_sheet_the_parser_fails_on_inside_its_notebook_is_one_line(previous_run):
    """A sheet of the right format that its parser still cannot read fails inside the cleaning notebook; the
    kernel's own log lines stay out of the message, and the outputs stay as they were."""
    raw, processed, reports = previous_run
    lines = _text(SHIROI).split("\n")
    row = next(n for n, line in enumerate(lines) if line.count("\t") > 6 and line.split("\t")[6] == "3")
    cells = lines[row].split("\t")
    lines[row] = "\t".join([*cells[:6], "三", *cells[7:]])  # a 年度 cell that is not a year
    replace_listed(raw, {SHIROI: "\n".join(lines).encode("utf-8")}, keep={SHIROI})
    before = _snapshot(processed, reports)
    result = run_pipeline("run", "--raw-dir", raw, "--processed-dir", processed, "--reports-dir", reports)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "01_clean.ipynb (shiroi)" in result.stderr
    assert f"{SHIROI}:{row + 1}:" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(processed, reports) == before


def test_debug_shows_the_traceback(tmp_path):
    raw = copy_raw(tmp_path)
    (raw / SHIROI).write_text("changed", encoding="utf-8")
    args = ["run", "--raw-dir", raw, "--processed-dir", tmp_path / "p", "--reports-dir", tmp_path / "r"]
    quiet, loud = run_pipeline(*args), run_pipeline("--debug", *args)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert loud.returncode != 0 and "Traceback" in loud.stderr and "PipelineError" in loud.stderr


def test_an_unexpected_error_is_one_line_pointing_to_debug(tmp_path, monkeypatch, capsys):
    raw = copy_raw(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(pipeline, "run", broken)
    code = main(["run", "--raw-dir", str(raw)])
    err = capsys.readouterr().err
    assert code == pipeline.EXIT_INTERNAL
    assert err == "error: unexpected RuntimeError: something broke (run again with --debug for the traceback)\n"


def test_add_source_refuses_a_truncated_sheet_even_with_fiscal_years_given(tmp_path, capsys):
    raw = copy_raw(tmp_path)
    incoming = tmp_path / "incoming" / "yamaguchi_fy2022_implementation_report.txt"
    incoming.parent.mkdir()
    incoming.write_bytes(_cut_mid_row(_text(YAMAGUCHI))[0])
    manifest = (raw / "sources.csv").read_bytes()
    args = ["add-source", str(incoming), "--raw-dir", str(raw), "--city", "yamaguchi", "--parser", "yamaguchi_report"]
    assert main([*args, "--fiscal-years", "2021-2023"]) == 1
    assert "ends inside a table row" in capsys.readouterr().err
    assert (raw / "sources.csv").read_bytes() == manifest and not (raw / incoming.name).exists()

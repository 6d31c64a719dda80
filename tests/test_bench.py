"""The benchmark's pure pieces: copies under new names, intervals, the machine description and the Markdown it
writes. Nothing here times anything or runs the pipeline."""

import json
import re
from pathlib import Path

import bench
import pytest
from bench import (
    MemoryPeak,
    ParseJob,
    ParseResult,
    Results,
    RunSeries,
    copy_name,
    copy_raw,
    cpu_model,
    empty_notebook,
    intervals,
    machine_description,
    make_copies,
    manifest_jobs,
    memory_total,
    render_markdown,
    scaling_ratios,
    verdicts,
)

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"

MACHINE = {"CPU": "Example CPU", "cores (os.cpu_count)": "2", "memory": "8.0 GiB", "Python": "3.11.7"}


def _parse(scale: int, seconds: tuple[float, ...], size: int = 500_000) -> ParseResult:
    return ParseResult(scale, 5 * scale, size * scale, seconds)


def _results(pipeline_s: float = 30.0, floor_s: float = 15.0, with_pipeline: bool = True) -> Results:
    parse = (_parse(1, (0.1, 0.12, 0.13)), _parse(10, (1.0, 1.1, 1.05)), _parse(100, (11.0, 12.0, 13.0)))
    if not with_pipeline:
        return Results(MACHINE, parse, 3, 3)
    memory = MemoryPeak(900.0, 250.0, "psutil: resident memory of the process tree sampled every 0.2 s")
    spans = (("(start)", "raw data verified: 5 documents, 4 cities", 0.7), ("reports written to <tmp>", "(exit)", 0.4))
    pipeline = RunSeries(7, (pipeline_s,), memory, spans, cpus=(2 * pipeline_s,))
    floor_spans = (("(start)", bench.FLOOR_IMPORTED, 2.0), (bench.FLOOR_IMPORTED, "[1/7] empty notebook", 1.8))
    floor = RunSeries(7, (floor_s,), MemoryPeak(300.0, 120.0, memory.method), floor_spans, cpus=(floor_s,))
    return Results(
        MACHINE,
        parse,
        repeat=3,
        scale_repeat=3,
        pipeline=pipeline,
        floor=floor,
        jobs=2,
        html=(("01_clean-shiroi.ipynb", 0.4),),
        imports=(("import papermill", "each process", 2.3),),
        cores=2,
    )


def test_copy_name_keeps_the_suffix_and_numbers_the_copy():
    assert copy_name("shiroi_fy2022_progress_sheet.txt", 42) == "shiroi_fy2022_progress_sheet__copy042.txt"
    assert copy_name("a.txt", 7, width=4) == "a__copy0007.txt"


def test_make_copies_writes_factor_copies_of_each_sheet_under_new_writable_names(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    jobs = []
    for name, parser, city in (("a.txt", "shiroi_sheet", "shiroi"), ("b.txt", "yamaguchi_report", "yamaguchi")):
        (src / name).write_text(f"contents of {name}", encoding="utf-8")
        (src / name).chmod(0o444)
        jobs.append(ParseJob(src / name, parser, city))

    copies = make_copies(jobs, 3, tmp_path / "copies")

    assert len(copies) == 6
    assert len({c.path.name for c in copies}) == 6
    assert {c.path.name for c in copies if c.city == "shiroi"} == {"a__copy000.txt", "a__copy001.txt", "a__copy002.txt"}
    for copy in copies:
        original = src / copy.path.name.split("__copy")[0]
        assert copy.path.read_bytes() == original.with_suffix(".txt").read_bytes()
        assert copy.parser == ("shiroi_sheet" if copy.city == "shiroi" else "yamaguchi_report")
        assert copy.path.stat().st_mode & 0o200
    assert bench.total_bytes(copies) == 3 * bench.total_bytes(jobs)


def test_make_copies_widens_the_number_for_many_copies(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    copies = make_copies([ParseJob(tmp_path / "a.txt", "shiroi_sheet", "shiroi")], 1001, tmp_path / "c")
    assert copies[-1].path.name == "a__copy1000.txt" and copies[0].path.name == "a__copy0000.txt"


def test_manifest_jobs_name_every_raw_file_with_its_parser():
    jobs = manifest_jobs(RAW)
    assert len(jobs) == len((RAW / "sources.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    assert all(job.path.is_file() for job in jobs)
    assert ParseJob(RAW / "shiroi_fy2022_progress_sheet.txt", "shiroi_sheet", "shiroi") in jobs


def test_copy_raw_makes_a_writable_copy_of_a_read_only_tree(tmp_path):
    src = tmp_path / "raw"
    (src / "reference").mkdir(parents=True)
    (src / "sources.csv").write_text("file\n", encoding="utf-8")
    (src / "reference" / "population.csv").write_text("city\n", encoding="utf-8")
    for path in (src / "sources.csv", src / "reference" / "population.csv"):
        path.chmod(0o444)

    copy = copy_raw(src, tmp_path / "copy")

    assert (copy / "reference" / "population.csv").read_text(encoding="utf-8") == "city\n"
    assert all(p.stat().st_mode & 0o200 for p in [copy, *copy.rglob("*")])
    assert not (src / "sources.csv").stat().st_mode & 0o200


def test_parse_result_throughput_and_scaling_arithmetic():
    one, ten = _parse(1, (0.2, 0.1, 0.3)), _parse(10, (2.0, 2.0, 2.0))
    assert one.megabytes == 0.5 and one.min_s == 0.1 and one.median_s == 0.2
    assert one.mb_per_s == pytest.approx(2.5) and one.best_mb_per_s == pytest.approx(5.0)
    assert one.s_per_mb == pytest.approx(0.2)
    assert scaling_ratios([one, ten]) == {1: 1.0, 10: pytest.approx(2.0)}


def test_intervals_run_from_start_to_exit_and_hide_scratch_paths():
    lines = [(0.5, "raw data verified"), (2.0, "tables written to /scratch/bench-x/pipeline-1/processed")]
    spans = intervals(lines, 3.0, {"/scratch/bench-x/pipeline-1": "<tmp>"})
    assert [s[2] for s in spans] == [0.5, 1.5, 1.0]
    assert spans[1][1] == "tables written to <tmp>/processed"
    assert spans[0][0] == "(start)" and spans[-1][1] == "(exit)"


def test_floor_per_run_reads_startup_and_the_median_run():
    assert bench.floor_per_run(_results().floor) == (2.0, 1.8)


def test_empty_notebook_is_one_pass_cell_on_the_python3_kernel():
    import nbformat

    nb = nbformat.reads(json.dumps(empty_notebook()), as_version=4)
    nbformat.validate(nb)
    assert [(c.cell_type, c.source) for c in nb.cells] == [("code", "pass")]
    assert nb.metadata.kernelspec.name == "python3"


def test_floor_uses_the_pipelines_papermill_options():
    options = bench.papermill_options()
    assert options["kernel_name"] == "python3" and options["cwd"] == str(ROOT / "notebooks")
    assert options["progress_bar"] is False and options["log_output"] is False
    assert options["request_save_on_cell_execute"] is False  # the pipeline writes each notebook once, at its end
    assert options["shutdown_kernel"] == "immediate"


def test_cpu_model_and_memory_total_read_proc_text():
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n") == "AMD EPYC 7B13"
    assert cpu_model("processor\t: 0\n") == ""
    assert memory_total("MemTotal:        8388608 kB\n") == "8.0 GiB"
    assert memory_total("") == ""


def test_machine_description_names_what_the_figures_depend_on():
    machine = machine_description()
    assert set(machine) == {
        "CPU",
        "cores (os.cpu_count)",
        "memory",
        "Python",
        "OS",
        "pandas",
        "papermill",
        "matplotlib",
    }
    assert all(machine.values())


def test_verdicts_state_each_target_and_whether_it_was_met():
    met = {row[0]: row[3] for row in verdicts(_results(pipeline_s=19.0, floor_s=15.0))}
    assert list(met.values()) == ["**no**", "yes", "yes"]
    too_slow = verdicts(_results(pipeline_s=30.0, floor_s=15.0))[-1]
    assert too_slow[1].startswith("2.00x") and too_slow[3] == "**no**"


def test_markdown_has_machine_targets_and_tables_without_dates_or_scratch_paths():
    text = render_markdown(_results())
    cells = re.sub(r" +", " ", text)  # tabulate pads cells to the column width
    for heading in ("## Machine", "## Targets", "## Parsing", "## Full pipeline against its floor"):
        assert heading in text
    assert "| CPU | Example CPU |" in cells
    assert "≥ 5 MB/s" in text and "≤ 1.3x" in text and "met on this machine" in text
    assert "| 100x | 500 | 50.00 | 3 | 11.000 | 12.000 | 4.17 | 4.55 | 1.10 |" in cells
    assert "| pipeline / floor | | | 2.00x | 2.00x | 4.00x | 3.00x | 2.08x |" in cells
    assert "60.0 s of CPU time cannot take less than 30.0 s of wall time" in text  # 2 cores: 2.00x the floor
    assert "psutil" in text and "import papermill" in text and "01_clean-shiroi.ipynb" in text
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b|\d\d:\d\d:\d\d", text)
    assert "/tmp/" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_markdown_without_pipeline_says_it_was_not_measured():
    text = render_markdown(_results(with_pipeline=False))
    assert "Not measured in this run" in text
    assert "pipeline wall time" not in text


def test_command_line_defaults():
    args = bench.build_parser().parse_args([])
    assert (args.repeat, args.pipeline_repeat, args.jobs, args.skip_pipeline, args.write) == (9, 3, 2, False, False)
    assert args.floor_repeat == 3
    assert args.scales == [10, 100] and args.output == ROOT / "BENCHMARKS.md"
    assert bench.build_parser().parse_args(["--scales", "2,20"]).scales == [2, 20]

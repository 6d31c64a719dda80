"""Faults on purpose: a process killed at every point of a publication, a run's main process killed, two runs at
once, outputs that cannot be written. After each, the output folders hold the complete previous outputs or the
complete new ones, byte for byte, and nothing of the killed run is left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support.raw_copy import copy_raw

from helpers import pipeline
from helpers.core.errors import PipelineError
from helpers.pipeline import RunConfig, main, run
from helpers.tables.staging import FAULT_ENV, LOCK_SUFFIX, journal_path, output_locks, recover

ROOT = Path(__file__).resolve().parents[1]

OLD = {
    "processed/indicators.csv": "old tables\n",
    "processed/by_city/shiroi/indicators.csv": "old shiroi table\n",
    "reports/index.html": "<p>old report</p>\n",
    "reports/figures/a.png": "old figure a",
    "reports/only_in_the_old_run.txt": "kept: a publication replaces files, it never deletes any\n",
}
NEW = {
    "processed/indicators.csv": "new tables\n",
    "processed/by_city/shiroi/indicators.csv": "new shiroi table\n",
    "processed/by_city/yamagata/indicators.csv": "new yamagata table\n",
    "reports/index.html": "<p>new report</p>\n",
    "reports/figures/a.png": "new figure a",
    "reports/figures/b.png": "new figure b",
    "reports/notebooks/01_clean-shiroi.html": "new notebook page\n",
}
REPLACED = sum(1 for rel in NEW if rel in OLD)

PUBLISH = """
import json, sys
from pathlib import Path
from helpers.tables.staging import staged_directories

base, files = Path(sys.argv[1]), json.loads(sys.argv[2])
with staged_directories([base / "processed", base / "reports"], label="run") as (processed, reports):
    for rel, text in files.items():
        top, _, rest = rel.partition("/")
        path = (processed if top == "processed" else reports) / rest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
"""


def _snapshot(base: Path) -> dict[str, str]:
    """Every file under ``base`` (debris included) but the folders' lock files, by path."""
    return {
        p.relative_to(base).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(base.rglob("*"))
        if p.is_file() and not p.name.endswith(LOCK_SUFFIX)
    }


def _folders(base: Path) -> list[str]:
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_dir())


def _previous(base: Path) -> tuple[dict[str, str], list[str]]:
    for rel, text in OLD.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return _snapshot(base), _folders(base)


def _publish(base: Path, fault: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, FAULT_ENV: fault} if fault else {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    command = [sys.executable, "-c", PUBLISH, str(base), json.dumps(NEW)]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)


FAULTS = [
    "run:staged:1",
    "run:journal:1",
    *(f"run:backup:{n}" for n in range(1, REPLACED + 1)),
    *(f"run:move:{n}" for n in range(1, len(NEW) + 1)),
    "run:moved:1",
]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_kill_at_any_point_of_publication_leaves_old_or_new_outputs_whole(tmp_path, fault):
    old, old_folders = _previous(tmp_path)
    result = _publish(tmp_path, fault)
    assert result.returncode == -signal.SIGKILL, result.stderr
    targets = [tmp_path / "processed", tmp_path / "reports"]
    log = recover(targets)
    after = _snapshot(tmp_path)
    if fault == "run:moved:1":  # every file was in place: the new outputs stand, only the clean-up was left
        assert after == {**old, **NEW}
        assert not any("put back" in line for line in log)
    else:
        assert after == old, fault
        assert _folders(tmp_path) == old_folders  # folders the publication made are gone again
        if fault != "run:staged:1":
            assert any("previous outputs were put back" in line for line in log)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(LOCK_SUFFIX)) == ["processed", "reports"]
    assert not journal_path(targets[0]).exists()
    assert recover(targets) == []  # nothing left to do


def test_an_unkilled_publication_gives_the_new_outputs_and_no_debris(tmp_path):
    old, _ = _previous(tmp_path)
    assert _publish(tmp_path).returncode == 0
    assert _snapshot(tmp_path) == {**old, **NEW}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed", "reports"]


def test_a_recovery_killed_part_way_finishes_at_the_next_start(tmp_path):
    """Rolling back is itself a series of renames: undo half of them by hand, then recover again."""
    old, _ = _previous(tmp_path)
    assert _publish(tmp_path, f"run:move:{len(NEW)}").returncode == -signal.SIGKILL
    targets = [tmp_path / "processed", tmp_path / "reports"]
    plan = json.loads(journal_path(targets[0]).read_text(encoding="utf-8"))["pairs"]
    reports = next(entry for entry in plan if entry["target"].endswith("reports"))
    staging = Path(reports["staging"])
    for rel in reports["files"][-2:]:  # the last two files already moved back to staging
        os.replace(tmp_path / "reports" / rel, staging / rel)
    recover(targets)
    assert _snapshot(tmp_path) == old


def test_a_killed_publication_is_undone_when_the_next_run_starts(tmp_path, monkeypatch):
    """The recovery happens under the run lock, before anything else the run does."""
    old, _ = _previous(tmp_path)
    assert _publish(tmp_path, "run:move:3").returncode == -signal.SIGKILL
    assert _snapshot(tmp_path) != old
    raw = copy_raw(tmp_path / "input")
    (raw / "sources.csv").write_text("changed", encoding="utf-8")  # the run stops right after recovering
    logged: list[str] = []
    with pytest.raises(PipelineError, match="first line must name the columns"):
        run(RunConfig(raw, tmp_path / "processed", tmp_path / "reports"), log=logged.append)
    assert any("previous outputs were put back" in line for line in logged)
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")} == old


# ---------------------------------------------------------------- one run at a time


def test_a_second_run_into_the_same_folders_is_refused_at_once(tmp_path, capsys):
    old, _ = _previous(tmp_path)
    raw = copy_raw(tmp_path / "input")
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    args = ["run", "--raw-dir", str(raw), "--processed-dir", str(processed), "--reports-dir", str(reports)]
    with output_locks([reports]):  # another run holds the reports folder
        started = time.monotonic()
        assert main(args) == 1
        assert time.monotonic() - started < 5
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{reports}: another run is writing to it" in err
        assert main([*args, "--wait", "0.5"]) == 1
        assert "after waiting 0.5 s" in capsys.readouterr().err
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")} == old


def test_a_killed_runs_lock_goes_with_it(tmp_path, monkeypatch):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "processed")], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(PipelineError, match="another run is writing"), output_locks([tmp_path / "processed"]):
            pass
    finally:
        holder.kill()
        holder.wait()
    with output_locks([tmp_path / "processed"], wait=5):
        pass


HOLD = """
import sys, time
from pathlib import Path
from helpers.tables.staging import output_locks

with output_locks([Path(sys.argv[1])]):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_two_runs_at_once_one_publishes_and_the_other_is_refused(tmp_path, monkeypatch):
    """Two real processes of the command line racing for the same folders (their notebooks stand-ins)."""
    _previous(tmp_path)
    raw = copy_raw(tmp_path / "input")
    script = RACE.replace("RAW", repr(str(raw))).replace("BASE", repr(str(tmp_path)))
    runs = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = [(r.wait(timeout=120), r.stderr.read() if r.stderr else "") for r in runs]
    assert sorted(code for code, _ in results) == [0, 1], results
    refused = next(err for code, err in results if code == 1)
    assert "another run is writing to it" in refused and refused.count("\n") == 1
    outputs = {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")}
    assert outputs["reports/index.html"] == "new report" and outputs["processed/indicators.csv"] == "new table"


RACE = """
import sys, time
from pathlib import Path
from helpers import pipeline

def execute(step, reports_dir, relocate=None):
    time.sleep(1.5)  # long enough for the two runs to overlap
    (reports_dir / "index.html").write_text("new report", encoding="utf-8")
    processed = Path(step.parameters["processed_dir"])
    processed = processed if processed.is_absolute() else (pipeline.NOTEBOOK_DIR / processed).resolve()
    (processed / "indicators.csv").write_text("new table", encoding="utf-8")

pipeline.execute = execute
pipeline.check_sheets = lambda *args: None
pipeline.combine_and_pick_year = lambda *args: 2022
pipeline.describe_tables = lambda *args: None
base = Path(BASE)
sys.exit(pipeline.main(["run", "--raw-dir", RAW, "--processed-dir", str(base / "processed"),
                        "--reports-dir", str(base / "reports"), "--stop-after", "clean"]))
"""


# ---------------------------------------------------------------- outputs that cannot be written, bad options


def _refused_at_once(capsys, *args: str) -> str:
    started = time.monotonic()
    assert main(["run", *args]) == 1
    assert time.monotonic() - started < 5  # before any work: no notebook has started
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    return err


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_bad_jobs_are_refused_before_any_work(tmp_path, capsys, jobs):
    err = _refused_at_once(capsys, "--processed-dir", str(tmp_path / "p"), "--reports-dir", str(tmp_path / "r"),
                           "--jobs", jobs)  # fmt: skip
    assert f"--jobs {jobs}: give 1 or more" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("year", ["1999", "2030"])
def test_a_report_year_without_actual_values_is_refused_before_any_notebook(tmp_path, capsys, year):
    """Today 2030 would render a report of nothing, and 1999 would fail inside a notebook."""
    raw = copy_raw(tmp_path)
    old, _ = _previous(tmp_path / "out")
    started = time.monotonic()
    code = main(["run", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "out" / "processed"),
                 "--reports-dir", str(tmp_path / "out" / "reports"), "--fiscal-year", year])  # fmt: skip
    assert code == 1 and time.monotonic() - started < 60  # the sheets are parsed once, no notebook runs
    err = capsys.readouterr().err
    assert err == (
        f"error: --fiscal-year {year}: no sheet has actual values for that year; choose one of 2017, 2018, 2019, "
        "2020, 2021, 2022, 2023, or leave it out for the latest year with actual values from several cities\n"
    )
    assert _snapshot(tmp_path / "out") == old


def test_the_years_with_actual_values_read_from_the_sheets_are_those_of_the_combined_tables():
    from helpers.sources.manifest import read_manifest

    raw = ROOT / "data" / "raw"
    assert pipeline.actual_years_in_sheets(raw, read_manifest(raw)) == pipeline.actual_years(
        ROOT / "data" / "processed"
    )


def test_the_combined_tables_confirm_the_report_year(tmp_path):
    """The same refusal once the sheets are cleaned (the committed tables here), for a year only plans reach."""
    import shutil

    processed = tmp_path / "processed"
    shutil.copytree(ROOT / "data" / "processed", processed)
    cities = tuple(sorted(p.name for p in (processed / "by_city").iterdir()))
    assert pipeline.combine_and_pick_year(processed, cities, 2021) == 2021
    with pytest.raises(PipelineError, match=r"^--fiscal-year 2024: no sheet has actual values for that year; choose"):
        pipeline.combine_and_pick_year(processed, cities, 2024)


@pytest.mark.parametrize(
    ("blocker", "processed", "expected"),
    [
        ("processed", "processed", "--processed-dir {base}/processed: {base}/processed is a file where a folder must"),
        ("processed", "processed/sub", "--processed-dir {base}/processed/sub: {base}/processed is a file where a"),
        ("reports/notebooks", "processed", "{base}/reports/notebooks is a file where the run writes a folder"),
        ("reports/figures", "processed", "{base}/reports/figures is a file where the run writes a folder"),
        ("processed/by_city", "processed", "{base}/processed/by_city is a file where the run writes a folder"),
    ],
)
def test_an_output_path_blocked_by_a_file_is_refused_before_any_work(tmp_path, capsys, blocker, processed, expected):
    raw = copy_raw(tmp_path / "input")
    (tmp_path / "reports").mkdir()
    (tmp_path / blocker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocker).write_text("a file", encoding="utf-8")
    before = _snapshot(tmp_path)
    err = _refused_at_once(capsys, "--raw-dir", str(raw), "--processed-dir", str(tmp_path / processed),
                           "--reports-dir", str(tmp_path / "reports"))  # fmt: skip
    assert expected.format(base=tmp_path) in err
    assert _snapshot(tmp_path) == before


def _deny(monkeypatch, denied: Path) -> None:
    """What a user without write permission on ``denied`` meets (root writes into read-only folders, and the tests
    may run as root)."""
    real = tempfile.TemporaryFile

    def temporary_file(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == denied:
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(pipeline.tempfile, "TemporaryFile", temporary_file)


def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    raw = copy_raw(tmp_path)
    old, _ = _previous(tmp_path / "out")
    reports = tmp_path / "out" / "reports"
    reports.chmod(0o555)
    try:
        if os.geteuid() == 0:
            _deny(monkeypatch, reports)
        err = _refused_at_once(capsys, "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "out" / "processed"),
                               "--reports-dir", str(reports))  # fmt: skip
    finally:
        reports.chmod(0o755)
    assert f"--reports-dir {reports}: cannot write in {reports} (Permission denied); make it writable" in err
    assert _snapshot(tmp_path / "out") == old


def test_an_unreadable_raw_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    from helpers.sources import manifest

    raw = copy_raw(tmp_path)
    sheet = raw / "shiroi_fy2022_progress_sheet.txt"
    sheet.chmod(0o000)
    if os.geteuid() == 0:
        real = manifest.sha256_of

        def sha256_of(path: Path) -> str:
            if path == sheet:
                raise PermissionError(13, "Permission denied")
            return real(path)

        monkeypatch.setattr(manifest, "sha256_of", sha256_of)
    try:
        err = _refused_at_once(capsys, "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p"),
                               "--reports-dir", str(tmp_path / "r"))  # fmt: skip
    finally:
        sheet.chmod(0o644)
    assert f"{sheet}: cannot be read (Permission denied); make it readable" in err
    assert not (tmp_path / "p").exists()


def test_run_help_shows_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: data/raw)" in text and "(default: 1)" in text and "(default: 0" in text
    assert "at least 2 cities" in text and "make report passes JOBS, 2 unless given (default: 1)" in text


# ---------------------------------------------------------------- a run's main process killed


def _descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _alive(pids: list[int]) -> list[int]:
    import psutil

    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.e2e
def test_killing_the_main_process_takes_its_workers_and_kernels_with_it(tmp_path):
    """A real run of one small sheet with two workers, killed once a notebook kernel runs; the next start finds
    the previous outputs whole and removes the killed run's staging folders."""
    old, _ = _previous(tmp_path)
    raw = copy_raw(tmp_path / "input")
    manifest = raw / "sources.csv"
    rows = manifest.read_text(encoding="utf-8").split("\n")
    manifest.write_text("\n".join([rows[0], *[r for r in rows if r.startswith("yamagata_fy2023")], ""]), "utf-8")
    command = [sys.executable, "-m", "helpers.pipeline", "run", "--raw-dir", str(raw), "--jobs", "2"]
    command += ["--processed-dir", str(tmp_path / "processed"), "--reports-dir", str(tmp_path / "reports")]
    main_run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and main_run.poll() is None:
            import psutil

            kernels = [p for p in _descendants(main_run.pid) if "ipykernel" in " ".join(psutil.Process(p).cmdline())]
            if kernels:
                break
            time.sleep(0.2)
        assert main_run.poll() is None, "the run ended before a kernel started"
        children = _descendants(main_run.pid)
        assert len(children) >= 2  # a worker and its kernel at least
        main_run.send_signal(signal.SIGKILL)
        main_run.wait()
        deadline = time.monotonic() + 15
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive(children) == []
    finally:
        if main_run.poll() is None:
            main_run.kill()
    assert any(p.name.startswith(".processed.staging-") for p in tmp_path.iterdir())
    log = recover([tmp_path / "processed", tmp_path / "reports"])
    assert any("staging folder" in line for line in log)
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")} == old
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(LOCK_SUFFIX)) == [
        "input",
        "processed",
        "reports",
    ]


def test_a_file_where_publication_needs_a_folder_is_refused_before_the_first_rename(tmp_path):
    """A backstop for what the pre-flight cannot know (folders only the notebooks name): nothing moves."""
    from helpers.tables.staging import staged_directories

    old, _ = _previous(tmp_path)
    (tmp_path / "reports" / "notebooks").write_text("a file", encoding="utf-8")
    old = _snapshot(tmp_path)
    with (
        pytest.raises(PipelineError, match=r"reports/notebooks: a file stands where the run writes a folder"),
        staged_directories([tmp_path / "processed", tmp_path / "reports"]) as (processed, reports),
    ):
        (processed / "indicators.csv").write_text("new", encoding="utf-8")
        (reports / "notebooks").mkdir()
        (reports / "notebooks" / "a.html").write_text("new", encoding="utf-8")
    assert _snapshot(tmp_path) == old
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(LOCK_SUFFIX)) == ["processed", "reports"]


def test_the_next_start_removes_staging_folders_nested_beside_a_killed_runs_own(tmp_path):
    """Steps write their tables through a staging folder of their own, beside the run's staging folder."""
    old, _ = _previous(tmp_path)
    debris = [
        tmp_path / ".processed.staging-k1",
        tmp_path / "..processed.staging-k1.staging-k2",
        tmp_path / ".reports.staging-k3",
    ]
    for folder in debris:
        (folder / "by_city").mkdir(parents=True)
        (folder / "by_city" / "t.csv").write_text("half-written", encoding="utf-8")
    (tmp_path / "..processed.staging-k1.publishing.json").write_text('{"state": "moving"', encoding="utf-8")
    (tmp_path / ".other.staging-k4").mkdir()  # other folders': not this run's to remove
    (tmp_path / ".unprocessed.staging-k5").mkdir()
    recover([tmp_path / "processed", tmp_path / "reports"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.staging-k4",
        ".unprocessed.staging-k5",
        "processed",
        "reports",
    ]
    assert _snapshot(tmp_path) == old


@pytest.mark.e2e
def test_a_real_run_killed_during_publication_leaves_the_previous_outputs_whole(tmp_path):
    """The command line on one small sheet, killed between two renames of its publication (a fault point in the
    staging code); the next start puts every replaced file back."""
    old, old_folders = _previous(tmp_path)
    raw = copy_raw(tmp_path / "input")
    manifest = raw / "sources.csv"
    rows = manifest.read_text(encoding="utf-8").split("\n")
    manifest.write_text("\n".join([rows[0], *[r for r in rows if r.startswith("yamagata_fy2023")], ""]), "utf-8")
    command = [sys.executable, "-m", "helpers.pipeline", "run", "--raw-dir", str(raw), "--stop-after", "clean"]
    command += ["--processed-dir", str(tmp_path / "processed"), "--reports-dir", str(tmp_path / "reports")]
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, FAULT_ENV: "run:move:3"}, capture_output=True)
    assert result.returncode == -signal.SIGKILL
    assert journal_path(tmp_path / "processed").is_file()
    outputs = {k: v for k, v in _snapshot(tmp_path).items() if k.split("/")[0] in ("processed", "reports")}
    assert outputs != old  # a mix of old and new, until the next start
    log = recover([tmp_path / "processed", tmp_path / "reports"])
    assert any("previous outputs were put back" in line for line in log)
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")} == old
    assert [f for f in _folders(tmp_path) if not f.startswith("input")] == old_folders


def test_sigterm_is_an_interruption_that_cleans_up(tmp_path):
    """A polite stop (SIGTERM, as service managers and `kill` send) during a run: exit 130, previous outputs."""
    old, _ = _previous(tmp_path)
    raw = copy_raw(tmp_path / "input")
    runner = subprocess.Popen(
        [sys.executable, "-c", TERM.replace("RAW", repr(str(raw))).replace("BASE", repr(str(tmp_path)))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert runner.stdout is not None
    lines = iter(runner.stdout.readline, "")  # the run's own log lines come first; "" is the end of its output
    assert "running" in (line.strip() for line in lines)
    runner.send_signal(signal.SIGTERM)
    _, err = runner.communicate(timeout=60)
    assert runner.returncode == 130, err
    assert err == "error: interrupted; the previous outputs are left as they were\n"
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("input/")} == old
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(LOCK_SUFFIX)) == [
        "input",
        "processed",
        "reports",
    ]


TERM = """
import sys, time
from pathlib import Path
from helpers import pipeline

def execute(step, reports_dir, relocate=None):
    (reports_dir / "index.html").write_text("half-written report", encoding="utf-8")
    print("running", flush=True)
    time.sleep(30)

pipeline.execute = execute
pipeline.check_sheets = lambda *args: None
base = Path(BASE)
sys.argv = ["pipeline", "run", "--raw-dir", RAW, "--processed-dir", str(base / "processed"),
            "--reports-dir", str(base / "reports"), "--stop-after", "clean"]
sys.exit(pipeline.main())
"""


def test_refreshing_the_notebooks_waits_for_no_run_and_is_refused_during_one(capsys):
    """The committed notebooks write into data/processed and reports with their default parameters."""
    with output_locks([pipeline.DEFAULT_OUTPUTS[1]]):
        assert main(["refresh-notebooks"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "reports: another run is writing to it" in err

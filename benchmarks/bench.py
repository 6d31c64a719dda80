"""Benchmark: how fast the sheets parse (at 1x, 10x and 100x the raw input) and what the full pipeline costs
next to its floor (the same number of papermill runs of an empty notebook).

python benchmarks/bench.py [--repeat N] [--scale-repeat N] [--scales 10,100] [--skip-pipeline]
                        [--pipeline-repeat N] [--floor-repeat N] [--jobs N] [--write] [--output FILE]

Figures are measured and reported, never asserted: the machines this runs on are shared. ``--write`` puts them,
with a description of the machine, into BENCHMARKS.md at the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import pandas as pd
from bench_cleaning import measure as measure_cleaning

from helpers import CITIES
from helpers.pipeline import EXECUTED_DIR, NOTEBOOK_DIR, REPO_ROOT
from helpers.sources.manifest import read_manifest

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is pinned in requirements.txt; the fallback keeps the bench usable
    psutil = None

RAW_DIR = REPO_ROOT / "data" / "raw"
OUTPUT = REPO_ROOT / "BENCHMARKS.md"

MB = 1_000_000
"""Throughput is in MB (10^6 bytes) per second; memory is in MiB (2^20 bytes)."""
MIB = 2**20

PARSE_TARGET_MB_S = 5.0
"""Target: the parsers read at least this many MB of raw sheet per second (1x input, median of the repeats)."""
LINEAR_TOLERANCE = 1.25
"""Parsing counts as linear when the time per MB at every larger input stays within this factor of the 1x one."""
PIPELINE_TARGET_RATIO = 1.3
"""Target: the full pipeline's wall time is at most this multiple of its floor's."""

SAMPLE_INTERVAL = 0.2
"""Seconds between two samples of a process tree's resident memory."""
FLOOR_IMPORTED = "papermill imported"
"""The floor's first output line: the interpreter has started and imported papermill."""
PEAK_LINE = "peak-rss-kib"
"""The floor's last output line: its largest single process's peak resident memory (the fallback without psutil)."""

IMPORT_STATEMENTS: tuple[tuple[str, str], ...] = (
    ("import papermill", "every process that executes notebooks, once"),
    ("from nbconvert import HTMLExporter", "every process that renders executed notebooks to HTML, once"),
    ("import jsonschema", "every process that reads or writes a notebook (nbformat imports it)"),
    ("import helpers.tables.cleaning", "every process or kernel that cleans or combines tables (pandas, pandera)"),
)
"""Imports whose cost a fresh process pays; each is measured on its own, so the figures overlap."""

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- parsing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseJob:
    """One raw file and the parser and city its manifest row names."""

    path: Path
    parser: str
    city: str


def manifest_jobs(raw_dir: Path) -> list[ParseJob]:
    """Every file in the raw directory's ``sources.csv``, with its parser and city."""
    return [ParseJob(raw_dir / s.file, s.parser, s.city) for s in read_manifest(raw_dir)]


def copy_name(name: str, index: int, width: int = 3) -> str:
    """The name of a sheet's ``index``-th copy, so that every copy is a file of its own.

    >>> copy_name("shiroi_fy2022_progress_sheet.txt", 42)
    'shiroi_fy2022_progress_sheet__copy042.txt'
    """
    path = Path(name)
    return f"{path.stem}__copy{index:0{width}d}{path.suffix}"


def make_copies(jobs: Sequence[ParseJob], factor: int, dest: Path) -> list[ParseJob]:
    """Copy every sheet ``factor`` times under new names into ``dest`` (writable), keeping parser and city, so
    that parsing them reads ``factor`` times the bytes."""
    dest.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(factor - 1)))
    copies = []
    for index in range(factor):
        for job in jobs:
            target = dest / copy_name(job.path.name, index, width)
            shutil.copyfile(job.path, target)
            target.chmod(0o644)
            copies.append(ParseJob(target, job.parser, job.city))
    return copies


def total_bytes(jobs: Sequence[ParseJob]) -> int:
    """Size of the files on disk: the amount of input the throughput is about."""
    return sum(job.path.stat().st_size for job in jobs)


def parse_all(jobs: Sequence[ParseJob]) -> float:
    """Parse every file once, each as a separate file with its own parser; return the seconds it took."""
    from helpers.sheets import parse_file

    start = time.perf_counter()
    for job in jobs:
        parse_file(job.path, parser=job.parser, city=job.city)
    return time.perf_counter() - start


@dataclass(frozen=True)
class ParseResult:
    """Timed passes over one input size (``scale`` copies of every raw file)."""

    scale: int
    files: int
    size: int
    seconds: tuple[float, ...]

    @property
    def megabytes(self) -> float:
        return self.size / MB

    @property
    def min_s(self) -> float:
        return min(self.seconds)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def mb_per_s(self) -> float:
        """Throughput of the median pass (what a typical run gets)."""
        return self.megabytes / self.median_s

    @property
    def best_mb_per_s(self) -> float:
        """Throughput of the fastest pass (the least disturbed by other load)."""
        return self.megabytes / self.min_s

    @property
    def s_per_mb(self) -> float:
        """Seconds per MB of the fastest pass: on a shared machine the least disturbed figure to compare sizes."""
        return self.min_s / self.megabytes


def time_parsing(jobs: Sequence[ParseJob], scale: int, repeat: int, log: Log = _stderr) -> ParseResult:
    """Parse the files ``repeat`` times and keep every pass's time."""
    seconds = []
    for n in range(1, repeat + 1):
        seconds.append(parse_all(jobs))
        log(f"parsing {scale}x: pass {n}/{repeat} {seconds[-1]:.2f} s")
    return ParseResult(scale, len(jobs), total_bytes(jobs), tuple(seconds))


def bench_parsing(
    raw_dir: Path, scales: Sequence[int], repeat: int, scale_repeat: int, workdir: Path, log: Log = _stderr
) -> list[ParseResult]:
    """A warm-up pass (imports, lexicons), then the raw files as they are, then each larger input as copies in a
    scratch directory that is removed once timed."""
    jobs = manifest_jobs(raw_dir)
    log(f"parsing: warm-up pass over {len(jobs)} files")
    parse_all(jobs)
    results = [time_parsing(jobs, 1, repeat, log)]
    for scale in scales:
        scratch = workdir / f"parse-{scale}x"
        copies = make_copies(jobs, scale, scratch)
        results.append(time_parsing(copies, scale, scale_repeat, log))
        shutil.rmtree(scratch)
    return results


# --- measuring a process tree --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryPeak:
    """Peak resident memory of a command's process tree: all processes together (None when not sampled) and the
    largest single process, with how it was measured."""

    tree_mib: float | None
    single_mib: float
    method: str


class TreeSampler:
    """Samples the resident memory of a process and all its descendants from a background thread, keeping the
    largest sum and the largest single process (the sum counts pages shared between processes more than once, so
    it is an upper bound)."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.tree_bytes = 0
        self.single_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> MemoryPeak:
        self._stop.set()
        self._thread.join()
        method = f"psutil: resident memory of the process tree sampled every {self.interval:g} s"
        return MemoryPeak(self.tree_bytes / MIB, self.single_bytes / MIB, method)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        sizes = []
        for process in processes:
            try:
                sizes.append(process.memory_info().rss)
            except psutil.Error:
                continue
        self.tree_bytes = max(self.tree_bytes, sum(sizes))
        self.single_bytes = max(self.single_bytes, max(sizes, default=0))


def maxrss_mib(who: int) -> float:
    """``getrusage(who).ru_maxrss`` in MiB (kilobytes on Linux, bytes on macOS)."""
    value = resource.getrusage(who).ru_maxrss
    return value / MIB if sys.platform == "darwin" else value / 1024


RUSAGE_METHOD = (
    "resource.getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process of the tree (psutil is not installed)"
)


@dataclass(frozen=True)
class Measured:
    """One run of a command: wall seconds, its stdout lines with the second each arrived, its memory peak and the
    CPU seconds (user + system) of its process tree."""

    wall: float
    lines: tuple[tuple[float, str], ...]
    memory: MemoryPeak
    cpu: float = 0.0


def children_cpu_s() -> float:
    """CPU seconds (user + system) of every child process this one has waited for, and of theirs in turn."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(cmd: Sequence[str], cwd: Path, stderr_file: Path) -> Measured:
    """Run a command to completion, timing it, timestamping its output lines and sampling its memory; a failure
    raises RuntimeError with the end of its stderr."""
    lines = []
    cpu_before = children_cpu_s()
    with stderr_file.open("w", encoding="utf-8") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1)
        sampler = TreeSampler(process.pid) if psutil is not None else None
        if sampler is not None:
            sampler.start()
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.perf_counter() - start, line.rstrip("\n")))
        returncode = process.wait()
        wall = time.perf_counter() - start
    cpu = children_cpu_s() - cpu_before
    if sampler is not None:
        memory = sampler.stop()
    else:
        memory = MemoryPeak(None, maxrss_mib(resource.RUSAGE_CHILDREN), RUSAGE_METHOD)
    if returncode != 0:
        tail = stderr_file.read_text(encoding="utf-8").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited with {returncode}: " + " / ".join(tail))
    return Measured(wall, tuple(lines), memory, cpu)


def intervals(
    lines: Sequence[tuple[float, str]], wall: float, substitutions: dict[str, str] | None = None
) -> tuple[tuple[str, str, float], ...]:
    """The seconds between consecutive output lines (from the start, to the exit), with every ``substitutions`` key
    (e.g. a scratch directory) replaced in the lines.

    >>> intervals([(1.0, "a /scratch/x/p"), (3.5, "b")], 4.0, {"/scratch/x": "<tmp>"})
    (('(start)', 'a <tmp>/p', 1.0), ('a <tmp>/p', 'b', 2.5), ('b', '(exit)', 0.5))
    """
    substitutions = substitutions or {}

    def clean(text: str) -> str:
        for old, new in substitutions.items():
            text = text.replace(old, new)
        return text

    marks = [(0.0, "(start)"), *((t, clean(text)) for t, text in lines), (wall, "(exit)")]
    return tuple((a, b, round(tb - ta, 6)) for (ta, a), (tb, b) in pairwise(marks))


# --- the pipeline and its floor ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSeries:
    """Repeated runs of the pipeline or of its floor: papermill runs per run, wall seconds of each run, the memory
    peak over all runs, and the intervals between the output lines of the fastest run."""

    papermill_runs: int
    walls: tuple[float, ...]
    memory: MemoryPeak
    intervals: tuple[tuple[str, str, float], ...] = ()
    cpus: tuple[float, ...] = ()
    """CPU seconds of each run's process tree (user + system)."""

    @property
    def min_s(self) -> float:
        return min(self.walls)

    @property
    def median_s(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(self.cpus) if self.cpus else 0.0


def _combine(measured: Sequence[Measured], papermill_runs: int, substitutions: list[dict[str, str]]) -> RunSeries:
    fastest = min(range(len(measured)), key=lambda i: measured[i].wall)
    trees = [m.memory.tree_mib for m in measured if m.memory.tree_mib is not None]
    memory = MemoryPeak(
        max(trees) if trees else None, max(m.memory.single_mib for m in measured), measured[0].memory.method
    )
    spans = intervals(measured[fastest].lines, measured[fastest].wall, substitutions[fastest])
    return RunSeries(papermill_runs, tuple(m.wall for m in measured), memory, spans, tuple(m.cpu for m in measured))


def copy_raw(raw_dir: Path, dest: Path) -> Path:
    """A writable copy of the raw directory (the committed files are read-only)."""
    shutil.copytree(raw_dir, dest)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def pipeline_command(raw: Path, processed: Path, reports: Path, jobs: int) -> list[str]:
    """The pipeline as ``make report`` runs it, into the given directories (output unbuffered, so that each
    progress line is timed when it is printed)."""
    return [
        sys.executable, "-u", "-m", "helpers.pipeline", "run", "--raw-dir", str(raw),
        "--processed-dir", str(processed), "--reports-dir", str(reports), "--jobs", str(jobs),
    ]  # fmt: skip


def executed_notebooks(reports_dir: Path) -> list[Path]:
    """The executed notebooks a pipeline run wrote: one per papermill run."""
    return sorted((reports_dir / EXECUTED_DIR).glob("*.ipynb"))


def html_render_times(notebooks: Sequence[Path], out_dir: Path) -> tuple[tuple[str, float], ...]:
    """Seconds to render each executed notebook to HTML again, one after the other in this process, as the
    pipeline does after each papermill run (importing nbconvert is not included)."""
    from helpers.views.notebooks import render_html

    out_dir.mkdir(parents=True, exist_ok=True)
    render_html(notebooks[0], out_dir / "warm-up.html")
    times = []
    for notebook in notebooks:
        start = time.perf_counter()
        render_html(notebook, out_dir / f"{notebook.stem}.html")
        times.append((notebook.name, time.perf_counter() - start))
    return tuple(times)


def bench_pipeline(
    raw_dir: Path, repeat: int, jobs: int, workdir: Path, log: Log = _stderr
) -> tuple[RunSeries, tuple[tuple[str, float], ...]]:
    """Run the pipeline ``repeat`` times from a copy of the raw directory into scratch directories; return its
    series and the HTML rendering time of each notebook it executed."""
    raw = copy_raw(raw_dir, workdir / "raw")
    measured, substitutions = [], []
    runs, html = 0, ()
    for n in range(1, repeat + 1):
        run_dir = workdir / f"pipeline-{n}"
        run_dir.mkdir()
        cmd = pipeline_command(raw, run_dir / "processed", run_dir / "reports", jobs)
        log(f"pipeline: run {n}/{repeat} (--jobs {jobs})")
        measured.append(run_measured(cmd, REPO_ROOT, run_dir / "stderr.txt"))
        substitutions.append({str(run_dir): "<tmp>", str(raw): "<tmp>/raw"})
        log(f"pipeline: run {n}/{repeat} {measured[-1].wall:.1f} s")
        if n == 1:
            notebooks = executed_notebooks(run_dir / "reports")
            if not notebooks:
                raise RuntimeError(f"the pipeline wrote no executed notebooks into reports/{EXECUTED_DIR}/")
            runs = len(notebooks)
            log(f"pipeline: rendering its {runs} executed notebooks to HTML again")
            html = html_render_times(notebooks, run_dir / "html-again")
        shutil.rmtree(run_dir)
    return _combine(measured, runs, substitutions), html


def empty_notebook() -> dict:
    """A notebook with one code cell ``pass`` on the python3 kernel: a papermill run that does no work."""
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "floor", "metadata": {}, "outputs": [],
                   "source": "pass"}],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip


def papermill_options() -> dict[str, object]:
    """The options ``helpers.pipeline.execute`` passes to papermill besides the notebook and its parameters."""
    from helpers import pipeline

    options: dict[str, object] = {
        "kernel_name": "python3",
        "cwd": str(NOTEBOOK_DIR),
        "progress_bar": False,
        "log_output": False,
    }
    kernel_arguments = getattr(pipeline, "KERNEL_ARGUMENTS", None)
    if kernel_arguments:
        options["extra_arguments"] = list(kernel_arguments)
    if getattr(pipeline, "SAVE_EACH_CELL", True) is False:
        options["request_save_on_cell_execute"] = False
    if getattr(pipeline, "KERNEL_SHUTDOWN", None):
        options["shutdown_kernel"] = pipeline.KERNEL_SHUTDOWN
    return options


def run_floor(runs: int) -> None:
    """Execute the empty notebook ``runs`` times in a row with the papermill options ``pipeline.execute`` uses,
    printing a line after the import and after each run, then this process tree's largest single peak."""
    import papermill

    print(FLOOR_IMPORTED, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        source = Path(tmp) / "empty.ipynb"
        source.write_text(json.dumps(empty_notebook()), encoding="utf-8")
        for n in range(1, runs + 1):
            papermill.execute_notebook(
                str(source),
                str(Path(tmp) / f"empty-{n}.ipynb"),
                parameters={},
                **papermill_options(),
            )
            print(f"[{n}/{runs}] empty notebook", flush=True)
    peak_kib = max(maxrss_mib(resource.RUSAGE_SELF), maxrss_mib(resource.RUSAGE_CHILDREN)) * 1024
    print(f"{PEAK_LINE} {peak_kib:.0f}", flush=True)


def floor_command(runs: int) -> list[str]:
    return [sys.executable, "-u", str(Path(__file__).resolve()), "--floor-runs", str(runs)]


def bench_floor(runs: int, repeat: int, workdir: Path, log: Log = _stderr) -> RunSeries:
    """Run the floor ``repeat`` times, each in a fresh process measured like the pipeline's (interpreter start,
    imports, ``runs`` empty notebooks one after the other)."""
    if runs < 1:
        raise ValueError("the floor needs at least one papermill run")
    measured = []
    for n in range(1, repeat + 1):
        log(f"floor: run {n}/{repeat} ({runs} empty notebooks)")
        m = run_measured(floor_command(runs), REPO_ROOT, workdir / f"floor-{n}-stderr.txt")
        if psutil is None:
            kib = next(float(t.split()[1]) for _, t in m.lines if t.startswith(PEAK_LINE))
            m = Measured(m.wall, m.lines, MemoryPeak(None, kib / 1024, m.memory.method), m.cpu)
        lines = tuple(x for x in m.lines if not x[1].startswith(PEAK_LINE))
        measured.append(Measured(m.wall, lines, m.memory, m.cpu))
        log(f"floor: run {n}/{repeat} {m.wall:.1f} s")
    return _combine(measured, runs, [{}] * repeat)


def floor_per_run(series: RunSeries) -> tuple[float, float]:
    """(seconds from start until papermill is imported, median seconds of one empty-notebook run)."""
    startup = next((s for a, b, s in series.intervals if b == FLOOR_IMPORTED), 0.0)
    per_run = [s for _, b, s in series.intervals if b.endswith("empty notebook")]
    return startup, statistics.median(per_run) if per_run else 0.0


def import_costs(statements: Sequence[tuple[str, str]] = IMPORT_STATEMENTS) -> tuple[tuple[str, str, float], ...]:
    """Seconds a fresh interpreter spends on each import statement (its wall time minus that of ``pass``)."""

    def wall(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, capture_output=True)
        return time.perf_counter() - start

    baseline = min(wall("pass") for _ in range(3))
    return tuple((code, who, max(0.0, wall(code) - baseline)) for code, who in statements)


# --- machine -------------------------------------------------------------------------------------------------------


def cpu_model(cpuinfo: str) -> str:
    """The CPU model named in /proc/cpuinfo text ('' if none).

    >>> cpu_model("processor\\t: 0\\nmodel name\\t: Example CPU @ 2.00GHz\\n")
    'Example CPU @ 2.00GHz'
    """
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Hardware", "Model") and value.strip():
            return value.strip()
    return ""


def memory_total(meminfo: str) -> str:
    """Total memory from /proc/meminfo text, in GiB ('' if absent).

    >>> memory_total("MemTotal:       24683568 kB\\nMemFree: 1 kB\\n")
    '23.5 GiB'
    """
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return ""


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_description() -> dict[str, str]:
    """What the figures depend on: CPU, cores, memory, Python, operating system and the main packages."""
    return {
        "CPU": cpu_model(_read("/proc/cpuinfo")) or platform.processor() or platform.machine(),
        "cores (os.cpu_count)": str(os.cpu_count()),
        "memory": memory_total(_read("/proc/meminfo")) or "unknown",
        "Python": platform.python_version(),
        "OS": platform.platform(),
        "pandas": _version("pandas"),
        "papermill": _version("papermill"),
        "matplotlib": _version("matplotlib"),
    }


# --- report --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    """Everything one benchmark run measured."""

    machine: dict[str, str]
    parse: tuple[ParseResult, ...]
    repeat: int
    scale_repeat: int
    pipeline: RunSeries | None = None
    floor: RunSeries | None = None
    jobs: int = 2
    html: tuple[tuple[str, float], ...] = ()
    imports: tuple[tuple[str, str, float], ...] = field(default_factory=tuple)
    cleaning: tuple[tuple[str, float, float, float, int], ...] = ()
    """Per city: min s, median s, peak Python heap MiB and observations of the cleaning step."""
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def scaling_ratios(parse: Sequence[ParseResult]) -> dict[int, float]:
    """Time per MB at each input size relative to 1x, fastest passes (1.0 = linear)."""
    base = next(p for p in parse if p.scale == 1)
    return {p.scale: p.s_per_mb / base.s_per_mb for p in parse}


def verdicts(results: Results) -> list[tuple[str, str, str, str]]:
    """Each target with the figure measured on this machine and whether it met it."""
    rows = []
    base = next(p for p in results.parse if p.scale == 1)
    rows.append(
        (
            "parsing throughput, 1x input (median pass)",
            f"{base.mb_per_s:.2f} MB/s (fastest pass {base.best_mb_per_s:.2f})",
            f"≥ {PARSE_TARGET_MB_S:g} MB/s",
            _yes(base.mb_per_s >= PARSE_TARGET_MB_S),
        )
    )
    ratios = {s: r for s, r in scaling_ratios(results.parse).items() if s != 1}
    if ratios:
        worst = max(ratios.values())
        figure = ", ".join(f"{r:.2f} at {s}x" for s, r in sorted(ratios.items()))
        rows.append(
            (
                "parsing scales linearly: time per MB relative to 1x (fastest passes)",
                figure,
                f"≈ 1.0 (every ratio ≤ {LINEAR_TOLERANCE:g})",
                _yes(worst <= LINEAR_TOLERANCE),
            )
        )
    if results.pipeline is not None and results.floor is not None:
        ratio = results.pipeline.median_s / results.floor.median_s
        rows.append(
            (
                "full pipeline wall time / its floor's (medians)",
                f"{ratio:.2f}x ({results.pipeline.median_s:.1f} s / {results.floor.median_s:.1f} s)",
                f"≤ {PIPELINE_TARGET_RATIO:g}x",
                _yes(ratio <= PIPELINE_TARGET_RATIO),
            )
        )
    return rows


def _markdown(rows: Sequence[Sequence[object]], headers: Sequence[str], align: str = "") -> str:
    """A Markdown table (pandas' ``to_markdown``); ``align`` has one letter per column, ``r`` for right."""
    frame = pd.DataFrame([[str(c) for c in row] for row in rows], columns=list(headers))
    colalign = ["right" if a == "r" else "left" for a in (align or "l" * len(headers))]
    return frame.to_markdown(index=False, tablefmt="pipe", colalign=colalign, disable_numparse=True)


def _mib(value: float | None) -> str:
    return "not sampled" if value is None else f"{value:.0f}"


PARSE_TEXT = (
    "Every file in `data/raw/sources.csv` ({files} files, {size:,} bytes) parsed with the parser its row names "
    "(`helpers.sheets.parse_file`), one file after another in one process, after a warm-up pass (imports, "
    "lexicons). Larger inputs are copies of the sheets under new names (`<sheet>__copy042.txt`), each parsed as a "
    "file of its own. MB = 10^6 bytes; MB/s = bytes of the files / seconds of a pass."
)
PIPELINE_TEXT = (
    "The pipeline is `python -m helpers.pipeline run` in a child process, from a copy of `data/raw` into scratch "
    "directories. Its floor is the same number of papermill runs of an empty notebook (one code cell `pass`, the "
    "papermill options the pipeline uses), one after another in a fresh child process, so that both pay for "
    "starting an interpreter and importing papermill. CPU: user and system seconds of the child and every process "
    "under it (`getrusage(RUSAGE_CHILDREN)`). Memory: {method}; the whole-tree figure adds up every "
    "process's resident memory, an upper bound."
)


def _parse_section(results: Results) -> list[str]:
    base = next(p for p in results.parse if p.scale == 1)
    ratios = scaling_ratios(results.parse)
    headers = ["input", "files", "MB", "passes", "min s", "median s", "MB/s (median)", "MB/s (best)", "s/MB vs 1x"]
    rows = [
        (f"{p.scale}x", p.files, f"{p.megabytes:.2f}", len(p.seconds), f"{p.min_s:.3f}", f"{p.median_s:.3f}",
         f"{p.mb_per_s:.2f}", f"{p.best_mb_per_s:.2f}", f"{ratios[p.scale]:.2f}")
        for p in results.parse
    ]  # fmt: skip
    return ["## Parsing", "", PARSE_TEXT.format(files=base.files, size=base.size), "",
            _markdown(rows, headers, "l" + "r" * 8), ""]  # fmt: skip


def _pipeline_section(results: Results) -> list[str]:
    pipe, floor = results.pipeline, results.floor
    if pipe is None or floor is None:
        return ["## Full pipeline against its floor", "", "Not measured in this run (`--skip-pipeline`).", ""]

    def ratio(a: float | None, b: float | None) -> str:
        return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"

    headers = ["", "papermill runs", "repeats", "wall s (min)", "wall s (median)", "CPU s (median)",
               "peak MiB (tree)", "peak MiB (one)"]  # fmt: skip
    rows = [
        (f"pipeline (`--jobs {results.jobs}`)", pipe.papermill_runs, len(pipe.walls), f"{pipe.min_s:.1f}",
         f"{pipe.median_s:.1f}", f"{pipe.cpu_median_s:.1f}", _mib(pipe.memory.tree_mib),
         _mib(pipe.memory.single_mib)),
        ("floor (empty notebooks)", floor.papermill_runs, len(floor.walls), f"{floor.min_s:.1f}",
         f"{floor.median_s:.1f}", f"{floor.cpu_median_s:.1f}", _mib(floor.memory.tree_mib),
         _mib(floor.memory.single_mib)),
        ("pipeline / floor", "", "", ratio(pipe.min_s, floor.min_s), ratio(pipe.median_s, floor.median_s),
         ratio(pipe.cpu_median_s, floor.cpu_median_s), ratio(pipe.memory.tree_mib, floor.memory.tree_mib),
         ratio(pipe.memory.single_mib, floor.memory.single_mib)),
    ]  # fmt: skip
    return ["## Full pipeline against its floor", "", PIPELINE_TEXT.format(method=pipe.memory.method), "",
            _markdown(rows, headers, "l" + "r" * 7), "", cpu_bound_text(pipe, floor, results.cores), ""]  # fmt: skip


def cpu_bound_text(pipe: RunSeries, floor: RunSeries, cores: int) -> str:
    """The wall time no schedule of the pipeline's work can beat on ``cores`` cores: its CPU time shared evenly.

    >>> memory = MemoryPeak(None, 1.0, "")
    >>> text = cpu_bound_text(RunSeries(7, (15.0,), memory, cpus=(30.0,)), RunSeries(7, (6.0,), memory), 2)
    >>> "cannot take less than 15.0 s" in text, text.endswith("2.50x the floor's median.")
    (True, True)
    """
    bound = pipe.cpu_median_s / max(cores, 1)
    return (
        f"On {cores} cores the pipeline's {pipe.cpu_median_s:.1f} s of CPU time cannot take less than {bound:.1f} s "
        f"of wall time however its notebooks are scheduled: {bound / floor.median_s:.2f}x the floor's median."
    )


def _breakdown_section(results: Results) -> list[str]:
    pipe, floor = results.pipeline, results.floor
    if pipe is None or floor is None:
        return []
    startup, per_run = floor_per_run(floor)
    lines = [
        "## Where the pipeline's time goes",
        "",
        f"The floor spent {startup:.1f} s starting and importing papermill, then {per_run:.1f} s (median) per empty "
        "notebook. Below: seconds between the pipeline's progress lines in its fastest run (notebooks run side by "
        "side print their line when they finish).",
        "",
        _markdown([(a, b, f"{s:.1f}") for a, b, s in pipe.intervals], ["from line", "to line", "s"], "llr"),
        "",
    ]
    if results.html:
        rows = [(n, f"{s:.2f}") for n, s in results.html]
        lines += ["Rendering the executed notebooks to HTML (nbconvert), one after another:", "",
                  _markdown(rows, ["notebook", "s"], "lr"), ""]  # fmt: skip
    if results.imports:
        rows = [(f"`{c}`", w, f"{s:.2f}") for c, w, s in results.imports]
        lines += ["Imports a fresh process pays for (each alone, wall time minus that of `pass`):", "",
                  _markdown(rows, ["statement", "paid by", "s"], "llr"), ""]  # fmt: skip
    return lines


def _cleaning_section(results: Results) -> list[str]:
    if not results.cleaning:
        return []
    rows = [(c, f"{lo:.3f}", f"{med:.3f}", f"{peak:.1f}", n) for c, lo, med, peak, n in results.cleaning]
    headers = ["city", "min s", "median s", "peak heap MiB", "observations"]
    return ["## Cleaning per city", "", "`clean_city` in one process (parse, merge, validate), "
            f"{results.scale_repeat} runs each; the heap peak is tracemalloc's for one run.", "",
            _markdown(rows, headers, "lrrrr"), ""]  # fmt: skip


def render_markdown(results: Results) -> str:
    """BENCHMARKS.md: the machine, the targets with what this machine measured, then the detailed tables."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` from one run on the machine below; run it again to refresh. The targets are "
        "measurements on this machine, not tests: the machines this project runs on are shared and noisy.",
        "",
        "## Machine",
        "",
        _markdown(list(results.machine.items()), ["", "this machine"]),
        "",
        "## Targets",
        "",
        _markdown(verdicts(results), ["what", "measured", "target", "met on this machine"]),
        "",
        *_parse_section(results),
        *_pipeline_section(results),
        *_breakdown_section(results),
        *_cleaning_section(results),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- command line --------------------------------------------------------------------------------------------------


def _scales(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if any(v < 2 for v in values):
        raise argparse.ArgumentTypeError("scales are whole numbers of copies, each at least 2")
    return values


def _cities(raw_dir: Path) -> list[str]:
    listed = {s.city for s in read_manifest(raw_dir)}
    return [c for c in CITIES if c in listed]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed parsing passes over the raw files (default 9)")
    parser.add_argument("--scale-repeat", type=int, default=3, help="timed passes at each larger input (default 3)")
    parser.add_argument("--scales", type=_scales, default=[10, 100], help="larger inputs, in copies (default 10,100)")
    parser.add_argument("--skip-pipeline", action="store_true", help="measure parsing only")
    parser.add_argument("--pipeline-repeat", type=int, default=3, help="runs of the pipeline (default 3)")
    parser.add_argument(
        "--floor-repeat", type=int, default=3, help="runs of the floor, at least as many as the pipeline's (default 3)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="the pipeline's --jobs (default 2)")
    parser.add_argument("--raw-dir", type=Path, default=RAW_DIR)
    parser.add_argument("--write", action="store_true", help="write the results to BENCHMARKS.md (or --output)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--floor-runs", type=int, default=0, help="run only the floor: N empty notebooks in this process (internal)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Measure, print the Markdown report, and write it with ``--write``."""
    args = build_parser().parse_args(argv)
    if args.floor_runs:
        run_floor(args.floor_runs)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        parse = bench_parsing(args.raw_dir, args.scales, args.repeat, args.scale_repeat, workdir)
        results = Results(machine_description(), tuple(parse), args.repeat, args.scale_repeat, jobs=args.jobs)
        _stderr("cleaning: each city")
        cleaning = tuple(
            (city, *measure_cleaning(args.raw_dir, city, args.scale_repeat)) for city in _cities(args.raw_dir)
        )
        results = replace(results, cleaning=cleaning)
        if not args.skip_pipeline:
            pipeline, html = bench_pipeline(args.raw_dir, args.pipeline_repeat, args.jobs, workdir)
            floor_repeat = max(args.floor_repeat, args.pipeline_repeat)
            floor = bench_floor(pipeline.papermill_runs, floor_repeat, workdir)
            _stderr("imports: timing fresh interpreters")
            results = replace(results, pipeline=pipeline, floor=floor, html=html, imports=import_costs())
    report = render_markdown(results)
    print(report)
    if args.write:
        args.output.write_text(report, encoding="utf-8")
        _stderr(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

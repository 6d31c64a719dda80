"""Command line: run the notebooks in order with papermill, or add a new raw document to the manifest.

python -m helpers.pipeline run [--raw-dir DIR] [--processed-dir DIR] [--reports-dir DIR]
                               [--fiscal-year YYYY] [--jobs N] [--wait SECONDS]
python -m helpers.pipeline add-source FILE --city CITY --parser PARSER [--title T] [--fiscal-years Y-Y]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from helpers import BY_CITY, CITIES
from helpers.core.errors import PipelineError
from helpers.sheets import PARSER_NAMES
from helpers.sources.document_city import check_document_city, document_title
from helpers.sources.manifest import (
    CITY_JA,
    MANIFEST,
    Source,
    format_manifest,
    manifest_lines,
    parse_fiscal_years,
    read_manifest,
    sha256_of,
    verify_checksums,
    verify_reference,
)
from helpers.sources.raw_text import check_rows
from helpers.tables.staging import (
    copy_file_atomic,
    output_locks,
    recover,
    staged_directories,
    write_text_atomic,
)

if TYPE_CHECKING:  # pandas is imported only by the steps that need it, so a refusal comes in the first second
    import pandas as pd

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
EXECUTED_DIR = "notebooks"
"""Sub-folder of the reports directory for executed notebooks and their HTML."""
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
"""Kernels keep their start-up and shutdown log lines to themselves: a failure is reported once, by the pipeline."""
SAVE_EACH_CELL = False
"""papermill writes the executed notebook once, when it ends (or fails), instead of after every cell as well: the
file is the same, without re-serialising a notebook full of figures 40 times."""
KERNEL_SHUTDOWN = "immediate"
"""A kernel is stopped at once when its notebook has run (every cell's outputs received, every file it wrote
closed), instead of being asked to shut down and waited for: about 0.2 s per notebook, and no slow shutdowns."""


@dataclass(frozen=True)
class Step:
    """One notebook run: which notebook, for which city (if per city), with which parameters."""

    notebook: str
    parameters: dict[str, object] = field(default_factory=dict)
    city: str = ""
    output_html: str = ""
    """A page of the notebook's outputs only (no code), relative to the reports directory (the report)."""

    @property
    def label(self) -> str:
        return f"{self.notebook} ({self.city})" if self.city else self.notebook

    @property
    def executed_name(self) -> str:
        stem = Path(self.notebook).stem
        return f"{stem}-{self.city}.ipynb" if self.city else f"{stem}.ipynb"


@dataclass(frozen=True)
class RunConfig:
    """Directories and options of one pipeline run."""

    raw_dir: Path
    processed_dir: Path
    reports_dir: Path
    fiscal_year: int | None = None
    jobs: int = 1
    wait: float = 0
    """Seconds to wait for another run writing to the same output folders before refusing."""


def _rel(path: Path) -> str:
    """A path as the notebooks (run from ``notebooks/``) should see it: relative when inside the repository."""
    path = path.resolve()
    try:
        path.relative_to(REPO_ROOT)
    except ValueError:
        return str(path)
    return os.path.relpath(path, NOTEBOOK_DIR)


MIN_CITIES_FOR_REPORT_YEAR = 2
"""The default report year is the latest year with actual values from at least this many cities, so that one
document's dated profile figure (山形市's population on 2023-04-01) does not make a year the report is about."""


def _actual_values(processed_dir: Path) -> pd.DataFrame:
    """The combined indicators' actual values (plans and targets do not make a year reportable)."""
    from helpers.tables.schema import INDICATORS
    from helpers.tables.store import read_table

    indicators = read_table(processed_dir, INDICATORS)
    return indicators[(indicators["value_kind"] == "actual") & indicators["value"].notna()]


def actual_years(processed_dir: Path) -> list[int]:
    """The fiscal years any sheet has an actual value for, in order."""
    return sorted({int(year) for year in _actual_values(processed_dir)["fiscal_year"]})


def latest_actual_year(processed_dir: Path) -> int:
    """The default year of the report: the latest fiscal year with actual values from at least
    ``MIN_CITIES_FOR_REPORT_YEAR`` cities (or from every city with actual values, if fewer have any)."""
    from helpers.tables.schema import INDICATORS

    actual = _actual_values(processed_dir)
    cities_per_year = actual.groupby("fiscal_year")["city"].nunique()
    enough = cities_per_year[cities_per_year >= min(MIN_CITIES_FOR_REPORT_YEAR, actual["city"].nunique())]
    if enough.empty:
        raise PipelineError(f"{processed_dir / INDICATORS.path}: no actual values, so no year to report on")
    return int(enough.index.max())


def cleaning_steps(config: RunConfig, cities: list[str]) -> list[Step]:
    """One run of ``01_clean.ipynb`` per city that the manifest lists."""
    return [
        Step(
            "01_clean.ipynb",
            {"city": city, "raw_dir": _rel(config.raw_dir), "processed_dir": _rel(config.processed_dir)},
            city=city,
        )
        for city in cities
    ]


def analysis_steps(config: RunConfig, fiscal_year: int) -> list[Step]:
    """The analysis and report notebooks, in order; the COVID window and thresholds go to both notebooks that
    use them, from the one place their defaults live (``TrajectoryParams``)."""
    from helpers.analysis.covid_trajectories import TrajectoryParams

    defaults = TrajectoryParams()
    covid = {
        "window_start": defaults.window_start,
        "window_end": defaults.window_end,
        "drop_threshold": defaults.drop_threshold,
        "recovery_share": defaults.recovery_share,
        "min_change": defaults.min_change,
    }
    shared = {
        "raw_dir": _rel(config.raw_dir),
        "processed_dir": _rel(config.processed_dir),
        "reports_dir": _rel(config.reports_dir),
        "fiscal_year": fiscal_year,
    }
    return [
        Step("02_covid_stall_recovery.ipynb", {**shared, **covid}),
        Step("03_hub_consultation.ipynb", dict(shared)),
        Step("04_report.ipynb", {**shared, **covid}),  # writes index.html and the raw-sheet pages itself
    ]


ANALYSIS_STAGES: tuple[tuple[str, ...], ...] = (
    ("02_covid_stall_recovery.ipynb", "03_hub_consultation.ipynb"),
    ("04_report.ipynb",),
)
"""The analyses read only the cleaned tables, so they run side by side; the report reads what both wrote."""


def fix_kernel_hash_seed() -> None:
    """Kernels start with a fixed string-hash seed: matplotlib's constrained layout sums in an order that follows
    string hashing, and the float noise changes the SVG clip-path ids between runs (hub_per_1000.svg)."""
    os.environ["PYTHONHASHSEED"] = "0"


def skip_unused_imports() -> None:
    """Importing nbformat (papermill, nbconvert) imports jsonschema, which builds an IRI grammar (rfc3987-syntax)
    for its "iri" format checks, about 2 s; notebooks are validated without format checks, so the processes the
    pipeline starts (the command line, its workers) go without it (jsonschema then leaves those formats
    unchecked). A process that merely calls ``run`` keeps its imports as they are."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def execute(step: Step, reports_dir: Path, relocate: dict[str, str] | None = None) -> Path:
    """Execute one notebook with papermill into the reports directory, strip run metadata, render HTML.

    ``relocate`` maps staging folder names to the names of the folders they are published as, so the executed
    copy reads as if it had run in place."""
    output = run_notebook(step, reports_dir, relocate)
    render_notebook_html(output)
    return output


def render_notebook_html(output: Path) -> None:
    """The HTML page of an executed notebook, beside it."""
    from helpers.views.notebooks import render_html

    render_html(output, output.with_suffix(".html"))


def run_notebook(step: Step, reports_dir: Path, relocate: dict[str, str] | None = None) -> Path:
    """``execute`` without the HTML page, which ``render_notebook_html`` adds (later, when a worker is idle)."""
    import papermill

    from helpers.views.notebooks import relocate_paths, render_outputs_page, strip_run_metadata

    fix_kernel_hash_seed()
    # papermill changes the process's working directory while a notebook runs, so every path here is absolute
    reports_dir = reports_dir.resolve()
    out_dir = reports_dir / EXECUTED_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / step.executed_name
    try:
        papermill.execute_notebook(
            str(NOTEBOOK_DIR / step.notebook),
            str(output),
            parameters=step.parameters,
            kernel_name="python3",
            cwd=str(NOTEBOOK_DIR),
            progress_bar=False,
            log_output=False,
            extra_arguments=KERNEL_ARGUMENTS,
            request_save_on_cell_execute=SAVE_EACH_CELL,
            shutdown_kernel=KERNEL_SHUTDOWN,
        )
    except papermill.PapermillExecutionError as exc:
        last = str(exc.evalue).splitlines()[-1] if exc.evalue else exc.ename
        raise PipelineError(f"{step.label}: {exc.ename}: {last}") from None
    if step.output_html:  # figures are inlined from where this run wrote them
        render_outputs_page(output, reports_dir / step.output_html, NOTEBOOK_DIR)
    relocate_paths(output, relocate or {})
    strip_run_metadata(output)
    return output


PR_SET_PDEATHSIG = 1
"""Linux prctl option: the signal a process receives when the process that started it dies."""


def _die_with_parent(parent: int) -> None:
    """Worker start-up: have the kernel kill this worker the moment the run that started it dies, so a killed run
    leaves no worker behind (Linux; elsewhere workers end when they next find their parent gone). The notebook
    kernels a worker starts end on their own within a second of it (ipykernel watches ``JPY_PARENT_PID``)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        os.kill(parent, 0)  # signal 0 only asks whether the run still exists
    except ProcessLookupError:  # it died before the request took effect
        os._exit(1)


def _start_worker(parent: int) -> None:
    """Worker start-up: end with the run (``_die_with_parent``), and skip the imports no notebook run needs."""
    _die_with_parent(parent)
    skip_unused_imports()


class Runner:
    """Runs steps in this process, or ``jobs`` at a time in worker processes that live for the whole run (each
    imports papermill and nbconvert once). Workers are processes, not threads: papermill changes the working
    directory of the process it runs in. With workers, work nothing waits for (the executed notebooks' HTML
    pages, ``alongside`` calls) is handed to a worker that would otherwise be idle (the other runs a notebook
    alone, or the tables are being combined), and the rest is done before the run ends (``finish``)."""

    def __init__(self, jobs: int, reports_dir: Path, relocate: dict[str, str], log: Callable[[str], None]) -> None:
        self.pool = (
            ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(),))
            if jobs > 1
            else None
        )
        self.jobs = jobs
        self.reports_dir, self.relocate, self.log = reports_dir, relocate, log
        self.done = 0
        self.idle_work: list[tuple[Callable[..., object], tuple[object, ...]]] = []
        self.background: set[Future[object]] = set()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def steps(self, steps: list[Step], total: int) -> None:
        """Run steps that do not depend on each other; each is logged as it starts (in order) or ends (parallel)."""
        if self.pool is None:
            for step in steps:
                self.done += 1
                self.log(f"[{self.done}/{total}] {step.label}")
                execute(step, self.reports_dir, self.relocate)
            return
        futures = {self.pool.submit(run_notebook, step, self.reports_dir, self.relocate): step for step in steps}
        running = set(futures)
        while running:
            for future in self._wait(running):
                running.discard(future)
                self.idle_work.append((render_notebook_html, (future.result(),)))
                self.done += 1
                self.log(f"[{self.done}/{total}] {futures[future].label}")

    def call(self, function: Callable[..., T], *args: object) -> T:
        """Call a function in a worker (whose imports are then paid once, there) or here."""
        if self.pool is None:
            return function(*args)
        future = self.pool.submit(function, *args)
        while not future.done():
            self._wait({future})
        return future.result()

    def alongside(self, function: Callable[..., object], *args: object) -> None:
        """Call a function that the next steps do not wait for: with workers, in the first one idle (before any
        HTML page); here and now without."""
        if self.pool is None:
            function(*args)
        else:
            self.idle_work.insert(0, (function, args))

    def finish(self) -> None:
        """Do the work left for idle workers, and wait for all of it."""
        while self.idle_work or self.background:
            self._wait(set())

    def _wait(self, running: set[Future[T]]) -> set[Future[T]]:
        """Hand idle workers the work nothing waits for, wait until a running task or some of that work is done,
        and return the tasks among ``running`` that are (failed work raises here)."""
        assert self.pool is not None
        while self.idle_work and len(running) + len(self.background) < self.jobs:
            function, args = self.idle_work.pop(0)
            self.background.add(self.pool.submit(function, *args))
        done, _ = wait(running | self.background, return_when=FIRST_COMPLETED)
        for future in done & self.background:
            self.background.discard(future)
            future.result()
        return {f for f in done if f in running}


def combine_and_pick_year(processed_dir: Path, cities: tuple[str, ...], fiscal_year: int | None) -> int:
    """Combine the cities' tables; the report year is the one asked for, else the latest with actual values."""
    from helpers.tables.cleaning import combine_cities

    combine_cities(processed_dir, cities)
    if fiscal_year is None:
        return latest_actual_year(processed_dir)
    refuse_report_year(fiscal_year, actual_years(processed_dir))
    return fiscal_year


def describe_tables(processed_dir: Path) -> None:
    """Rewrite ``datapackage.json`` once every table is written (the analyses run side by side)."""
    from helpers.tables.store import refresh_datapackage

    refresh_datapackage(processed_dir)


def check_sheets(raw_dir: Path, sources: list[Source]) -> None:
    """Refuse, before any notebook starts, a listed sheet that cannot be decoded, stops mid-row, is not of the
    format its parser reads, holds a table row cut short, or names another city than its manifest row (parsing
    proper happens once, in the cleaning notebooks)."""
    from helpers.sheets import sheet_lines

    lines_of = manifest_lines(raw_dir)
    for source in sources:
        lines = sheet_lines(raw_dir / source.file, source.parser, source.file)
        check_rows(lines, source.file)
        check_document_city(lines, source.city, source.file, f"{MANIFEST}:{lines_of.get(source.file, 1)}")


FIGURES_DIR = "figures"
"""Sub-folder of the reports directory the notebooks save figures in."""


def check_output_dir(path: Path, option: str, folders: tuple[str, ...] = ()) -> None:
    """Refuse, before any work, an output folder the run could not publish into: a file where it, one of its
    parents or one of the sub-``folders`` the run writes should be a folder, or a folder this process cannot
    create files in."""
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise PipelineError(f"{option} {path}: {existing} is a file where a folder must be; move it or choose another")
    blocked = next((path / name for name in folders if (path / name).is_file()), None)
    if blocked is not None:
        raise PipelineError(f"{option} {path}: {blocked} is a file where the run writes a folder; move it away")
    writable = [existing] if existing != path else [path.parent, path]
    writable += [p for p in sorted(path.rglob("*")) if p.is_dir()] if path.is_dir() else []
    for folder in writable:
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise PipelineError(
                f"{option} {path}: cannot write in {folder} ({exc.strerror or exc}); make it writable or choose "
                "another folder"
            ) from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PipelineError(f"{option} {path}: {folder} is read-only; make it writable or choose another folder")


def preflight(config: RunConfig) -> None:
    """The checks that need no parsing, before any work: options, the raw directory, and the output folders."""
    if config.jobs < 1:
        raise PipelineError(f"--jobs {config.jobs}: give 1 or more notebooks to run side by side")
    if config.wait < 0:
        raise PipelineError(f"--wait {config.wait:g}: give 0 (refuse at once) or more seconds")
    if config.raw_dir in (config.processed_dir, config.reports_dir):
        raise PipelineError(f"{config.raw_dir}: the raw directory is read-only; choose other output directories")
    if not config.raw_dir.is_dir():
        raise PipelineError(f"--raw-dir {config.raw_dir}: no such folder")
    if config.processed_dir == config.reports_dir:
        raise PipelineError(f"{config.processed_dir}: tables and reports need two different folders")
    check_output_dir(config.processed_dir, "--processed-dir", (BY_CITY,))
    check_output_dir(config.reports_dir, "--reports-dir", (EXECUTED_DIR, FIGURES_DIR))


def refuse_report_year(fiscal_year: int, years: list[int]) -> None:
    """Refuse a report year without actual values, listing the years that have them."""
    if fiscal_year not in years:
        choices = ", ".join(map(str, years)) or "none"
        raise PipelineError(
            f"--fiscal-year {fiscal_year}: no sheet has actual values for that year; choose one of {choices}, "
            "or leave it out for the latest year with actual values from several cities"
        )


def actual_years_in_sheets(raw_dir: Path, sources: list[Source]) -> list[int]:
    """The fiscal years the listed sheets give actual values for, read straight from the sheets (a few seconds,
    so that a report year without any is refused before the run starts; the combined tables confirm it later)."""
    from helpers.sheets import parse_file

    years: set[int] = set()
    for source in sources:
        sheet = parse_file(raw_dir / source.file, parser=source.parser, city=source.city)
        years |= {o.fiscal_year for o in sheet.observations if o.value_kind == "actual" and o.value is not None}
    return sorted(years)


def protect_raw_files(raw_dir: Path, sources: list[Source]) -> None:
    """Make every verified raw document read-only (a fresh clone has them writable; they are never edited)."""
    for source in sources:
        path = raw_dir / source.file
        mode = path.stat().st_mode & 0o7777
        if mode & 0o222:
            with contextlib.suppress(OSError):  # a file of another owner stays as it is
                path.chmod(mode & ~0o222)


def verify_raw(raw_dir: Path) -> tuple[list[Source], int]:
    """The manifest read, every listed file checked against its sha256 and made read-only, the reference files
    checked, every sheet checked readable and filed under its own city; returns the sources and the count of
    reference files."""
    sources = read_manifest(raw_dir)
    verify_checksums(raw_dir, sources)
    protect_raw_files(raw_dir, sources)
    references = verify_reference(raw_dir)
    check_sheets(raw_dir, sources)
    return sources, references


def run(config: RunConfig, log: Callable[[str], None] = print, stop_after: str = "") -> None:
    """Verify the raw data, clean every city, combine the tables, then run the analyses and the report; every
    output is written to staging folders and moved into place only if all of this succeeds, by one run at a time
    per output folder."""
    config = replace(
        config,
        raw_dir=config.raw_dir.resolve(),
        processed_dir=config.processed_dir.resolve(),
        reports_dir=config.reports_dir.resolve(),
    )
    preflight(config)
    targets = [config.processed_dir, config.reports_dir]
    with output_locks(targets, config.wait):
        for line in recover(targets):
            log(line)
        sources, _ = verify_raw(config.raw_dir)
        if config.fiscal_year is not None:
            refuse_report_year(config.fiscal_year, actual_years_in_sheets(config.raw_dir, sources))
        cities = [c for c in CITIES if any(s.city == c for s in sources)]
        log(f"raw data verified: {len(sources)} documents, {len(cities)} cities")
        _run_steps(config, cities, log, stop_after)
        _remove_stale_cities(config.processed_dir, cities)
    log(f"tables written to {config.processed_dir}")
    if stop_after != "clean":
        log(f"reports written to {config.reports_dir}")


def _run_steps(config: RunConfig, cities: list[str], log: Callable[[str], None], stop_after: str) -> None:
    """Every notebook of the run into staging folders, published together if all succeed."""
    with staged_directories([config.processed_dir, config.reports_dir], label="run") as (processed, reports):
        staged = replace(config, processed_dir=processed, reports_dir=reports)
        relocate = {processed.name: config.processed_dir.name, reports.name: config.reports_dir.name}
        clean = cleaning_steps(staged, cities)
        total = len(clean) + (0 if stop_after == "clean" else len(ANALYSIS_STAGES[0]) + len(ANALYSIS_STAGES[1]))
        with Runner(config.jobs, staged.reports_dir, relocate, log) as runner:
            runner.steps(clean, total)
            fiscal_year = runner.call(combine_and_pick_year, staged.processed_dir, tuple(cities), config.fiscal_year)
            if stop_after != "clean":
                log(f"report year: FY{fiscal_year}")
                steps = {step.notebook: step for step in analysis_steps(staged, fiscal_year)}
                analyses, report = ANALYSIS_STAGES
                runner.steps([steps[name] for name in analyses], total)
                runner.alongside(describe_tables, staged.processed_dir)  # every table is written; the report reads
                runner.steps([steps[name] for name in report], total)
            runner.finish()


def _remove_stale_cities(processed_dir: Path, cities: list[str]) -> None:
    """Drop per-city folders of cities the manifest no longer lists (after a successful run only)."""
    by_city = processed_dir / BY_CITY
    for child in sorted(by_city.iterdir()) if by_city.is_dir() else []:
        if child.is_dir() and child.name not in cities and not child.name.startswith("."):
            shutil.rmtree(child)


DEFAULT_OUTPUTS = (REPO_ROOT / "data" / "processed", REPO_ROOT / "reports")
"""The output folders the committed notebooks' default parameters write to (``../data/processed``, ``../reports``)."""


def refresh_notebooks(log: Callable[[str], None] = print) -> None:
    """Re-execute the committed notebooks in place with their default parameters (what nbval compares against);
    they write into the default output folders, so they take those folders' locks as a run does."""
    with output_locks(DEFAULT_OUTPUTS):
        _refresh_notebooks(log)


def _refresh_notebooks(log: Callable[[str], None]) -> None:
    import papermill

    from helpers.views.notebooks import strip_run_metadata

    fix_kernel_hash_seed()
    for notebook in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        log(f"executing {notebook.name}")
        papermill.execute_notebook(
            str(notebook),
            str(notebook),
            kernel_name="python3",
            cwd=str(NOTEBOOK_DIR),
            progress_bar=False,
            extra_arguments=KERNEL_ARGUMENTS,
            request_save_on_cell_execute=SAVE_EACH_CELL,
            shutdown_kernel=KERNEL_SHUTDOWN,
        )
        strip_run_metadata(notebook)


def add_source(file: Path, raw_dir: Path, city: str, parser: str, title: str = "", fiscal_years: str = "") -> Source:
    """Copy a new raw document into the raw directory (unless it is already there) and append it to the manifest,
    once it has parsed completely, names the city it is filed under, and its year span (given or read) holds; one
    addition at a time (two at once would each write the manifest without the other's row)."""
    if not (raw_dir / MANIFEST).is_file():
        raise PipelineError(f"{raw_dir / MANIFEST}: manifest not found")
    with output_locks([raw_dir / MANIFEST], wait=60):
        return _add_source(file, raw_dir, city, parser, title, fiscal_years)


def _add_source(file: Path, raw_dir: Path, city: str, parser: str, title: str, fiscal_years: str) -> Source:
    from helpers.sheets import sheet_lines

    if city not in CITIES:
        raise PipelineError(f"unknown city {city!r} (one of {', '.join(CITIES)})")
    if parser not in PARSER_NAMES:
        raise PipelineError(f"unknown parser {parser!r} (one of {', '.join(PARSER_NAMES)})")
    given: tuple[int, int] | None = None
    if fiscal_years:
        try:
            given = parse_fiscal_years(fiscal_years)
        except ValueError as exc:
            raise PipelineError(f"--fiscal-years: {exc}") from None
    if not file.is_file():
        raise PipelineError(f"{file}: no such file")
    sources = read_manifest(raw_dir)
    target = raw_dir / file.name
    if any(s.file == file.name for s in sources):
        raise PipelineError(f"{raw_dir / MANIFEST}: {file.name} is already listed")
    if target.exists() and sha256_of(target) != sha256_of(file):
        raise PipelineError(f"{target}: a different file with this name is already in the raw directory")
    lines = sheet_lines(file, parser, file.name)
    check_rows(lines, file.name)
    check_document_city(lines, city, file.name, "--city")
    first, last = _observed_fiscal_years(file, city, parser)
    if given is not None and not (first <= given[0] and given[1] <= last):
        raise PipelineError(
            f"{file.name}: --fiscal-years {fiscal_years} is outside the years the document reports "
            f"({_span(first, last)}); give a span within them, or leave --fiscal-years out"
        )
    title = " ".join(title.split()) or document_title(lines)
    if not title:
        raise PipelineError(
            f"{file.name}: no line of the document reads as its title (a title names the city's plan or "
            "council, as in lexicons/document_cities.csv); give one with --title"
        )
    span = _span(*given) if given else _span(first, last)
    source = Source(file.name, city, CITY_JA[city], parser, title, span, sha256_of(file))
    if not target.exists():
        copy_file_atomic(file, target, 0o444)
    write_text_atomic(raw_dir / MANIFEST, format_manifest([*sources, source]))
    return source


def _span(first: int, last: int) -> str:
    """A year span as the manifest writes it.

    >>> _span(2020, 2022), _span(2023, 2023)
    ('2020-2022', '2023')
    """
    return f"{first}-{last}" if first != last else str(first)


def _observed_fiscal_years(file: Path, city: str, parser: str) -> tuple[int, int]:
    """The first and last fiscal year the document's parser reads from it; parsing also proves the sheet is
    readable before it enters the manifest (with or without ``--fiscal-years``)."""
    from helpers.sheets import parse_file

    years = sorted({o.fiscal_year for o in parse_file(file, parser=parser, city=city).observations})
    if not years:
        raise PipelineError(f"{file}: the {parser} parser found no observations in it")
    return years[0], years[-1]


EXIT_BAD_INPUT = 1
"""The input is at fault (a raw file, the manifest, an option): the message says which and what to do."""
EXIT_INTERNAL = 3
"""Something the message cannot blame on the input; ``--debug`` shows where it happened."""
EXIT_INTERRUPTED = 130


REPORT_YEAR_HELP = (
    f"fiscal year the report is about; it must have actual values in some sheet (default: the latest fiscal year "
    f"with actual values from at least {MIN_CITIES_FOR_REPORT_YEAR} cities)"
)
JOBS_HELP = (
    "notebooks run side by side (the cities' cleaning, then the two analyses), each in a worker process when "
    "2 or more; make report passes JOBS, 2 unless given"
)


def _parser() -> argparse.ArgumentParser:
    debug_help = "show the Python traceback of a failure"
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own default must not undo a --debug given before the subcommand
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help=debug_help)
    sub = parser.add_subparsers(dest="command", required=True)
    defaults = argparse.ArgumentDefaultsHelpFormatter
    run_p = sub.add_parser("run", help="run the whole pipeline", parents=[common], formatter_class=defaults)
    run_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="raw documents and sources.csv")
    run_p.add_argument("--processed-dir", type=Path, default=Path("data/processed"), help="where the tables go")
    run_p.add_argument("--reports-dir", type=Path, default=Path("reports"), help="where figures and report go")
    run_p.add_argument("--fiscal-year", type=int, default=argparse.SUPPRESS, help=REPORT_YEAR_HELP)
    run_p.add_argument("--jobs", type=int, default=1, help=JOBS_HELP)
    run_p.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for another run writing to the same output folders"
    )
    run_p.add_argument(
        "--stop-after", choices=["clean"], default=argparse.SUPPRESS, help="stop after the cleaning step"
    )
    verify_p = sub.add_parser(
        "verify",
        help="check the raw files against their sha256 in the manifest (and make them read-only)",
        parents=[common],
        formatter_class=defaults,
    )
    verify_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="raw documents and sources.csv")
    sub.add_parser("refresh-notebooks", help="re-execute notebooks/ in place with default parameters", parents=[common])
    add_p = sub.add_parser(
        "add-source", help="add a raw document to data/raw/sources.csv", parents=[common], formatter_class=defaults
    )
    add_p.add_argument("file", type=Path)
    add_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="raw documents and sources.csv")
    add_p.add_argument("--city", required=True, choices=CITIES, help="the city the document names in its lines")
    add_p.add_argument("--parser", required=True, choices=PARSER_NAMES)
    add_p.add_argument(
        "--title",
        default=argparse.SUPPRESS,
        help="the document's title (default: its first line naming the city's plan or council, as listed in "
        "lexicons/document_cities.csv; required where no line does)",
    )
    add_p.add_argument(
        "--fiscal-years",
        default=argparse.SUPPRESS,
        help="YYYY or YYYY-YYYY, within the years the document reports (default: all of those years)",
    )
    return parser


def _dispatch(args: argparse.Namespace) -> None:
    if args.command == "run":
        config = RunConfig(
            args.raw_dir,
            args.processed_dir,
            args.reports_dir,
            getattr(args, "fiscal_year", None),
            args.jobs,
            args.wait,
        )
        run(config, stop_after=getattr(args, "stop_after", ""))
    elif args.command == "verify":
        sources, references = verify_raw(args.raw_dir)
        print(f"{len(sources)} raw files match their sha256 in {MANIFEST} and read as sheets; ", end="")
        print(f"{references} reference file(s) match too")
    elif args.command == "refresh-notebooks":
        refresh_notebooks()
    else:
        source = add_source(
            args.file,
            args.raw_dir,
            args.city,
            args.parser,
            getattr(args, "title", ""),
            getattr(args, "fiscal_years", ""),
        )
        print(f"added {source.file} ({source.city}, {source.parser}, FY{source.fiscal_years}) to {MANIFEST}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr and a non-zero exit (1: the input is at fault, 3: an
    internal error, 130: interrupted, by Ctrl-C or SIGTERM); ``--debug`` adds the traceback. Outputs are never
    half-written."""
    args = _parser().parse_args(argv)
    if argv is None:  # the command line itself: a polite stop is an interruption, cleaned up like Ctrl-C
        signal.signal(signal.SIGTERM, _interrupt)
        skip_unused_imports()  # a process of its own, which may run notebooks (--jobs 1)
    try:
        _dispatch(args)
    except PipelineError as exc:
        if args.debug:
            raise
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("error: interrupted; the previous outputs are left as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        where = f"{type(exc).__name__}: {_one_line(str(exc))}".rstrip(": ")
        print(f"error: unexpected {where} (run again with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":
    sys.exit(main())

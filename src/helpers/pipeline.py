"""Command line: run the notebooks in order with papermill, or add a new raw document to the manifest.

python -m helpers.pipeline run [--raw-dir DIR] [--processed-dir DIR] [--reports-dir DIR]
                               [--fiscal-year YYYY] [--jobs N]
python -m helpers.pipeline add-source FILE --city CITY --parser PARSER [--title T] [--fiscal-years Y-Y]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from helpers import BY_CITY, CITIES
from helpers.core.errors import PipelineError
from helpers.sheets import PARSER_NAMES
from helpers.sources.manifest import (
    CITY_JA,
    MANIFEST,
    Source,
    format_manifest,
    read_manifest,
    sha256_of,
    verify_checksums,
    verify_reference,
)
from helpers.tables.staging import copy_file_atomic, staged_directories, write_text_atomic

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
EXECUTED_DIR = "notebooks"
"""Sub-folder of the reports directory for executed notebooks and their HTML."""
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
"""Kernels keep their start-up and shutdown log lines to themselves: a failure is reported once, by the pipeline."""


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


def latest_actual_year(processed_dir: Path) -> int:
    """The default year of the report: the latest fiscal year with actual values from several cities (plans and
    targets for later years do not make a year reportable)."""
    from helpers.tables.schema import INDICATORS
    from helpers.tables.store import read_table

    indicators = read_table(processed_dir, INDICATORS)
    actual = indicators[(indicators["value_kind"] == "actual") & indicators["value"].notna()]
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
        Step("04_report.ipynb", {**shared, **covid}, output_html="index.html"),
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


def execute(step: Step, reports_dir: Path, relocate: dict[str, str] | None = None) -> Path:
    """Execute one notebook with papermill into the reports directory, strip run metadata, render HTML.

    ``relocate`` maps staging folder names to the names of the folders they are published as, so the executed
    copy reads as if it had run in place."""
    import papermill

    from helpers.views.notebooks import relocate_paths, render_html, render_outputs_page, strip_run_metadata

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
        )
    except papermill.PapermillExecutionError as exc:
        last = str(exc.evalue).splitlines()[-1] if exc.evalue else exc.ename
        raise PipelineError(f"{step.label}: {exc.ename}: {last}") from None
    if step.output_html:  # figures are inlined from where this run wrote them
        render_outputs_page(output, reports_dir / step.output_html, NOTEBOOK_DIR)
    relocate_paths(output, relocate or {})
    strip_run_metadata(output)
    render_html(output, output.with_suffix(".html"))
    return output


class Runner:
    """Runs steps in this process, or ``jobs`` at a time in worker processes that live for the whole run (each
    imports papermill and nbconvert once). Workers are processes, not threads: papermill changes the working
    directory of the process it runs in."""

    def __init__(self, jobs: int, reports_dir: Path, relocate: dict[str, str], log: Callable[[str], None]) -> None:
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.reports_dir, self.relocate, self.log = reports_dir, relocate, log
        self.done = 0

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
        futures = {self.pool.submit(execute, step, self.reports_dir, self.relocate): step for step in steps}
        for future in as_completed(futures):
            future.result()
            self.done += 1
            self.log(f"[{self.done}/{total}] {futures[future].label}")

    def call(self, function: Callable[..., T], *args: object) -> T:
        """Call a function in a worker (whose imports are then paid once, there) or here."""
        return self.pool.submit(function, *args).result() if self.pool is not None else function(*args)


def combine_and_pick_year(processed_dir: Path, cities: tuple[str, ...], fiscal_year: int | None) -> int:
    """Combine the cities' tables; the report year is the one asked for, else the latest with actual values."""
    from helpers.tables.cleaning import combine_cities

    combine_cities(processed_dir, cities)
    return fiscal_year or latest_actual_year(processed_dir)


def describe_tables(processed_dir: Path) -> None:
    """Rewrite ``datapackage.json`` once every table is written (the analyses run side by side)."""
    from helpers.tables.store import refresh_datapackage

    refresh_datapackage(processed_dir)


def check_sheets(raw_dir: Path, sources: list[Source]) -> None:
    """Refuse, before any notebook starts, a listed sheet that cannot be decoded, stops mid-row or is not of the
    format its parser reads (parsing proper happens once, in the cleaning notebooks)."""
    from helpers.sheets import sheet_lines

    for source in sources:
        sheet_lines(raw_dir / source.file, source.parser, source.file)


def run(config: RunConfig, log: Callable[[str], None] = print, stop_after: str = "") -> None:
    """Verify the raw data, clean every city, combine the tables, then run the analyses and the report; every
    output is written to staging folders and moved into place only if all of this succeeds."""
    config = RunConfig(
        config.raw_dir.resolve(),
        config.processed_dir.resolve(),
        config.reports_dir.resolve(),
        config.fiscal_year,
        config.jobs,
    )
    if config.raw_dir in (config.processed_dir, config.reports_dir):
        raise PipelineError(f"{config.raw_dir}: the raw directory is read-only; choose other output directories")
    sources = read_manifest(config.raw_dir)
    verify_checksums(config.raw_dir, sources)
    verify_reference(config.raw_dir)
    check_sheets(config.raw_dir, sources)
    cities = [c for c in CITIES if any(s.city == c for s in sources)]
    log(f"raw data verified: {len(sources)} documents, {len(cities)} cities")
    with staged_directories([config.processed_dir, config.reports_dir]) as (processed, reports):
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
                for stage in ANALYSIS_STAGES:
                    runner.steps([steps[name] for name in stage], total)
                runner.call(describe_tables, staged.processed_dir)
    _remove_stale_cities(config.processed_dir, cities)
    log(f"tables written to {config.processed_dir}")
    if stop_after != "clean":
        log(f"reports written to {config.reports_dir}")


def _remove_stale_cities(processed_dir: Path, cities: list[str]) -> None:
    """Drop per-city folders of cities the manifest no longer lists (after a successful run only)."""
    by_city = processed_dir / BY_CITY
    for child in sorted(by_city.iterdir()) if by_city.is_dir() else []:
        if child.is_dir() and child.name not in cities and not child.name.startswith("."):
            shutil.rmtree(child)


def refresh_notebooks(log: Callable[[str], None] = print) -> None:
    """Re-execute the committed notebooks in place with their default parameters (what nbval compares against)."""
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
        )
        strip_run_metadata(notebook)


def add_source(file: Path, raw_dir: Path, city: str, parser: str, title: str = "", fiscal_years: str = "") -> Source:
    """Copy a new raw document into the raw directory (unless it is already there) and append it to the manifest."""
    if city not in CITIES:
        raise PipelineError(f"unknown city {city!r} (one of {', '.join(CITIES)})")
    if parser not in PARSER_NAMES:
        raise PipelineError(f"unknown parser {parser!r} (one of {', '.join(PARSER_NAMES)})")
    if not file.is_file():
        raise PipelineError(f"{file}: no such file")
    sources = read_manifest(raw_dir)
    target = raw_dir / file.name
    if any(s.file == file.name for s in sources):
        raise PipelineError(f"{raw_dir / MANIFEST}: {file.name} is already listed")
    if target.exists() and sha256_of(target) != sha256_of(file):
        raise PipelineError(f"{target}: a different file with this name is already in the raw directory")
    observed = _observed_fiscal_years(file, city, parser)
    source = Source(
        file.name, city, CITY_JA[city], parser, title or file.stem, fiscal_years or observed, sha256_of(file)
    )
    if not target.exists():
        copy_file_atomic(file, target, 0o444)
    write_text_atomic(raw_dir / MANIFEST, format_manifest([*sources, source]))
    return source


def _observed_fiscal_years(file: Path, city: str, parser: str) -> str:
    """The span of fiscal years the document's parser reads from it; parsing also proves the sheet is readable
    before it enters the manifest (with or without ``--fiscal-years``)."""
    from helpers.sheets import parse_file

    years = sorted({o.fiscal_year for o in parse_file(file, parser=parser, city=city).observations})
    if not years:
        raise PipelineError(f"{file}: the {parser} parser found no observations in it")
    return f"{years[0]}-{years[-1]}" if years[0] != years[-1] else str(years[0])


EXIT_BAD_INPUT = 1
"""The input is at fault (a raw file, the manifest, an option): the message says which and what to do."""
EXIT_INTERNAL = 3
"""Something the message cannot blame on the input; ``--debug`` shows where it happened."""
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    debug_help = "show the Python traceback of a failure"
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own default must not undo a --debug given before the subcommand
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug_help)
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help=debug_help)
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the whole pipeline", parents=[common])
    run_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    run_p.add_argument("--processed-dir", type=Path, default=Path("data/processed"))
    run_p.add_argument("--reports-dir", type=Path, default=Path("reports"))
    run_p.add_argument("--fiscal-year", type=int, default=None, help="year the report is about (default: latest)")
    run_p.add_argument("--jobs", type=int, default=1, help="notebooks run side by side (the cities; the two analyses)")
    run_p.add_argument("--stop-after", choices=["clean"], default="", help="stop after the cleaning step")
    verify_p = sub.add_parser(
        "verify", help="check the raw files against their sha256 in the manifest", parents=[common]
    )
    verify_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    sub.add_parser("refresh-notebooks", help="re-execute notebooks/ in place with default parameters", parents=[common])
    add_p = sub.add_parser("add-source", help="add a raw document to data/raw/sources.csv", parents=[common])
    add_p.add_argument("file", type=Path)
    add_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    add_p.add_argument("--city", required=True, choices=CITIES)
    add_p.add_argument("--parser", required=True, choices=PARSER_NAMES)
    add_p.add_argument("--title", default="")
    add_p.add_argument("--fiscal-years", default="", help="YYYY or YYYY-YYYY (default: the years its parser reads)")
    return parser


def _dispatch(args: argparse.Namespace) -> None:
    if args.command == "run":
        config = RunConfig(args.raw_dir, args.processed_dir, args.reports_dir, args.fiscal_year, args.jobs)
        run(config, stop_after=args.stop_after)
    elif args.command == "verify":
        sources = read_manifest(args.raw_dir)
        verify_checksums(args.raw_dir, sources)
        references = verify_reference(args.raw_dir)
        check_sheets(args.raw_dir, sources)
        print(f"{len(sources)} raw files match their sha256 in {MANIFEST} and read as sheets; ", end="")
        print(f"{references} reference file(s) match too")
    elif args.command == "refresh-notebooks":
        refresh_notebooks()
    else:
        source = add_source(args.file, args.raw_dir, args.city, args.parser, args.title, args.fiscal_years)
        print(f"added {source.file} ({source.city}, {source.parser}, FY{source.fiscal_years}) to {MANIFEST}")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr and a non-zero exit (1: the input is at fault, 3: an
    internal error, 130: interrupted); ``--debug`` adds the traceback. Outputs are never half-written."""
    args = _parser().parse_args(argv)
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

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
from dataclasses import dataclass, field
from pathlib import Path

from helpers import CITIES
from helpers.errors import PipelineError
from helpers.sheets import PARSER_NAMES
from helpers.sources import (
    CITY_JA,
    MANIFEST,
    Source,
    format_manifest,
    read_manifest,
    sha256_of,
    verify_checksums,
    verify_reference,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
EXECUTED_DIR = "notebooks"
"""Sub-folder of the reports directory for executed notebooks and their HTML."""


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
    from helpers.schema import INDICATORS
    from helpers.tables import read_table

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
    from helpers.covid_trajectories import TrajectoryParams

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


def execute(step: Step, reports_dir: Path) -> Path:
    """Execute one notebook with papermill into the reports directory, strip run metadata, render HTML."""
    import papermill

    from helpers.notebooks import render_html, render_outputs_page, strip_run_metadata

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
        )
    except papermill.PapermillExecutionError as exc:
        last = str(exc.evalue).splitlines()[-1] if exc.evalue else exc.ename
        raise PipelineError(f"{step.label}: {exc.ename}: {last} (executed copy: {output})") from None
    strip_run_metadata(output)
    render_html(output, output.with_suffix(".html"))
    if step.output_html:
        render_outputs_page(output, reports_dir / step.output_html, NOTEBOOK_DIR)
    return output


def _run_all(steps: list[Step], config: RunConfig, jobs: int, log: Callable[[str], None]) -> None:
    """Run steps in order, or ``jobs`` at a time in separate processes (papermill changes the working directory
    of the process it runs in, so parallel runs must not share one)."""
    total = len(steps)
    if jobs <= 1:
        for n, step in enumerate(steps, start=1):
            log(f"[{n}/{total}] {step.label}")
            execute(step, config.reports_dir)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(execute, step, config.reports_dir): step for step in steps}
        for n, future in enumerate(as_completed(futures), start=1):
            future.result()
            log(f"[{n}/{total}] {futures[future].label}")


def run(config: RunConfig, log: Callable[[str], None] = print, stop_after: str = "") -> None:
    """Verify the raw data, clean every city, combine the tables, then run the analyses and the report."""
    from helpers.cleaning import combine_cities

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
    cities = [c for c in CITIES if any(s.city == c for s in sources)]
    log(f"raw data verified: {len(sources)} documents, {len(cities)} cities")
    clean = cleaning_steps(config, cities)
    _run_all(clean, config, config.jobs, log)
    combine_cities(config.processed_dir, tuple(cities))
    log(f"tables written to {config.processed_dir}")
    if stop_after == "clean":
        return
    fiscal_year = config.fiscal_year or latest_actual_year(config.processed_dir)
    log(f"report year: FY{fiscal_year}")
    later = analysis_steps(config, fiscal_year)
    for n, step in enumerate(later, start=len(clean) + 1):
        log(f"[{n}/{len(clean) + len(later)}] {step.label}")
        execute(step, config.reports_dir)
    log(f"reports written to {config.reports_dir}")


def refresh_notebooks(log: Callable[[str], None] = print) -> None:
    """Re-execute the committed notebooks in place with their default parameters (what nbval compares against)."""
    import papermill

    from helpers.notebooks import strip_run_metadata

    for notebook in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        log(f"executing {notebook.name}")
        papermill.execute_notebook(
            str(notebook), str(notebook), kernel_name="python3", cwd=str(NOTEBOOK_DIR), progress_bar=False
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
    if not fiscal_years:
        fiscal_years = _observed_fiscal_years(file, city, parser)
    source = Source(file.name, city, CITY_JA[city], parser, title or file.stem, fiscal_years, sha256_of(file))
    if not target.exists():
        shutil.copyfile(file, target)
        target.chmod(0o444)
    (raw_dir / MANIFEST).write_text(format_manifest([*sources, source]), encoding="utf-8", newline="")
    return source


def _observed_fiscal_years(file: Path, city: str, parser: str) -> str:
    """The span of fiscal years the document's parser reads from it; parsing also proves the sheet is readable
    before it enters the manifest."""
    from helpers.sheets import parse_file

    years = sorted({o.fiscal_year for o in parse_file(file, parser=parser, city=city).observations})
    if not years:
        raise PipelineError(f"{file}: the {parser} parser found no observations; pass --fiscal-years YYYY-YYYY")
    return f"{years[0]}-{years[-1]}" if years[0] != years[-1] else str(years[0])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the whole pipeline")
    run_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    run_p.add_argument("--processed-dir", type=Path, default=Path("data/processed"))
    run_p.add_argument("--reports-dir", type=Path, default=Path("reports"))
    run_p.add_argument("--fiscal-year", type=int, default=None, help="year the report is about (default: latest)")
    run_p.add_argument("--jobs", type=int, default=1, help="cleaning notebooks run in parallel")
    run_p.add_argument("--stop-after", choices=["clean"], default="", help="stop after the cleaning step")
    verify_p = sub.add_parser("verify", help="check the raw files against their sha256 in the manifest")
    verify_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    sub.add_parser("refresh-notebooks", help="re-execute notebooks/ in place with default parameters")
    add_p = sub.add_parser("add-source", help="add a raw document to data/raw/sources.csv")
    add_p.add_argument("file", type=Path)
    add_p.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    add_p.add_argument("--city", required=True, choices=CITIES)
    add_p.add_argument("--parser", required=True, choices=PARSER_NAMES)
    add_p.add_argument("--title", default="")
    add_p.add_argument("--fiscal-years", default="", help="YYYY or YYYY-YYYY (default: the years its parser reads)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; every failure is one line on stderr and exit status 1."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            config = RunConfig(args.raw_dir, args.processed_dir, args.reports_dir, args.fiscal_year, args.jobs)
            run(config, stop_after=args.stop_after)
        elif args.command == "verify":
            sources = read_manifest(args.raw_dir)
            verify_checksums(args.raw_dir, sources)
            references = verify_reference(args.raw_dir)
            print(f"{len(sources)} raw files match their sha256 in {MANIFEST}; {references} reference file(s) too")
        elif args.command == "refresh-notebooks":
            refresh_notebooks()
        else:
            source = add_source(args.file, args.raw_dir, args.city, args.parser, args.title, args.fiscal_years)
            print(f"added {source.file} ({source.city}, {source.parser}, FY{source.fiscal_years}) to {MANIFEST}")
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

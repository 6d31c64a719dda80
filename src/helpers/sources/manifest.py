"""The raw-data manifest ``sources.csv``: which files the pipeline reads, with which parser, and their checksums."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from helpers import CITIES
from helpers.core.errors import PipelineError, SheetError
from helpers.sources.cities import city_names_ja
from helpers.sources.formats import parser_names
from helpers.sources.raw_text import decode_sheet

MANIFEST = "sources.csv"
PARSER_NAMES: tuple[str, ...] = parser_names()
"""The sheet formats a manifest row may name (``lexicons/sheet_formats.csv``)."""
CITY_JA: dict[str, str] = city_names_ja()


@dataclass(frozen=True)
class Source:
    """One row of ``sources.csv``: a raw file and how to read it."""

    file: str
    city: str
    city_ja: str
    parser: str
    title: str
    fiscal_years: str
    sha256: str

    @property
    def last_fiscal_year(self) -> int:
        """The latest fiscal year the document covers (``2020-2022`` → 2022)."""
        return parse_fiscal_years(self.fiscal_years)[1]


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Source))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_fiscal_years(text: str) -> tuple[int, int]:
    """A span of fiscal years as ``YYYY`` or ``YYYY-YYYY`` with start ≤ end; raises ValueError saying why not.

    >>> parse_fiscal_years("2020-2022"), parse_fiscal_years("2023")
    ((2020, 2022), (2023, 2023))
    >>> parse_fiscal_years("2023-2021")
    Traceback (most recent call last):
    ...
    ValueError: fiscal years must run forwards (2021-2023), not '2023-2021'
    """
    parts = text.strip().split("-")
    if len(parts) > 2 or not all(len(p) == 4 and p.isascii() and p.isdigit() for p in parts):
        raise ValueError(f"fiscal years must be YYYY or YYYY-YYYY (e.g. 2020-2022), not {text!r}")
    start, end = int(parts[0]), int(parts[-1])
    if start > end:
        raise ValueError(f"fiscal years must run forwards ({end}-{start}), not {text!r}")
    return start, end


def _check_row(row: dict[str, str], line: int, manifest: Path) -> Source:
    where = f"{manifest}:{line}"
    empty = [c for c in COLUMNS if not row[c].strip()]
    if empty:
        raise PipelineError(f"{where}: the {empty[0]} field is empty; every column needs a value")
    if row["city"] not in CITIES:
        raise PipelineError(f"{where}: unknown city {row['city']!r} (one of {', '.join(CITIES)})")
    if row["parser"] not in PARSER_NAMES:
        raise PipelineError(f"{where}: unknown parser {row['parser']!r} (one of {', '.join(PARSER_NAMES)})")
    try:
        parse_fiscal_years(row["fiscal_years"])
    except ValueError as exc:
        raise PipelineError(f"{where}: {exc}") from None
    if Path(row["file"]).name != row["file"]:
        raise PipelineError(f"{where}: file must be a plain name inside the raw directory, not {row['file']!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
        raise PipelineError(
            f"{where}: sha256 must be 64 hex digits, not {row['sha256']!r}; compute it with sha256sum {row['file']}"
        )
    if row["city_ja"] != CITY_JA[row["city"]]:
        raise PipelineError(f"{where}: city_ja of {row['city']} is {CITY_JA[row['city']]}, not {row['city_ja']!r}")
    return Source(**{c: row[c] for c in COLUMNS})


def _manifest_text(manifest: Path) -> str:
    """The manifest's text as people save it: UTF-8 with or without BOM (Excel's "CSV UTF-8"), or CP932 (Excel's
    plain "CSV" on Japanese Windows), with LF, CRLF or CR line ends."""
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise PipelineError(f"{manifest}: cannot be read ({exc.strerror or exc}); make it readable") from None
    try:
        return decode_sheet(data, str(manifest)).text
    except SheetError as exc:
        if "empty" in str(exc):
            raise PipelineError(
                f"{manifest}:1: the manifest is empty; its first line must be {','.join(COLUMNS)}"
            ) from None
        raise


def read_manifest(raw_dir: Path) -> list[Source]:
    """Read and check ``sources.csv``; raises PipelineError naming the line at fault and what to do."""
    return [source for _, source in _read_rows(raw_dir)]


def manifest_lines(raw_dir: Path) -> dict[str, int]:
    """File name → the manifest line listing it, for messages about a listed file."""
    return {source.file: line for line, source in _read_rows(raw_dir)}


def _read_rows(raw_dir: Path) -> list[tuple[int, Source]]:
    """Every manifest row with the line it starts on."""
    manifest = raw_dir / MANIFEST
    if not manifest.is_file():
        raise PipelineError(f"{manifest}: manifest not found")
    reader = csv.reader(io.StringIO(_manifest_text(manifest), newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise PipelineError(f"{manifest}:1: the first line must name the columns {','.join(COLUMNS)}")
    sources: list[tuple[int, Source]] = []
    first_line: dict[str, int] = {}
    end = reader.line_num
    for cells in reader:
        line, end = end + 1, reader.line_num  # a quoted field may span lines: a row starts after the last one
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            missing = f" (missing: {', '.join(COLUMNS[len(cells) :])})" if len(cells) < len(COLUMNS) else ""
            raise PipelineError(
                f"{manifest}:{line}: {len(cells)} fields where {len(COLUMNS)} are needed{missing}; "
                f"give every row {','.join(COLUMNS)} (a comma inside a title needs the title in double quotes)"
            )
        source = _check_row(dict(zip(COLUMNS, cells, strict=True)), line, manifest)
        if source.file in first_line:
            raise PipelineError(
                f"{manifest}:{line}: {source.file} is listed twice (lines {first_line[source.file]} and {line}); "
                "delete one of the rows"
            )
        first_line[source.file] = line
        sources.append((line, source))
    return sources


def verify_checksums(raw_dir: Path, sources: list[Source]) -> None:
    """Stop at the first raw file that is missing or whose bytes no longer match the manifest."""
    for source in sources:
        path = raw_dir / source.file
        if not path.is_file():
            raise PipelineError(f"{path}: listed in {MANIFEST} but missing")
        try:
            digest = sha256_of(path)
        except OSError as exc:
            raise PipelineError(f"{path}: cannot be read ({exc.strerror or exc}); make it readable") from None
        if digest != source.sha256:
            raise PipelineError(f"{path}: sha256 does not match {MANIFEST} (raw files are never edited)")


REFERENCE_DIR = "reference"
REFERENCE_SUMS = "SHA256SUMS"
"""Reference tables (population denominators) are raw data too: ``reference/SHA256SUMS`` lists their checksums
in ``sha256sum`` format, so ``sha256sum -c`` checks them as well."""


def verify_reference(raw_dir: Path) -> int:
    """Check every reference file listed in ``reference/SHA256SUMS``; returns how many were checked."""
    sums = raw_dir / REFERENCE_DIR / REFERENCE_SUMS
    if not sums.is_file():
        return 0
    checked = 0
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        path = sums.parent / name.strip()
        if not path.is_file():
            raise PipelineError(f"{sums}:{number}: {name.strip()} is listed but missing")
        try:
            actual = sha256_of(path)
        except OSError as exc:
            raise PipelineError(f"{path}: cannot be read ({exc.strerror or exc}); make it readable") from None
        if actual != digest.strip():
            raise PipelineError(f"{path}: sha256 does not match {REFERENCE_SUMS} (raw files are never edited)")
        checked += 1
    return checked


def format_manifest(sources: list[Source]) -> str:
    """The manifest's text: header plus rows sorted by file name, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for source in sorted(sources, key=lambda s: s.file):
        writer.writerow(astuple(source))
    return buffer.getvalue()

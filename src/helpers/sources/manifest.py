"""The raw-data manifest ``sources.csv``: which files the pipeline reads, with which parser, and their checksums."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from helpers import CITIES
from helpers.core.errors import PipelineError
from helpers.sources.cities import city_names_ja
from helpers.sources.formats import parser_names

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
        return int(self.fiscal_years.split("-")[-1])


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Source))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_row(row: dict[str, str], line: int, manifest: Path) -> Source:
    where = f"{manifest}:{line}"
    if row["city"] not in CITIES:
        raise PipelineError(f"{where}: unknown city {row['city']!r} (one of {', '.join(CITIES)})")
    if row["parser"] not in PARSER_NAMES:
        raise PipelineError(f"{where}: unknown parser {row['parser']!r} (one of {', '.join(PARSER_NAMES)})")
    years = row["fiscal_years"].split("-")
    if not all(y.isdigit() and len(y) == 4 for y in years) or len(years) > 2:
        raise PipelineError(f"{where}: fiscal_years must be YYYY or YYYY-YYYY, not {row['fiscal_years']!r}")
    if Path(row["file"]).name != row["file"]:
        raise PipelineError(f"{where}: file must be a plain name inside the raw directory, not {row['file']!r}")
    return Source(**{c: row[c] for c in COLUMNS})


def read_manifest(raw_dir: Path) -> list[Source]:
    """Read and check ``sources.csv``; raises PipelineError naming the line at fault."""
    manifest = raw_dir / MANIFEST
    if not manifest.is_file():
        raise PipelineError(f"{manifest}: manifest not found")
    with manifest.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise PipelineError(f"{manifest}:1: columns must be {','.join(COLUMNS)}")
        sources = [_check_row(row, n, manifest) for n, row in enumerate(reader, start=2)]
    names = [s.file for s in sources]
    if len(set(names)) != len(names):
        raise PipelineError(f"{manifest}: a file is listed twice")
    return sources


def verify_checksums(raw_dir: Path, sources: list[Source]) -> None:
    """Stop at the first raw file that is missing or whose bytes no longer match the manifest."""
    for source in sources:
        path = raw_dir / source.file
        if not path.is_file():
            raise PipelineError(f"{path}: listed in {MANIFEST} but missing")
        if sha256_of(path) != source.sha256:
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
        if sha256_of(path) != digest.strip():
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

"""From parser records to the published tables: merge documents, validate, sort and write byte-stably."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.core.errors import PipelineError
from helpers.sheets.records import ParsedSheet
from helpers.sources.cities import city_names_ja
from helpers.tables.schema import (
    ACTIVITIES,
    CLEAN_TABLES,
    COVERAGE,
    EVALUATIONS,
    INDICATORS,
    MEASURE_LISTINGS,
    MEASURES,
    Table,
    frictionless_resource,
    pandera_schema,
)
from helpers.tables.staging import staged_directories

SUPERSEDED_COLUMNS: tuple[str, ...] = (
    "city",
    "measure_id",
    "indicator",
    "fiscal_year",
    "value_kind",
    "kept_source_file",
    "kept_source_line",
    "kept_value_raw",
    "replaced_source_file",
    "replaced_source_line",
    "replaced_value_raw",
)
"""Observations that a newer document of the same city replaced (kept for audit, never duplicated)."""


def _frame(records: list[object], table: Table) -> pd.DataFrame:
    rows = [asdict(r) for r in records]  # type: ignore[call-overload]
    frame = pd.DataFrame(rows, columns=[c for c in (rows[0] if rows else {})])
    for column in table.columns:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return frame


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Number items within each source line (1, 2, …) in record order."""
    frame = frame.copy()
    frame["item"] = frame.groupby(["source_file", "source_line"]).cumcount() + 1 if len(frame) else []
    return frame


def sheet_frames(sheet: ParsedSheet) -> dict[str, pd.DataFrame]:
    """One parsed file as raw (unsorted, unvalidated) frames keyed by table name."""
    listings = _frame(sheet.measures, MEASURE_LISTINGS)
    return {
        INDICATORS.name: _frame(sheet.observations, INDICATORS),
        MEASURE_LISTINGS.name: listings,
        EVALUATIONS.name: _frame(sheet.evaluations, EVALUATIONS),
        ACTIVITIES.name: _numbered(_frame(sheet.activities, ACTIVITIES)),
        COVERAGE.name: _numbered(_frame(sheet.coverage, COVERAGE)),
    }


def measures_from_listings(listings: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: its first listing (file order, then line) and how many listings it has."""
    if listings.empty:
        return pd.DataFrame(columns=MEASURES.columns)
    ordered = listings.sort_values(["city", "measure_id", "is_repeat", "source_file", "source_line"], kind="stable")
    first = ordered.drop_duplicates(["city", "measure_id"], keep="first").copy()
    counts = listings.groupby(["city", "measure_id"]).size().rename("n_listings").reset_index()
    return first.merge(counts, on=["city", "measure_id"], how="left")[MEASURES.columns]


def merge_documents(frames_by_doc: list[dict[str, pd.DataFrame]]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Union a city's documents, oldest first; where two report the same key the later one wins.

    Returns the merged frames and the ``superseded`` rows recording each replacement.
    """
    merged: dict[str, pd.DataFrame] = {}
    superseded: list[dict[str, object]] = []
    key = list(INDICATORS.primary_key)
    kept = pd.DataFrame()
    for frames in frames_by_doc:
        new = frames[INDICATORS.name]
        if not kept.empty and not new.empty:
            clash = kept.merge(new, on=key, suffixes=("_old", ""))
            for row in clash.itertuples(index=False):
                superseded.append(
                    {
                        **{k: getattr(row, k) for k in key},
                        "kept_source_file": row.source_file,
                        "kept_source_line": row.source_line,
                        "kept_value_raw": row.value_raw,
                        "replaced_source_file": row.source_file_old,
                        "replaced_source_line": row.source_line_old,
                        "replaced_value_raw": row.value_raw_old,
                    }
                )
            kept = kept.merge(new[key], on=key, how="left", indicator=True)
            kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
        kept = pd.concat([kept, new], ignore_index=True) if not kept.empty else new
    merged[INDICATORS.name] = kept
    for name in (MEASURE_LISTINGS.name, EVALUATIONS.name, ACTIVITIES.name, COVERAGE.name):
        parts = [f[name] for f in frames_by_doc if not f[name].empty]
        merged[name] = pd.concat(parts, ignore_index=True) if parts else frames_by_doc[0][name]
    if not merged[EVALUATIONS.name].empty:
        merged[EVALUATIONS.name] = merged[EVALUATIONS.name].drop_duplicates(list(EVALUATIONS.primary_key), keep="last")
    return merged, pd.DataFrame(superseded, columns=list(SUPERSEDED_COLUMNS))


def _city_order(frame: pd.DataFrame) -> pd.Series:
    return frame["city"].map({c: i for i, c in enumerate(CITIES)})


def tidy(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in schema order, types coerced, rows sorted by city order then primary key (stable)."""
    frame = frame.copy()
    for f in table.fields:
        if f.name not in frame.columns:
            raise PipelineError(f"{table.name}: column {f.name!r} missing")
        if f.type == "string":
            frame[f.name] = frame[f.name].fillna("").astype(str)
        elif f.type == "integer":
            frame[f.name] = pd.to_numeric(frame[f.name]).astype("int64" if f.required else "Int64")
        elif f.type == "number":
            frame[f.name] = pd.to_numeric(frame[f.name]).astype("float64").round(6)
        elif f.type == "boolean":
            frame[f.name] = frame[f.name].fillna(False).astype(bool)
    frame = frame[table.columns]
    if frame.empty:
        return frame.reset_index(drop=True)
    sort_keys = ["city", *[k for k in table.primary_key if k != "city"]] if "city" in frame else list(table.primary_key)
    frame = frame.assign(_city=_city_order(frame)) if "city" in frame else frame
    by = (["_city"] if "_city" in frame else []) + sort_keys
    frame = frame.sort_values(by, kind="stable").drop(columns=[c for c in ["_city"] if c in frame])
    return frame.reset_index(drop=True)


def validate(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate against the table's pandera schema (all errors at once); raise PipelineError naming the table."""
    import pandera.errors

    try:
        return pandera_schema(table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(5).to_dict("records")
        raise PipelineError(f"{table.name}: schema validation failed: {cases}") from None


def _format_value(value: object) -> str:
    if value is pd.NA or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(round(value, 6))
    return str(value)


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text with integral floats written without ``.0``, booleans as true/false and LF line ends."""
    text = frame.astype(object).map(_format_value)
    return text.to_csv(index=False, lineterminator="\n")


def datapackage(tables: tuple[Table, ...], extra: dict[str, object] | None = None) -> dict[str, object]:
    """The Frictionless Data Package descriptor of the published tables."""
    package: dict[str, object] = {
        "profile": "tabular-data-package",
        "name": "community-welfare-plan-progress",
        "title": "地域福祉計画 進捗シート: " + "・".join(city_names_ja().values()),
        "description": "Tidy tables cleaned from four Japanese cities' community-welfare plan progress sheets.",
        "sources": [{"title": "data/raw/sources.csv", "path": "../raw/sources.csv"}],
        "resources": [frictionless_resource(t) for t in tables],
    }
    if extra:
        package.update(extra)
    return package


def write_outputs(out_dir: Path, files: dict[str, str]) -> None:
    """Write text files into ``out_dir`` all or nothing: staged beside it, then moved in (replaced files come back
    if a move fails)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with staged_directories([out_dir]) as (staging,):
        for name, text in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")


def validated_csvs(frames: dict[str, pd.DataFrame], tables: tuple[Table, ...] = CLEAN_TABLES) -> dict[str, str]:
    """Tidy and validate every table, then render it; raises before anything is written."""
    rendered: dict[str, str] = {}
    for table in tables:
        frame = validate(table, tidy(table, frames[table.name]))
        rendered[table.path] = to_csv_text(frame)
    return rendered


def write_clean_tables(out_dir: Path, frames: dict[str, pd.DataFrame], superseded: pd.DataFrame) -> None:
    """Validate and write the cleaning tables, ``superseded.csv`` and ``datapackage.json`` in one go."""
    files = validated_csvs(frames)
    superseded = superseded.reindex(columns=list(SUPERSEDED_COLUMNS))
    files["superseded.csv"] = to_csv_text(superseded.sort_values(list(SUPERSEDED_COLUMNS[:5]), kind="stable"))
    write_outputs(out_dir, files)
    refresh_datapackage(out_dir)


def read_table(directory: Path, table: Table) -> pd.DataFrame:
    """Read a published table back with its schema types (empty strings stay empty strings)."""
    dtypes = {f.name: ("string" if f.type in ("string",) else None) for f in table.fields}
    frame = pd.read_csv(
        directory / table.path,
        dtype={k: "str" for k, v in dtypes.items() if v},
        keep_default_na=False,
        na_values={
            f.name: [""] for f in table.fields if f.type == "number" or (f.type == "integer" and not f.required)
        },
    )
    for f in table.fields:
        if f.type == "boolean":
            frame[f.name] = frame[f.name].map({"true": True, "false": False, True: True, False: False})
        elif f.type == "integer":
            frame[f.name] = frame[f.name].astype("int64" if f.required else "Int64")
    return frame


def refresh_datapackage(out_dir: Path) -> None:
    """Rewrite ``datapackage.json`` to describe every known table present in ``out_dir`` (clean tables first)."""
    from helpers.tables.schema import ANALYSIS_TABLES

    present = tuple(t for t in (*CLEAN_TABLES, *ANALYSIS_TABLES) if (out_dir / t.path).is_file())
    text = json.dumps(datapackage(present), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_outputs(out_dir, {"datapackage.json": text})


def write_analysis_tables(out_dir: Path, frames: dict[str, pd.DataFrame]) -> list[Path]:
    """Validate and write analysis tables (all or nothing), then refresh ``datapackage.json``."""
    from helpers.tables.schema import ANALYSIS_TABLES

    known = {t.name: t for t in ANALYSIS_TABLES}
    unknown = sorted(set(frames) - set(known))
    if unknown:
        raise PipelineError(f"no schema for table(s) {', '.join(unknown)}")
    rendered = {}
    for name, frame in frames.items():
        table = known[name]
        rendered[table.path] = to_csv_text(validate(table, tidy(table, frame.reindex(columns=table.columns))))
    write_outputs(out_dir, rendered)
    refresh_datapackage(out_dir)
    return [out_dir / name for name in rendered]

"""From parser records to the published tables: merge documents, validate, sort and write byte-stably."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import fields
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.core.errors import PipelineError
from helpers.core.text import key as text_key
from helpers.sheets.records import ParsedSheet
from helpers.sources.cities import city_names_ja
from helpers.tables.schema import (
    ACTIVITIES,
    CLEAN_TABLES,
    COVERAGE,
    EVALUATIONS,
    INDICATORS,
    LINK_TABLES,
    MEASURE_LISTINGS,
    MEASURES,
    SAME_FACTS,
    SUPERSEDED,
    Table,
    frictionless_resource,
    pandera_schema,
)
from helpers.tables.staging import staged_directories

SUPERSEDED_COLUMNS: tuple[str, ...] = tuple(SUPERSEDED.columns)
"""Observations that a newer document of the same city replaced (kept for audit, never duplicated)."""
SAME_FACTS_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "same_facts.csv"
"""Reviewed pairs of indicators that print one fact under different labels or in different documents."""
_DEPARTMENT_SPLIT = re.compile(r"[、,・\s]+")


def _frame(records: list[object], table: Table) -> pd.DataFrame:
    """Parsed records (flat dataclasses of text, numbers and flags) as a frame with their fields as columns; each
    record is read field by field (``asdict`` would deep-copy every value, a sixth of a city's cleaning)."""
    names = [f.name for f in fields(records[0])] if records else []  # type: ignore[arg-type]
    rows = [{name: getattr(r, name) for name in names} for r in records]
    frame = pd.DataFrame(rows, columns=names)
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


def load_same_fact_pairs(path: Path = SAME_FACTS_CSV) -> list[dict[str, str]]:
    """The reviewed pairs (measure, indicator) → (measure, indicator) that print one fact."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _departments(text: str) -> set[str]:
    return {d for d in _DEPARTMENT_SPLIT.split(str(text)) if d and d != "他"}


def same_fact_links(indicators: pd.DataFrame, pairs: list[dict[str, str]] | None = None) -> pd.DataFrame:
    """Rows of indicators.csv that repeat a fact another row already gives: one link per repeating row.

    Within one document, the same indicator with the same figure, unit and year under two measures of a shared
    department is one fact listed twice (山形市 line 96 and 164: 相談件数 5,044 under 一般介護予防事業 and under
    地域包括支援センター運営事業); the first listing is the one to count. Across documents, or under different
    labels, only the reviewed pairs of ``same_facts.csv`` link, and only in years whose figures are equal.
    """
    columns = SAME_FACTS.columns
    numeric = indicators[indicators["value"].notna()].copy()
    if numeric.empty:
        return pd.DataFrame(columns=columns)
    numeric["_key"] = numeric["indicator"].map(text_key)
    links: dict[tuple[object, ...], dict[str, object]] = {}
    group_by = ["city", "source_file", "_key", "fiscal_year", "value_kind", "unit", "value"]
    ordered = numeric.sort_values(["source_line", "measure_id"], kind="stable")
    # only groups under two or more measures can link: the others are dropped before the groups are walked
    shared = ordered.groupby(group_by, sort=False)["measure_id"].transform("nunique") >= 2
    for _, group in ordered[shared].groupby(group_by, sort=True):
        if group["measure_id"].nunique() < 2:
            continue
        first = group.iloc[0]
        for row in group.iloc[1:].itertuples(index=False):
            if row.measure_id == first["measure_id"]:
                continue
            if not _departments(row.department) & _departments(first["department"]):
                continue
            basis = f"same indicator and figure under another measure of the same department ({first['department']})"
            _add_link(links, row, first, "also_listed", basis)
    for pair in pairs if pairs is not None else load_same_fact_pairs():
        _link_pair(links, numeric, pair)
    frame = pd.DataFrame(list(links.values()), columns=columns)
    return frame.sort_values(list(SAME_FACTS.primary_key), kind="stable", ignore_index=True)


def _link_pair(links: dict[tuple[object, ...], dict[str, object]], numeric: pd.DataFrame, pair: dict[str, str]) -> None:
    city = numeric["city"] == pair["city"]
    repeat = numeric[city & (numeric["measure_id"] == pair["measure_id"]) & (numeric["indicator"] == pair["indicator"])]
    counted = numeric[
        city
        & (numeric["measure_id"] == pair["same_as_measure_id"])
        & (numeric["indicator"] == pair["same_as_indicator"])
    ]
    by_year = {(r.fiscal_year, r.value_kind): r for r in counted.itertuples(index=False)}
    for row in repeat.itertuples(index=False):
        other = by_year.get((row.fiscal_year, row.value_kind))
        if other is None or other.value != row.value:
            continue
        relation = "same_as" if other.source_file != row.source_file else "also_listed"
        _add_link(links, row, other._asdict(), relation, f"reviewed pair (same_facts.csv): {pair['why']}")


def _add_link(
    links: dict[tuple[object, ...], dict[str, object]], row: object, counted: object, relation: str, basis: str
) -> None:
    get = counted.__getitem__ if hasattr(counted, "__getitem__") else lambda k: getattr(counted, k)
    link = {
        "city": row.city,  # type: ignore[attr-defined]
        "measure_id": row.measure_id,  # type: ignore[attr-defined]
        "indicator": row.indicator,  # type: ignore[attr-defined]
        "fiscal_year": row.fiscal_year,  # type: ignore[attr-defined]
        "value_kind": row.value_kind,  # type: ignore[attr-defined]
        "source_file": row.source_file,  # type: ignore[attr-defined]
        "source_line": row.source_line,  # type: ignore[attr-defined]
        "relation": relation,
        "same_as_measure_id": get("measure_id"),
        "same_as_indicator": get("indicator"),
        "same_as_source_file": get("source_file"),
        "same_as_source_line": get("source_line"),
        "basis": basis,
    }
    links.setdefault(tuple(link[k] for k in SAME_FACTS.primary_key), link)


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
    """Validate and write the cleaning tables, the link tables and ``datapackage.json`` in one go."""
    links = {
        SUPERSEDED.name: superseded.reindex(columns=SUPERSEDED.columns),
        SAME_FACTS.name: frames.get(SAME_FACTS.name, pd.DataFrame()).reindex(columns=SAME_FACTS.columns),
    }
    files = validated_csvs(frames)
    files.update(validated_csvs(links, LINK_TABLES))
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

    present = tuple(t for t in (*CLEAN_TABLES, *LINK_TABLES, *ANALYSIS_TABLES) if (out_dir / t.path).is_file())
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

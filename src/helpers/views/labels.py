"""Display names for the codes the tables store (statuses, kinds, categories), from one reviewed crosswalk
(``lexicons/labels_ja.csv``): the workbook, the report and the figures show the same words."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

from helpers.sources.manifest import CITY_JA
from helpers.tables.schema import Table

LABELS_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "labels_ja.csv"
JOINED_FIELDS: dict[str, str] = {"evidence": "+"}
"""Fields whose cells join several codes; each code is translated and the parts joined with ・."""


@cache
def crosswalk() -> dict[str, dict[str, str]]:
    """``{field: {code: label}}`` read from the crosswalk CSV."""
    table: dict[str, dict[str, str]] = {}
    with LABELS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["field"], {})[row["code"]] = row["label_ja"]
    return table


def label_ja(field: str, code: object) -> str:
    """The display name of one stored code; a code the crosswalk does not know is shown as it is.

    >>> label_ja("status", "stalled_planned"), label_ja("city", "shiroi"), label_ja("evidence", "grade+numeric")
    ('停滞・再開予定', '白井市', '評価・数値')
    >>> label_ja("unit", "人"), label_ja("boolean", True)
    ('人', 'はい')
    """
    if field == "city":
        return CITY_JA.get(str(code), str(code))
    if isinstance(code, bool):
        code = "true" if code else "false"
    text = "" if code is None or (isinstance(code, float) and pd.isna(code)) else str(code)
    labels = crosswalk().get(field, {})
    if field in JOINED_FIELDS and JOINED_FIELDS[field] in text:
        return "・".join(labels.get(part, part) for part in text.split(JOINED_FIELDS[field]))
    return labels.get(text, text)


def translated_columns(table: Table) -> list[str]:
    """The columns of a table whose codes the crosswalk (or the city registry) names."""
    names = set(crosswalk()) | {"city"}
    return [f.name for f in table.fields if f.name in names or f.type == "boolean"]


def frame_ja(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """A table as staff read it: codes replaced by display names, headers by the schema's Japanese titles."""
    out = frame.copy()
    for name in translated_columns(table):
        if name in out.columns:
            kind = next(f.type for f in table.fields if f.name == name)
            field = "boolean" if kind == "boolean" else name
            out[name] = out[name].map(lambda value, field=field: label_ja(field, value)).astype(object)
    return out.rename(columns={f.name: f.title_ja for f in table.fields})

"""The tidy tables as one Excel workbook for staff who work in Excel, written byte-stably."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from helpers.tables.schema import Table

FIXED_STAMP = "2000-01-01T00:00:00Z"
"""openpyxl writes the save time into docProps/core.xml; a fixed value keeps re-runs identical."""


def _readme_sheet(tables: list[tuple[Table, pd.DataFrame]]) -> pd.DataFrame:
    rows = []
    for table, frame in tables:
        rows.append({"シート": table.name, "列": "", "説明": f"{table.title}({len(frame)}行)"})
        for f in table.fields:
            rows.append({"シート": table.name, "列": f.name, "説明": f"{f.description_ja} — {f.description}"})
    return pd.DataFrame(rows, columns=["シート", "列", "説明"])


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed entry times and metadata stamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            content = source.read(name)
            if name == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rf"\g<1>{FIXED_STAMP}\g<3>",
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()


def _cells_as_text(sheet: Worksheet) -> None:
    """Keep text that starts with ``=`` as text: openpyxl would store it as a formula, and a sheet's words must
    never run as one in the reader's Excel."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def write_workbook(path: Path, tables: list[tuple[Table, pd.DataFrame]]) -> None:
    """One sheet per table plus a ``readme`` sheet describing every column in Japanese and English."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _readme_sheet(tables).to_excel(writer, sheet_name="readme", index=False)
        for table, frame in tables:
            frame.to_excel(writer, sheet_name=table.name[:31], index=False)
        for sheet in writer.sheets.values():
            _cells_as_text(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalise_zip(buffer.getvalue()))

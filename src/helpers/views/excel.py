"""The tables as one Excel workbook for staff: Japanese sheets, headers and words, filters ready; byte-stable."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from helpers.tables.schema import Table
from helpers.views.labels import frame_ja

FIXED_STAMP = "2000-01-01T00:00:00Z"
"""openpyxl writes the save time into docProps/core.xml; a fixed value keeps re-runs identical."""


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
    for cell in sheet._cells.values():
        if cell.data_type == "f":
            cell.data_type = "s"


SheetSpec = tuple[str, pd.DataFrame, str]
"""A sheet as staff see it: its name, its rows (Japanese headers and words) and one line saying what it holds."""

README_SHEET = "はじめに"
MIN_WIDTH, MAX_WIDTH = 6, 60
"""Column widths in Excel's character units: wide enough for a short header, capped so long text wraps."""
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")


def display_width(text: str) -> int:
    """Width of text in Excel's character units: full-width (Japanese) characters count two.

    >>> display_width("山形市"), display_width("2,022")
    (6, 5)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def readme_frame(
    sheets: list[SheetSpec], tables: list[tuple[Table, pd.DataFrame]], notes: list[tuple[str, str]] = ()
) -> pd.DataFrame:
    """The first sheet: notes for the reader, every sheet with what it holds and its row count, then every column
    of the tables with its description where that says more than the header."""
    rows = [{"シート": topic, "列": "", "説明": text} for topic, text in notes]
    rows += [{"シート": name, "列": "", "説明": f"{about}({len(frame):,}行)"} for name, frame, about in sheets]
    for table, _ in tables:
        rows.extend(
            {
                "シート": table.title_ja,
                "列": f.title_ja,
                "説明": "" if f.description_ja == f.title_ja else f.description_ja,
            }
            for f in table.fields
        )
    return pd.DataFrame(rows, columns=["シート", "列", "説明"])


WRAP = Alignment(wrap_text=True, vertical="top")
"""Cells of a column wider than ``MAX_WIDTH`` wrap their text."""


def _fit(sheet: Worksheet) -> None:
    """Bold, shaded header row that stays in view, filters on every column, widths fitted to the contents."""
    if sheet.max_row < 1 or sheet.max_column < 1:
        return
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    longest = dict.fromkeys(range(1, sheet.max_column + 1), 0)
    widths: dict[str, int] = {}
    for (_, column), cell in sheet._cells.items():  # the written cells, without creating empty ones per column
        if cell.value is None:
            continue
        text = str(cell.value)
        width = widths.get(text)
        if width is None:
            width = widths[text] = len(text) if text.isascii() else display_width(text)
        longest[column] = max(longest[column], width)
    for column, width in longest.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
        if width > MAX_WIDTH:
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row, column).alignment = WRAP


TABLE_ABOUT_JA: dict[str, str] = {
    "indicators": "資料から読み取った値。1行が、ある取組のある指標の、ある年度の値です",
    "measures": "資料に載っている取組の一覧",
    "measure_listings": "取組が資料のどこに載っているか(再掲を含む)",
    "evaluations": "取組ごとの自己評価(A〜D)と進捗状況(資料に評価がある市のみ)",
    "activities": "実施状況・計画・コメントなどの記述",
    "coverage": "資料の数値のすべてと、値として採用したか、採用しなかった理由",
    "hub_consultation": "拠点・相談に関する指標の値",
    "hub_consultation_matrix": "市ごと・区分ごとに、拠点・相談のどんな指標を把握しているか",
    "hub_consultation_per_1000": "人口千人当たりの値(比較できるものだけ計算)",
    "covid_events": "資料に書かれたコロナ禍の影響(中止・延期など)",
    "covid_trajectories": "取組・指標ごとのコロナ禍での停滞と回復の判定(すべての判定)",
    "covid_sensitivity": "判定の基準を変えたときの件数の変化",
}
"""One line per table for the readme sheet."""


def write_workbook(
    path: Path,
    sheets: list[SheetSpec],
    tables: list[tuple[Table, pd.DataFrame]],
    notes: Sequence[tuple[str, str]] = (),
) -> None:
    """A readme sheet (はじめに, ``notes`` first), then ``sheets`` as given (already in Japanese), then each table
    with Japanese headers and words; every sheet has a frozen header, filters and fitted widths. Same bytes on
    every run."""
    about = {t.name: TABLE_ABOUT_JA.get(t.name, t.title_ja) for t, _ in tables}
    shown: list[SheetSpec] = [*sheets, *((t.title_ja, frame_ja(f, t), about[t.name]) for t, f in tables)]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        readme_frame(shown, tables, list(notes)).to_excel(writer, sheet_name=README_SHEET, index=False)
        for name, frame, _ in shown:
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        for sheet in writer.sheets.values():
            _cells_as_text(sheet)
            _fit(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalise_zip(buffer.getvalue()))

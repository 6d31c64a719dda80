"""Each raw sheet as an HTML page with one anchor per line, so any value or quote in the report is one click from
the line it was read from. The lines are passed in (read through ``helpers.sources``): views never read raw files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpers.views.report_html import render_template

RAW_PAGES_DIR = "raw"
"""Folder of the raw-sheet pages inside the reports directory."""


def raw_page(source_file: str) -> str:
    """The page of a raw file, relative to the reports directory.

    >>> raw_page("shiroi_fy2022_progress_sheet.txt")
    'raw/shiroi_fy2022_progress_sheet.html'
    """
    return f"{RAW_PAGES_DIR}/{PurePosixPath(source_file).stem}.html"


def line_href(source_file: str, line: int) -> str:
    """The link to one line of a raw file, relative to the reports directory (``#L`` + the 1-based line).

    >>> line_href("shiroi_fy2022_progress_sheet.txt", 42)
    'raw/shiroi_fy2022_progress_sheet.html#L42'
    """
    return f"{raw_page(source_file)}#L{int(line)}"


@dataclass(frozen=True)
class RawDocument:
    """One raw document as the page shows it: its file name, city, title and decoded lines (LF-split)."""

    file: str
    city_ja: str
    title: str
    lines: Sequence[str]


def render_raw_page(document: RawDocument) -> str:
    """The page of one document: every line escaped, numbered, with the anchor ``L<n>`` and a highlight on arrival.

    >>> page = render_raw_page(RawDocument("a.txt", "白井市", "資料", ["x\\t<b>y</b>", "z"]))
    >>> 'id="L2"' in page, "&lt;b&gt;y&lt;/b&gt;" in page, "<b>" in page
    (True, True, False)
    """
    return render_template(
        "raw_sheet.html", city=document.city_ja, title=document.title, lines=list(document.lines), back="../index.html"
    )


def write_raw_pages(reports_dir: Path, documents: Sequence[RawDocument]) -> list[Path]:
    """Write one page per document under ``reports_dir/raw`` and return their paths."""
    written = []
    for document in documents:
        path = reports_dir / raw_page(document.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_raw_page(document), encoding="utf-8")
        written.append(path)
    return written

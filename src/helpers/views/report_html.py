"""Small HTML building blocks for the report: every text from the sheets is escaped on the way in."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from html import escape, unescape
from pathlib import Path

import pandas as pd

STYLE = """
<style>
.wr { font-family: "IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", sans-serif; line-height: 1.7;
      max-width: 60rem; color: #111; }
.wr h1 { font-size: 1.7rem; border-bottom: 3px solid #1b3a5c; padding-bottom: .3rem; }
.wr h2 { font-size: 1.35rem; border-left: 6px solid #1b3a5c; padding-left: .5rem; margin-top: 2rem; }
.wr h3 { font-size: 1.1rem; margin-top: 1.4rem; }
.wr table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
.wr th, .wr td { border: 1px solid #999; padding: .25rem .5rem; vertical-align: top; text-align: left; }
.wr th { background: #e8edf3; }
.wr td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wr .quote { color: #333; font-size: .88rem; }
.wr .src { color: #555; font-size: .8rem; }
.wr .box { border: 1px solid #1b3a5c; background: #f4f7fa; padding: .6rem 1rem; }
.wr img { max-width: 100%; height: auto; }
</style>
"""
"""Print-friendly styling; no colour carries meaning on its own."""


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    """Japanese-report number: thousands separators, fixed decimals, an em dash for missing.

    >>> fmt_number(1234.0), fmt_number(3.14159, 1), fmt_number(None)
    ('1,234', '3.1', '—')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:,.{digits}f}"


def heading(text: str, level: int = 2, anchor: str = "") -> str:
    """An escaped heading with an optional anchor id."""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return f"<h{level}{ident}>{escape(text)}</h{level}>"


def paragraph(text: str) -> str:
    """An escaped paragraph."""
    return f"<p>{escape(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An escaped bullet list (empty string when there is nothing to list)."""
    rows = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"<ul>{rows}</ul>" if rows else ""


def table(frame: pd.DataFrame, numeric: Sequence[str] = (), digits: dict[str, int] | None = None) -> str:
    """An escaped HTML table; ``numeric`` columns are right-aligned and formatted."""
    digits = digits or {}
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if column in numeric:
                cells.append(f'<td class="num">{escape(fmt_number(value, digits.get(column, 0)))}</td>')
            else:
                cells.append(f"<td>{escape('' if pd.isna(value) else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def image(path: Path, alt: str) -> str:
    """A figure by reference (the notebook's output stays small); ``embed_images`` inlines it for the page."""
    caption = escape(alt)
    img = f'<img src="{escape(path.as_posix())}" alt="{caption}"/>'
    return f"<figure>{img}<figcaption>{caption}</figcaption></figure>"


_IMG_SRC = re.compile(r'<img src="(?!data:)([^"]+\.png)"')


def embed_images(html: str, base_dir: Path) -> str:
    """Inline every referenced PNG as a data URI (paths relative to ``base_dir``), so the page is one file."""

    def inline(match: re.Match[str]) -> str:
        path = base_dir / unescape(match.group(1))
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}"'

    return _IMG_SRC.sub(inline, html)


def document(*parts: str) -> str:
    """Wrap the parts in the report's styled container."""
    return STYLE + '<div class="wr">' + "".join(parts) + "</div>"


def section(*parts: str) -> str:
    """Wrap parts in the report's container without repeating the stylesheet (use after ``document``)."""
    return '<div class="wr">' + "".join(parts) + "</div>"


def box(*parts: str) -> str:
    """A framed block for the key findings."""
    return '<div class="box">' + "".join(parts) + "</div>"


def small(text: str) -> str:
    """An escaped note in small print (sources, caveats)."""
    return f'<p class="src">{escape(text)}</p>'

"""HTML building blocks for the report and its pages: text from the sheets is escaped on the way in, and the page
layout lives in Jinja templates (``views/templates``) rendered with autoescaping."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from functools import cache
from html import escape, unescape
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

Html = Markup
"""A fragment that is already safe HTML (built here, every sheet text escaped); plain ``str`` is escaped."""


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **values: object) -> str:
    """Render one of the page templates; every value that is not ``Markup`` is escaped."""
    return _environment().get_template(name).render(**values)


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    """Japanese-report number: thousands separators, fixed decimals, an em dash for missing.

    >>> fmt_number(1234.0), fmt_number(3.14159, 1), fmt_number(None)
    ('1,234', '3.1', '—')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:,.{digits}f}"


def fmt_value(value: float | None) -> str:
    """A value as the sheets write it: integers without decimals, others with up to two.

    >>> fmt_value(1779.0), fmt_value(2.5), fmt_value(0.125), fmt_value(None)
    ('1,779', '2.5', '0.12', '—')
    """
    if value is None or pd.isna(value):
        return "—"
    if float(value).is_integer():
        return fmt_number(value)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def text(value: object) -> Markup:
    """Escape one piece of text (``Markup`` passes through)."""
    return value if isinstance(value, Markup) else Markup(escape("" if value is None else str(value)))


def join(parts: Iterable[object], sep: str = "") -> Markup:
    """Join fragments, escaping the plain ones."""
    return Markup(escape(sep)).join(text(p) for p in parts)


def link(label: object, href: str, css: str = "", where: str = "") -> Markup:
    """A link; ``href`` is built by the report (raw-line pages, anchors), the label is escaped; ``where`` is what
    the printed page shows after the label (the document and line).

    >>> str(link("<b>", "raw/a.html#L3", "v", "資料1・3行"))
    '<a class="v" href="raw/a.html#L3" data-where="資料1・3行">&lt;b&gt;</a>'
    """
    cls = f' class="{escape(css)}"' if css else ""
    data = f' data-where="{escape(where)}"' if where else ""
    return Markup(f'<a{cls} href="{escape(href)}"{data}>{text(label)}</a>')


def heading(label: str, level: int = 2, anchor: str = "") -> Markup:
    """An escaped heading with an optional anchor id."""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return Markup(f"<h{level}{ident}>{text(label)}</h{level}>")


def paragraph(*parts: object, css: str = "") -> Markup:
    """A paragraph of escaped text and fragments."""
    cls = f' class="{escape(css)}"' if css else ""
    return Markup(f"<p{cls}>{join(parts)}</p>")


def bullets(items: Iterable[object]) -> Markup:
    """A bullet list (empty when there is nothing to list)."""
    rows = "".join(f"<li>{text(item)}</li>" for item in items)
    return Markup(f"<ul>{rows}</ul>") if rows else Markup("")


def definitions(items: Iterable[tuple[str, object]]) -> Markup:
    """A definition list (the glossary)."""
    rows = "".join(f"<dt>{text(term)}</dt><dd>{text(meaning)}</dd>" for term, meaning in items)
    return Markup(f"<dl>{rows}</dl>")


SHORT_CELL = 8
"""Cells of at most this many characters never wrap (a name or a year split over two lines reads badly)."""
_TAG = re.compile(r"<[^>]+>")


def table(
    frame: pd.DataFrame,
    numeric: Sequence[str] = (),
    digits: dict[str, int] | None = None,
    caption: str = "",
    css: str = "",
) -> Markup:
    """A table whose cells carry their column name (``data-label``), so a narrow screen can show each row as a
    card; ``numeric`` columns are right-aligned and formatted, ``Markup`` cells are kept as built."""
    digits = digits or {}
    head = "".join(f'<th scope="col">{text(c)}</th>' for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            label = escape(str(column))
            if column in numeric and not isinstance(value, Markup):
                shown = text(fmt_number(value, digits.get(column, 0)))
                cells.append(f'<td class="num" data-label="{label}">{shown}</td>')
            else:
                shown = value if isinstance(value, Markup) else text("" if pd.isna(value) else value)
                short = ' class="nw"' if len(_TAG.sub("", unescape(str(shown)))) <= SHORT_CELL else ""
                cells.append(f'<td{short} data-label="{label}">{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{text(caption)}</caption>" if caption else ""
    cls = f' class="{escape(css)}"' if css else ""
    return Markup(
        f'<div class="tablewrap"><table{cls}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


PNG_SIZE = re.compile(rb"\A\x89PNG\r\n\x1a\n....IHDR(....)(....)", re.DOTALL)
PNG_DPI = 150
"""The figures are saved at 150 dpi (``views.figures``); at 96 CSS px per inch their text keeps its point size."""


def png_css_width(data: bytes) -> int:
    """The width in CSS pixels at which a saved figure shows its fonts at their point size."""
    match = PNG_SIZE.match(data)
    if not match:
        raise ValueError("not a PNG file")
    return round(int.from_bytes(match.group(1), "big") * 96 / PNG_DPI)


def figure(path: Path, number: int, caption: str, reading: Sequence[object]) -> Markup:
    """A figure embedded in the page (one file to send), its caption, and the sentences saying what it shows.

    The image keeps its natural size where the page is wide enough (text at its point size) and scrolls inside its
    frame on a narrow screen rather than shrinking below legibility."""
    data = path.read_bytes()
    width = png_css_width(data)
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    alt = f"図{number} {caption}"
    return Markup(
        f'<figure id="fig{number}" class="fig"><div class="figframe">'
        f'<img src="{uri}" alt="{escape(alt)}" width="{width}" style="min-width:{round(width * 0.55)}px"/></div>'
        f"<figcaption>{text(alt)}</figcaption>{paragraph(*reading, css='reading')}</figure>"
    )


_IMG_SRC = re.compile(r'<img src="(?!data:)([^"]+\.png)"')


def embed_images(html: str, base_dir: Path) -> str:
    """Inline every referenced PNG as a data URI (paths relative to ``base_dir``), so the page is one file."""

    def inline(match: re.Match[str]) -> str:
        path = base_dir / unescape(match.group(1))
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}"'

    return _IMG_SRC.sub(inline, html)


def box(*parts: object) -> Markup:
    """A framed block for the summary."""
    return Markup('<div class="box">') + join(parts) + Markup("</div>")


def small(*parts: object) -> Markup:
    """A note in small print."""
    return paragraph(*parts, css="small")

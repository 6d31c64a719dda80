"""Text clean-up shared by every sheet parser: HTML debris, NFKC, cell splitting."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(
    r"</?(?:p|br|ul|ol|li|input|span|div|font|b|i|u|em|strong|sup|sub|table|thead|tbody|tr|td|th)\b[^<>]*>",
    re.IGNORECASE,
)
"""Layout tags a PDF-to-text extraction leaves behind. Any other markup (``<script>``, ``<img onerror=…>``) is
the sheet's text and is kept as text, to be escaped wherever it is shown."""
_CHECKED = re.compile(r'<input\s+checked=""\s+type="checkbox"\s*/?>')
_UNCHECKED = re.compile(r'<input\s+type="checkbox"\s*/?>')
_SPACES = re.compile(r"[ \t\u3000]+")
CIRCLED_MARKERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
"""Item markers that NFKC would turn into plain digits beside real values."""
CACHE_SIZE = 1 << 16
"""Parsers clean and compare the same cells many times over; the pure functions below remember recent answers."""


@lru_cache(maxsize=CACHE_SIZE)
def nfkc(text: str) -> str:
    """NFKC-normalise for comparison (full-width digits, half-width kana, ㈱).

    >>> nfkc("１，２３４ｋｍ")
    '1,234km'
    """
    return unicodedata.normalize("NFKC", text)


def mark_checkboxes(text: str) -> str:
    """Turn checkbox ``<input>`` debris into ☑ / ☐ so the checked box survives tag stripping.

    >>> mark_checkboxes('<input checked="" type="checkbox"/> 順調に進んだ')
    '☑ 順調に進んだ'
    """
    text = _CHECKED.sub("☑", text)
    return _UNCHECKED.sub("☐", text)


@lru_cache(maxsize=CACHE_SIZE)
def strip_html(text: str) -> str:
    """Remove HTML fragments (``<ul>``, ``<p>``, ``<br>`` …) and unescape entities, keeping the words.

    >>> strip_html('<ul style="x"> <li>a</li> </ul><br/>b')
    'a b'
    >>> strip_html("<script>alert(1)</script> &lt;b&gt;")
    '<script>alert(1)</script> <b>'
    """
    text = mark_checkboxes(text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    return _SPACES.sub(" ", text).strip()


def split_cells(line: str) -> list[str]:
    """Split a tab-separated extraction line into raw cells (no clean-up, so tokens stay quotable).

    >>> split_cells("a\\t\\tb")
    ['a', '', 'b']
    """
    return line.rstrip("\r\n").split("\t")


def clean_cell(cell: str) -> str:
    """A cell as a reader sees it: HTML stripped, spaces collapsed (original characters kept)."""
    return strip_html(cell)


def strip_item_markers(text: str) -> str:
    """Drop circled item markers (①…⑳) so NFKC cannot turn them into stray digits.

    >>> strip_item_markers("④ 4件")
    ' 4件'
    """
    return text.translate({ord(c): None for c in CIRCLED_MARKERS})


@lru_cache(maxsize=CACHE_SIZE)
def key(text: str) -> str:
    """Comparison key: NFKC, no spaces, no HTML. Use for matching labels, never for quoting.

    >>> key("基本目標 １ 地域")
    '基本目標1地域'
    """
    return re.sub(r"\s+", "", nfkc(strip_html(text)))


def clear_caches() -> None:
    """Forget remembered answers (a parse starts afresh, so its cost does not depend on what was parsed before)."""
    nfkc.cache_clear()
    strip_html.cache_clear()
    key.cache_clear()

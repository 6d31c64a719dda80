"""Text clean-up shared by every sheet parser: HTML debris, NFKC, cell splitting."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

LAYOUT_TAG = re.compile(
    r"</?(?:p|br|ul|ol|li|input|span|div|font|b|i|u|em|strong|sup|sub|table|thead|tbody|tr|td|th)\b[^<>]*>",
    re.IGNORECASE,
)
"""Layout tags a PDF-to-text extraction leaves behind. Any other markup (``<script>``, ``<img onerror=…>``) is
the sheet's text and is kept as text, to be escaped wherever it is shown."""
_CHECKED = re.compile(r'<input\s+checked=""\s+type="checkbox"\s*/?>')
_UNCHECKED = re.compile(r'<input\s+type="checkbox"\s*/?>')
_SPACES = re.compile(r"[ \t\u3000]+")
CIRCLED_MARKERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
NOTE_SEPARATOR = "; "
"""Between the items of an observation's ``note``: words of the sheet and the parser's remarks, each kept whole."""
"""Item markers that NFKC would turn into plain digits beside real values."""
_DROP_CIRCLED_MARKERS = {ord(c): None for c in CIRCLED_MARKERS}
CACHE_SIZE = 1 << 16
"""Parsers clean and compare the same cells many times over; the pure functions below remember recent answers."""

_Function = TypeVar("_Function", bound=Callable[..., Any])
_PER_PARSE_CACHES: list[Any] = []


def per_parse_cache(function: _Function) -> _Function:
    """Remember a pure function's recent answers until the next ``clear_caches`` (the start of every parse).

    Use it for functions of strings (and other immutable arguments) that return immutable values."""
    cached = lru_cache(maxsize=CACHE_SIZE)(function)
    _PER_PARSE_CACHES.append(cached)
    return cached  # type: ignore[return-value]


_NFKC_PIECES = re.compile(r"(?=[ \t、。])")
"""Places before a space, tab, 、 or 。. NFKC never combines these characters with their neighbours (they have no
decomposition and take part in no composition), so normalising the pieces between them one by one gives the same
text as normalising it whole; only the pieces holding a character to change then take NFKC's slow path."""


@per_parse_cache
def nfkc(text: str) -> str:
    """NFKC-normalise for comparison (full-width digits, half-width kana, ㈱).

    >>> nfkc("１，２３４ｋｍ")
    '1,234km'
    >>> nfkc("ｶﾞｲﾄﾞ ① 相談、㈱。") == unicodedata.normalize("NFKC", "ｶﾞｲﾄﾞ ① 相談、㈱。")
    True
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "".join([unicodedata.normalize("NFKC", piece) for piece in _NFKC_PIECES.split(text)])


def mark_checkboxes(text: str) -> str:
    """Turn checkbox ``<input>`` debris into ☑ / ☐ so the checked box survives tag stripping.

    >>> mark_checkboxes('<input checked="" type="checkbox"/> 順調に進んだ')
    '☑ 順調に進んだ'
    """
    if "checkbox" not in text:
        return text
    text = _CHECKED.sub("☑", text)
    return _UNCHECKED.sub("☐", text)


@per_parse_cache
def strip_html(text: str) -> str:
    """Remove HTML fragments (``<ul>``, ``<p>``, ``<br>`` …) and unescape entities, keeping the words.

    >>> strip_html('<ul style="x"> <li>a</li> </ul><br/>b')
    'a b'
    >>> strip_html("<script>alert(1)</script> &lt;b&gt;")
    '<script>alert(1)</script> <b>'
    """
    if "<" in text:  # checkboxes and layout tags all start with "<"
        text = mark_checkboxes(text)
        text = LAYOUT_TAG.sub(" ", text)
    text = html.unescape(text)
    if "\t" in text or "\u3000" in text or "  " in text:  # else every run of spaces is one space already
        text = _SPACES.sub(" ", text)
    return text.strip()


def _spaces_for(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def blank_out(text: str, pattern: re.Pattern[str] = LAYOUT_TAG) -> str:
    """Every match replaced by as many spaces, so offsets into the raw text stay exact (tokens stay quotable).

    >>> blank_out('<p>12件</p>')
    '   12件    '
    """
    return pattern.sub(_spaces_for, text)


def split_cells(line: str) -> list[str]:
    """Split a tab-separated extraction line into raw cells (no clean-up, so tokens stay quotable).

    >>> split_cells("a\\t\\tb")
    ['a', '', 'b']
    """
    return line.rstrip("\r\n").split("\t")


clean_cell = strip_html
"""A cell as a reader sees it: HTML stripped, spaces collapsed (original characters kept). The same function as
``strip_html`` (parsers call it for every cell, so it adds no call of its own)."""


def strip_item_markers(text: str) -> str:
    """Drop circled item markers (①…⑳) so NFKC cannot turn them into stray digits.

    >>> strip_item_markers("④ 4件")
    ' 4件'
    """
    return text.translate(_DROP_CIRCLED_MARKERS)


@per_parse_cache
def key(text: str) -> str:
    """Comparison key: NFKC, no spaces, no HTML. Use for matching labels, never for quoting.

    >>> key("基本目標 １ 地域")
    '基本目標1地域'
    """
    return "".join(nfkc(strip_html(text)).split())


def clear_caches() -> None:
    """Forget remembered answers (a parse starts afresh, so its cost does not depend on what was parsed before)."""
    for cached in _PER_PARSE_CACHES:
        cached.cache_clear()

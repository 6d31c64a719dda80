"""Numbers as the sheets print them: counters, separators, multipliers, hedges and no-value markers.

Every function takes the raw token and returns the value together with the unit and a note,
so the caller can keep the original token for provenance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from helpers.core.count_basis import find_count_basis
from helpers.core.text import nfkc, per_parse_cache, strip_html, strip_item_markers

NO_VALUE_MARKERS: tuple[str, ...] = (
    "未集計",
    "実績なし",
    "中止",
    "未実施",
    "なし",
    "該当なし",
    "—",
    "―",
    "ー",
    "－",
    "‐",
    "-",
    "―",
    "－",
    "/",
    "／",
)
"""Cell contents that mean "no number here"; the value is empty and the marker goes to ``note``."""

COUNTERS: tuple[str, ...] = tuple(
    sorted(
        """人 名 件 回 校 団体 箇所 か所 カ所 ヶ所 ケ所 ヵ所 個所 地区 拠点 部 円 千円 万円 % 割 世帯 施設
        法人 講座 日 時間 組 冊 本 枚 台 戸 園 チーム グループ 事業所 店舗 社 館 室 機関 会場 クラブ
        人日 件数 人分 食 号 種類 種 事業 団地 地域 町内会 自治会 サロン 教室 コース 期 ケース 通 頁 ページ
        店 軒 区 小学校 中学校 学級 カ月 か月 ヶ月 月 年 週 分 歳 点 位 倍 km km2 km²
        日間 基 メニュー 場所""".split(),
        key=len,
        reverse=True,
    )
)
"""Counter words that may follow a number; the longest match wins (千円 before 円)."""

MULTIPLIERS: dict[str, tuple[float, str]] = {"千円": (1000.0, "円"), "万円": (10000.0, "円"), "割": (10.0, "%")}
"""Units that scale the number: the value is converted and the original unit noted."""

HEDGES: tuple[str, ...] = ("計約", "約", "およそ", "概ね", "計")
"""Words before a number that qualify it; kept in ``note``."""

NUMBER_PATTERN = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
"""A number as printed in NFKC text: thousands groups (``1,249``) or a plain run, with an optional decimal part."""

WIDE_NUMBER_PATTERN = r"[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?:[.．][0-9０-９]+)?|[0-9０-９]+(?:[.．][0-9０-９]+)?"
"""``NUMBER_PATTERN`` for raw text not yet NFKC-normalised: full-width digits, commas and points as well."""

_COUNTER = "|".join(re.escape(c) for c in COUNTERS)
_QUANTITY = re.compile(rf"(?P<number>{NUMBER_PATTERN})\s*(?P<unit>{_COUNTER})?")
_NUMBER = re.compile(NUMBER_PATTERN)
_BRACKET_THEN_REST = re.compile(r"[(（](.*)[)）]\s*(.*)")
_NO_VALUE_FORMS = frozenset(unicodedata.normalize("NFKC", m) for m in NO_VALUE_MARKERS)
"""``NO_VALUE_MARKERS`` in NFKC form, as a token is compared with them."""


@dataclass(frozen=True)
class Quantity:
    """One number read from a token, with its unit, count basis and whatever else the token said."""

    value: float | None
    unit: str = ""
    count_basis: str = ""
    note: str = ""


def to_number(text: str) -> float | None:
    """Parse a plain number with thousands separators (full-width allowed); None if it is not one.

    >>> to_number("１，２３４"), to_number("3.5"), to_number("12人")
    (1234.0, 3.5, None)
    """
    text = nfkc(text).strip()
    if _NUMBER.fullmatch(text):
        return float(text.replace(",", ""))
    return None


def is_no_value(token: str) -> bool:
    """True when the token is a no-value marker (—, ー, -, 未集計, 中止 …).

    >>> is_no_value(" — "), is_no_value("中止"), is_no_value("0")
    (True, True, False)
    """
    return nfkc(strip_html(token)).strip() in _NO_VALUE_FORMS


def _apply_multiplier(value: float, unit: str, notes: list[str]) -> tuple[float, str]:
    if unit in MULTIPLIERS:
        factor, new_unit = MULTIPLIERS[unit]
        notes.append(f"{unit}→{new_unit}")
        return round(value * factor, 6), new_unit
    return value, unit


@per_parse_cache
def parse_quantity(token: str) -> Quantity | None:
    """Read a token holding exactly one number (``1,442人``, ``約13万円``, ``10(5)``, ``—``).

    Returns None when the token holds no number or more than one count, so the caller
    keeps the raw cell instead of guessing. No-value markers give ``value=None`` and a note.

    >>> parse_quantity("1,442人")
    Quantity(value=1442.0, unit='人', count_basis='', note='')
    >>> parse_quantity("延べ451人")
    Quantity(value=451.0, unit='人', count_basis='延べ', note='')
    >>> parse_quantity("10(5)")
    Quantity(value=10.0, unit='', count_basis='', note='(5)')
    >>> parse_quantity("1,234千円")
    Quantity(value=1234000.0, unit='円', count_basis='', note='千円→円')
    >>> parse_quantity("中止")
    Quantity(value=None, unit='', count_basis='', note='中止')
    >>> parse_quantity("30件1,249人") is None
    True
    """
    text = nfkc(strip_item_markers(strip_html(token))).strip()
    if not text:
        return None
    if is_no_value(text):
        return Quantity(value=None, note=text)
    notes: list[str] = []
    basis = ""
    rest = text
    for word in HEDGES:
        if rest.startswith(word):
            notes.append(word)
            rest = rest[len(word) :].lstrip()
            break
    stated = find_count_basis(rest, at="start")
    if stated.basis:
        basis = stated.basis
        rest = rest[stated.end :].lstrip()
    match = _QUANTITY.match(rest)
    if not match:
        return None
    tail = rest[match.end() :].strip()
    if tail.startswith("万") and match.group("unit") in (None, "人", "件"):
        return None  # 「13万」 without 円: refuse rather than drop the multiplier
    bracket = _BRACKET_THEN_REST.fullmatch(tail) if tail else None
    if bracket:
        notes.append(f"({bracket.group(1)})")
        tail = bracket.group(2).strip()
    if tail and _QUANTITY.search(tail):
        return None  # a second count in the same token
    if tail:
        notes.append(tail)
    value = float(match.group("number").replace(",", ""))
    value, unit = _apply_multiplier(value, match.group("unit") or "", notes)
    return Quantity(value=value, unit=unit, count_basis=basis, note=" ".join(notes))


def find_quantities(text: str) -> list[tuple[str, Quantity]]:
    """Every ``number+counter`` run in a text, with the substring it came from (in the NFKC text).

    Use for tokens that hold several counts (``30件1,249人``, ``21地区23拠点``).

    >>> [(s, q.value, q.unit) for s, q in find_quantities("30件1,249人")]
    [('30件', 30.0, '件'), ('1,249人', 1249.0, '人')]
    """
    norm = nfkc(strip_item_markers(strip_html(text)))
    found: list[tuple[str, Quantity]] = []
    for match in _QUANTITY.finditer(norm):
        notes: list[str] = []
        value = float(match.group("number").replace(",", ""))
        value, unit = _apply_multiplier(value, match.group("unit") or "", notes)
        found.append((match.group(0).strip(), Quantity(value=value, unit=unit, note=" ".join(notes))))
    return found

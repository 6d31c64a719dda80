"""一関市 地域福祉計画推進会議 資料: the 実績/計画 tables become observations, listings, activities and coverage.

The papers hold two tables that differ only in their header years (令和4年度実績/令和5年度計画 and the
reference table 令和3年度実績/令和4年度計画). One row block per 施策展開の方向性; its value cells group ■ bullets
under 【課】 labels, and counts stand inside sentences, so a number is taken only where the sentence names it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

from helpers.core.count_basis import find_count_basis
from helpers.core.errors import SheetError
from helpers.core.fiscal_years import ERA_PATTERN, era_to_gregorian, parse_fiscal_year
from helpers.core.lexicons import lexicon_rows
from helpers.core.non_counts import NonCountRule, non_count_at, non_count_rule, non_count_rules, non_count_spans
from helpers.core.numbers import COUNTERS, Quantity, parse_quantity
from helpers.core.text import CIRCLED_MARKERS, blank_out, key, nfkc, per_parse_cache, split_cells, strip_html
from helpers.sheets.builder import Draft, SheetBuilder
from helpers.sheets.narrative_counts import extract_counts
from helpers.sheets.records import ParsedSheet
from helpers.sources.raw_text import read_sheet_lines

VALUE_CELLS = range(5, 9)
"""0-based indices of the 実績 / 事業 / 計画 / 事業 cells of a table row (the sheet's value columns)."""
KUBUN = ("市民", "福祉事業者", "社協", "行政")
"""区分 values (the acting parties) that can slip into the 施策 columns."""

_TOKEN = re.compile(r"[\d①-⑳](?:(?<=\d)\d*(?:[.,]\d+)*)?")
"""A digit run (``5,321``, ``4.11.30``) or a circled marker (①). The pattern opens with the first character of
either (the rest of a digit run follows only a digit), so that a search can skip straight to the next one."""
_MARKER = re.compile(r"【(?P<dept>[^】]*)】|(?P<bullet>■|・(?<![^\s】]・))")
"""A 【課】 label, a ■, or a ・ at the start of the cell or after a space or a 】 (each branch opens with its mark,
so that a search can skip straight to the next one)."""
_LABEL_STOP = frozenset(" \t\u3000()（）、。:：■○●【】[]［］※「」『』,，・/")
_TIME_UNITS = frozenset("年 月 日 日間 週 分 時間 カ月 か月 ヶ月 歳 期 号 頁 ページ 位 倍 点 km km2 km² %".split())
COUNT_UNITS: tuple[str, ...] = tuple(c for c in COUNTERS if c not in _TIME_UNITS)
"""Counter words that mark a count (COUNTERS without time, ordinal and share units), longest first."""
GENERIC_LABELS = frozenset({"数", "件数", "人数", "回数", "実施予定件数"})
"""Labels that do not say what is counted on their own; they need a crosswalk row with a cue."""
_PAST = re.compile(r"[っしいえめけれ]た(?:。|\s|$|[(（])|済み")
_FOOTNOTE = re.compile(r"※?\s*[(（]\s*[)）]\s*内は[^\s■【]*")
_BREAKDOWN = re.compile(r"内訳\s*[:：]")
_TRAILING_BRACKET = re.compile(r"\s*[(（](?P<inner>[^()（）]*)[)）]")
_SKIP_RULES: tuple[NonCountRule, ...] = (
    *non_count_rules("date", "era_year", "date_month_day", "date_month"),
    # the papers' coverage has always given one wording to 「月1回開催」 (line 352) and 「年1回」 (line 358)
    non_count_rule("frequency").worded("frequency rule (月1回 / 年1回), not a count"),
    *non_count_rules("ordinal", "year_number", "item_marker"),
)
"""Shared rules for numbers that are not values, in the order they are tried; anything left is 'no label'."""
_FRONT_RULES: tuple[NonCountRule, ...] = non_count_rules("item_marker", "range")
"""Shared rules naming a number outside the tables; the rest is told by the words around it."""
_OUTLINE_GOAL = re.compile(r"-\s*(\d+)\s+(.+?)\*\*")
_BOLD = re.compile(r"\*\*.*?\*\*")
_BRACKET_TO_END = re.compile(r"\s*[(（].*$")
_DIGITS = re.compile(r"\d+")
_OCR_BEFORE_NUMBER = re.compile(r"[^\s\d()]\(\d+\)")
_CIRCLED_DIGIT = re.compile(r"[①-⑳]")
_DIGITS_AND_BRACKETS = re.compile(r"[\d()（）]")
_ERA_YEAR_AT_END = re.compile(rf"({ERA_PATTERN})\s*(\d+|元)\s*$")
_DATE_OR_TIME_WORD = re.compile(r"年|月|日|\d+\.\d+|:\d\d")
_COUNT_UNIT = re.compile("|".join(re.escape(u) for u in COUNT_UNITS))
"""A count unit; the alternatives keep the order of COUNT_UNITS, so the longest match wins."""


# ---------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class Policy:
    """One 施策展開の方向性 of the plan: its numbering, outline name, names printed in the tables, opening words."""

    goal: int
    number: int
    name: str
    aliases: tuple[str, ...]
    opening: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Rule:
    """A crosswalk row: ``pattern`` (regex with group v), ``label`` (printed label) or ``skip`` (regex, not a value)."""

    kind: str
    match: str
    cue: str
    indicator: str
    reason: str

    def cue_in(self, text_key: str) -> bool:
        return not self.cue or key(self.cue) in text_key

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """``match`` compiled (pattern and skip rows)."""
        return re.compile(self.match)


def _split_aliases(text: str) -> tuple[str, ...]:
    return tuple(a for a in (s.strip() for s in text.split("|")) if a)


@cache
def policies() -> tuple[Policy, ...]:
    """The 14 施策 of 第2期一関市地域福祉計画 from ``ichinoseki_council_policies.csv``."""
    return tuple(
        Policy(int(r["goal"]), int(r["policy"]), r["name"], _split_aliases(r["aliases"]), r["opening"])
        for r in lexicon_rows("ichinoseki_council_policies.csv")
    )


@cache
def goals() -> dict[int, tuple[str, ...]]:
    """基本目標 number → its outline name and the spellings the tables use."""
    rows = lexicon_rows("ichinoseki_council_goals.csv")
    return {int(r["goal"]): (r["name"], *_split_aliases(r["aliases"])) for r in rows}


@cache
def departments() -> dict[str, str]:
    """Printed 【課】 spellings → the department they stand for."""
    return {r["printed"]: r["department"] for r in lexicon_rows("ichinoseki_council_departments.csv")}


@cache
def rules() -> tuple[Rule, ...]:
    """Indicator crosswalk: which sentence counts are observations and what they are called."""
    rows = lexicon_rows("ichinoseki_council_indicators.csv")
    return tuple(Rule(r["kind"], r["match"], r["cue"], r["indicator"], r["reason"]) for r in rows)


# ---------------------------------------------------------------- outline and tables


@dataclass(frozen=True)
class Outline:
    """基本目標 names and the 施策展開の方向性 list as the plan outline prints them."""

    goals: dict[int, str]
    policies: tuple[str, ...]


def read_outline(lines: list[str], source_file: str) -> Outline:
    """Read 基本目標 (``- 1 地域福祉を担う人づくり**``) and 施策展開の方向性 from the outline; check the lexicon."""
    goal_names: dict[int, str] = {}
    policy_names: list[str] = []
    section = ""
    for line in lines:
        if line.startswith("#"):
            section = line.strip("# ").strip()
            continue
        if section == "基本目標" and (m := _OUTLINE_GOAL.match(line)):
            goal_names[int(m.group(1))] = m.group(2).strip()
        elif section == "施策展開の方向性" and line.startswith("- "):
            policy_names.append(_BOLD.sub("", line[2:]).strip())  # line 190: "… **新規**"
    if not policy_names and not goal_names:  # an extract without the outline (lines 173-197): lexicon names
        return Outline({n: names[0] for n, names in goals().items()}, tuple(p.name for p in policies()))
    if [p.name for p in policies()] != policy_names:
        raise SheetError(source_file, 0, "施策展開の方向性 in the outline differ from ichinoseki_council_policies.csv")
    for number, names in goals().items():
        if goal_names.get(number) != names[0]:
            raise SheetError(source_file, 0, f"基本目標 {number} in the outline differs from the lexicon")
    return Outline(goal_names, tuple(policy_names))


@dataclass(frozen=True)
class Column:
    """A value column of a table: which cell, its header, fiscal year and value kind."""

    index: int
    section: str
    fiscal_year: int
    value_kind: str
    is_project: bool


@dataclass(frozen=True)
class Table:
    """One of the two tables, known by its header years (the page headers repeat)."""

    header_line: int
    actual_year: int
    plan_year: int
    columns: tuple[Column, ...]


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 9 and key(cells[0]) == "基本目標" and "実績" in cells[5]


def read_header(cells: list[str], line: int, source_file: str) -> Table:
    """Column roles and years from a header row (``令和4年度実績 … 令和5年度計画 …``), by header text."""
    years: dict[int, tuple[int, str]] = {}
    for index in VALUE_CELLS:
        text = strip_html(cells[index])
        year = parse_fiscal_year(text)
        if year is None:
            raise SheetError(source_file, line, f"header cell without 年度: {text!r}")
        section = _BRACKET_TO_END.sub("", text)  # line 227: "令和4年度事業 (事業名を入力)"
        years[index] = (year, section)
    actual = [y for i, (y, s) in years.items() if "実績" in s]
    plan = [y for i, (y, s) in years.items() if "計画" in s]
    if len(actual) != 1 or len(plan) != 1:
        raise SheetError(source_file, line, "header without exactly one 実績 and one 計画 column")
    columns = []
    for index, (year, section) in years.items():
        kind = "actual" if ("実績" in section or ("事業" in section and year == actual[0])) else "plan"
        columns.append(Column(index, section, year, kind, "事業" in section))
    return Table(line, actual[0], plan[0], tuple(columns))


@dataclass
class Block:
    """The rows of one 施策 inside one table."""

    table: Table
    policy: Policy
    lines: list[int]
    opening: str

    @property
    def first_line(self) -> int:
        return self.lines[0]


def match_policy(cells: list[str]) -> Policy | None:
    """The 施策 whose 施策の展開 opening words stand in the first three cells (shifted rows included)."""
    text = key(" ".join(cells[:3]))
    found = [p for p in policies() if key(p.opening) in text]
    return found[0] if len(found) == 1 else None


def _opening_cell(cells: list[str], policy: Policy) -> str:
    return next(c for c in cells[:3] if key(policy.opening) in key(c))


def check_numbering(cells: list[str], policy: Policy, line: int, source_file: str, book: SheetBuilder) -> None:
    """Check the numbers and names printed in the 基本目標 / 方向性 cells against the matched 施策."""
    for cell in cells[:2]:
        text = nfkc(strip_html(cell)).strip()
        if not text:
            continue
        numbers = {int(n) for n in _DIGITS.findall(text)}
        if not numbers <= {policy.goal, policy.number}:
            raise SheetError(source_file, line, f"numbering {text!r} does not fit 施策 {policy.goal}-{policy.number}")
        if _OCR_BEFORE_NUMBER.search(text):  # line 230: 進(3); line 231: ワ(1)
            book.quirk(f"OCR junk before the 施策 number ({text!r}); number read from the brackets", line, kind="ocr")
        if _CIRCLED_DIGIT.fullmatch(strip_html(cell).strip()):  # line 282: ⑤ in the 基本目標 column
            book.quirk(f"施策 number printed as a circled digit ({strip_html(cell).strip()})", line, kind="circled")
        words = key(_DIGITS_AND_BRACKETS.sub("", text))
        if not words or len(words) <= 1:
            continue
        if words in KUBUN:  # line 338: 市民 in the 方向性 column, the 施策の展開 in col 3
            book.quirk(
                f"区分 value {words!r} moved left into the 施策 columns; row kept by its content", line, kind="kubun"
            )
        elif any(key(n) in words for n in goals()[policy.goal]):
            if cell is cells[1]:  # line 292: "1" | 地域福祉を担う人づくり
                book.quirk("基本目標 name printed in the 施策展開の方向性 column", line, kind="goal-col2")
        elif any(key(n) in words for n in policy.names):
            if cell is cells[0]:  # line 238: 地域とつながり続ける関係づくり | (2)
                book.quirk("施策 name printed in the 基本目標 column", line, kind="policy-col1")
        elif any(key(n) in words for p in policies() for n in p.names):
            raise SheetError(source_file, line, f"施策 cell {text!r} names another 施策 than {policy.name}")
        else:
            book.quirk(
                f"unrecognised text {text!r} in the 施策 columns; row kept by content", line, kind=f"unknown {words}"
            )


def read_blocks(lines: list[str], source_file: str, book: SheetBuilder) -> list[Block]:
    """Group table rows into 施策 blocks; a row's years come from the most recent header."""
    table: Table | None = None
    blocks: list[Block] = []
    current: Block | None = None
    for n, line in enumerate(lines, start=1):
        cells = split_cells(line)
        if len(cells) < 9:
            continue
        if _is_header(cells):
            header = read_header(cells, n, source_file)
            if table and (header.actual_year, header.plan_year) == (table.actual_year, table.plan_year):
                book.quirk("table header repeated on every page; the table continues", n, kind="header")
            else:
                if table:  # line 291: the reference table 令和3年度実績/令和4年度計画 after 令和4年度実績/令和5年度計画
                    book.quirk(
                        "a second table differing only in its header years; rows take the years "
                        "of the most recent header, never the page title (計画期間:令和3年度～7年度)",
                        n,
                        kind="tables",
                    )
                table, current = header, None
            continue
        if table is None:
            continue
        policy = match_policy(cells)
        if policy is None:
            if current is None:
                raise SheetError(source_file, n, "table row before any 施策 row")
            if any(key(c) in KUBUN for c in cells[1:3]):  # line 339: 社協 in the 方向性 column, its role in col 3
                book.quirk("区分 values moved one column left; row kept with the 施策 above", n, kind="kubun")
            current.lines.append(n)
            continue
        check_numbering(cells, policy, n, source_file, book)
        same = [b for b in blocks if b.table is table and b.policy == policy]
        if same:
            current = same[0]
            current.lines.append(n)
            continue
        current = Block(table, policy, [n], strip_html(_opening_cell(cells, policy)))
        blocks.append(current)
    return blocks


# ---------------------------------------------------------------- cells and items


@dataclass(frozen=True)
class Item:
    """One ■ bullet (or unbulleted text) of a value cell, with its department and raw span on the line."""

    block: Block
    column: Column
    line: int
    start: int
    end: int
    raw: str
    department: str
    printed: str
    inherited_from: int

    @property
    def text(self) -> str:
        return strip_html(self.raw).lstrip("■・ ").strip()


@per_parse_cache
def masked(line: str) -> str:
    """The line with layout tags blanked out (same length, so offsets stay exact)."""
    return blank_out(line)


@per_parse_cache
def cell_spans(line: str) -> tuple[tuple[int, int], ...]:
    """Start and end offset of every tab-separated cell of a line."""
    spans, start = [], 0
    for cell in line.split("\t"):
        spans.append((start, start + len(cell)))
        start += len(cell) + 1
    return tuple(spans)


def canonical_department(printed: str) -> str:
    """A 【課】 label as the department it names (spelling variants such as いきがいがづくり課 unified)."""
    name = printed.strip()
    return departments().get(name, name)


def cell_items(
    block: Block, column: Column, line_no: int, line: str, inherited: tuple[str, int] | None
) -> tuple[list[Item], tuple[str, int] | None]:
    """Split one value cell into items; bullets before any 【課】 inherit the cell above's department."""
    start, end = cell_spans(line)[column.index]
    text = masked(line)[start:end]
    items: list[Item] = []
    printed, origin = (inherited[0], inherited[1]) if inherited else ("", 0)
    from_above = inherited is not None
    seg_start = 0

    def flush(upto: int) -> None:
        raw = line[start + seg_start : start + upto]
        if strip_html(raw).strip("■・ "):
            items.append(
                Item(
                    block,
                    column,
                    line_no,
                    start + seg_start,
                    start + upto,
                    raw,
                    canonical_department(printed),
                    printed if not from_above else "",
                    origin if from_above else 0,
                )
            )

    for m in _MARKER.finditer(text):  # line 296: ・ bullets in the 事業 column; line 351: ■ without 【課】
        flush(m.start())
        if m.group("dept") is not None:
            printed, origin, from_above = m.group("dept").strip(), line_no, False
            seg_start = m.end()
        else:
            seg_start = m.start()
    flush(len(text))
    return items, ((printed, origin) if printed else inherited)


def block_items(block: Block, lines: list[str]) -> list[Item]:
    """Every item of a block's value cells, column by column, row by row."""
    items: list[Item] = []
    for column in block.table.columns:
        carried: tuple[str, int] | None = None
        for n in block.lines:
            found, carried = cell_items(block, column, n, lines[n - 1], carried)
            items.extend(found)
    return items


# ---------------------------------------------------------------- numbers inside items


@dataclass(frozen=True)
class Token:
    """A digit run (or circled marker) on a line, by absolute offset."""

    start: int
    end: int
    text: str


@dataclass(kw_only=True)
class Candidate(Draft):
    """A count read from an item, before duplicates across the file are resolved (year, kind, line and department
    from its item; measure, value and unit once it is kept)."""

    item: Item
    label: str
    raw_start: int
    raw_end: int
    quantity: Quantity
    refused: bool = False

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.item.block.policy.name, self.indicator, self.item.column.fiscal_year, self.item.column.value_kind)


@dataclass(frozen=True)
class Claim:
    """What became of one token: an observation candidate or a skip reason."""

    token: Token
    reason: str
    candidate: Candidate | None = None


def tokens_in(text: str, offset: int) -> list[Token]:
    """Digit runs (``5,321``, ``4.11.30``) and circled markers in a text starting at ``offset``."""
    return [Token(offset + m.start(), offset + m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _skip_spaces_back(text: str, i: int) -> int:
    while i > 0 and text[i - 1] in " \t\u3000":
        i -= 1
    return i


def label_before(text: str, pos: int) -> tuple[str, int, int | None, int]:
    """Label printed before the number at ``pos``: (label, label start, label's fiscal year, value start).

    The value starts at a 延べ written before the number, so the count basis stays in ``value_raw``.

    >>> label_before("(相談者数 延べ451人)", 8)
    ('相談者数', 1, None, 6)
    >>> label_before("○ 令和4年度月額貸付者 38人", 13)
    ('月額貸付者', 2, 2022, 13)
    """
    i = _skip_spaces_back(text, pos)
    value_start = pos
    stated = find_count_basis(text[:i], at="end")  # 延べ before the number: parse_quantity reads the basis
    if stated.basis:
        i = value_start = stated.start
    i = _skip_spaces_back(text, i)
    if i > 0 and text[i - 1] in ":：":
        i = _skip_spaces_back(text, i - 1)
    end = i
    while i > 0 and text[i - 1] not in _LABEL_STOP and not text[i - 1].isdigit():
        i -= 1
    label, year = text[i:end], None
    if label.startswith("年度") and (m := _ERA_YEAR_AT_END.search(text[:i])):
        year, label, i = era_to_gregorian(m.group(1), m.group(2)), label[2:], m.start()  # line 284: 令和4年度月額貸付者
    return label, i, year, value_start


def unit_after(text: str, pos: int) -> str:
    """The count unit right after a number (``人``, ``か所``, ``団体`` …), or '' (time units are not counts).

    >>> unit_after("5団体)", 1), unit_after("12月頃", 2)
    ('団体', '')
    """
    unit = _COUNT_UNIT.match(text[pos:].lstrip(" \u3000"))
    return unit.group() if unit else ""


def _label_rule(label: str, text_key: str) -> Rule | None:
    label_key = key(label)
    for rule in rules():
        if rule.kind == "label" and key(rule.match) == label_key and rule.cue_in(text_key):
            return rule
    return None


def _quantity(value_raw: str, line: int, source_file: str) -> Quantity:
    quantity = parse_quantity(value_raw)
    if quantity is None or quantity.value is None:
        raise SheetError(source_file, line, f"cannot read the count {value_raw!r}")
    return quantity


class ItemReader:
    """Reads the counts of one item and accounts for every token in it."""

    def __init__(self, item: Item, line: str, source_file: str) -> None:
        self.item = item
        self.source_file = source_file
        self.text = masked(line)[item.start : item.end]
        self.line = line
        self.tokens = tokens_in(self.text, item.start)
        self.claims: dict[int, Claim] = {}
        self.candidates: list[Candidate] = []

    @cached_property
    def key(self) -> str:
        """Comparison key of the item's text (for the crosswalk's cues and labels)."""
        return key(self.text)

    @cached_property
    def zones(self) -> list[tuple[int, int, str]]:
        """Footnote and breakdown spans of the item's text."""
        return self._zones()

    def _rel(self, absolute: int) -> int:
        return absolute - self.item.start

    def _zones(self) -> list[tuple[int, int, str]]:
        """Footnotes on brackets and 内訳 runs (line 284): their numbers belong to a total's note."""
        zones: list[tuple[int, int, str]] = []
        if "内は" in self.text:  # every footnote says ( )内は…
            zones += [(m.start(), m.end(), "footnote") for m in _FOOTNOTE.finditer(self.text)]
        if "内訳" not in self.text:
            return zones
        for m in _BREAKDOWN.finditer(self.text):
            mark = self.text.find("※", m.end())
            stops = [z[0] for z in zones if z[0] > m.start()] + ([mark] if mark >= 0 else []) + [len(self.text)]
            zones.append((m.start(), min(stops), "breakdown"))
        return zones

    def _in_zone(self, token: Token) -> bool:
        return any(s <= self._rel(token.start) < e for s, e, _ in self.zones)

    def _free(self, start: int, end: int) -> list[Token]:
        return [t for t in self.tokens if start <= self._rel(t.start) < end and t.start not in self.claims]

    def claim(self, token: Token, reason: str, candidate: Candidate | None = None) -> None:
        self.claims.setdefault(token.start, Claim(token, reason, candidate))

    def read(self) -> None:
        """Patterns first, then labelled counts, then notes for brackets and breakdowns, then skips."""
        if not self.tokens:
            return  # no number to read or account for
        self.read_patterns()
        self.read_labels()
        self.attach_notes()
        self.read_narrative()
        self.skip_rest()

    def add_candidate(self, indicator: str, label: str, start: int, end: int, notes: Iterable[str] = ()) -> Candidate:
        """Record a count between ``start`` and ``end`` (item-relative) and claim its token."""
        value_raw = self.line[self.item.start + start : self.item.start + end]
        item = self.item
        cand = Candidate(
            item=item,
            indicator=indicator,
            label=label,
            raw_start=item.start + start,
            raw_end=item.start + end,
            value_raw=value_raw,
            quantity=_quantity(value_raw, item.line, self.source_file),
            fiscal_year=item.column.fiscal_year,
            value_kind=item.column.value_kind,
            source_line=item.line,
            department=item.department,
            value_origin="narrative",  # every count of the papers stands in a sentence of a ■ bullet
            notes=list(notes),
        )
        for token in self._free(start, end):
            self.claim(token, indicator, cand)
        self.candidates.append(cand)
        return cand

    def read_patterns(self) -> None:
        """Crosswalk patterns: counts whose label is a phrase around the number (``5名を配置``, ``16法人30施設``)."""
        for rule in rules():
            if rule.kind not in ("pattern", "skip") or not rule.cue_in(self.key):
                continue
            for m in rule.pattern.finditer(self.text):
                start, end = m.span("v")
                free = self._free(start, end)
                if not free or len(free) != len(_TOKEN.findall(m.group("v"))):
                    continue
                if rule.kind == "skip":  # line 282: 同意した1,598人のうち… repeats the figure before it
                    for token in free:
                        self.claim(token, rule.reason)
                else:
                    self.add_candidate(rule.indicator, m.group(0), start, end)

    def read_labels(self) -> None:
        """``label 延べN人`` counts (``相談者数 延べ451人``, ``(件数:延べ21件)``) where the label names the count."""
        for token in list(self.tokens):
            if token.start in self.claims or self._in_zone(token) or token.text in CIRCLED_MARKERS:
                continue
            rel = self._rel(token.start)
            unit = unit_after(self.text, self._rel(token.end))
            if not unit:
                continue
            label, label_start, year, value_start = label_before(self.text, rel)
            rule = _label_rule(label, self.key)
            if rule:  # line 228: (件数:延べ21件) named by its sentence 高齢者や障がい者との交流
                indicator = rule.indicator
            elif label.endswith("数") and len(label) >= 3 and label not in GENERIC_LABELS:
                indicator = label
            else:
                continue
            end = self.text.index(unit, self._rel(token.end)) + len(unit)
            notes = [f"printed label: {label}"] if indicator != label else []
            cand = self.add_candidate(indicator, label, value_start, end, notes)
            if year is not None:
                self.check_label_year(cand, year, label_start, rel)

    def check_label_year(self, cand: Candidate, year: int, label_start: int, value_rel: int) -> None:
        """A label with its own 年度 (``令和4年度月額貸付者``) must agree with the column's year (line 285)."""
        for token in self._free(label_start, value_rel):
            self.claim(token, f"fiscal year in the label of {cand.value_raw}")
        if year != cand.item.column.fiscal_year:  # line 285: 令和4年度月額貸付者 in the 令和5年度計画 column
            cand.refused = True
            printed = self.text[label_start:value_rel].strip()
            cand.notes.append(
                f"label {printed!r} names FY{year} but the cell stands in the {cand.item.column.section} column: "
                "year uncertain, value not assigned"
            )

    def attach_notes(self) -> None:
        """Brackets after a value, ``:`` breakdowns, 内訳 and footnotes go into the note of the count before them."""
        ordered = sorted(self.candidates, key=lambda c: c.raw_start)
        for cand in ordered:
            self._trailing(cand)
        for start, end, kind in sorted(self.zones):  # line 284: 内訳:助産師・看護師31人(11人)…; ( )内は…
            before = [c for c in ordered if self._rel(c.raw_end) <= start]
            text = strip_html(self.text[start:end]).strip()
            owners = before[-1:] if kind == "breakdown" else before
            if kind == "breakdown" and owners:
                self.breakdown_counts(owners[0], start, end)
            for token in self._free(start, end):
                if not owners:
                    self.claim(token, "sub-count without a total before it; not taken")
                elif kind == "breakdown":
                    self.claim(token, f"breakdown (内訳) of {owners[0].value_raw}, kept in note")
                else:
                    self.claim(token, "fiscal year in the footnote on bracketed figures")
            for owner in owners:
                owner.notes.append(text)

    def _trailing(self, cand: Candidate) -> None:
        rel_end = self._rel(cand.raw_end)
        m = _TRAILING_BRACKET.match(self.text, rel_end)
        if m:  # line 282: 5,321人(R4.11.30現在), 1,598人(30.0%); line 284: 1人(0人)
            inner = m.group("inner")
            cand.notes.append(f"({inner.strip()})")
            if "現在" in inner:
                cand.year_basis = f"{cand.item.column.section} column; figure as of {inner.strip()}"
                reason = f"as-of date of {cand.value_raw}, kept in note"
            elif "%" in inner or "％" in inner:
                reason = f"share after {cand.value_raw}, kept in note"
            else:
                reason = f"sub-count in brackets after {cand.value_raw}, kept in note"
                # line 358: 参加者 28人(自主防災部及び住民21人、…): labelled parts are observations of their own
                self.breakdown_counts(cand, m.start("inner"), m.end("inner"))
            for token in self._free(m.start("inner"), m.end("inner")):
                self.claim(token, reason)
            return
        if self.text[rel_end : rel_end + 1] in (":", "："):  # line 283: (参加者30名:自主防災組織19名、…)
            close = min(
                [i for i in (self.text.find(")", rel_end), self.text.find("）", rel_end)) if i > 0] or [rel_end]
            )
            cand.notes.append(f"内訳{self.text[rel_end:close].strip()}")
            self.breakdown_counts(cand, rel_end + 1, close)
            for token in self._free(rel_end, close):
                self.claim(token, f"breakdown of {cand.value_raw}, kept in note")

    def breakdown_counts(self, owner: Candidate, start: int, end: int) -> None:
        """Labelled parts of a total (内訳:助産師・看護師31人…, line 284) read by the shared narrative rules: each
        an observation named under its total; unlabelled parts stay in the total's note."""
        if owner.refused:
            return
        found = extract_counts(self.text[start:end])
        for count in found.counts:
            if not self._free(start + count.digits[0], start + count.digits[1]):
                continue
            notes = [f"breakdown of {owner.value_raw} ({owner.indicator})", *count.notes]
            self.add_candidate(
                f"{owner.indicator} {count.indicator}", count.indicator, start + count.start, start + count.end, notes
            )

    def read_narrative(self) -> None:
        """Counts the crosswalk does not name, read by the shared narrative rules (a label before the number, a
        verb after its counter); numbers inside footnotes and breakdowns stay with their total."""
        found = extract_counts(self.text)
        for count in found.counts:
            digits = self._free(count.digits[0], count.digits[1])
            if not digits or self._in_zone(digits[0]):
                continue
            notes = [f"label read by the shared narrative rules ({count.rule_id})", *count.notes]
            self.add_candidate(count.indicator, count.indicator, count.start, count.end, notes)

    def skip_rest(self) -> None:
        """Dates, rules, ordinals and unlabelled numbers: skipped with a reason."""
        for span in non_count_spans(self.text, _SKIP_RULES):
            for token in self._free(span.start, span.end):
                self.claim(token, span.reason)
        for token in self._free(0, len(self.text)):
            self.claim(token, "no label naming what is counted; not taken")


# ---------------------------------------------------------------- notes that need the whole file


@per_parse_cache
def _bigrams(text: str) -> frozenset[tuple[str, str]]:
    """Every pair of neighbouring characters of the text's comparison key."""
    compact = key(text)
    return frozenset(itertools.pairwise(compact))


def containment(part: str, whole: str) -> float:
    """Share of ``part``'s character bigrams found in ``whole`` (1.0 = every pair of characters recurs).

    >>> round(containment("ワークショップを開催する", "ワークショップを開催した"), 2)
    0.82
    """
    grams = _bigrams(part)
    return len(grams & _bigrams(whole)) / len(grams) if grams else 0.0


DOUBT_THRESHOLD = 0.45
"""Containment above which a plan bullet counts as the same item as a 実績 bullet (for label checks)."""


def department_doubt(item: Item, actual_items: list[Item]) -> str:
    """Note when a 計画/事業 bullet matches a 実績 bullet of another 【課】 and none of its own (line 228)."""
    if item.column.value_kind == "actual" and not item.column.is_project:
        return ""
    scored = [(containment(item.text, a.text), a) for a in actual_items]
    own = [s for s, a in scored if a.department == item.department]
    other = [(s, a) for s, a in scored if a.department != item.department and s >= DOUBT_THRESHOLD]
    if not other or (own and max(own) >= DOUBT_THRESHOLD):
        return ""
    best = max(other, key=lambda pair: pair[0])[1]
    return (
        f"【{item.printed or item.department}】 label doubtful: the same item stands under 【{best.department}】 "
        f"in {best.column.section} (line {best.line})"
    )


def context_notes(cand: Candidate, actual_items: list[Item], twins: dict[tuple[str, str, str], list[Item]]) -> None:
    """Column, tense, department and repeated-sentence notes for one candidate."""
    item, column = cand.item, cand.item.column
    if column.is_project:  # line 352: a 実績 sentence standing in the 令和3年度事業 column
        cand.notes.append(f"stands in the {column.section} column")
    if column.value_kind == "plan" and _PAST.search(item.text):  # line 353: 就労者数 in the 令和4年度計画 column
        cand.notes.append(f"past-tense sentence in the {column.section} column; kept as plan by its column")
    if item.inherited_from:
        cand.notes.append(f"no 【課】 label before this bullet: department inherited from line {item.inherited_from}")
    elif item.printed and item.printed != item.department:  # line 230: 【いきがいがづくり課】
        cand.notes.append(f"department printed as 【{item.printed}】")
    if doubt := department_doubt(item, actual_items):  # line 228: 【長寿社会課】 ■ 各児童保育施設において…
        cand.notes.append(doubt)
    for twin in twins.get((item.block.policy.name, column.value_kind, key(item.text)), []):
        if twin.block.table is not item.block.table:
            cand.notes.append(f"same sentence stands in {twin.column.section} (line {twin.line})")


# ---------------------------------------------------------------- records


def measure_id(city: str, policy: Policy) -> str:
    """Stable id from the plan's numbering: ``ichinoseki-<基本目標>-<施策展開の方向性>``."""
    return f"{city}-{policy.goal}-{policy.number}"


@dataclass(frozen=True)
class MeasureInfo:
    """Names a measure carries into every record."""

    measure_id: str
    measure: str
    goal: str
    direction: str
    policy: str


def measure_info(city: str, block: Block, outline: Outline) -> MeasureInfo:
    """Names the measure carries: outline names of its 基本目標 and 施策, and the 施策の展開 text."""
    p = block.policy
    return MeasureInfo(
        measure_id(city, p), p.name, f"{p.goal} {outline.goals[p.goal]}", f"({p.number}) {p.name}", block.opening
    )


def _departments_of(items: list[Item]) -> str:
    seen: list[str] = []
    for item in items:
        if item.department and item.department not in seen:
            seen.append(item.department)
    return "、".join(seen)


def listing(book: SheetBuilder, block: Block, info: MeasureInfo, items: list[Item], repeat: bool) -> None:
    """The place a block lists its 施策 (the reference table repeats the first table's listing)."""
    book.listing(
        info.measure_id,
        info.measure,
        block.first_line,
        goal=info.goal,
        direction=info.direction,
        policy=info.policy,
        department=_departments_of(items),
        is_repeat=repeat,
    )


def activity(book: SheetBuilder, info: MeasureInfo, item: Item) -> None:
    """One bullet as a narrative item with its column's year and kind."""
    column = item.column
    book.activity(
        info.measure_id,
        column.fiscal_year,
        column.value_kind,
        item.text,
        item.line,
        department=item.department,
        section=column.section,
    )


def observation(book: SheetBuilder, info: MeasureInfo, cand: Candidate) -> None:
    """A candidate kept as an Observation of its measure; a refused candidate keeps its token but no value."""
    q = cand.quantity
    book.observe(
        replace(
            cand,
            measure_id=info.measure_id,
            measure=info.measure,
            goal=info.goal,
            direction=info.direction,
            policy=info.policy,
            value=None if cand.refused else q.value,
            unit=q.unit,
            count_basis=q.count_basis,
            notes=[*cand.notes, q.note] if q.note else cand.notes,
        )
    )


# ---------------------------------------------------------------- front matter


def _front_section(line: str, current: str) -> str:
    if "名簿" in line:
        return "member roster (名簿)"
    if "設置要綱" in line:
        return "council rules (設置要綱)"
    if line.startswith("## ") and "概要" in line:
        return "plan outline (概要)"
    return current


def _front_reason(section: str, line: str, token: Token) -> str:
    around = line[max(0, token.start - 4) : token.end + 4]
    span = non_count_at(line, token.start, _FRONT_RULES)
    if span is not None:
        kind = span.reason
    elif _DATE_OR_TIME_WORD.search(around):
        kind = "date, time or period"
    else:
        kind = "numbering or reference"
    return f"{section}: {kind}; not a value column"


def front_matter_coverage(book: SheetBuilder, table_lines: set[int]) -> None:
    """Numbers outside the tables (agenda, roster, 設置要綱, outline, page titles): skipped, never values."""
    lines = book.lines
    section = "agenda (次第)"
    first_table_line = min(table_lines, default=None)
    for n, line in enumerate(lines, start=1):
        if n in table_lines:
            continue
        before_tables = first_table_line is None or n < first_table_line
        section = _front_section(line, section) if before_tables else "page title or note"
        where = "page title (計画期間)" if "計画期間" in line else section  # line 233: never a year of a value
        for token in tokens_in(line, 0):
            reason = _front_reason(where, line, token)
            book.cover(n, token.start, token.text, "skipped", reason, "outside_values")


# ---------------------------------------------------------------- parse


def _resolve(cands: list[Candidate]) -> tuple[dict[int, Candidate], dict[int, str]]:
    """One candidate per key: the 実績/計画 column before a 事業 column, then the earlier line."""
    chosen: dict[tuple[str, str, int, str], Candidate] = {}
    for cand in sorted(cands, key=lambda c: (c.item.column.is_project, c.item.line, c.raw_start)):
        chosen.setdefault(cand.key, cand)  # line 351: 相談者数 延べ436人 in 事業, again in 実績 on line 352
    kept = {id(c): c for c in chosen.values()}
    dropped: dict[int, str] = {}
    for cand in cands:
        if id(cand) in kept:
            continue
        keep = chosen[cand.key]
        if cand.quantity.value == keep.quantity.value:
            dropped[id(cand)] = f"same figure already recorded at line {keep.item.line} ({keep.item.column.section})"
        else:
            dropped[id(cand)] = f"conflicts with line {keep.item.line}; not assigned"
            keep.notes.append(f"line {cand.item.line} gives {cand.value_raw}")
    return kept, dropped


_PLAN_END = re.compile(r"(?:する|行う|図る|いく|進める|努める|設ける|深める|取り組む)。?\s*$")
_SKIP_QUIRKS: tuple[tuple[str, str], ...] = (
    ("frequency rule", "frequency rules (月1回開催, 年1回) are not counts"),
    ("date", "dates (R4.11.30, 令和4年6月7日, 1/19, 12月頃) are not counts"),
    ("ordinal", "ordinals (第2期, 第8期) are not counts"),
    ("repeats", "a figure repeated as the base of the next one (同意した1,598人のうち) is counted once"),
    ("no label", "numbers whose sentence does not name what is counted (4計画) are not taken"),
    ("same figure", "the same count standing twice (実績 and 事業 columns) is one observation"),
)


def _one_starts_other(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _item_quirks(book: SheetBuilder, items: list[Item]) -> None:
    """Quirks seen in the bullets themselves: inherited or variant departments, tense and repeated sentences."""
    twins: dict[int, list[str]] = {}
    for item in sorted(items, key=lambda i: i.column.value_kind):
        if item.inherited_from:
            book.quirk(
                "bullet without 【課】 label: department inherited from the cell above", item.line, kind="inherit"
            )
        if item.printed and item.printed != item.department:
            book.quirk(
                f"department spelling variant 【{item.printed}】 → {item.department}", item.line, kind="dept-variant"
            )
        if item.column.value_kind == "actual" and _PLAN_END.search(item.text) and not _PAST.search(item.text):
            book.quirk(
                "plan-tense sentence in a column of the 実績 year (事業 column "
                "holding plan text, 計画 column holding project names): kept by its column",
                item.line,
                kind="plan-in-actual",
            )
        if item.column.is_project:
            continue
        text = key(item.text)
        same = [t for t in twins.get(id(item.block), []) if min(len(t), len(text)) >= 20 and _one_starts_other(t, text)]
        twins.setdefault(id(item.block), []).append(text)
        if same and item.column.value_kind == "plan":  # line 300: 学校教育課 sentence in 実績 and 計画
            book.quirk(
                "the same sentence stands in the 実績 and the 計画 column: one activity per column, kind by column",
                item.line,
                kind="twin",
            )


def _candidate_quirks(book: SheetBuilder, cands: list[Candidate]) -> None:
    """Quirks seen in the counts: refused years, doubtful labels, shifted columns, breakdowns, two-count tokens."""
    by_item: dict[int, list[Candidate]] = {}
    for cand in cands:
        by_item.setdefault(id(cand.item), []).append(cand)
        notes = " ".join(cand.notes)
        if cand.refused:
            book.quirk("label year differs from the column year: value not assigned", cand.item.line, kind="label-year")
        if "label doubtful" in notes:
            book.quirk("【課】 label doubtful (same item under another 課 in 実績)", cand.item.line, kind="dept-doubt")
        if "past-tense" in notes:
            book.quirk(
                "past-tense result in a 計画 column: kept as plan by column, noted", cand.item.line, kind="tense"
            )
        if cand.item.column.is_project:
            book.quirk(
                "実績 sentence with a count in a 事業 column (cells shifted)", cand.item.line, kind="project-col"
            )
        if "内訳" in notes:
            book.quirk("内訳 / bracketed sub-counts kept in the note of their total", cand.item.line, kind="breakdown")
        if cand.year_basis:
            book.quirk(
                "count dated inside the cell (R4.11.30現在): date kept in year_basis", cand.item.line, kind="as-of"
            )
    for group in by_item.values():
        ordered = sorted(group, key=lambda c: c.raw_start)
        for a, b in itertools.pairwise(ordered):
            if a.raw_end == b.raw_start:
                book.quirk(f"one token holding two counts ({a.value_raw}{b.value_raw})", a.item.line, kind="two-counts")
    _label_changes(book, cands)


def _shared_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _label_changes(book: SheetBuilder, cands: list[Candidate]) -> None:
    """Labels that differ between the two years (巡回相談回数 / 巡回相談園数) stay separate series."""
    years: dict[tuple[str, str], set[int]] = {}
    lines: dict[tuple[str, str], int] = {}
    for cand in cands:
        if cand.item.column.value_kind == "actual":
            k = (cand.item.block.policy.name, cand.indicator)
            years.setdefault(k, set()).add(cand.item.column.fiscal_year)
            lines.setdefault(k, cand.item.line)
    for (policy, a), ya in years.items():
        for (policy_b, b), yb in years.items():
            if policy == policy_b and a < b and not ya & yb and _shared_prefix(a, b) >= 4:
                book.quirk(
                    f"label changes between the years ({a} / {b}): kept as separate series",
                    lines[(policy, a)],
                    kind=f"label-change {a}",
                )


def _skip_quirks(book: SheetBuilder) -> None:
    """One quirk line per kind of number that is not a value (dates, rules, ordinals …)."""
    for item in book.coverage():
        for word, text in _SKIP_QUIRKS:
            if item.outcome == "skipped" and item.reason.startswith(word) and "not a value column" not in item.reason:
                book.quirk(text, item.source_line, kind=f"skip-{word}")


def parse(path: Path, *, city: str, source_file: str, lines: list[str] | None = None) -> ParsedSheet:
    """Parse the council papers: two 実績/計画 tables of 施策 blocks with 【課】 ■ bullets."""
    lines = read_sheet_lines(path, source_file) if lines is None else lines
    book = SheetBuilder(city, source_file, lines)
    outline = read_outline(lines, source_file)
    blocks = read_blocks(lines, source_file, book)
    infos: dict[str, MeasureInfo] = {}
    items_of: dict[int, list[Item]] = {}
    for block in blocks:
        info = measure_info(city, block, outline)
        items_of[id(block)] = block_items(block, lines)
        listing(book, block, info, items_of[id(block)], info.measure_id in infos)
        infos.setdefault(info.measure_id, info)
    all_items = sorted((i for items in items_of.values() for i in items), key=lambda i: (i.line, i.start))
    for item in all_items:
        activity(book, infos[measure_id(city, item.block.policy)], item)
    readers = read_items(blocks, items_of, lines, source_file)
    cands = sorted((c for r in readers for c in r.candidates), key=lambda c: (c.item.line, c.raw_start))
    kept, dropped = _resolve(cands)
    for cand in cands:
        if id(cand) in kept:
            observation(book, infos[measure_id(city, cand.item.block.policy)], cand)
    table_coverage(book, readers, kept, dropped)
    table_lines = {n for b in blocks for n in b.lines}
    table_lines |= {n for n, line in enumerate(lines, start=1) if _is_header(split_cells(line))}
    front_matter_coverage(book, table_lines)
    _item_quirks(book, all_items)
    _candidate_quirks(book, cands)
    _skip_quirks(book)
    return book.finish()


def read_items(
    blocks: list[Block], items_of: dict[int, list[Item]], lines: list[str], source_file: str
) -> list[ItemReader]:
    """Read the counts of every item, with the notes that need the whole file."""
    twins: dict[tuple[str, str, str], list[Item]] = {}
    for items in items_of.values():
        for item in items:
            twins.setdefault((item.block.policy.name, item.column.value_kind, key(item.text)), []).append(item)
    readers: list[ItemReader] = []
    for block in blocks:
        items = items_of[id(block)]
        actual_items = [i for i in items if i.column.value_kind == "actual" and not i.column.is_project]
        for item in items:
            reader = ItemReader(item, lines[item.line - 1], source_file)
            reader.read()
            for cand in reader.candidates:
                context_notes(cand, actual_items, twins)
            readers.append(reader)
    return readers


def table_coverage(
    book: SheetBuilder, readers: list[ItemReader], kept: dict[int, Candidate], dropped: dict[int, str]
) -> None:
    """One coverage item per token of the value columns: its observation or why it was skipped."""
    for reader in readers:
        line = reader.item.line
        for token in reader.tokens:
            claim = reader.claims[token.start]
            cand = claim.candidate
            if cand is not None and id(cand) in kept:
                book.cover(line, token.start, cand.value_raw, "observation", cand.indicator, "narrative")
            else:
                reason = dropped.get(id(cand), claim.reason) if cand is not None else claim.reason
                book.cover(line, token.start, token.text, "skipped", reason, "narrative")

"""山口市 地域福祉計画・地域福祉活動計画 実施状況報告: per 取り組み a ■計画, a ■実績 and a ■予定 block.

Targets come from the ■計画 indicator column, actuals from the 実績値 column (and from loose lines below the
table), plans from the 予定 text; every 実施状況 / 予定 item is kept as an Activity with actor and department.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from helpers.core.count_basis import count_basis, find_count_basis
from helpers.core.fiscal_years import ERA_PATTERN, parse_fiscal_year
from helpers.core.lexicons import lexicon_rows
from helpers.core.markers import NOT_HELD_NOTE, zero_for_not_held
from helpers.core.non_counts import NonCountRule, non_count_at, non_count_reason, non_count_rules
from helpers.core.numbers import COUNTERS, MULTIPLIERS, NO_VALUE_MARKERS, to_number
from helpers.core.text import CIRCLED_MARKERS, blank_out, clean_cell, key, nfkc, split_cells
from helpers.sheets.builder import Draft, SheetBuilder
from helpers.sheets.narrative_counts import NarrativeCount, extract_counts
from helpers.sheets.records import ParsedSheet
from helpers.sources.raw_text import read_sheet_lines

ACTORS: tuple[str, ...] = ("市社協", "市")
"""The two acting bodies of the joint plan: the city council of social welfare and the city."""

TAGS: tuple[str, ...] = ("【独自】", "【受託】", "【補助】")
"""Funding tags of 市社協 rows: own project, commissioned by the city, subsidised."""

EXTRA_COUNTERS: tuple[str, ...] = ("地区社協", "企業")
"""Counter words of this sheet missing from the shared list (``25 地区社協``, ``年1企業``)."""

EXTRA_NO_VALUE: tuple[str, ...] = ("開催なし", "実施なし")
"""Phrases that stand where a count should be (``開催なし``, ``市民講座 実施なし``)."""

PREFIXES: dict[str, str] = {
    "毎年": "every year (毎年)",
    "隔年": "every other year (隔年)",
    "年各": "per year each (年各)",
    "累計": "running total (累計)",
    "延べ": "total contacts (延べ)",
    "年": "per year (年)",
    "各": "each (各)",
    "計": "total (計)",
    "約": "approximate (約)",
}
"""Words standing right before a number that qualify it; longest first when matching."""

ANNUAL_PREFIXES: frozenset[str] = frozenset({"毎年", "隔年", "年各", "年"})

_DIGITS = re.compile(r"[0-9０-９]+(?:[,，.．][0-9０-９]+)*")
_YEAR = re.compile(
    rf"{ERA_PATTERN}\s*(?P<era_year>[0-9]{{1,2}})"
    r"(?:\s*[(（]\s*(?P<greg>[0-9]{4})\s*[)）])?(?P<onward>\s*[～~〜])?"
)
_GOAL = re.compile(r"^基本目標\s*(?P<no>[0-9]+)\s*(?P<name>.+)$")
_DIRECTION = re.compile(r"^活動目標\s*(?P<no>[0-9]+)\s*(?P<name>.+)$")
_MEASURE = re.compile(rf"^(?P<marker>[{CIRCLED_MARKERS}])\s*(?P<name>[^\t]+)$")
_CHAPTER = re.compile(r"^[0-9]+\.?\s*施策・事業の推進$")
_PENDING_YEAR = 0
"""Fiscal year of a ■計画 item until the report year of its 取り組み is known (its ■実績 header comes later)."""
_NARRATIVE_SECTION = {"plan": "計画", "actual": "実施状況", "planned": "実施予定"}
_NARRATIVE_WORDS = {"year_reference": "year", "date": "date", "ordinal": "ordinal", "frequency": "frequency"}
_NARRATIVE_RULES: tuple[NonCountRule, ...] = tuple(
    rule.worded(f"{_NARRATIVE_WORDS[rule.kind]} in narrative text")
    for rule in non_count_rules(
        "era_year", "year_number", "gregorian_year", "date_month", "date_day", "ordinal", "frequency"
    )
)
"""Shared rules for digits in prose cells, worded by kind as this report's coverage words them (year in …)."""
_ORDINAL: tuple[NonCountRule, ...] = non_count_rules("ordinal")


def _load_departments() -> tuple[str, ...]:
    """Department names of the sheet (lexicon CSV), longest first so 地域福祉課 never splits another name."""
    names = [row["department"] for row in lexicon_rows("yamaguchi_report_departments.csv")]
    return tuple(sorted(names, key=len, reverse=True))


DEPARTMENTS: tuple[str, ...] = _load_departments()
_DEPT = "(?:" + "|".join(re.escape(d) for d in DEPARTMENTS) + ")"
_DEPT_RUN = re.compile(rf"{_DEPT}(?:\s+{_DEPT})*")
_DEPT_BRACKET = re.compile(rf"[〔\[]\s*(?P<dept>{_DEPT})\s*[〕\]]")
_COUNTER_WORDS = tuple(sorted(set(COUNTERS) | set(EXTRA_COUNTERS), key=len, reverse=True))
_COUNTER = re.compile(r"\s*(?P<unit>" + "|".join(re.escape(c) for c in _COUNTER_WORDS) + ")")
_NO_VALUE_WORDS = tuple(sorted({m for m in (*NO_VALUE_MARKERS, *EXTRA_NO_VALUE) if len(m) > 1}, key=len, reverse=True))
_PREFIX_WORDS = tuple(sorted(PREFIXES, key=len, reverse=True))
_DEPT_NAME = re.compile(_DEPT)
_DEPT_SEGMENT = re.compile(rf"(?:(?<=\s)|^)(?P<run>{_DEPT_RUN.pattern})(?=\s*・|\s*$)")
"""A run of department names opening a part of a text cell, before its ・ items or at the end."""
_LEADING_TAG = re.compile(r"\s*(【(?:独自|受託|補助)】)")
# The item marks below are written mark first, condition on what stands before it second (``(?<!\S・)``: at the
# start of the text or after a space), so that a search can skip straight to the next mark.
_FIRST_ITEM_MARK = re.compile(rf"[{CIRCLED_MARKERS}]|・(?<!\S・)")
"""A circled marker anywhere, or a ・ at the start of the text or after a space."""
_CIRCLED_ITEM = re.compile(rf"[{CIRCLED_MARKERS}](?<!\S[{CIRCLED_MARKERS}])")
"""A circled marker at the start of the text or after a space: only the first marker of a run such as ①②."""
_BULLET_ITEM = re.compile(r"・(?<!\S・)")
"""A ・ at the start of the text or after a space."""
_PER_UNIT = re.compile(r"\s*(?:あたり|当たり)")
_SPACE_OR_OPENING = re.compile(r"[\s(（【]")
_TIMES = re.compile(r"\s*[×xX]\s*")
_AT_LEAST = re.compile(r"以上")
_BRACKET_GROUP = re.compile(r"\s*([(（][^()（）]*[)）])")
_WHITESPACE = re.compile(r"\s+")
_BRACKET_CHAR = re.compile(r"[()（）]")
_SUB_LABEL = re.compile(r"(?P<stem>[^【]*)【(?P<sub>[^】]+)】(?P<rest>.*)")
_SEGMENT_BULLET = re.compile(r"[・○](?<!\S[・○])")
"""A ・ or ○ at the start of the text or after a space."""
_ENDS_IN_DIGIT = re.compile(r"[0-9]\s*$")
_PAGE_NUMBERS = re.compile(r"(?:\s+[0-9]+)+\s*$")
_NUMBERED = re.compile(r"^[0-9]+\s")
_TOC_MEASURE = re.compile(rf"([{CIRCLED_MARKERS}])\s*([^{CIRCLED_MARKERS}]+)")
_SPACED_YEAR = re.compile(r"[0-9]\s+年度|令和\s+[0-9]")
_COLUMN_HEADER = re.compile(r"年度(実施状況|実績値|実施予定)$")


@dataclass(kw_only=True)
class _Entry(Draft):
    """One indicator value before indicator names are linked across target and actual (``fiscal_year`` None until
    the report year of a target is known; ``value_origin`` narrative for a count read from the text cell)."""

    label: str
    digits: tuple[int, int, str] | None = None
    """Line, column and token of a narrative count's number: covered once it is kept or refused."""
    context: str = ""
    """Item heading of a narrative count, to tell its label from an equal one of the same measure."""


@dataclass
class _Section:
    """One 取り組み: its place in the plan and what its blocks yielded."""

    goal: str
    direction: str
    measure_id: str
    measure: str
    line: int
    report_year: int | None = None
    departments: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)
    target_rows: dict[str, tuple[str, str, int]] = field(default_factory=dict)


@dataclass
class _Row:
    """A table row split into actor, funding tag, departments, text cell and value cell (with offsets)."""

    actor: str
    tag: str
    departments: list[str]
    text: tuple[int, str] | None
    value: tuple[int, str] | None


Cover = Callable[..., None]
"""``cover(line, column, token, outcome, reason="")``: record a digit run's fate (the parser adds its region)."""


def _offsets(cells: list[str]) -> list[int]:
    """Start column of each cell of a raw line split at its tabs."""
    starts, col = [], 0
    for cell in cells:
        starts.append(col)
        col += len(cell) + 1
    return starts


def _is_tag(text: str) -> bool:
    """A cell (cleaned) holding only a funding tag (its own column, line 74)."""
    return text in TAGS


def _is_departments(text: str) -> bool:
    """A cell (cleaned) holding only department names (its own column, line 75; two names on line 827)."""
    return bool(text) and _DEPT_RUN.fullmatch(text) is not None


def _departments_in(text: str) -> list[str]:
    """Department names in the order the text names them."""
    return _DEPT_NAME.findall(text)


def _join(names: list[str]) -> str:
    """Several names in one field, in order, without repeats."""
    return "、".join(dict.fromkeys(filter(None, names)))


def _split_row(raw_line: str, previous_actor: str) -> _Row:
    """Classify a row's cells by content: the columns move from one 取り組み to the next (lines 39, 73, 361)."""
    cells = split_cells(raw_line)
    starts = _offsets(cells)
    first = clean_cell(cells[0])
    actor, departments = previous_actor, []
    if first in ACTORS:
        actor = first
    elif _is_departments(first):
        # line 699: a department stands in the actor column; the department belongs to 市
        actor, departments = "市", _departments_in(first)
    tag, content = "", []
    for cell, start in zip(cells[1:], starts[1:], strict=True):
        plain = clean_cell(cell)
        if not plain:
            continue
        if not content and _is_tag(plain):
            tag = plain
        elif not content and _is_departments(plain):
            departments += _departments_in(plain)
        else:
            content.append((start, cell))
    if len(content) > 2:
        raise ValueError(f"row with more than two content cells: {raw_line[:60]!r}")
    text = content[0] if content else None
    value = content[1] if len(content) > 1 else None
    return _Row(actor, tag, departments, text, value)


# ---------------------------------------------------------------- narrative items


def _leading_tag(text: str) -> tuple[str, int]:
    """A 【独自】/【受託】/【補助】 at the start of a text cell (line 40) and where the rest begins."""
    match = _LEADING_TAG.match(text)
    return (match.group(1), match.end()) if match else ("", 0)


def _department_segments(masked: str, start: int) -> list[tuple[int, int, list[str]]]:
    """Split a text cell where department names open a run of ・ items (line 294 names two in one cell)."""
    # most cells name no department at all: a quick search spares them the slower one for runs of names
    has_department = _DEPT_NAME.search(masked, start) is not None
    hits = [m for m in _DEPT_SEGMENT.finditer(masked) if m.start() >= start] if has_department else []
    if not hits:
        return [(start, len(masked), [])]
    segments = []
    if masked[start : hits[0].start()].strip():
        segments.append((start, hits[0].start(), []))
    for i, hit in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(masked)
        segments.append((hit.end(), end, _departments_in(hit.group("run"))))
    return segments


def _item_spans(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a text segment into its ①… items, or its ・ items when it has no circled markers."""
    body = masked[start:end]
    first = _FIRST_ITEM_MARK.search(body)
    if not first:
        return [(start, end)] if body.strip() else []
    if body[first.start()] in CIRCLED_MARKERS:
        # a run such as ①② or ②③ opens one item (lines 147, 911)
        pattern = _CIRCLED_ITEM
    else:
        pattern = _BULLET_ITEM
    cuts = [m.start() for m in pattern.finditer(body)]
    if not cuts or body[: cuts[0]].strip():
        cuts = [0, *cuts]
    bounds = [*cuts, len(body)]
    return [(start + a, start + b) for a, b in itertools.pairwise(bounds) if body[a:b].strip()]


# ---------------------------------------------------------------- numbers in value cells


@dataclass
class _Number:
    """A digit run of a value cell, classified."""

    start: int
    end: int
    role: str
    unit: str = ""
    unit_end: int = 0


def _bracket_depth(text: str, pos: int) -> int:
    """How many brackets are open at a position (a count inside them is a sub-count or part of a label)."""
    depth = 0
    for bracket in _BRACKET_CHAR.finditer(text, 0, pos):
        if bracket.group() in "(（":
            depth += 1
        elif depth:
            depth -= 1
    return depth


def _classify_numbers(seg: str, years: list[tuple[int, int]]) -> list[_Number]:
    """Label digits (110番, 委員1人あたり, 第2層), bracketed sub-counts, compounds (年1回×2会場) and values."""
    numbers: list[_Number] = []
    for match in _DIGITS.finditer(seg):
        if any(a <= match.start() < b for a, b in years):
            continue
        start, end = match.span()
        unit_match = _COUNTER.match(seg, end)
        unit, unit_end = (unit_match.group("unit"), unit_match.end()) if unit_match else ("", end)
        after = seg[unit_end:]
        if _bracket_depth(seg, start):
            role = "bracket"
        elif non_count_at(seg, start, _ORDINAL) is not None:
            role = "label"  # line 659: 第2層 is part of the label
        elif unit and _PER_UNIT.match(after):
            role = "label"  # line 850: 委員 1 人あたり is part of the label
        elif not unit and after and not _SPACE_OR_OPENING.match(after):
            role = "label"  # line 760: 子ども110番の家
        else:
            role = "value"
        numbers.append(_Number(start, end, role, unit, unit_end))
    for prev, cur in itertools.pairwise(numbers):
        # line 644: 年1回×2会場 is one compound count
        if prev.role == "value" and _TIMES.fullmatch(seg[prev.unit_end : cur.start]):
            prev.role, cur.role = "compound", "compound-tail"
    return numbers


def _prefix(seg: str, lower: int, start: int) -> tuple[str, int]:
    """A qualifying word right before a number (年, 毎年, 累計, 計 …) and where it starts."""
    head = seg[lower:start]
    stripped = head.rstrip()
    for word in _PREFIX_WORDS:
        if stripped.endswith(word):
            return word, lower + len(stripped) - len(word)
    return "", start


def _suffix(seg: str, pos: int) -> tuple[int, list[str], list[tuple[int, int]]]:
    """以上 and bracket groups right after a value: notes, their span end, and bracket spans."""
    notes, brackets = [], []
    match = _AT_LEAST.match(seg[pos:])
    if match:
        notes.append("at least (以上)")
        pos += match.end()
    while True:
        match = _BRACKET_GROUP.match(seg[pos:])
        if not match:
            break
        notes.append(match.group(1))
        brackets.append((pos + match.start(1), pos + match.end(1)))
        pos += match.end()
    return pos, notes, brackets


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out the given spans (year labels) so the words around them read as one label."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _clean_label(text: str) -> str:
    """Collapse spaces and trim bullets, colons and leaders (…) around a label."""
    return " ".join(text.split()).strip(" ・○:：…")


def _sub_label(text: str) -> tuple[str, str]:
    """Split ``stem【基礎編】受講者`` into stem and ``受講者(基礎編)`` (line 43); else stem before the last space."""
    match = _SUB_LABEL.fullmatch(text)
    if match:
        return _clean_label(match.group("stem")), f"{_clean_label(match.group('rest'))}({match.group('sub')})"
    if " " in text:
        stem, last = text.rsplit(" ", 1)
        return stem, last
    return "", text


def _join_label(stem: str, sub: str) -> str:
    """A stem and a sub-label as one indicator name."""
    return f"{stem} {sub}".strip() if stem else sub


@dataclass
class _CellContext:
    """Where a value cell stands: kind of value, its actor and departments, the block year."""

    kind: str
    actor: str
    department: str
    year: int | None


class _ValueCell:
    """Parse one value cell (or loose value lines) into entries, recording every digit run's fate."""

    def __init__(self, frags: list[tuple[int, int, str]], ctx: _CellContext, cover: Cover, book: SheetBuilder) -> None:
        """Mask HTML and bracketed department names; keep the raw text for quoting."""
        self.frags, self.ctx, self.cover_at, self.book = frags, ctx, cover, book
        self.raw = "\n".join(text for _, _, text in frags)
        masked = blank_out(self.raw)
        self.departments = [m.group("dept") for m in _DEPT_BRACKET.finditer(masked)]
        self.masked = blank_out(masked, _DEPT_BRACKET)
        self.entries: list[_Entry] = []
        self.parent = ""
        self.previous_label = ""

    def locate(self, pos: int) -> tuple[int, int]:
        """Line number and column of a position of the joined text."""
        offset = 0
        for line, col, text in self.frags:
            if pos <= offset + len(text):
                return line, col + pos - offset
            offset += len(text) + 1
        raise IndexError(pos)

    def raw_on_line(self, start: int, end: int) -> tuple[int, str]:
        """The raw substring for a span, cut at the end of its first line so it stays quotable."""
        line, _ = self.locate(start)
        piece = self.raw[start:end].split("\n", 1)[0]
        return line, piece.strip()

    def quirk(self, text: str, pos: int) -> None:
        """Remember a quirk with the line of a position of the joined text."""
        self.book.quirk(text, self.locate(pos)[0])

    def cover(self, start: int, end: int, outcome: str, reason: str = "") -> None:
        """Record the fate of the digit run at a position of the joined text."""
        line, col = self.locate(start)
        self.cover_at(line, col, self.raw[start:end], outcome, reason)

    def segments(self) -> Iterator[tuple[int, int]]:
        """Bullets (・, ○) of the cell; text before the first bullet is a bullet of its own (line 521)."""
        cuts = [m.start() for m in _SEGMENT_BULLET.finditer(self.masked)]
        bounds = [0, *[c for c in cuts if c > 0], len(self.masked)]
        for a, b in itertools.pairwise(bounds):
            if self.masked[a:b].strip():
                yield a, b

    def parse(self) -> list[_Entry]:
        """Entries of every bullet of the cell, in order."""
        for a, b in self.segments():
            self.parse_segment(a, b)
        return self.entries

    def new_entry(self, label: str, start: int, end: int, value: float | None, unit: str) -> _Entry:
        """Record an entry whose raw token is the span's text on its first line."""
        line, raw = self.raw_on_line(start, end)
        entry = _Entry(
            label=label,
            value_kind=self.ctx.kind,
            value=value,
            unit=unit,
            value_raw=raw,
            source_line=line,
            actor=self.ctx.actor,
            department=self.ctx.department or _join(self.departments),
            fiscal_year=self.ctx.year,
        )
        self.entries.append(entry)
        return entry

    def full_label(self, text: str) -> str:
        """Prefix the ○ heading of the cell, if any (line 937)."""
        return _join_label(self.parent, text) if self.parent else text

    def parse_segment(self, a: int, b: int) -> None:
        """One bullet: cover its year labels, then read its values or its valueless text."""
        seg = self.masked[a:b]
        years = [(m.start(), m.end(), m) for m in _YEAR.finditer(seg)]
        for _start, _end, match in years:
            self.cover_year(a, match)
        numbers = _classify_numbers(seg, [(s, e) for s, e, _ in years])
        values = [n for n in numbers if n.role in ("value", "compound")]
        marker = seg.lstrip()[:1]
        if not values:
            self.no_value_segment(a, b, seg, numbers, years, marker)
            return
        self.valued_segment(a, seg, numbers, values, years)

    def cover_year(self, a: int, match: re.Match[str]) -> None:
        """Year labels in a value cell (H32(2020)) are not values."""
        reason = "start year of an annual target (～)" if match.group("onward") else "target year label"
        for digits in _DIGITS.finditer(match.group(0)):
            pos = a + match.start() + digits.start()
            self.cover(pos, pos + len(digits.group(0)), "skipped", reason)

    def segment_year(self, years: list[tuple[int, int, re.Match[str]]], before: int) -> re.Match[str] | None:
        """The last year label standing before a position of the bullet."""
        found = [m for s, _, m in years if s < before]
        return found[-1] if found else None

    def no_value_segment(
        self,
        a: int,
        b: int,
        seg: str,
        numbers: list[_Number],
        years: list[tuple[int, int, re.Match[str]]],
        marker: str,
    ) -> None:
        """A bullet without a countable value: a ○ heading, a no-value phrase, a year-only target, or prose."""
        for number in numbers:
            reason = {
                "label": "digits inside the indicator label",
                "bracket": "count in brackets inside the label: not aligned",
            }.get(number.role, "compound count refused")
            self.cover(a + number.start, a + number.end, "skipped", reason)
        text = self.masked[a:b]
        if marker == "○" and not numbers:
            # line 937: ○各種研修会等の開催支援 heads the ・ bullets that follow
            self.parent = _clean_label(text)
            self.quirk("○ heading over the ・ value bullets that follow (prefixed to their labels)", a)
            return
        label_text, raw_start, raw_end, note = self.no_value_parts(a, b, text, years)
        label = self.full_label(label_text)
        entry = self.new_entry(label, raw_start, raw_end, None, "")
        entry.notes.append(note)
        if self.ctx.kind == "actual" and zero_for_not_held(entry.value_raw, label):
            # line 108: 検討会議を開催 / 開催なし, line 521: 市民講座 実施なし — nothing was held, so the count is 0
            # (line 293: 協賛企業数 / 実績なし counts no event and stays without a value)
            entry.value = 0.0
            entry.notes.append(NOT_HELD_NOTE)
            self.quirk("a phrase saying an event was not held (開催なし, 実施なし) gives the count 0", raw_start)
        if any(n.role == "bracket" for n in numbers):
            entry.notes.append("a count stands only in brackets inside the text; not aligned with certainty")
        if years:
            self.apply_year(entry, years[-1][2])
        elif self.ctx.kind == "target":
            entry.fiscal_year, entry.year_basis = None, "no target year written: report year"
        self.previous_label = label

    def no_value_parts(
        self, a: int, b: int, text: str, years: list[tuple[int, int, re.Match[str]]]
    ) -> tuple[str, int, int, str]:
        """Label, raw span and note of a bullet holding no value."""
        for word in _NO_VALUE_WORDS:
            pos = text.find(word)
            if pos >= 0:
                # line 293: 実績なし, line 108: 開催なし, line 521: 市民講座 実施なし ※…
                rest = _clean_label(text[pos:])
                self.quirk(
                    "no-value phrase instead of a count (実績なし, 開催なし, 実施なし): the raw cell kept", a + pos
                )
                return _clean_label(text[:pos]), a + pos, a + pos + len(word), rest
        if years:
            start, end, _match = years[0]
            # line 68: 地域交流スペースの状況把握のための調査 H30(2018): a year with no count
            return (
                _clean_label(text[:start] + text[end:]),
                a + start,
                a + end,
                "target names only the year; no count",
            )
        pos = text.find("※")
        if pos > 0:
            # line 183: 福祉教育情報交換会 ※アンケートで実施
            return _clean_label(text[:pos]), a + pos, b, "no count: " + _clean_label(text[pos:])
        lead = len(text) - len(text.lstrip(" ・○\n"))
        note = "indicator without a number" if self.ctx.kind == "target" else "no number written"
        return _clean_label(text), a + lead, b, note

    def valued_segment(
        self,
        a: int,
        seg: str,
        numbers: list[_Number],
        values: list[_Number],
        years: list[tuple[int, int, re.Match[str]]],
    ) -> None:
        """A bullet with one or more values: each value gets the label standing before it."""
        head = _mask_spans(seg, [(s, e) for s, e, _ in years])
        colon = ":" in seg[: values[0].start] and bool(self.previous_label)
        cursor, stem = 0, ""
        for index, number in enumerate(values):
            word, prefix_start = _prefix(seg, cursor, number.start)
            label_text = _clean_label(head[cursor:prefix_start])
            tail = next(n for n in numbers if n.start > number.start) if number.role == "compound" else number
            end, notes, brackets = _suffix(seg, tail.unit_end)
            for inner in numbers:
                if any(s <= inner.start < e for s, e in brackets):
                    inner.role = "note"
            if "【" in label_text:
                self.quirk("labelled sub-values in one bullet (【基礎編】受講者12人【応用編】受講者10人)", a)
            if brackets:
                self.quirk("bracket after a value (うち登録5人, 8地区社協) kept in the note", a + brackets[0][0])
            if not number.unit and number.role == "value":
                self.quirk("values without a unit (児童館2 放課後児童クラブ16)", a + number.start)
            if index == 0 and colon:
                self.quirk("breakdown bullets (・車いす:35件) labelled under the total before them", a)
                # line 147: ・車いす:35件 is a breakdown of the bullet before it
                stem, sub = self.previous_label, label_text
                notes.append(f"breakdown of {self.previous_label}")
                label = _join_label(stem, sub)
            elif index == 0:
                stem, sub = _sub_label(label_text)
                label = self.full_label(_join_label(stem, sub))
            else:
                label = self.full_label(_join_label(stem, _sub_label(label_text)[1])) if label_text else ""
            if index == len(values) - 1:
                trailing = _clean_label(seg[end:])
                if trailing and not _DIGITS.search(trailing) and not trailing.startswith("※"):
                    # line 659: …コーディネーターを7人配置: the verb after the value belongs to the label
                    label = f"{label}{trailing}"
                    self.quirk("words after the value belong to the label (…コーディネーターを7人配置)", a)
                elif trailing:
                    notes.append(trailing)
            if label_text or index == 0:
                self.value_entry(a, seg, number, numbers, word, prefix_start, label, notes, years)
            else:
                self.unlabelled(a, number, notes)
            cursor = end
        for number in numbers:
            if number.role == "label":
                self.quirk("digits inside labels (子ども110番, 委員 1 人あたり, 第2層): not values", a + number.start)
            reason = {
                "label": "digits inside the indicator label",
                "note": "sub-count in brackets kept in note",
                "bracket": "count in brackets inside the label: not aligned",
            }.get(number.role)
            if reason:
                self.cover(a + number.start, a + number.end, "skipped", reason)
        if not colon:
            self.previous_label = self.entries[-len(values)].label

    def unlabelled(self, a: int, number: _Number, notes: list[str]) -> None:
        """A second value with no words before it: kept in the previous entry's note, never guessed."""
        token = self.raw[a + number.start : a + number.unit_end]
        self.entries[-1].notes.append(f"unlabelled value {token} {' '.join(notes)}".strip())
        self.cover(a + number.start, a + number.end, "skipped", "value without a label: not aligned")

    def value_entry(
        self,
        a: int,
        seg: str,
        number: _Number,
        numbers: list[_Number],
        word: str,
        prefix_start: int,
        label: str,
        notes: list[str],
        years: list[tuple[int, int, re.Match[str]]],
    ) -> None:
        """Make the observation entry of one value and cover its digits."""
        raw_end = number.unit_end
        if seg[raw_end:].startswith("以上"):
            raw_end += 2
        if number.role == "compound":
            self.quirk("compound target (年1回×2会場) refused: empty value with a note", a + number.start)
            tail = next(n for n in numbers if n.start > number.start)
            raw_end = tail.unit_end
            entry = self.new_entry(label, a + prefix_start, a + raw_end, None, "")
            entry.notes.append(f"{entry.value_raw}: compound count, not reduced to one number")
            self.cover(a + number.start, a + number.end, "skipped", "compound count refused")
            self.cover(a + tail.start, a + tail.end, "skipped", "compound count refused")
        elif not label:
            entry = self.new_entry("(no label)", a + prefix_start, a + raw_end, None, number.unit)
            entry.notes.append("value without a label in the cell; not aligned")
            self.cover(a + number.start, a + number.end, "skipped", "value without a label: not aligned")
        else:
            value, unit = to_number(seg[number.start : number.end]), number.unit
            if value is not None and unit in MULTIPLIERS:
                # 千円 / 万円 / 割 are applied, never dropped (no such value cell in the FY2021 report)
                factor, unit = MULTIPLIERS[unit]
                value = round(value * factor, 6)
                notes = [*notes, f"{number.unit}→{unit}"]
            entry = self.new_entry(label, a + prefix_start, a + raw_end, value, unit)
            self.cover(a + number.start, a + number.end, "observation")
        if word:
            entry.notes.append(PREFIXES[word])
            if word in ANNUAL_PREFIXES and self.ctx.kind == "target":
                self.quirk("recurring target, no year (年2回以上, 毎年 8 校, 隔年1回): report year", a + number.start)
            entry.count_basis = find_count_basis(word, at="start").basis
        entry.notes.extend(n for n in notes if n != "at least (以上)" or not entry.value_raw.endswith("以上"))
        if entry.value_raw.endswith("以上"):
            entry.notes.append("at least (以上)")
        if not entry.count_basis:
            entry.count_basis = count_basis(label)  # 点字・声の広報等発行の延べ利用人数
        year = self.segment_year(years, number.start)
        if year is not None:
            self.apply_year(entry, year)
        elif self.ctx.kind == "target":
            entry.fiscal_year = None  # resolved to the report year once the ■実績 header is known
            entry.year_basis = (
                f"recurring target ({word}) with no year written: report year"
                if word in ANNUAL_PREFIXES
                else "no target year written: report year"
            )

    def apply_year(self, entry: _Entry, match: re.Match[str]) -> None:
        """Year of a target from ``H32(2020)``; ``H30(2018)～`` means every year from then on (line 30)."""
        text = _WHITESPACE.sub("", match.group(0))
        if self.ctx.kind != "target":
            entry.notes.append(f"year label {text} in a value cell")
            return
        if match.group("onward"):
            self.book.quirk("target from a start year onward (H30(2018)～ 年2地区): report year", entry.source_line)
            entry.fiscal_year = None
            entry.year_basis = f"annual target from {text}: report year"
            entry.notes.append(f"from {text} onward")
            return
        year = parse_fiscal_year(text)
        if match.group("greg") and year != int(match.group("greg")):
            entry.notes.append(f"era year and bracketed year disagree: {text}")
        entry.fiscal_year = year
        entry.year_basis = f"target year written in the cell: {text}"
        self.book.quirk("target year in the cell (H32(2020), H32 (2020), H34(2022))", entry.source_line)


# ---------------------------------------------------------------- narrative number reasons


def _narrative_reason(line: str, start: int, region: str) -> str:
    """Why a digit run in a prose cell is not a value (dates, years, frequencies) or that it is prose."""
    reason = non_count_reason(line, start, _NARRATIVE_RULES)
    if reason is not None:
        return reason
    if region == "plan":
        # line 317: 「※市内 40 社会福祉法人のうち、12 社会福祉法人で…」 background to the plan, not a target
        return "count in plan text (計画): background, not a target"
    return "number in narrative text: not a count (a rule, a name or a date)"


_REGION_REASONS = {
    "title": "fiscal year in the document title",
    "heading": "heading number",
    "block": "fiscal year in a block header",
    "glossary": "glossary text (用語)",
    "caption": "caption or figure text",
}


# ---------------------------------------------------------------- the document


class _Parser:
    """State machine over the lines: headings, blocks (■計画 / ■実績 / ■予定), tables, glossary, spills."""

    def __init__(self, lines: list[str], city: str, source_file: str) -> None:
        """Start with no heading, no block and nothing found."""
        self.lines, self.city, self.source_file = lines, city, source_file
        self.book = SheetBuilder(city, source_file, lines)
        self.regions: dict[int, str] = {}
        self.sections: list[_Section] = []
        self.toc: dict[str, tuple[str, int]] = {}
        self.goal = self.direction = ""
        self.goal_no = self.direction_no = ""
        self.toc_goal = ""
        self.title_year: int | None = None
        self.block = ""
        self.block_year: int | None = None
        self.block_label = ""
        self.actor = ""
        self.spill: list[tuple[int, str]] = []
        self.heading_order: list[str] = []
        self.value_cells: dict[int, tuple[int, int]] = {}
        """Line → span of its value cell (実績値, 主な活動指標等; a loose line below a table is all value)."""
        self.seen: dict[tuple[str, str, str, int | None], tuple[int, float | None]] = {}
        """(measure, label key, kind, year) → line and value of the figure recorded for it."""

    def quirk(self, text: str, line: int) -> None:
        """Remember a quirk with the first line that shows it."""
        self.book.quirk(text, line)

    @property
    def section(self) -> _Section:
        """The 取り組み being read."""
        return self.sections[-1]

    def run(self) -> ParsedSheet:
        """Read title, contents and body, then build the records."""
        mode = "title"
        for number, raw in enumerate(self.lines, start=1):
            text = raw.strip()
            if mode == "title" and text.startswith("目") and text.replace(" ", "") == "目次":
                mode = "toc"
                continue
            if mode == "title" and (_CHAPTER.match(text) or _GOAL.match(text)):
                mode = "body"  # an extract without title and contents starts at its first heading
            if mode == "title":
                if text:
                    self.regions[number] = "title"
                    self.title_year = self.title_year or parse_fiscal_year(text)
                continue
            if mode == "toc" and not _CHAPTER.match(text):
                self.toc_line(number, raw)
                continue
            mode = "body"
            self.body_line(number, raw, text)
        self.flush_spill()
        return self.finish()

    # ------------------------------------------------------------ table of contents

    def toc_line(self, number: int, raw: str) -> None:
        """Skip the contents table, noting measure names and page numbers (line 8)."""
        self.regions[number] = "toc"
        if _ENDS_IN_DIGIT.search(raw):
            self.quirk("table of contents skipped: page numbers are not values", number)
        raw_cells = split_cells(raw)
        cells = [clean_cell(c) for c in raw_cells]
        for cell, start in zip(raw_cells, _offsets(raw_cells), strict=True):
            plain = clean_cell(cell)
            pages = _PAGE_NUMBERS.search(cell) if any(m in plain for m in CIRCLED_MARKERS) else None
            for digits in _DIGITS.finditer(cell):
                on_page = pages is not None and digits.start() >= pages.start()
                reason = "table of contents page number" if on_page else "table of contents heading number"
                self.cover(number, start + digits.start(), digits.group(0), "skipped", reason)
        measure_cell = next((c for c in cells if any(m in c for m in CIRCLED_MARKERS)), "")
        numbered = [c for c in cells if _NUMBERED.match(c)]
        if not measure_cell or not numbered:
            return
        if len(numbered) == 2:
            self.toc_goal = numbered[0].split()[0]
        direction = numbered[-1].split()[0]
        body = _PAGE_NUMBERS.sub("", measure_cell)
        for match in _TOC_MEASURE.finditer(body):
            measure_no = CIRCLED_MARKERS.index(match.group(1)) + 1
            ident = f"{self.city}-{self.toc_goal}-{direction}-{measure_no}"
            self.toc[ident] = (match.group(2).strip(), number)

    # ------------------------------------------------------------ body

    def body_line(self, number: int, raw: str, text: str) -> None:
        """Dispatch a body line: blank, heading, block header, glossary, loose line, table header or row."""
        if not text:
            self.flush_spill()
            return
        if self.heading(number, text):
            return
        if text.startswith("■"):
            self.start_block(number, text)
            return
        if text.startswith("用語") and "説明" in text:
            self.flush_spill()
            self.block = "glossary"
            self.regions[number] = "glossary"
            return
        if self.block == "glossary":
            self.regions[number] = "glossary"
            return
        if "\t" not in raw:
            self.loose_line(number, raw, text)
            return
        if self.is_table_header(text):
            self.regions[number] = "block"
            self.actor = ""
            return
        self.table_row(number, raw)

    def heading(self, number: int, text: str) -> bool:
        """基本目標 / 活動目標 / 取り組み headings, in either order (line 870) and with or without spaces."""
        if _CHAPTER.match(text):
            if "." in text.split("施策")[0]:
                # line 377: 2. 施策・事業の推進
                self.quirk("chapter heading written with a dot (2. 施策・事業の推進)", number)
            self.mark_heading(number)
            self.heading_order.append("chapter")
            return True
        goal = _GOAL.match(text)
        if goal:
            if self.heading_order[-1:] == ["direction"]:
                # line 872: 基本目標2 follows 活動目標6 (line 870); the measure still takes both
                self.quirk("活動目標 heading before its 基本目標 heading", number)
            self.goal_no, self.goal = goal.group("no"), f"基本目標{goal.group('no')} {goal.group('name').strip()}"
            self.mark_heading(number)
            self.heading_order.append("goal")
            return True
        direction = _DIRECTION.match(text)
        if direction:
            self.direction_no = direction.group("no")
            self.direction = f"活動目標{direction.group('no')} {direction.group('name').strip()}"
            self.mark_heading(number)
            self.heading_order.append("direction")
            return True
        measure = _MEASURE.match(text)
        if measure and self.block == "" and "\t" not in text:
            self.flush_spill()
            self.new_section(number, measure)
            self.heading_order.append("measure")
            return True
        return False

    def mark_heading(self, number: int) -> None:
        """A heading closes the block and any loose values before it."""
        self.flush_spill()
        self.regions[number] = "heading"
        self.block = ""

    def new_section(self, number: int, measure: re.Match[str]) -> None:
        """Open a 取り組み under the current 基本目標 and 活動目標; id from their numbers and the ① marker."""
        measure_no = CIRCLED_MARKERS.index(measure.group("marker")) + 1
        ident = f"{self.city}-{self.goal_no}-{self.direction_no}-{measure_no}"
        name = _WHITESPACE.sub(" ", measure.group("name")).strip()
        self.sections.append(_Section(self.goal, self.direction, ident, name, number))
        self.regions[number] = "heading"
        self.block = ""
        toc = self.toc.get(ident)
        if toc and key(toc[0]) != key(name):
            # line 874 福祉員活動の強化… is 福祉員の活動の強化… in the contents (line 16)
            self.quirk("measure named differently in the table of contents; the section heading is used", number)
        if "支えあい" in self.direction:
            # line 573: 地域の支えあい活動の推進 (contents line 13: 支え合い); kept as the section writes it
            self.quirk("支えあい spelling in section headings (支え合い in the table of contents)", number)

    def start_block(self, number: int, text: str) -> None:
        """■計画 / ■令和3年度実績 / ■令和4年度予定; the year comes from the header (spaces allowed, line 211)."""
        self.flush_spill()
        self.regions[number] = "block"
        self.actor = ""
        if _SPACED_YEAR.search(text):
            # line 211: ■令和 3 年度実績
            self.quirk("block header with spaces inside the year (■令和 3 年度実績)", number)
        if text.endswith("計画"):
            self.block, self.block_year, self.block_label = "plan", None, "計画"
            return
        year = parse_fiscal_year(text)
        if year is None:
            raise ValueError(f"line {number}: block header without a year: {text!r}")
        label = _WHITESPACE.sub("", text.lstrip("■"))
        if text.endswith("実績"):
            self.block, self.block_year = "actual", year
            self.block_label = label.replace("実績", "実施状況")
            self.section.report_year = self.section.report_year or year
        elif text.endswith("予定"):
            self.block, self.block_year, self.block_label = "planned", year, label.replace("予定", "実施予定")
        else:
            raise ValueError(f"line {number}: unknown block {text!r}")

    def is_table_header(self, text: str) -> bool:
        """A column-header row (活動目標の実現に向けた取り組み / 令和3年度実施状況 / 実績値 / 実施予定)."""
        cells = [c for c in text.split("\t") if c.strip()]
        headers = ("活動目標の実現に向けた取り組み", "主な活動指標等")
        return bool(cells) and all(k in headers or _COLUMN_HEADER.search(k) for k in map(key, cells))

    def loose_line(self, number: int, raw: str, text: str) -> None:
        """Lines outside the table: captions in ■計画, values that spilled below the 実績 table (lines 107, 256)."""
        if self.block == "actual":
            if text.startswith("・"):
                self.flush_spill()
            elif not self.spill:
                raise ValueError(f"line {number}: loose line in a 実績 block without a label: {text!r}")
            self.spill.append((number, raw))
            return
        self.regions[number] = "caption"

    def flush_spill(self) -> None:
        """Parse loose value lines below a 実績 table, taking actor and department from the ■計画 row."""
        if not self.spill:
            return
        lines, self.spill = self.spill, []
        self.quirk("実績値 below the table as loose lines, actor lost (recovered from ■計画)", lines[0][0])
        if len(lines) > 1:
            # line 257: 6 件 stands under its label ・福祉体験学習等によるユニバーサルデザインの周知
            self.quirk("value on the line after its label", lines[1][0])
        frags = [(n, 0, raw) for n, raw in lines]
        self.value_cells.update({n: (0, len(raw)) for n, raw in lines})
        ctx = _CellContext("actual", "", "", self.block_year)
        for entry in _ValueCell(frags, ctx, self.cover, self.book).parse():
            found = self.section.target_rows.get(key(entry.label))
            where = f"line {lines[0][0]}"
            if found:
                entry.actor, entry.department = found[0], found[1]
                entry.notes.append(f"value below the table ({where}); actor from the ■計画 row on line {found[2]}")
            else:
                entry.notes.append(f"value below the table ({where}); actor unknown")
            entry.year_basis = "value below the 実績 table: year from its block header"
            self.section.entries.append(entry)

    # ------------------------------------------------------------ table rows

    def table_row(self, number: int, raw: str) -> None:
        """Split a row by content and hand it to the ■計画 or the 実績 / 予定 reader."""
        self.flush_spill()
        row = _split_row(raw, self.actor)
        if clean_cell(split_cells(raw)[0]) in DEPARTMENTS:
            self.quirk("a department stands in the actor column", number)
        self.actor = row.actor
        if self.block == "plan":
            self.plan_row(number, raw, row)
        elif self.block in ("actual", "planned"):
            self.report_row(number, raw, row)
        else:
            raise ValueError(f"line {number}: table row outside a block")

    def note_actor(self, actor: str, departments: list[str]) -> None:
        """Collect the actors and departments of a 取り組み for its listing."""
        if actor and actor not in self.section.actors:
            self.section.actors.append(actor)
        for dept in departments:
            if dept not in self.section.departments:
                self.section.departments.append(dept)

    def plan_row(self, number: int, raw: str, row: _Row) -> None:
        """■計画 row: activities (kept as target-year Activities) and 主な活動指標等 (targets)."""
        departments = [m.group("dept") for m in _DEPT_BRACKET.finditer(blank_out(raw))]
        if departments:
            # line 178: 〔地域福祉課〕 〔学校教育課〕 before the indicator; line 318: at the end of the activities
            self.quirk("departments in brackets inside the ■計画 cells", number)
        self.note_actor(row.actor, departments)
        self.regions[number] = "plan"
        if row.text:
            self.activities(number, row.text, row, "target", None, "計画:活動目標の実現に向けた取り組み", departments)
        if row.value:
            col, cell = row.value
            self.value_cells[number] = (col, col + len(cell))
            ctx = _CellContext("target", row.actor, _join(departments), None)
            entries = _ValueCell([(number, col, cell)], ctx, self.cover, self.book).parse()
            for entry in entries:
                self.section.target_rows.setdefault(key(entry.label), (row.actor, entry.department, number))
            self.section.entries.extend(entries)

    def report_row(self, number: int, raw: str, row: _Row) -> None:
        """実績 / 予定 row: the text cell becomes Activities, the 実績値 cell observations."""
        self.regions[number] = self.block
        departments = row.departments
        if row.text:
            kind, year = self.block_kind()
            departments = self.activities(number, row.text, row, kind, year, self.block_label, departments)
        self.note_actor(row.actor, departments)
        if row.value:
            if self.block != "actual":
                raise ValueError(f"line {number}: value cell in a 予定 block")
            col, cell = row.value
            self.value_cells[number] = (col, col + len(cell))
            ctx = _CellContext("actual", row.actor, _join(departments), self.block_year)
            self.section.entries.extend(_ValueCell([(number, col, cell)], ctx, self.cover, self.book).parse())

    def block_kind(self) -> tuple[str, int | None]:
        """value_kind and fiscal year of the narrative items of the current block."""
        return ("actual", self.block_year) if self.block == "actual" else ("plan", self.block_year)

    def activities(
        self,
        number: int,
        cell: tuple[int, str],
        row: _Row,
        kind: str,
        year: int | None,
        section: str,
        departments: list[str],
    ) -> list[str]:
        """One Activity per ①/・ item, split by the department names that open parts of the cell (line 294)."""
        col, raw = cell
        masked = blank_out(blank_out(raw), _DEPT_BRACKET)
        tag, start = _leading_tag(masked)
        if tag:
            # line 40: the tag opens the text cell; on line 74 it has a column of its own
            self.quirk("funding tag 【独自】/【受託】/【補助】 inside the text cell (elsewhere its own column)", number)
        tag = tag or row.tag
        found: list[str] = []
        segments = _department_segments(masked, start)
        if any(s[2] for s in segments):
            self.quirk("department names at the start of the text cell instead of their own column", number)
        if len([s for s in segments if s[2]]) > 1:
            self.quirk("one text cell names several departments, each with its own items", number)
        measure_id = self.section.measure_id
        item_year = year if year is not None else _PENDING_YEAR
        item_section = f"{section}{tag}"
        for seg_start, seg_end, seg_departments in segments:
            seg_depts = seg_departments or departments
            found += seg_depts
            department = _join(seg_depts)
            for a, b in _item_spans(masked, seg_start, seg_end):
                text = clean_cell(masked[a:b])
                if not text:
                    continue
                self.book.activity(
                    measure_id,
                    item_year,
                    kind,
                    text,
                    number,
                    department=department,
                    actor=row.actor,
                    section=item_section,
                )
            if self.block in ("actual", "planned"):
                self.narrative_counts(number, col, masked, seg_start, seg_end, row, seg_depts, kind, year)
        return found

    def narrative_counts(
        self,
        number: int,
        col: int,
        masked: str,
        start: int,
        end: int,
        row: _Row,
        departments: list[str],
        kind: str,
        year: int | None,
    ) -> None:
        """Labelled counts of the 実施状況 / 予定 text (line 439: ・運営費支援 33サロン), year and kind of the block."""
        found = extract_counts(masked[start:end])
        for skip in found.skips:
            self.cover(number, col + start + skip.start, skip.token, "skipped", skip.reason)
        for count in found.counts:
            self.section.entries.append(self.narrative_entry(number, col + start, count, row, departments, kind, year))
        if found.counts:
            self.quirk(
                "labelled counts inside the 実施状況 / 予定 text (運営費支援 33サロン) read as narrative values", number
            )

    def narrative_entry(
        self,
        number: int,
        offset: int,
        count: NarrativeCount,
        row: _Row,
        departments: list[str],
        kind: str,
        year: int | None,
    ) -> _Entry:
        """An entry for a count of the text cell; its coverage waits until duplicates are settled."""
        digits_start, digits_end = count.digits
        token = self.lines[number - 1][offset + digits_start : offset + digits_end]
        notes = [*count.notes, f"count in the {self.block_label} text (rule {count.rule_id})"]
        return _Entry(
            label=count.indicator,
            value_kind=kind,
            value=count.value,
            unit=count.unit,
            value_raw=count.value_raw,
            source_line=number,
            actor=row.actor,
            department=_join(departments),
            fiscal_year=year,
            year_basis=f"{self.block_label} text: year of its block header",
            count_basis=count.count_basis,
            notes=notes,
            value_origin="narrative",
            digits=(number, offset + digits_start, token),
            context=count.context,
        )

    # ------------------------------------------------------------ results

    def finish(self) -> ParsedSheet:
        """Turn every 取り組み into records, then account for every digit run."""
        report_years: dict[str, int] = {}
        for section in self.sections:
            report_years.setdefault(section.measure_id, self.finish_section(section))
        # ■計画 items wait for the report year of their 取り組み (the first section with their measure id)
        self.book.activities[:] = [
            replace(a, fiscal_year=report_years[a.measure_id]) if a.fiscal_year == _PENDING_YEAR else a
            for a in self.book.activities
        ]
        self.sweep_coverage()
        return self.book.finish(quirk_order="line")

    def finish_section(self, section: _Section) -> int:
        """Listing, target years resolved to the report year, linked indicator names, observations.

        Returns the report year, which also dates the section's ■計画 activities."""
        report_year = section.report_year or self.title_year
        if report_year is None:
            raise ValueError(f"{section.measure_id}: no report year")
        self.book.listing(
            section.measure_id,
            section.measure,
            section.line,
            goal=section.goal,
            direction=section.direction,
            department=_join(section.departments),
            actor=_join(section.actors),
        )
        for entry in section.entries:
            if entry.fiscal_year is None:
                entry.fiscal_year = report_year
                entry.year_basis = f"{entry.year_basis} ({report_year}, from the 実績 block header)".strip()
        entries = self.settle_narrative(section)
        names = _indicator_names(entries)
        units = _units_by_key(entries)
        for entry in entries:
            self.book.observe(self.observation(section, entry, names[key(entry.label)], units))
        return report_year

    def settle_narrative(self, section: _Section) -> list[_Entry]:
        """Table entries stay; a narrative count is kept unless the row's 実績値 restates it or its label already
        holds a figure for that year and kind (one fact, one observation). Covers each narrative number."""
        table = [e for e in section.entries if e.value_origin == "table"]
        for entry in table:
            self.seen.setdefault(
                (section.measure_id, key(entry.label), entry.value_kind, entry.fiscal_year),
                (entry.source_line, entry.value),
            )
        kept = list(table)
        for entry in section.entries:
            if entry.value_origin != "narrative" or entry.digits is None:
                continue
            line, col, token = entry.digits
            reason = self.narrative_clash(section, table, entry)
            if reason.startswith("cannot align") and entry.context:
                # line 440: 運営費支援 27グループ under its own item, beside 運営費支援 33サロン (line 439)
                entry.label = f"{entry.context} {entry.label}"
                reason = self.narrative_clash(section, table, entry)
            if reason:
                self.cover(line, col, token, "skipped", reason)
                continue
            self.seen[(section.measure_id, key(entry.label), entry.value_kind, entry.fiscal_year)] = (
                entry.source_line,
                entry.value,
            )
            self.cover(line, col, token, "observation")
            kept.append(entry)
        return kept

    def narrative_clash(self, section: _Section, table: list[_Entry], entry: _Entry) -> str:
        """Why a narrative count is not a new observation ('' when it is)."""
        for other in table:
            same_place = (
                other.source_line == entry.source_line
                or other.unit.startswith(entry.unit)
                or entry.unit.startswith(other.unit)
            )
            if (other.value_kind, other.fiscal_year, other.actor, other.value) == (
                entry.value_kind,
                entry.fiscal_year,
                entry.actor,
                entry.value,
            ) and same_place:
                return f"repeat of line {other.source_line}: the narrative restates the 実績値 column"
        seen = self.seen.get((section.measure_id, key(entry.label), entry.value_kind, entry.fiscal_year))
        if seen is None:
            return ""
        if seen[1] == entry.value:
            return f"repeat of line {seen[0]}: same label and figure"
        return f"cannot align labels and values: the label already has another figure on line {seen[0]}"

    def observation(self, section: _Section, entry: _Entry, indicator: str, units: dict[str, set[str]]) -> _Entry:
        """The entry as kept: its measure, its linked indicator name and unit notes."""
        notes = list(entry.notes)
        written = {u for u in units[key(entry.label)] if u}
        if len(written) > 1:
            notes.append("unit differs between target and actual (" + "/".join(sorted(written)) + "); kept as written")
        if entry.unit and _unit_contradicts(indicator, entry.unit):
            notes.append(f"unit {entry.unit} does not match the label; kept as written")
            self.quirk("unit contradicts the indicator label (kept as written)", entry.source_line)
        return replace(
            entry,
            measure_id=section.measure_id,
            measure=section.measure,
            indicator=indicator,
            goal=section.goal,
            direction=section.direction,
            notes=notes,
        )

    def sweep_coverage(self) -> None:
        """Give every digit run not yet accounted for the reason of the region it stands in."""
        for number, raw in enumerate(self.lines, start=1):
            region = self.regions.get(number, "")
            for match in _DIGITS.finditer(raw):
                if self.book.covered(number, match.start()) is not None:
                    continue
                if region in _REGION_REASONS:
                    reason = _REGION_REASONS[region]
                elif region in _NARRATIVE_SECTION:
                    reason = _narrative_reason(raw, match.start(), region)
                else:
                    raise ValueError(f"line {number}: digits outside any known region: {raw[:60]!r}")
                self.cover(number, match.start(), match.group(0), "skipped", reason)

    def cover(self, line: int, col: int, token: str, outcome: str, reason: str = "") -> None:
        """Record the fate of the digit run at a column of a line, in the region it stands in."""
        self.book.cover(line, col, token, outcome, reason, self.region_of(line, col))

    def region_of(self, number: int, col: int) -> str:
        """value_column inside a row's value cell, narrative in its text cells, outside_values elsewhere."""
        cell = self.value_cells.get(number)
        if cell is not None and cell[0] <= col < cell[1]:
            return "value_column"
        if self.regions.get(number, "") in _NARRATIVE_SECTION:
            return "narrative"
        return "outside_values"


def _indicator_names(entries: list[_Entry]) -> dict[str, str]:
    """One indicator name per label key in a measure: the spelling with the fewest spaces (line 209 vs 216)."""
    names: dict[str, str] = {}
    for entry in entries:
        k = key(entry.label)
        if k not in names or entry.label.count(" ") < names[k].count(" "):
            names[k] = entry.label
    return names


def _units_by_key(entries: list[_Entry]) -> dict[str, set[str]]:
    """Units written for each label key of a measure, to note where target and actual differ (line 388/401)."""
    units: dict[str, set[str]] = {}
    for entry in entries:
        units.setdefault(key(entry.label), set()).add(entry.unit)
    return units


def _unit_contradicts(label: str, unit: str) -> bool:
    """A 人数 label counted in 件, or a 件数 label counted in 人 (lines 242, 971)."""
    text = nfkc(label)
    return ("人数" in text and unit == "件") or ("件数" in text and unit in ("人", "名"))


def parse(path: Path, *, city: str, source_file: str, lines: list[str] | None = None) -> ParsedSheet:
    """Read the 実施状況報告 and return its targets, actuals, plans, activities, listings and coverage."""
    lines = read_sheet_lines(path, source_file) if lines is None else lines
    return _Parser(lines, city, source_file).run()

"""白井市 地域福祉計画 進行管理シート: one block per 取組 (No.) with 年度 rows, read into records.

Each block gives a measure listing, one observation per indicator and year, an A–D evaluation per year,
the 取組内容 and comment texts as activities, and a coverage item for every number in the 実績値 column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core.count_basis import count_basis, find_count_basis
from helpers.core.fiscal_years import ERA_PATTERN, parse_fiscal_year, parse_fiscal_years
from helpers.core.lexicons import lexicon_rows
from helpers.core.non_counts import non_count_rule, non_count_spans
from helpers.core.numbers import NUMBER_PATTERN, is_no_value
from helpers.core.text import CIRCLED_MARKERS, clean_cell, key, nfkc, per_parse_cache, split_cells
from helpers.sheets.builder import Draft, SheetBuilder
from helpers.sheets.records import ParsedSheet
from helpers.sources.raw_text import read_sheet_lines

ALIGNMENTS_LEXICON = "shiroi_sheet_alignments.csv"
"""Cells whose values are aligned by order only because the block's own comment confirms each value."""

HEADER_COLUMNS: dict[str, str] = {
    "No.": "no",
    "取組項目": "name",
    "担当課": "department",
    "取組内容": "content",
    "進捗状況": "progress",
    "実績の指標": "label",
    "年度": "year",
    "実績値": "value",
    "単位": "unit",
    "評価": "grade",
}
"""Header cell → column role; the comment column is the one whose header starts with 取組による成果."""

COMMENT_HEADER = "取組による成果"
CONTEXT_KEYS: dict[str, str] = {"基本方針": "goal", "施策の方向": "direction", "事業": "policy"}
MARKER_LINES: dict[str, str] = {
    "R4以降見直しあり": "「R4以降見直しあり」 marker lines between blocks skipped (their block cannot be told)",
    "R4S新規": "「R4S 新規」 marker lines between blocks skipped; new-in-R4 blocks are found by their rows",
}
REPEAT_MARK = "※再掲"
CONTENT_SECTION = "取組内容"

_GRADE = re.compile(r"[A-DＡ-Ｄ]")
_ITEM_MARKER = non_count_rule("item_marker")
_NUM = re.compile(NUMBER_PATTERN)
_N = rf"({NUMBER_PATTERN})"
_SLASH = re.compile(rf"\s*{_N}\s*/\s*{_N}\s*")
_BRACKET = re.compile(rf"\s*{_N}\s*\(\s*(.*?)\s*\)\s*")
_SLASH_LABEL = re.compile(r"[(（]\s*([^()（）/／]+?)\s*[/／]\s*([^()（）/／]+?)\s*[)）]")
_TITLE_YEAR = re.compile(rf"({ERA_PATTERN})\s*(元|\d{{1,2}})\s*年度")
_YEAR_MENTION = re.compile(r"(?<![\d.])(\d{1,2})年度")
_YEAR_FIGURE = re.compile(r"(?<![\d.])(\d{1,2})年度\s*(\d[\d,]*)\s*(?:件|人|回|団体|箇所|機関)")
_DEFINITION_CHANGE = re.compile(r"(.+?)は(.+?)としていたが、\s*(\d{1,2})年度からは(.+?)に変更")
_PLAN_WORDS = re.compile(
    r"(?:^|、)(?:今後|引き続き|次年度)|ていく。?$|ていきたい|(?:目指す|努める|予定)。?$|考えている"
)
"""A comment item speaks of what will be done (``今後も…していく。``); ``今後の活動に役立てていただいた`` does not."""
_BLOCK_NO = re.compile(r"\d+")
_NUMBERS_ONLY = re.compile("n+")
_LABELLED_NUMBERS = re.compile("(tn)+")
_TOTAL_AND_PARTS = re.compile("n(tn)+")
_AFTER_SENTENCE = re.compile(r"(?<=。)")
_DEPARTMENT_SEPARATOR = re.compile(r"[、,]")
_COMMENT_ITEM_BREAK = re.compile(r"(?<=。)\s*|\s+")
_LABEL_TOKENS = re.compile(
    r"(?P<pos>[(（]?(?:上段|中段|下段)[)）]?\s*[:：]?)"
    r"|(?P<since>[RＲ]\s*[0-9０-９]{1,2}\s*[~～〜]\s*[:：]?)"
    r"|(?P<until>[~～〜]\s*[RＲ]\s*[0-9０-９]{1,2}\s*[:：]?)"
    r"|(?P<exact>[(（]\s*(?:[RHＲＨ]\s*[0-9０-９]{1,2}\s*[.．、・,]?\s*)+[)）]\s*[:：]?)"
)


# ---------------------------------------------------------------- structures read from the file


@dataclass(frozen=True)
class _Period:
    """Years an indicator label applies to: ``~R3`` (until), ``R4~`` (since), ``(H31.R2)`` (exact) or all."""

    since: int | None = None
    until: int | None = None
    years: frozenset[int] | None = None
    text: str = ""

    def covers(self, year: int) -> bool:
        if self.years is not None:
            return year in self.years
        return (self.since is None or year >= self.since) and (self.until is None or year <= self.until)

    @property
    def restricted(self) -> bool:
        return self.years is not None or self.since is not None or self.until is not None


ALL_YEARS = _Period()


@dataclass(frozen=True)
class _Label:
    """One indicator label of a block, in 上段/中段/下段 order, with the years it applies to."""

    text: str
    period: _Period


@dataclass
class _Context:
    goal: str = ""
    direction: str = ""
    policy: str = ""


@dataclass
class _Row:
    """One 年度 row: the raw 実績値 cell with its offset in the line, the unit, the grade and stray text cells."""

    line: int
    year_cell: str
    printed_year: int
    value_raw: str
    value_start: int
    unit: str
    grade: str
    extras: list[str]
    fiscal_year: int = 0
    year_basis: str = ""


@dataclass
class _Block:
    """One 取組 (No.) block: its first line, listing context, label text, comment and 年度 rows."""

    no: int
    name: str
    marked_repeat: bool
    line: int
    context: _Context
    department: str
    content: str
    comment: str
    label_parts: list[str] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " ".join(p for p in self.label_parts if p)


@dataclass(frozen=True)
class _Num:
    """A number token of a value cell: the raw text, its offset in the line, its value."""

    text: str
    start: int
    value: float


@dataclass(kw_only=True)
class _Cand(Draft):
    """An observation under construction (notes and flags still change when blocks are compared)."""

    block: _Block
    tokens: tuple[int, ...]
    """Where the numbers it was read from start on the line."""
    label_index: int | None


@dataclass
class _State:
    """Everything collected while reading one file (the records themselves go to the builder)."""

    book: SheetBuilder
    era: str
    report_year: int
    blocks: list[_Block] = field(default_factory=list)
    cands: list[_Cand] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.book.lines

    def quirk(self, text: str, line: int) -> None:
        self.book.quirk(text, line)

    def covered(self, line: int, num: _Num, outcome: str, reason: str = "") -> None:
        self.book.cover(line, num.start, num.text, outcome, reason)


# ---------------------------------------------------------------- reading the document into blocks


def _title_era(lines: list[str]) -> tuple[str, int]:
    """The era and report year named by the sheet's title (``進行管理シート（令和4年度）``, line 3)."""
    for line in lines:
        match = _TITLE_YEAR.search(nfkc(line))
        if match:
            year = parse_fiscal_year(match.group(0))
            if year is not None:
                return match.group(1), year
    raise ValueError("no 年度 in the sheet's title: cannot tell the era of the bare 年度 column")


def _header_columns(cells: list[str]) -> dict[str, int]:
    """Column index of each role from a ``No. / 取組項目 / …`` header line (line 18)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip()
        if name in HEADER_COLUMNS:
            columns[HEADER_COLUMNS[name]] = index
        elif name.startswith(COMMENT_HEADER):
            columns["comment"] = index
    missing = {"no", "year", "value", "unit", "label"} - set(columns)
    if missing:
        raise ValueError(f"header line lacks {sorted(missing)}")
    return columns


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _offset(cells: list[str], index: int) -> int:
    return sum(len(c) + 1 for c in cells[:index])


def _row_tail(cells: list[str], columns: dict[str, int]) -> tuple[str, str, list[str]]:
    """Unit, grade and stray text cells after the 実績値 cell.

    Lines 182–183 carry an extra text cell (``小規模複数開催``) after the value, pushing 単位 and 評価 right.
    """
    comment_index = columns.get("comment")
    rest: list[str] = []
    for index in range(columns["value"] + 1, len(cells)):
        text = clean_cell(cells[index])
        if not text or (index == comment_index and not _GRADE.fullmatch(text)):
            continue
        rest.append(text)
    grade = rest.pop() if rest and _GRADE.fullmatch(rest[-1]) else ""
    unit = rest.pop() if rest else ""
    return unit, nfkc(grade), rest


def _read_row(state: _State, block: _Block, cells: list[str], columns: dict[str, int], number: int) -> None:
    """Add the 年度 row standing on this line (if any) to the block."""
    year_cell = _cell(cells, columns["year"]).strip()
    if not year_cell:
        return
    year = parse_fiscal_year(year_cell, default_era=state.era)
    if year is None:
        raise ValueError(f"line {number}: 年度 cell {year_cell!r} is not a year")
    unit, grade, extras = _row_tail(cells, columns)
    value_index = columns["value"]
    raw = _cell(cells, value_index)
    if extras:
        state.quirk(
            "text cell between 実績値 and 単位 kept as a note; 単位 and 評価 read from the shifted cells", number
        )
    block.rows.append(_Row(number, year_cell, year, raw, _offset(cells, value_index), unit, grade, extras))


def _read_progress(state: _State, block: _Block, cells: list[str], columns: dict[str, int], number: int) -> None:
    """Collect the checked 進捗状況 box (``<input checked=…>`` → ☑)."""
    text = clean_cell(_cell(cells, columns.get("progress")))
    if text.startswith("☑"):
        block.checked.append(text.lstrip("☑").strip())
        if block.rows and block.rows[-1].line == number:
            # line 19: the first 年度 row and the 順調に進んだ box share one line
            state.quirk("進捗状況 checkbox read from <input checked>; it shares lines with the 年度 rows", number)


def _new_block(cells: list[str], columns: dict[str, int], context: _Context, number: int) -> _Block:
    name = clean_cell(_cell(cells, columns.get("name")))
    return _Block(
        no=int(cells[columns["no"]].strip()),
        name=name.replace(REPEAT_MARK, "").strip(),
        marked_repeat=REPEAT_MARK in name,
        line=number,
        context=_Context(context.goal, context.direction, context.policy),
        department=clean_cell(_cell(cells, columns.get("department"))),
        content=clean_cell(_cell(cells, columns.get("content"))),
        comment=_cell(cells, columns.get("comment")),
    )


def _read_blocks(state: _State) -> None:
    """Walk the lines: context headers, table headers, 取組 blocks and their continuation rows."""
    context = _Context()
    columns: dict[str, int] | None = None
    block: _Block | None = None
    for number, line in enumerate(state.lines, start=1):
        cells = split_cells(line)
        first = cells[0].strip()
        if first in CONTEXT_KEYS and len(cells) >= 2:
            _set_context(context, CONTEXT_KEYS[first], clean_cell(cells[1]))
            block = None
        elif first == "No.":
            columns, block = _header_columns(cells), None
        elif first.startswith("評価の凡例"):
            state.quirk("repeated 評価の凡例 line skipped", number)  # line 16
        elif not first[:1].isdigit() and key(line) in MARKER_LINES:  # a line opening with its No. is no marker
            state.quirk(MARKER_LINES[key(line)], number)  # lines 28, 551
        elif columns is not None and _BLOCK_NO.fullmatch(first) and len(cells) > columns["year"]:
            block = _new_block(cells, columns, context, number)
            state.blocks.append(block)
            _read_line_of_block(state, block, cells, columns, number)
        elif columns is not None and block is not None and not first and len(cells) > columns["year"]:
            _read_line_of_block(state, block, cells, columns, number)
        elif first:
            block = None


def _set_context(context: _Context, role: str, text: str) -> None:
    """基本方針 resets 施策の方向 and 事業; 施策の方向 resets 事業."""
    if role == "goal":
        context.goal, context.direction, context.policy = text, "", ""
    elif role == "direction":
        context.direction, context.policy = text, ""
    else:
        context.policy = text


def _read_line_of_block(state: _State, block: _Block, cells: list[str], columns: dict[str, int], number: int) -> None:
    label = clean_cell(_cell(cells, columns["label"]))
    if label:
        block.label_parts.append(label)
        if block.line != number:
            state.quirk("indicator label continued on later rows (中段/下段)", number)  # lines 548–549
    _read_row(state, block, cells, columns, number)
    _read_progress(state, block, cells, columns, number)


# ---------------------------------------------------------------- indicator labels


def _period(kind: str, text: str) -> _Period:
    years = parse_fiscal_years(text)
    if kind == "since":
        return _Period(since=years[0], text=text.strip())
    if kind == "until":
        return _Period(until=years[0], text=text.strip())
    return _Period(years=frozenset(years), text=text.strip())


def parse_labels(text: str) -> list[_Label]:
    """Split an indicator label into ordered labels with their periods.

    A period marker right before 上段 (``～R3 上段:…``, line 309) holds across positions; one inside a position
    (``上段:~R3 … R4~ …``, line 114) holds until the next position marker.
    """
    tokens = [(m.lastgroup or "", m.group(0), m.start(), m.end()) for m in _LABEL_TOKENS.finditer(text)]
    labels: list[_Label] = []
    outer, inner, in_position, cursor = ALL_YEARS, None, False, 0

    def flush(until: int) -> None:
        piece = text[cursor:until].strip(" :：\u3000")
        if piece:
            labels.append(_Label(piece, inner or outer))

    for index, (kind, raw, start, end) in enumerate(tokens):
        flush(start)
        cursor = end
        if kind == "pos":
            in_position, inner = True, None
            continue
        period = _period(kind, nfkc(raw))
        gap = text[end : tokens[index + 1][2]].strip() if index + 1 < len(tokens) else text[end:].strip()
        next_is_position = index + 1 < len(tokens) and tokens[index + 1][0] == "pos" and not gap
        if next_is_position or not in_position:
            outer, inner, in_position = period, None, False
        else:
            inner = period
    flush(len(text))
    return labels


def _labels_for(labels: list[_Label], year: int) -> list[_Label]:
    return [label for label in labels if label.period.covers(year)]


# ---------------------------------------------------------------- value cells


@dataclass
class _Shape:
    """What a 実績値 cell holds: kind, number tokens, text pieces (labels or a trailing word)."""

    kind: str
    numbers: list[_Num] = field(default_factory=list)
    labels: list[tuple[str, int]] = field(default_factory=list)
    text: str = ""
    markers: list[_Num] = field(default_factory=list)


@per_parse_cache
def _comparable(raw: str) -> str:
    """Per-character NFKC where it keeps the length, so offsets in the result are offsets in ``raw``."""
    if raw.isascii():
        return raw  # ASCII is its own NFKC form and holds no item marker
    out = []
    for char in raw:
        if char in CIRCLED_MARKERS:
            out.append(" ")  # an item marker (④) would turn into a digit under NFKC
            continue
        norm = nfkc(char)
        out.append(norm if len(norm) == 1 else char)
    return "".join(out)


def _shape(raw: str, base: int) -> _Shape:
    """Classify a value cell (``2,300 1,990``, ``12 書面会議``, ``理事会 10 定例会 7``, ``15/664``, ``10(5)`` …)."""
    text = _comparable(raw)
    markers = [_Num(span.text, base + span.start, 0.0) for span in non_count_spans(raw, (_ITEM_MARKER,))]
    stripped = text.strip()
    if not stripped:
        return _Shape("empty", markers=markers)
    if is_no_value(stripped):
        return _Shape("marker", text=raw.strip(), markers=markers)
    numbers = [
        _Num(raw[m.start() : m.end()], base + m.start(), float(m.group(0).replace(",", "")))
        for m in _NUM.finditer(text)
    ]
    if _SLASH.fullmatch(text):
        return _Shape("slash", numbers, markers=markers)
    bracket = _BRACKET.fullmatch(text)
    if bracket:
        inner = raw[bracket.start(2) : bracket.end(2)]
        return _Shape("bracket", numbers, text=inner, markers=markers)
    pieces: list[tuple[str, str, int]] = []
    cursor = 0
    for match in _NUM.finditer(text):
        _add_text_piece(pieces, raw, text, cursor, match.start())
        pieces.append(("n", match.group(0), match.start()))
        cursor = match.end()
    _add_text_piece(pieces, raw, text, cursor, len(raw))
    kinds = "".join(kind for kind, _, _ in pieces)
    labels = [(piece, base + start) for kind, piece, start in pieces if kind == "t"]
    if _NUMBERS_ONLY.fullmatch(kinds):
        return _Shape("plain", numbers, markers=markers)
    if kinds == "nt":
        return _Shape("value_text", numbers, labels, labels[0][0], markers)
    if _LABELLED_NUMBERS.fullmatch(kinds):
        return _Shape("labelled", numbers, labels, markers=markers)
    if _TOTAL_AND_PARTS.fullmatch(kinds):
        return _Shape("total_parts", numbers, labels, markers=markers)
    return _Shape("unknown", numbers, labels, markers=markers)


def _add_text_piece(pieces: list[tuple[str, str, int]], raw: str, text: str, start: int, end: int) -> None:
    """A text piece between numbers, judged on the comparable text (item markers blanked), quoted from ``raw``."""
    piece = text[start:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        begin = start + lead
        pieces.append(("t", raw[begin : begin + len(piece.strip())], begin))


# ---------------------------------------------------------------- alignment of values with labels


@dataclass
class _RowContext:
    """What aligning one row needs: the block, the row, its labels for the year, the units."""

    state: _State
    block: _Block
    row: _Row
    labels: list[_Label]
    all_labels: list[_Label]
    units: list[str]
    confirmations: dict[tuple[int, str, str, str], dict[str, str]]

    @property
    def line(self) -> str:
        return self.state.lines[self.row.line - 1]

    def cand(
        self, indicator: str, value: float | None, unit: str, raw: str, tokens: tuple[int, ...], index: int | None
    ) -> _Cand:
        block = self.block
        return _Cand(
            block=block,
            measure_id=_measure_id(self.state.book.city, block.no),
            measure=block.name,
            goal=block.context.goal,
            direction=block.context.direction,
            policy=block.context.policy,
            department=block.department,
            indicator=indicator,
            fiscal_year=self.row.fiscal_year,
            value=value,
            unit=unit,
            value_raw=raw,
            source_line=self.row.line,
            tokens=tokens,
            label_index=index,
            count_basis=count_basis(indicator),
            year_basis=self.row.year_basis,
        )

    def span(self, start: int, end: int) -> str:
        return self.line[start:end]


def _units_for(count: int, units: list[str]) -> list[str] | None:
    """One unit per value: as printed when the counts agree, or the single unit when all are the same word."""
    if len(units) == count:
        return units
    if units and len(set(units)) == 1 and len(units) < count:
        return [units[0]] * count
    return None


def _align_row(ctx: _RowContext) -> list[_Cand]:
    """Observations for one 年度 row; coverage for every number in its 実績値 cell."""
    shape = _shape(ctx.row.value_raw, ctx.row.value_start)
    for marker in shape.markers:
        ctx.state.covered(ctx.row.line, marker, "skipped", _ITEM_MARKER.reason)
    handler = {
        "empty": _align_empty,
        "marker": _align_marker,
        "plain": _align_plain,
        "value_text": _align_value_text,
        "bracket": _align_bracket,
        "slash": _align_slash,
        "labelled": _align_labelled,
        "total_parts": _align_total_parts,
    }.get(shape.kind, _align_unknown)
    cands = handler(ctx, shape)
    for extra in ctx.row.extras:
        for cand in cands:
            cand.notes.append(f"beside the value: {extra}")  # line 182: 6 小規模複数開催
    for cand in cands:
        for num in shape.numbers:
            if num.start in cand.tokens and cand.value is not None:
                ctx.state.covered(ctx.row.line, num, "observation")
    for num in shape.numbers:
        if ctx.state.book.covered(ctx.row.line, num.start) is None:
            ctx.state.covered(ctx.row.line, num, "skipped", "not read by any rule")
    return cands


def _align_empty(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    if ctx.row.unit or ctx.row.grade:
        ctx.state.quirk("empty 実績値 with a unit printed: no observation", ctx.row.line)  # line 310
    return []


def _align_marker(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """A no-value marker (—, ー, -, 未集計, 中止): value None with the marker in note."""
    indicator = ctx.labels[0].text if len(ctx.labels) == 1 else ctx.block.label
    cand = ctx.cand(indicator, None, ctx.row.unit, shape.text, (), 0 if len(ctx.labels) == 1 else None)
    cand.notes.append(shape.text)
    ctx.state.quirk("no-value marker → value None with the marker in note", ctx.row.line)
    return [cand]


def _unaligned(ctx: _RowContext, shape: _Shape, why: str, reason: str) -> list[_Cand]:
    """Keep the whole cell as one observation with value None; every number in it is skipped."""
    indicator = " / ".join(label.text for label in ctx.labels) if ctx.labels else ctx.block.label
    raw = ctx.row.value_raw.strip()
    cand = ctx.cand(indicator, None, ctx.row.unit, raw, tuple(n.start for n in shape.numbers), None)
    cand.notes.append(f"{why}; values not assigned")
    for num in shape.numbers:
        ctx.state.covered(ctx.row.line, num, "skipped", reason)
    return [cand]


def _align_unknown(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    ctx.state.quirk("value cell of an unknown shape kept whole with value None", ctx.row.line)
    return _unaligned(
        ctx, shape, "cell not understood: labels and values cannot be aligned", "cannot align labels and values"
    )


def _by_order(
    ctx: _RowContext, shape: _Shape, indicators: list[tuple[str, int | None]], units: list[str]
) -> list[_Cand]:
    cands = []
    for (indicator, index), num, unit in zip(indicators, shape.numbers, units, strict=True):
        cands.append(ctx.cand(indicator, num.value, unit, num.text, (num.start,), index))
    return cands


def _align_plain(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """Unlabelled values (``2,300 1,990`` with ``部 部``): by order only when labels, values and units agree."""
    count = len(shape.numbers)
    if count == len(ctx.labels) == len(ctx.units):
        if count > 1:
            ctx.state.quirk("上段/下段 values split by order (labels, values and units agree)", ctx.row.line)  # line 19
        return _by_order(ctx, shape, [(label.text, i) for i, label in enumerate(ctx.labels)], ctx.units)
    units = _one_unit_for_all(ctx, count)
    if units is not None:
        # line 546: 上段・中段・下段 (all 件数), values 187 339 966, 件 printed once
        ctx.state.quirk(
            "上段・中段・下段 values with one printed unit split by order (each label counts in that unit)",
            ctx.row.line,
        )
        return _by_order(ctx, shape, [(label.text, i) for i, label in enumerate(ctx.labels)], units)
    why = _mismatch(ctx, count)
    confirmed = _confirmed(ctx, shape, why)
    if confirmed is not None:
        return confirmed
    if not ctx.labels:
        # line 434: the label gives ～R3 and R5～ only, so nothing names 令和4年度's indicator
        ctx.state.quirk("no indicator label covers the row's year: value None with a note", ctx.row.line)
        return _unaligned(ctx, shape, why, "no indicator label for this fiscal year")
    # line 390: (上段)/(下段) labels, values 1 0, unit 回 printed once
    ctx.state.quirk("counts of labels, values and units disagree: cell kept whole with value None", ctx.row.line)
    return _unaligned(ctx, shape, why, "cannot align labels and values")


_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "件": ("件数",),
    "回": ("回数", "開催数"),
    "人": ("人数", "者数"),
    "名": ("人数", "者数"),
    "団体": ("団体数",),
    "箇所": ("箇所数", "か所数"),
}
"""The words ending a label that counts in a unit (``…相談件数`` counts 件)."""


def label_counts_in(label: str, unit: str) -> bool:
    """True when a label's last words say it counts in ``unit``.

    >>> label_counts_in("くらサポ相談件数", "件"), label_counts_in("全体計画の策定", "回")
    (True, False)
    """
    text = nfkc(label).rstrip(" )）")
    return any(text.endswith(word) for word in _UNIT_WORDS.get(nfkc(unit), ()))


def _one_unit_for_all(ctx: _RowContext, count: int) -> list[str] | None:
    """The unit for every value when labels and values agree in number, one unit is printed and each label counts
    in it; None otherwise (``1 0`` under 全体計画の策定 / 個別避難計画の策定 with 回, line 390, stays whole)."""
    if count < 2 or count != len(ctx.labels) or len(ctx.units) != 1:
        return None
    if not all(label_counts_in(label.text, ctx.units[0]) for label in ctx.labels):
        return None
    return ctx.units * count


def _mismatch(ctx: _RowContext, count: int) -> str:
    cell = ctx.row.value_raw.strip()
    if not ctx.labels:
        return f"no indicator label covers {ctx.row.fiscal_year} (label: {ctx.block.label}); cell: {cell}"
    return (
        f"{len(ctx.labels)} label(s), {count} value(s), {len(ctx.units)} unit(s) ({ctx.row.unit}) "
        f"in cell {cell}: counts disagree"
    )


def _confirmed(ctx: _RowContext, shape: _Shape, why: str) -> list[_Cand] | None:
    """Align by order when the lexicon lists this exact cell and the block's comment holds every evidence text."""
    entry = ctx.confirmations.get((ctx.block.no, ctx.row.year_cell, ctx.row.value_raw.strip(), ctx.row.unit))
    if entry is None:
        return None
    comment = nfkc(clean_cell(ctx.block.comment))
    evidence = [e for e in entry["evidence"].split("|") if e]
    if not evidence or not all(nfkc(e) in comment for e in evidence):
        return None
    by_key = {key(label.text): label for label in ctx.all_labels}
    wanted = [w for w in entry["indicators"].split("|") if w]
    if len(wanted) != len(shape.numbers) or any(key(w) not in by_key for w in wanted):
        return None
    units = _units_for(len(wanted), ctx.units)
    if units is None:
        return None
    year_labels = [key(label.text) for label in ctx.labels]
    indicators = [(by_key[key(w)].text, year_labels.index(key(w)) if key(w) in year_labels else None) for w in wanted]
    cands = _by_order(ctx, shape, indicators, units)
    quoted = "」「".join(evidence)
    for cand in cands:
        cand.notes.append(f"{why}: aligned by order because the comment (line {ctx.block.line}) confirms 「{quoted}」")
    # line 116: 19 0 with 人 printed once; the comment says R4:19人
    ctx.state.quirk(
        "alignment confirmed by the block's own comment (lexicon shiroi_sheet_alignments.csv)", ctx.row.line
    )
    return cands


def _align_value_text(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """``12 書面会議`` (line 23): the number is the value, the word goes to note."""
    if len(ctx.labels) != 1 or len(ctx.units) != 1:
        return _unaligned(ctx, shape, _mismatch(ctx, 1), "cannot align labels and values")
    num = shape.numbers[0]
    raw = ctx.span(num.start, shape.labels[0][1] + len(shape.text))
    cand = ctx.cand(ctx.labels[0].text, num.value, ctx.units[0], raw, (num.start,), 0)
    cand.notes.append(shape.text)
    ctx.state.quirk("text-valued cell (12 書面会議): number is the value, the word goes to note", ctx.row.line)
    return [cand]


def _align_bracket(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """``10(5)`` (line 245) and ``760 (うち障がい者15)`` (line 393): the bracket never joins the main value."""
    if len(ctx.labels) != 1 or len(ctx.units) != 1 or len(shape.numbers) != 2:
        return _unaligned(ctx, shape, _mismatch(ctx, len(shape.numbers)), "cannot align labels and values")
    main, sub = shape.numbers
    labelled = re.fullmatch(rf"(\D*?)\s*{re.escape(sub.text)}", shape.text)
    if labelled is None:
        return _unaligned(ctx, shape, "bracket holds more than a labelled figure", "cannot align labels and values")
    base = ctx.labels[0].text
    cand = ctx.cand(base, main.value, ctx.units[0], main.text, (main.start,), 0)
    cand.notes.append(f"({shape.text})")
    sub_label = labelled.group(1).strip()
    if sub_label:
        raw = ctx.span(sub.start + len(sub.text) - len(shape.text), sub.start + len(sub.text))
        sub_cand = ctx.cand(f"{base}({sub_label})", sub.value, ctx.units[0], raw, (sub.start,), 0)
        ctx.state.quirk("labelled sub-count in brackets (760 (うち障がい者15)) → its own observation", ctx.row.line)
        return [cand, sub_cand]
    ctx.state.covered(ctx.row.line, sub, "skipped", "parenthesised figure without a label (kept in note)")
    ctx.state.quirk("unlabelled figure in brackets (10(5)) kept in note, not in the value", ctx.row.line)
    return [cand]


def _align_slash(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """``15/664`` under a label ``…(ケース会議件数/延べ相談件数)`` (line 53): two indicators."""
    parts = _SLASH_LABEL.search(ctx.labels[0].text) if len(ctx.labels) == 1 else None
    units = _units_for(2, ctx.units)
    if parts is None or units is None:
        return _unaligned(ctx, shape, "slash pair without an (A/B) label to split it", "cannot align labels and values")
    ctx.state.quirk("slash pair (15/664) split by the label's (A/B)", ctx.row.line)
    return _by_order(ctx, shape, [(parts.group(1), 0), (parts.group(2), 0)], units)


def _part_indicator(label: str, labels: list[_Label]) -> tuple[str, int | None]:
    """The indicator a labelled value reports: the matching label, or ``label(part)``."""
    for index, candidate in enumerate(labels):
        if key(candidate.text) == key(label):
            return candidate.text, index
    if len(labels) == 1:
        return f"{labels[0].text}({label})", 0
    hits = [i for i, candidate in enumerate(labels) if key(label)[:2] in key(candidate.text)]
    if len(hits) == 1:
        return f"{labels[hits[0]].text}({label})", hits[0]
    return label, None


def _align_labelled(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """``理事会 10 定例会 7 研修会 3`` (line 37): each number belongs to the word before it."""
    units = _units_for(len(shape.numbers), ctx.units)
    if not ctx.labels or units is None:
        return _unaligned(ctx, shape, _mismatch(ctx, len(shape.numbers)), "cannot align labels and values")
    cands = []
    for (label, label_start), num, unit in zip(shape.labels, shape.numbers, units, strict=True):
        indicator, index = _part_indicator(label, ctx.labels)
        cands.append(
            ctx.cand(indicator, num.value, unit, ctx.span(label_start, num.start + len(num.text)), (num.start,), index)
        )
    ctx.state.quirk(
        "labelled values in one cell (理事会 10 定例会 7 研修会 3) → one observation per label", ctx.row.line
    )
    return cands


def _align_total_parts(ctx: _RowContext, shape: _Shape) -> list[_Cand]:
    """``12 集合同議 4 書面会議 8`` (line 25): the total, then each labelled part."""
    units = _units_for(len(shape.numbers), ctx.units)
    if len(ctx.labels) != 1 or units is None:
        return _unaligned(ctx, shape, _mismatch(ctx, len(shape.numbers)), "cannot align labels and values")
    total, *parts = shape.numbers
    base = ctx.labels[0].text
    listed = ", ".join(f"{label} {num.text}" for (label, _), num in zip(shape.labels, parts, strict=True))
    parts_sum = sum(num.value for num in parts)
    check = "parts add up to the total" if parts_sum == total.value else f"parts add up to {parts_sum:g}, not the total"
    cand = ctx.cand(base, total.value, units[0], total.text, (total.start,), 0)
    cand.notes.append(f"total of {listed} ({check})")
    cands = [cand]
    for (label, label_start), num, unit in zip(shape.labels, parts, units[1:], strict=True):
        raw = ctx.span(label_start, num.start + len(num.text))
        cands.append(ctx.cand(f"{base}({label})", num.value, unit, raw, (num.start,), 0))
    ctx.state.quirk("total followed by labelled parts (12 集合同議 4 書面会議 8)", ctx.row.line)
    return cands


# ---------------------------------------------------------------- years of new-in-R4 blocks


def _settle_years(state: _State, block: _Block) -> list[_Row]:
    """Rows with their fiscal year; a lone value on the first row of a new indicator is checked against the comment.

    Lines 546, 564, 582 (基本方針(6), 「R4S 新規」): the value stands on the 2年度 row, the comment says 4年度.
    """
    for row in block.rows:
        row.fiscal_year, row.year_basis = row.printed_year, ""
    first, rest = block.rows[0] if block.rows else None, block.rows[1:]
    if first is None or not rest or not first.value_raw.strip():
        return block.rows
    if any(r.value_raw.strip() or r.unit or r.grade for r in rest):
        return block.rows
    year, basis = _year_from_comment(state, block, first)
    first.fiscal_year, first.year_basis = year, basis
    state.quirk("lone value on the first 年度 row of a new indicator: year taken from the comment", first.line)
    return [first]


def _year_from_comment(state: _State, block: _Block, row: _Row) -> tuple[int, str]:
    comment = nfkc(clean_cell(block.comment))
    mentioned = {parse_fiscal_year(m.group(1), default_era=state.era): m for m in _YEAR_MENTION.finditer(comment)}
    figures = {parse_fiscal_year(m.group(1), default_era=state.era): m for m in _YEAR_FIGURE.finditer(comment)}
    cell_values = {n.value for n in _shape(row.value_raw, row.value_start).numbers}
    printed = f"printed on the {row.year_cell}年度 row of an indicator with no other year's value"
    if state.report_year in mentioned:
        match = mentioned[state.report_year]
        snippet = comment[match.start() : match.start() + 24]
        return (
            state.report_year,
            f"{printed}; the comment (line {block.line}) speaks of {snippet}…, so {state.report_year}",
        )
    contradicted = row.printed_year in figures and _figure(figures[row.printed_year]) not in cell_values
    if contradicted:
        quoted = "、".join(m.group(0) for m in figures.values())
        return state.report_year, (
            f"{printed}; the comment (line {block.line}) gives {quoted} for earlier years, "
            f"so the value is the sheet's year {state.report_year}"
        )
    return row.printed_year, f"{printed}; no text confirms the year, the printed 年度 is kept"


def _figure(match: re.Match[str]) -> float:
    return float(match.group(2).replace(",", ""))


# ---------------------------------------------------------------- series breaks


def _label_breaks(year_labels: dict[int, list[_Label]]) -> set[tuple[int, int]]:
    """(year, index) of labels whose text differs from another year's label at the same place (line 114)."""
    broken: set[tuple[int, int]] = set()
    for year, labels in year_labels.items():
        for index, label in enumerate(labels):
            for other_year, others in year_labels.items():
                if other_year == year or not others:
                    continue
                if index < len(others):
                    changed = key(others[index].text) != key(label.text)
                else:
                    changed = [key(o.text) for o in others] != [key(x.text) for x in labels[: len(others)]]
                if changed and (label.period.restricted or others[min(index, len(others) - 1)].period.restricted):
                    broken.add((year, index))
    return broken


def _mark_label_breaks(state: _State, block: _Block, labels: list[_Label], cands: list[_Cand]) -> None:
    years = sorted({c.fiscal_year for c in cands} | {r.fiscal_year for r in block.rows})
    broken = _label_breaks({year: _labels_for(labels, year) for year in years})
    marked = [c for c in cands if c.label_index is not None and (c.fiscal_year, c.label_index) in broken]
    for cand in marked:
        cand.series_break = True
        cand.notes.append(f"indicator definition changes between years (label line {block.line}: {block.label})")
    if marked:
        # line 114: 上段:~R3 担当職員配置数 R4~ 福祉事務所内専門職等…配置数
        state.quirk("indicator label changes by period (～R3 … R4～ …) → series_break, label kept per year", block.line)


def _mark_comment_breaks(state: _State, block: _Block, cands: list[_Cand]) -> None:
    """``2年度、3年度の相談延数は相談人数としていたが、4年度からは相談件数に変更した`` (line 53)."""
    comment = nfkc(clean_cell(block.comment))
    for sentence in _AFTER_SENTENCE.split(comment):
        if "としていたが" not in sentence:
            continue  # no definition change without its words (and the search is slow on long sentences)
        match = _DEFINITION_CHANGE.search(sentence)
        if not match:
            continue
        since = parse_fiscal_year(match.group(3), default_era=state.era)
        new, old = match.group(4).strip(), match.group(2).strip()
        affected = [c for c in cands if key(new) in key(c.indicator)]
        for cand in affected:
            cand.series_break = True
            counted = new if since is not None and cand.fiscal_year >= since else old
            cand.notes.append(
                f"counted as {counted} this year; the comment (line {block.line}) says: {sentence.strip()}"
            )
        if affected:
            state.quirk(
                "comment says an indicator's definition changed (相談人数 → 相談件数) → series_break", block.line
            )


def _mark_comment_basis(state: _State, block: _Block, cands: list[_Cand]) -> None:
    """The comment of line 480 says 延べ34人 for the report year's figure: count_basis 延べ."""
    comment = nfkc(clean_cell(block.comment))
    for cand in cands:
        if cand.fiscal_year != state.report_year or cand.value is None or cand.count_basis:
            continue
        found = (
            _NUM.match(_comparable(state.lines[cand.source_line - 1]), cand.tokens[0])
            if len(cand.tokens) == 1
            else None
        )
        if found is None:
            continue
        number = re.escape(found.group(0))
        for match in re.finditer(rf"(?<![\d,.]){number}(?![\d,.])\s*(?:人|件|回)", comment):
            stated = find_count_basis(comment[: match.start()].rstrip(), at="end")
            if stated.basis:
                cand.count_basis = stated.basis
                said = comment[stated.start : match.end()]
                cand.notes.append(f"the comment (line {block.line}) says {said}")
                state.quirk(
                    f"count basis {stated.basis} taken from the comment for the report year's figure", block.line
                )
                break


# ---------------------------------------------------------------- repeats and figures printed twice


def _originals(blocks: list[_Block]) -> dict[int, _Block]:
    originals: dict[int, _Block] = {}
    for block in blocks:
        originals.setdefault(block.no, block)
    return originals


def _compare_repeat(state: _State, repeat: _Block, original: _Block) -> None:
    """A ※再掲 block (line 71): its numbers are skipped; where they differ the original's observation says so."""
    state.quirk("※再掲 block folded into the original No. (one measure, observations from the original)", repeat.line)
    original_rows = {row.fiscal_year: row for row in original.rows}
    for row in _settle_years(state, repeat):
        source_row = original_rows.get(row.fiscal_year)
        if source_row is not None and source_row.grade != row.grade:
            state.quirk("※再掲 block with a grade that differs from the original: the original's grade kept", row.line)
        numbers = _shape(row.value_raw, row.value_start).numbers
        source = original_rows.get(row.fiscal_year)
        originals = _shape(source.value_raw, source.value_start).numbers if source else []
        for index, num in enumerate(numbers):
            same = index < len(originals) and originals[index].value == num.value
            if same and source is not None:
                reason = f"※再掲 of No.{original.no}: same figure recorded at line {source.line}"
            else:
                reason = f"※再掲 of No.{original.no} prints {num.text}, the original listing differs (original kept)"
                _note_difference(state, original, row, num, originals[index] if index < len(originals) else None)
            state.covered(row.line, num, "skipped", reason)


def _note_difference(state: _State, original: _Block, row: _Row, num: _Num, counterpart: _Num | None) -> None:
    # line 283: No.11 ※再掲 prints 29 for 4年度 where the original (line 133) prints 28
    state.quirk("※再掲 block printing a figure that differs from the original: original kept, note added", row.line)
    for cand in state.cands:
        if cand.block is original and cand.fiscal_year == row.fiscal_year:
            if counterpart is None or counterpart.start in cand.tokens:
                cand.notes.append(f"the ※再掲 listing at line {row.line} prints {num.text}")


def _departments(block: _Block) -> set[str]:
    return {d.strip() for d in _DEPARTMENT_SEPARATOR.split(block.department) if d.strip()}


def _link_shared_figures(state: _State) -> None:
    """An indicator of one 取組 printed again under another (ふれあい会議開催数, lines 89 and 148): both kept, linked.

    Two 取組 not marked ※再掲 are two measures, even when a figure is equal (No.42 prints No.38's 会議の開催回数 for
    every year, lines 453 and 500): each keeps its observation, and each names the other place the figure stands.
    """
    groups: dict[tuple[str, int, str], list[_Cand]] = {}
    for cand in state.cands:
        if cand.value is not None:
            groups.setdefault((key(cand.indicator), cand.fiscal_year, cand.unit), []).append(cand)
    for group in groups.values():
        kept: list[_Cand] = []
        for cand in group:
            peers = [
                k for k in kept if k.block.no != cand.block.no and _departments(k.block) & _departments(cand.block)
            ]
            for peer in peers:
                if peer.value == cand.value:
                    peer.notes.append(f"also listed under No.{cand.block.no} (line {cand.source_line})")
                    cand.notes.append(f"also listed under No.{peer.block.no} (line {peer.source_line})")
                    # line 500: No.42 prints the 会議の開催回数 of No.38 (line 453) for every year
                    state.quirk(
                        "same indicator and figure under two 取組: both kept, each names the other", cand.source_line
                    )
                    continue
                peer.notes.append(
                    f"No.{cand.block.no} (line {cand.source_line}) prints {cand.value_raw} for this indicator"
                )
                cand.notes.append(
                    f"No.{peer.block.no} (line {peer.source_line}) prints {peer.value_raw} for this indicator"
                )
                # line 148: No.12 prints 1 for ふれあい会議開催数 2年度 where No.6 (line 89) prints 19
                state.quirk(
                    "same indicator under two 取組 with different figures: both kept with a note", cand.source_line
                )
            kept.append(cand)


# ---------------------------------------------------------------- records


def _measure_id(city: str, no: int) -> str:
    return f"{city}-no{no:02d}"


def _listing(state: _State, block: _Block, is_repeat: bool) -> None:
    state.book.listing(
        _measure_id(state.book.city, block.no),
        block.name,
        block.line,
        goal=block.context.goal,
        direction=block.context.direction,
        policy=block.context.policy,
        department=block.department,
        is_repeat=is_repeat,
    )


def _evaluations(state: _State, block: _Block, rows: list[_Row], *, graded_only: bool = False) -> None:
    """One per row: the grade as printed; the checked 進捗状況 on the report year's row only."""
    if len(set(block.checked)) > 1:
        state.quirk("more than one 進捗状況 box checked: progress left empty", block.line)
    progress = block.checked[0] if len(set(block.checked)) == 1 else ""
    for row in rows:
        if graded_only and not row.grade:
            continue
        state.book.evaluation(
            _measure_id(state.book.city, block.no),
            row.fiscal_year,
            row.grade,
            progress if row.fiscal_year == state.report_year else "",
            row.line,
            indicator=block.label,
        )


def split_items(text: str) -> list[str]:
    """Sentences and line-separated items of a comment cell (``。`` or the spaces left by ``<br>``)."""
    return [piece for piece in _COMMENT_ITEM_BREAK.split(clean_cell(text)) if piece]


def _activities(state: _State, block: _Block, known: set[str], is_repeat: bool) -> None:
    """取組内容 (a plan) and each comment item (actual, or plan when it speaks of what will be done).

    A ※再掲 block adds only the items the original does not already hold (line 289 rewords line 128).
    """
    suffix = f"({REPEAT_MARK})" if is_repeat else ""
    items: list[tuple[str, str, str]] = []
    if block.content:
        items.append((block.content, "plan", CONTENT_SECTION + suffix))
    for item in split_items(block.comment):
        kind = "plan" if _PLAN_WORDS.search(item) else "actual"
        items.append((item, kind, "取組による成果、今後の課題や方針" + suffix))
    for text, kind, section in items:
        if key(text) in known:
            continue
        known.add(key(text))
        measure_id = _measure_id(state.book.city, block.no)
        state.book.activity(
            measure_id, state.report_year, kind, text, block.line, department=block.department, section=section
        )


def load_confirmations() -> dict[tuple[int, str, str, str], dict[str, str]]:
    """The lexicon of comment-confirmed alignments, keyed by (No., 年度 cell, 実績値 cell, 単位 cell)."""
    return {
        (int(row["no"]), row["year_cell"], row["value_cell"], row["unit_cell"]): row
        for row in lexicon_rows(ALIGNMENTS_LEXICON)
    }


def _observe_block(
    state: _State, block: _Block, confirmations: dict[tuple[int, str, str, str], dict[str, str]]
) -> list[_Row]:
    """Observations of an original block; returns the rows kept (with their settled years)."""
    labels = parse_labels(block.label)
    rows = _settle_years(state, block)
    cands: list[_Cand] = []
    for row in rows:
        units = row.unit.split()
        ctx = _RowContext(state, block, row, _labels_for(labels, row.fiscal_year), labels, units, confirmations)
        cands.extend(_align_row(ctx))
    _mark_label_breaks(state, block, labels, cands)
    _mark_comment_breaks(state, block, cands)
    _mark_comment_basis(state, block, cands)
    state.cands.extend(cands)
    return rows


def parse(path: Path, *, city: str, source_file: str, lines: list[str] | None = None) -> ParsedSheet:
    """Read one 白井市 進行管理シート into observations, listings, evaluations, activities and coverage."""
    lines = read_sheet_lines(path, source_file) if lines is None else lines
    era, report_year = _title_era(lines)
    state = _State(SheetBuilder(city, source_file, lines), era=era, report_year=report_year)
    _read_blocks(state)
    confirmations = load_confirmations()
    originals = _originals(state.blocks)
    known_texts: dict[int, set[str]] = {}
    for block in state.blocks:
        is_repeat = originals[block.no] is not block
        _listing(state, block, is_repeat or block.marked_repeat)
        if not is_repeat:
            _evaluations(state, block, _observe_block(state, block, confirmations))
        else:
            # line 71: a ※再掲 listing prints its own 評価 column; its grades stay, at the lines they stand on
            _evaluations(state, block, _settle_years(state, block), graded_only=True)
        _activities(state, block, known_texts.setdefault(block.no, set()), is_repeat)
    for block in state.blocks:
        if originals[block.no] is not block:
            _compare_repeat(state, block, originals[block.no])
    _link_shared_figures(state)
    for cand in state.cands:
        state.book.observe(cand)
    return state.book.finish(quirk_order="line", quirk_counts=True)

"""山形市 第3次地域福祉計画 施策の実施状況 (中間年の点検): one tab-separated table read into records.

Columns shift left and right from row to row, so each row is anchored on its 関連課 cell (or on a 実施状況
cell that opens with the department in brackets); the 件数等実績値 columns take their fiscal years from
the repeated header blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from helpers.core.count_basis import count_basis, find_count_basis
from helpers.core.fiscal_years import ERA_YEAR_PATTERN, parse_fiscal_year
from helpers.core.lexicons import lexicon_rows
from helpers.core.markers import NOT_HELD_NOTE, zero_for_not_held
from helpers.core.non_counts import (
    NonCountRule,
    NonCountSpan,
    covering_span,
    non_count_rule,
    non_count_rules,
    non_count_spans,
)
from helpers.core.numbers import COUNTERS, NO_VALUE_MARKERS, WIDE_NUMBER_PATTERN, parse_quantity
from helpers.core.text import (
    CIRCLED_MARKERS,
    blank_out,
    clean_cell,
    key,
    nfkc,
    per_parse_cache,
    split_cells,
    strip_html,
)
from helpers.sheets.builder import SheetBuilder
from helpers.sheets.records import Observation, ParsedSheet
from helpers.sources.raw_text import read_sheet_lines

DEPARTMENTS_LEXICON = "yamagata_progress_departments.csv"
"""Department names as printed → the department (typos and truncations mapped to the usual name)."""
MEASURES_LEXICON = "yamagata_progress_measures.csv"
"""事業名 variants that name the same project as an earlier listing."""
INDICATORS_LEXICON = "yamagata_progress_indicators.csv"
"""取組内容 cells holding several indicators, split into one indicator per value (read from the sheet)."""

ID_PREFIX = "yamagata"
ACTIVITY_SECTION = "実施状況"
NOTE_SECTION = "備考"
TEXT_REASON = "実施状況 text"
"""Reason prefix of coverage items for numbers read from the 実施状況 prose rather than a value column."""
NO_INDICATOR = {"—", "-", "ー", "―", "－"}
_NO_VALUE = {nfkc(m) for m in NO_VALUE_MARKERS}
_NO_VALUE_WORDS = ("未実施", "中止", "未集計", "実績なし")
_VERBS = ("開催", "参加", "受講", "実施")
_PLAN_WORDS = re.compile(r"予定|見込")

_GOAL = re.compile(r"^基本目標\s*(\d+)\s*(.*)$")
_DIRECTION = re.compile(r"^(?:基本的な方向性\s*)?[(（]\s*(\d+)\s*[)）]\s*(.+)$")
_PAGE = re.compile(r"^P\s*\d")
_BRACKET = re.compile(r"[(（][^()（）]*[)）]")
_ATOM = re.compile(rf"[{CIRCLED_MARKERS}]|{WIDE_NUMBER_PATTERN}")
_ERA_LABEL = re.compile(rf"{ERA_YEAR_PATTERN}\s*(?:年度)?")
_PERIOD_WORD = re.compile(r"(?:(?<!度)年|毎月|毎週|月|週)\s*$")
"""A 年/月/週 word ending a sub-label (``庁内会議年`` before 2回): not part of the label."""
_SIDE_RULES: tuple[NonCountRule, ...] = (
    non_count_rule("item_marker"),
    # the sheet's coverage has always called an era year in a value cell a fiscal-year label (line 235: R4新規)
    non_count_rule("era_year").worded("fiscal-year label"),
)
"""Shared rules for numbers in a value cell that are not values."""
_FREQUENCY: tuple[NonCountRule, ...] = non_count_rules("frequency")
_BULLET_SPLIT = re.compile(r"(?:^|\s)・\s*")
_UNIT_QUALIFIER = {"円": "金額", "%": "割合"}
_YEAR_LIST = re.compile(rf"○\s*(?P<year>{ERA_YEAR_PATTERN}\s*年度)\s*(?P<value>(?:{WIDE_NUMBER_PATTERN})\s*(?:件|回))")
_TARGET = re.compile(
    rf"(?P<year>{ERA_YEAR_PATTERN}\s*年度)は(?P<label>[^、。]+?)について、目標値(?P<value>(?:{WIDE_NUMBER_PATTERN})件)"
)
_REFERENCE = re.compile(
    rf"[(（]参考[)）]\s*(?P<label>[^\s(（:：]+?)\s+(?P<pairs>(?:{ERA_YEAR_PATTERN}\s*[:：]\s*[\d.,]+%?\s*)+)"
)
_REFERENCE_PAIR = re.compile(rf"(?P<year>{ERA_YEAR_PATTERN})\s*[:：]\s*(?P<value>[\d.,]+%?)")
_COUNTER_WORD = re.compile("|".join(re.escape(c) for c in COUNTERS))
"""A counter word; the alternatives keep the order of COUNTERS, so the longest match wins (千円 before 円)."""
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")
_WRAP_SPACE = re.compile(r"(?<=[^\x00-\x7f()])\s+|\s+(?=[^\x00-\x7f()])|(?<=[()])\s+|\s+(?=[()])")
"""Spaces a line wrap leaves next to a Japanese character or a bracket."""
_BRACKETED = re.compile(r"[(（].*[)）]")
_BRACKETED_DEPARTMENT = re.compile(r"[(（]\s*(.+?)\s*[)）]")
_DEPARTMENT_SEPARATORS = re.compile(r"[、,・\s]+")
_DEPARTMENT_NAME = re.compile(r"[^、,・\s]+")
"""A run between department separators."""
_OPENING_DEPARTMENT = re.compile(r"\s*[(（]([^()（）]+)[)）]\s*(.*)", re.S)
_ASCII_BRACKETED = re.compile(r"\((.+)\)")
_BARE_VALUE = re.compile(rf"(?:{WIDE_NUMBER_PATTERN})\s*\S{{0,3}}")
_PARAGRAPH_BREAK = re.compile(r"</?p>|<ul[^>]*>|</ul>|<br\s*/?>")
_BEFORE_NOTE_MARK = re.compile(r"\s+(?=※)")
_SUB_COUNT = re.compile(
    rf"[(（]\s*(?P<text>(?:うち\s*(?P<part>[^()（）\d]+?)|(?P<group>[^()（）・]+?)\s*・)\s*"
    rf"(?P<number>{WIDE_NUMBER_PATTERN})\s*(?P<unit>\S+?))\s*[)）]"
)
"""A labelled part in brackets after a value: ``(うちホテル協会6施設)``, ``(R4新規・3施設)`` (line 235)."""


@dataclass(frozen=True)
class Label:
    """One indicator slot of a 取組内容 cell."""

    name: str
    unit: str = ""
    count_basis: str = ""
    measure: str = ""
    series_break_from: int | None = None
    why: str = ""

    @property
    def placeholder(self) -> bool:
        """True for a slot that stands for a 事業 without an indicator (``—``)."""
        return self.name in NO_INDICATOR


@dataclass
class Token:
    """One value in a value cell: a number with its counter, or a no-value marker."""

    start: int
    end: int
    stop: int = 0
    raw: str = ""
    number: str = ""
    unit: str = ""
    verb: str = ""
    prefix: str = ""
    notes: list[str] = field(default_factory=list)
    trailing: str = ""
    no_value: bool = False
    frequency: bool = False
    pos: int = -1
    """Column of the token on its line (``start`` is its place in the cell), set once the cell's place is known."""


class _CellText(NamedTuple):
    """A value cell with its tags blanked (offsets unchanged), and where its brackets and non-value numbers stand."""

    masked: str
    brackets: list[tuple[int, int]]
    side: list[NonCountSpan]
    """Spans of the shared rules for numbers that are not values (``_SIDE_RULES``)."""
    frequency: list[NonCountSpan]
    """Spans of frequency wording (``年2回``)."""


@dataclass
class CellTokens:
    """The values of one cell and the numbers in it that are not values (with the reason)."""

    raw: str
    tokens: list[Token] = field(default_factory=list)
    side: list[tuple[str, str]] = field(default_factory=list)
    """(number as printed, why it is not a value)."""
    side_at: list[int] = field(default_factory=list)
    """Where each ``side`` number starts: in the cell, or on the line once ``place`` has run."""
    text_only: str = ""

    def place(self, column: int) -> CellTokens:
        """Give the tokens and side numbers their columns on the line, the cell starting at ``column``."""
        for token in self.tokens:
            token.pos = column + token.start
        self.side_at = [column + start for start in self.side_at]
        return self


@dataclass(frozen=True)
class Layout:
    """Where the cells of one data row stand (indices into the row's cells)."""

    shape: str
    dept: int | None
    text: int | None
    label: int | None
    values: tuple[int, ...]
    notes: tuple[int, ...]
    measure: int | None


@dataclass
class _Context:
    goal: str = ""
    goal_no: int = 0
    direction: str = ""
    direction_no: int = 0
    policy: str = ""
    policy_no: int = 0
    years: tuple[int, ...] = ()
    value_kind: str = "actual"
    measure_id: str = ""
    measure: str = ""
    department: str = ""
    listings: dict[tuple[int, int, int], int] = field(default_factory=dict)


@dataclass
class _Measure:
    measure_id: str
    name: str
    first_line: int


@dataclass
class _Assignment:
    label: Label
    token: Token
    qualifier: str = ""


def load_departments() -> dict[str, str]:
    """Department name as printed → department."""
    return {row["written"]: row["department"] for row in lexicon_rows(DEPARTMENTS_LEXICON)}


def load_measure_aliases() -> dict[str, str]:
    """Measure key of a variant name → measure key of the name it stands for."""
    return {measure_key(row["written"]): measure_key(row["canonical"]) for row in lexicon_rows(MEASURES_LEXICON)}


def load_measure_names() -> dict[str, str]:
    """Measure key → the name to show for a project printed under variant names."""
    return {measure_key(row["canonical"]): row["canonical"] for row in lexicon_rows(MEASURES_LEXICON)}


def load_indicator_crosswalk() -> dict[str, list[Label]]:
    """Label-cell key → the indicator slots it holds, in value order."""
    crosswalk: dict[str, list[tuple[int, Label]]] = {}
    for row in lexicon_rows(INDICATORS_LEXICON):
        since = int(row["series_break_from"]) if row["series_break_from"] else None
        label = Label(row["indicator"], row["unit"], row["count_basis"], row["measure"], since, row["why"])
        crosswalk.setdefault(label_key(row["label"]), []).append((int(row["position"]), label))
    return {k: [label for _, label in sorted(slots)] for k, slots in crosswalk.items()}


def label_key(text: str) -> str:
    """Comparison key of a 取組内容 cell: NFKC, no HTML, no spaces, no ``・`` bullets."""
    return key(text).replace("・", "")


def measure_key(text: str) -> str:
    """Comparison key of a 事業名: NFKC, no HTML, no spaces, no leading bullet."""
    return key(text).lstrip("・")


@per_parse_cache
def indicator_name(text: str) -> str:
    """Readable indicator label: NFKC, bullets dropped, spaces left by line wraps between Japanese words removed."""
    text = nfkc(clean_cell(text)).strip().lstrip("・")
    return _WRAP_SPACE.sub("", " ".join(text.split()))


def measure_name(text: str) -> str:
    """A 事業名 as listed, without HTML, leading bullet or surrounding spaces."""
    return clean_cell(text).lstrip("・").strip()


# ---------------------------------------------------------------- departments and row layout


def department_parts(text: str, departments: dict[str, str]) -> list[str] | None:
    """Departments a cell names (``生活福祉課 他`` → ``['生活福祉課', '他']``); None if it is not a 関連課 cell."""
    text = clean_cell(text)
    bracket = _BRACKETED_DEPARTMENT.fullmatch(text)
    if bracket:
        text = bracket.group(1)
    first = _DEPARTMENT_NAME.search(text)
    if first and first.group() != "他" and first.group() not in departments:
        return None  # most cells are sentences, whose first word names no department
    parts = [p for p in _DEPARTMENT_SEPARATORS.split(text) if p]
    names = [p for p in parts if p != "他"]
    if not names or any(p not in departments for p in names):
        return None
    return [departments.get(p, p) for p in parts]


def bracket_department(text: str, departments: dict[str, str]) -> tuple[list[str], str] | None:
    """Departments opening a 実施状況 text (``(生活福祉課) …``) and the rest of the text, or None."""
    match = _OPENING_DEPARTMENT.match(clean_cell(text))
    if not match or not match.group(2).strip():
        return None
    parts = department_parts(match.group(1), departments)
    return (parts, match.group(2).strip()) if parts else None


def department_text(parts: list[str]) -> str:
    """Departments joined as the sheet joins them (``他`` kept)."""
    names = [p for p in parts if p != "他"]
    return "、".join(dict.fromkeys(names)) + (" 他" if "他" in parts else "")


def _sentence(text: str) -> bool:
    return "。" in text


def layout(cells: list[str], departments: dict[str, str], n_values: int = 2) -> Layout | None:
    """Locate 関連課, 実施状況, 取組内容, the value cells and 備考 in one data row, whatever its shift."""
    return _locate([clean_cell(c) for c in cells] + [""] * (n_values + 6), len(cells), departments, n_values)


def _locate(clean: list[str], width: int, departments: dict[str, str], n_values: int) -> Layout | None:
    """``layout`` of a row whose cells are already cleaned (and padded with empty cells on the right)."""
    dept = next((i for i, c in enumerate(clean) if c and department_parts(c, departments)), None)
    # the row is anchored on its 関連課 unless a (課名) text stands before it, so the cells after it need no look
    before_dept = clean if dept is None else clean[:dept]
    text = next((i for i, c in enumerate(before_dept) if c and bracket_department(c, departments)), None)
    if dept is not None and text is None:
        measure = _measure_cell(clean, dept)
        if clean[dept + 1] and not _sentence(clean[dept + 1]) and _sentence(clean[dept + 2]):
            # line 305: the 取組内容 stands before the 実施状況 sentence
            return _layout("label-before-text", dept, dept + 2, dept + 1, dept + 3, n_values, width, measure)
        if _text_missing(clean, dept):
            # line 131: no 実施状況 cell; the 取組内容 and the values move one column left
            return _layout("no-text", dept, None, dept + 1, dept + 2, n_values, width, measure)
        return _layout("standard", dept, dept + 1, dept + 2, dept + 3, n_values, width, measure)
    if text is not None:
        # line 10: a continuation row whose 実施状況 opens with (生活福祉課…); 事業名 and 関連課 are inherited
        return _layout("text-anchored", None, text, text + 1, text + 2, n_values, width, None)
    return None


def _layout(
    shape: str, dept: int | None, text: int | None, label: int, first: int, n: int, width: int, measure: int | None
) -> Layout:
    values = tuple(range(first, first + n))
    notes = tuple(range(values[-1] + 1, width))
    return Layout(shape, dept, text, label, values, notes, measure)


def _measure_cell(clean: list[str], dept: int) -> int | None:
    for i in (dept - 1, dept - 2):
        if i < 0 or not clean[i]:
            continue
        if _PAGE.match(clean[i]) or clean[i][0] in CIRCLED_MARKERS or len(clean[i]) > 150:
            return None
        return i
    return None


def _text_missing(clean: list[str], dept: int) -> bool:
    first, second, far = clean[dept + 1], clean[dept + 2], clean[dept + 4]
    return bool(first) and not _sentence(first) and len(first) < 40 and bool(_DIGIT.search(second)) and _sentence(far)


# ---------------------------------------------------------------- value cells


@per_parse_cache
def _mask(cell: str) -> str:
    """The cell with layout tags blanked out (same length, so offsets stay exact)."""
    return blank_out(cell)


def _counter_at(text: str, pos: int) -> tuple[str, int]:
    """The counter word starting at ``pos`` (one space allowed before it) and where it ends."""
    for start in (pos, pos + 1) if pos < len(text) and text[pos] == " " else (pos,):
        counter = _COUNTER_WORD.match(text, start)
        if counter:
            return counter.group(), counter.end()
    return "", pos


def tokenize_value_cell(raw: str) -> CellTokens:
    """Split a value cell into values (number + counter, or a no-value marker) and non-value numbers.

    A word before a number is its sub-label (``交付団体 13団体``, ``市長申立：2件``); a bracket or an item
    marker after a value is a note on it (``24回 (毎月2回)``, ``1団体 ①山形市内…``).
    """
    masked = _mask(raw)
    cell = CellTokens(raw=raw)
    brackets = [(m.start(), m.end()) for m in _BRACKET.finditer(masked)]
    text = _CellText(masked, brackets, non_count_spans(masked, _SIDE_RULES), non_count_spans(masked, _FREQUENCY))
    pending = ""
    for word in _WORD.finditer(masked):
        start, end = word.start(), word.end()
        while start < end and masked[start] == "・":
            start += 1
        if start == end:
            continue
        pending = _read_word(cell, text, start, end, pending)
    if pending.strip() and cell.tokens:
        cell.tokens[-1].trailing = pending.strip()
    if not cell.tokens:
        text = clean_cell(raw)
        if text and any(w in text for w in _NO_VALUE_WORDS):
            # line 305: 新型コロナウイルス感染症の感染拡大により未実施。 stands where a number should
            start = len(masked) - len(masked.lstrip())
            stop = len(masked.rstrip())
            cell.tokens.append(Token(start, stop, stop=stop, no_value=True, notes=[text]))
        else:
            cell.text_only = text
    for token in cell.tokens:
        token.raw = raw[token.start : token.end]
    return cell


def _read_word(cell: CellTokens, text: _CellText, start: int, end: int, pending: str) -> str:
    masked, brackets = text.masked, text.brackets
    word = masked[start:end]
    last = cell.tokens[-1] if cell.tokens else None
    if word[0] in CIRCLED_MARKERS or (start, end) in brackets:
        # line 44: 1団体 ①山形市内… — the marker and the names are a note; line 76: 24回 (毎月2回)
        for atom in _ATOM.finditer(word):
            cell.side.append((atom.group(), _side_reason(text, start + atom.start()) or "item name"))
            cell.side_at.append(start + atom.start())
        if last is not None:
            last.notes.append(word)
        return pending
    normalized = nfkc(word)
    if normalized in _NO_VALUE or (normalized[0] in "—ー-―‐－" and any(s == start + 1 for s, _ in brackets)):
        # line 38: ー（新型コロナウイルス感染症拡大防止のため中止）
        cell.tokens.append(Token(start, end, stop=end, no_value=True, notes=[word], prefix=pending.strip()))
        for atom in _ATOM.finditer(word):
            cell.side.append((atom.group(), "parenthesised note"))
            cell.side_at.append(start + atom.start())
        return ""
    cursor = start
    for atom in _ATOM.finditer(masked, start, end):
        reason = _side_reason(text, atom.start())
        if reason:
            cell.side.append((atom.group(), reason))
            cell.side_at.append(atom.start())
            continue
        if atom.start() < cursor:
            continue
        token = _quantity_token(text, atom, end)
        token.prefix = (pending + " " + masked[cursor : atom.start()]).strip()
        pending = ""
        cell.tokens.append(token)
        cursor = token.stop
    if cursor == start:
        return (pending + " " + word).strip()
    return (pending + " " + masked[cursor:end]).strip()


def _side_reason(text: _CellText, pos: int) -> str:
    span = covering_span(text.side, pos)
    if span is not None:
        return span.reason
    if any(s < pos < e for s, e in text.brackets):
        return "parenthesised note"
    word_start = text.masked.rfind(" ", 0, pos) + 1
    if text.masked[word_start : word_start + 1] in CIRCLED_MARKERS:
        return "item name"
    return ""


def _quantity_token(text: _CellText, atom: re.Match[str], word_end: int) -> Token:
    masked = text.masked
    counter, stop = _counter_at(masked, atom.end())
    verb = next((v for v in _VERBS if masked.startswith(v, stop)), "")
    stop += len(verb)
    token = Token(atom.start(), stop, stop=stop, number=atom.group(), unit=counter, verb=verb)
    token.frequency = covering_span(text.frequency, atom.start()) is not None
    bracket = next(((s, e) for s, e in text.brackets if s == stop and e <= word_end), None)
    if bracket:
        # line 19: 5,028人（累計登録者数） — the bracket right after the counter qualifies the value
        token.notes.append(masked[bracket[0] : bracket[1]])
        token.stop = bracket[1]
    return token


def token_quantity(token: Token) -> tuple[float | None, str, str]:
    """Value, unit and multiplier note of a token (千円 and 割 applied)."""
    if token.no_value or not token.number:
        return None, "", ""
    quantity = parse_quantity(nfkc(token.number + token.unit))
    if quantity is None:
        raise ValueError(f"unreadable value token {token.number}{token.unit}")
    return quantity.value, quantity.unit, quantity.note


@per_parse_cache
def _prefix_parts(prefix: str) -> tuple[str, str, str]:
    """Split a sub-label into (label, count basis, year note): ``(家賃補助戸数)令和4年度`` → label and year."""
    text = _PERIOD_WORD.sub("", nfkc(prefix))
    year = " ".join(m.group() for m in _ERA_LABEL.finditer(text))
    text = _ERA_LABEL.sub("", text)
    stripped = text.rstrip(" 、:：・")
    stated = find_count_basis(stripped, at="end")  # ``延べ`` closing the sub-label before the number
    basis = stated.basis
    if basis:
        stripped = stripped[: stated.start]
    label = stripped.strip(" 、:：・を")
    bracket = _ASCII_BRACKETED.fullmatch(label)
    return (bracket.group(1) if bracket else label), basis, year


def _token_basis(token: Token) -> str:
    _, basis, _ = _prefix_parts(token.prefix)
    if basis:
        return basis
    for note in token.notes:
        basis = count_basis(note)  # line 19: 5,028人（累計登録者数）
        if basis:
            return basis
    return ""


def label_basis(name: str) -> str:
    """Count basis stated in an indicator label (延べ, 累計, 実)."""
    return count_basis(name)


# ---------------------------------------------------------------- labels and alignment


def labels_for(raw_label: str, crosswalk: dict[str, list[Label]], n_tokens: int) -> tuple[list[Label], bool]:
    """Indicator slots of a 取組内容 cell and whether they are explicit (a bulleted list or the crosswalk)."""
    text = clean_cell(raw_label)
    slots = crosswalk.get(label_key(text))
    if slots is not None:
        return slots, True
    bullets = [b for b in _bullets(text) if b.strip()]
    if len(bullets) > 1:
        return [Label(indicator_name(b)) for b in bullets], True
    words: list[str] = []
    for w in text.split():
        if words and _BRACKETED.fullmatch(w):
            words[-1] += w  # line 262: 相談件数 （障がい者）
        else:
            words.append(w)
    if raw_label.lstrip().startswith("<ul") and len(words) > 1:
        # line 18: a <ul> list whose items lost their <li> tags; the spaces separate the items
        return [Label(indicator_name(w)) for w in words], True
    if n_tokens <= 1:
        return [Label(indicator_name(text))], False
    return [Label(indicator_name(w)) for w in words], False


def align(labels: list[Label], tokens: list[Token], explicit: bool) -> list[_Assignment] | str:
    """Pair values with indicator slots; a string says why the cell cannot be aligned with certainty."""
    if not tokens:
        return []
    if all(t.no_value for t in tokens) and len(tokens) == 1 and len(labels) > 1:
        # line 302: one "-" for a bulleted pair of indicators
        return (
            [_Assignment(label, tokens[0]) for label in labels if not label.placeholder]
            if explicit
            else "one no-value mark for several labels"
        )
    if len(labels) == len(tokens):
        return _pair(labels, tokens)
    if len(labels) == 1 and len(tokens) > 1:
        return _split_single(labels[0], tokens)
    if len(tokens) < len(labels):
        return _by_unit(labels, tokens)
    return f"{len(labels)} labels, {len(tokens)} values"


def _by_unit(labels: list[Label], tokens: list[Token]) -> list[_Assignment] | str:
    """Fewer values than labels: pair only when each value's counter matches exactly one expected unit."""
    reason = f"{len(labels)} labels, {len(tokens)} values"
    slots = [label for label in labels if not label.placeholder]
    if any(not label.unit for label in slots) or any(t.no_value or t.frequency for t in tokens):
        return reason
    pairs: list[_Assignment] = []
    for token in tokens:
        matches = [label for label in slots if label.unit == token.unit]
        if len(matches) != 1 or any(p.label == matches[0] for p in pairs):
            return reason
        # line 143: 2名 under 福祉まるごと相談員配置数 / 新規相談件数 — only the 名 slot can take it
        pairs.append(_Assignment(matches[0], token))
    return pairs


def _pair(labels: list[Label], tokens: list[Token]) -> list[_Assignment] | str:
    pairs: list[_Assignment] = []
    for label, token in zip(labels, tokens, strict=True):
        if label.placeholder:
            if not token.no_value:
                return f"a value ({token.number}{token.unit}) stands in a slot without indicator"
            continue
        if label.unit and not token.no_value and token.unit != label.unit:
            return f"unit {token.unit or 'none'} where {label.unit} is expected"
        sub, _, _ = _prefix_parts(token.prefix)
        # line 224: 交付団体 13団体 names the count under its label; a lone label keeps the word as a note (常時6名)
        qualifier = sub if len(labels) > 1 and sub and key(sub) not in key(label.name) else ""
        pairs.append(_Assignment(label, token, qualifier))
    return pairs


def _split_single(label: Label, tokens: list[Token]) -> list[_Assignment] | str:
    """One label, several values: split only when each value names itself (sub-label, verb or distinct unit)."""
    if any(t.no_value or t.frequency or t.trailing for t in tokens):
        return f"1 label, {len(tokens)} values"
    subs = [_prefix_parts(t.prefix)[0] for t in tokens]
    groups = _sub_label_groups(subs, tokens) if not all(subs) or any(t.verb for t in tokens) else None
    if groups is not None:
        # line 37: 一般向け2回 54人受講 市職員向け参集講座4回 233人受講 机上研修 1,735人 — each sub-label
        # names the counts after it until the next one
        return [_Assignment(label, t, q) for t, q in zip(tokens, groups, strict=True)]
    if all(subs) and not any(t.verb for t in tokens):
        # line 290: エレベーター4基、多機能トイレ1箇所、連絡通路等1箇所
        qualifiers = subs
    elif not any(subs) and all(t.unit for t in tokens):
        # line 12: 1回開催 24人参加; line 21: 30件1,249人
        qualifiers = [t.verb + _UNIT_QUALIFIER.get(t.unit, t.unit + "数") for t in tokens]
    else:
        return f"1 label, {len(tokens)} values"
    if len(set(qualifiers)) != len(qualifiers):
        return f"1 label, {len(tokens)} values"
    return [_Assignment(label, t, q) for t, q in zip(tokens, qualifiers, strict=True)]


def _sub_label_groups(subs: list[str], tokens: list[Token]) -> list[str] | None:
    """Qualifiers of a cell of sub-labelled groups (``一般向け2回 54人受講 机上研修 1,735人``), or None.

    A sub-label opens a group; values without one belong to the group before them. Every group has a sub-label of
    its own, there are at least two, and within a group each value has its own counter, so no two values compete.
    """
    if not subs or not subs[0] or not all(t.unit for t in tokens) or any(t.frequency for t in tokens):
        return None
    qualifiers: list[str] = []
    seen: set[str] = set()
    group, units, n_groups = "", set(), 0
    for sub, token in zip(subs, tokens, strict=True):
        if sub:
            group, units, n_groups = indicator_name(sub), set(), n_groups + 1
            if key(group) in seen:
                return None
            seen.add(key(group))
        if token.unit in units:
            return None
        units.add(token.unit)
        qualifiers.append(f"{group} {_UNIT_QUALIFIER.get(token.unit, token.unit + '数')}")
    return qualifiers if n_groups >= 2 else None


# ---------------------------------------------------------------- parser


@dataclass
class _Parser:
    book: SheetBuilder
    lines: list[str]
    departments: dict[str, str]
    aliases: dict[str, str]
    names: dict[str, str]
    crosswalk: dict[str, list[Label]]
    ctx: _Context = field(default_factory=_Context)
    measures: dict[str, _Measure] = field(default_factory=dict)
    measure_names: dict[str, str] = field(default_factory=dict)
    """measure_id → the name of the first measure registered under it."""
    cell_figures: dict[tuple[str, str, int, str], tuple[int, tuple[object, ...]]] = field(default_factory=dict)
    """(measure_id, 取組内容 key, year, kind) → the first line printing figures for it, and those figures."""
    observations: dict[tuple[str, str, int, str], Observation] = field(default_factory=dict)
    """(measure_id, indicator, year, kind) → the observation kept for it."""
    notes_at: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    """(line, number) → columns where that number was skipped as a bracketed note, last one last."""

    def run(self) -> None:
        skip_next = False
        for number, line in enumerate(self.lines, start=1):
            if skip_next:
                skip_next = False
                continue
            if "\t" not in line:
                self._title(line.strip(), number)
                continue
            cells = split_cells(line)
            if clean_cell(cells[0]) == "施策":
                skip_next = self._header(cells, number)
                continue
            self._row(cells, number)

    def _title(self, text: str, number: int) -> None:
        goal = _GOAL.match(text)
        direction = _DIRECTION.match(text)
        if goal:
            self.ctx.goal, self.ctx.goal_no = text, int(goal.group(1))
        elif direction:
            self.ctx.direction, self.ctx.direction_no = text, int(direction.group(1))
            self.ctx.policy, self.ctx.policy_no = "", 0
            if not text.startswith("基本的な方向性"):
                self.book.quirk(
                    "方向性 titles lose their 基本的な方向性 prefix; (n) alone starts a new direction", number
                )

    def _header(self, cells: list[str], number: int) -> bool:
        """Read the fiscal years of a header block; True when its year labels stand on the next line."""
        labels = [c for c in (clean_cell(c) for c in cells) if parse_fiscal_year(c)]
        two_lines = False
        if len(labels) < 2 and number < len(self.lines):
            # line 7-8: 件数等実績値 on the header line, R2 策定時 / R4中間年 on the line below
            below = [c for c in (clean_cell(c) for c in split_cells(self.lines[number])) if parse_fiscal_year(c)]
            labels, two_lines = below, True
            if any("備考" in clean_cell(c) for c in cells[6:8]):
                # line 73-74 and 202-203: 備考 before the year labels, which stand one column off the data
                self.book.quirk(
                    "split header with 備考 before 件数等実績値; year labels are read in order, not by column", number
                )
        years = tuple(parse_fiscal_year(label) for label in labels)
        if len(years) != 2 or None in years:
            raise ValueError(f"line {number}: cannot read the year labels of the header: {labels}")
        if self.ctx.years and self.ctx.years != years:
            raise ValueError(f"line {number}: header years changed from {self.ctx.years} to {years}")
        header_text = " ".join(clean_cell(c) for c in cells)
        self.ctx.value_kind = "target" if "目標" in header_text else "plan" if "計画値" in header_text else "actual"
        self.ctx.years = years  # type: ignore[assignment]
        return two_lines

    # ------------------------------------------------------------ rows

    def _row(self, cells: list[str], number: int) -> None:
        clean = [clean_cell(c) for c in cells] + [""] * 12
        lay = _locate(clean, len(cells), self.departments, len(self.ctx.years))
        if lay is None:
            raise ValueError(f"line {number}: cannot place the cells of this row")
        if clean[0] and clean[0][0] in CIRCLED_MARKERS:
            policy_no = CIRCLED_MARKERS.index(clean[0][0]) + 1
            if policy_no <= self.ctx.policy_no:
                # line 65: ②世代間交流の促進 follows ③ of the same 方向性: the next 方向性 title is not printed
                self.ctx.direction_no += 1
                self.ctx.direction = ""
                self.book.quirk(
                    "施策 numbering restarts with no 方向性 title: the 方向性 number is inferred, title left empty",
                    number,
                )
            self.ctx.policy, self.ctx.policy_no = clean[0], policy_no
        elif lay.dept == 1 or (lay.measure == 0):
            # line 23: a project row starting at column 0 keeps the 施策 from above
            self.book.quirk("rows starting at column 0 with the 事業名 inherit the 施策 from above", number)
        if lay.shape != "standard":
            self.book.quirk(_SHAPE_QUIRKS[lay.shape], number)
        dept = self._row_department(clean, lay, number)
        measures = self._measures(clean, lay, dept, number)
        text_dept = bracket_department(clean[lay.text], self.departments) if lay.text is not None else None
        row_dept = department_text(text_dept[0]) if text_dept else dept
        self._activities(cells, lay, measures, row_dept, number)
        self._values(cells, lay, measures, row_dept, number)

    def _row_department(self, clean: list[str], lay: Layout, number: int) -> str:
        if lay.dept is not None:
            parts = department_parts(clean[lay.dept], self.departments) or []
            if _BRACKETED.fullmatch(clean[lay.dept]):
                # line 304: (保険総務課) alone where the 関連課 stands
                self.book.quirk("a department alone in brackets opens a continuation row", number)
            return department_text(parts)
        return self.ctx.department

    def _measures(self, clean: list[str], lay: Layout, dept: str, number: int) -> list[tuple[str, str]]:
        """(measure_id, department) of each 事業 the row reports, registering new listings."""
        cell = clean[lay.measure] if lay.measure is not None else ""
        if not cell or _BRACKETED.fullmatch(cell):
            if cell:
                # line 288: (情報のバリアフリー化、…) under the 事業名 above, with its own 関連課
                self.book.quirk("a bracketed 事業名 cell continues the 事業 above with another department", number)
            if not self.ctx.measure_id:
                raise ValueError(f"line {number}: continuation row without a 事業 above")
            if lay.dept is not None:
                self.ctx.department = dept
            return [(self.ctx.measure_id, dept or self.ctx.department)]
        names = [measure_name(n) for n in cell.split() if n.strip("・")]
        depts = [d for d in clean[lay.dept].split() if d in self.departments] if lay.dept is not None else []
        if len(names) > 1 and len(names) == len(depts) == len(clean[lay.dept].split()):
            # line 28: seven 事業 in one row, one department each
            self.book.quirk(
                "one row lists several 事業 with one department each; values split by the crosswalk", number
            )
            listed = [(name, self.departments[d]) for name, d in zip(names, depts, strict=True)]
            return [(self._listing(name, d, number), d) for name, d in listed]
        measure_id = self._listing(measure_name(cell), dept, number)
        self.ctx.department = dept
        return [(measure_id, dept)]

    def _listing(self, name: str, dept: str, number: int) -> str:
        k = self.aliases.get(measure_key(name), measure_key(name))
        place = (self.ctx.goal_no, self.ctx.direction_no, self.ctx.policy_no)
        if 0 in place:
            raise ValueError(f"line {number}: 事業 {name} outside a 基本目標/方向性/施策")
        self.ctx.listings[place] = self.ctx.listings.get(place, 0) + 1
        known = self.measures.get(k)
        if known is None:
            measure_id = f"{ID_PREFIX}-{place[0]}-{place[1]}-{place[2]}-{self.ctx.listings[place]}"
            known = _Measure(measure_id, self.names.get(k, name), number)
            self.measures[k] = known
            self.measure_names.setdefault(measure_id, known.name)
        elif measure_key(name) != k or measure_key(name) != measure_key(known.name):
            self.book.quirk("one project printed under variant names (the lexicon maps them to one 事業)", number)
        self.book.listing(
            known.measure_id,
            name,
            number,
            goal=self.ctx.goal,
            direction=self.ctx.direction,
            policy=self.ctx.policy,
            department=dept,
            is_repeat=known.first_line != number,
        )
        if known.first_line != number:
            self.book.quirk("the same 事業 listed under several 施策: one measure id, observations kept once", number)
        self.ctx.measure_id, self.ctx.measure = known.measure_id, known.name
        return known.measure_id

    def _measure_label(self, measure_id: str) -> str:
        return self.measure_names[measure_id]

    # ------------------------------------------------------------ activities

    def _activities(
        self, cells: list[str], lay: Layout, measures: list[tuple[str, str]], dept: str, number: int
    ) -> None:
        # line 46: the 実施状況 of the 中間年の点検 reviews R2–R4 (「令和2年度から新規開設拠点は1拠点のみ」), so a
        # sentence naming no year may speak of any year from the first value column on
        year, since = self.ctx.years[-1], self.ctx.years[0]
        if lay.text is not None:
            items = narrative_items(cells[lay.text])
            targets = measures if len(measures) == len(items) and len(measures) > 1 else [measures[0]] * len(items)
            for item, (measure_id, measure_dept) in zip(items, targets, strict=True):
                found = bracket_department(item, self.departments)
                item_dept = department_text(found[0]) if found else (measure_dept if len(measures) > 1 else dept)
                self.book.activity(
                    measure_id,
                    year,
                    "actual",
                    item,
                    number,
                    department=item_dept,
                    section=ACTIVITY_SECTION,
                    period_start=since,
                    once=True,
                )
        for i in lay.notes:
            if i >= len(cells) or _bare_value(cells[i]):
                continue
            for item in narrative_items(cells[i]):
                kind = "plan" if _PLAN_WORDS.search(item) else "actual"
                self.book.activity(
                    measures[0][0],
                    year,
                    kind,
                    item,
                    number,
                    department=dept,
                    section=NOTE_SECTION,
                    period_start=since if kind == "actual" else year,
                    once=True,
                )

    # ------------------------------------------------------------ values

    def _values(self, cells: list[str], lay: Layout, measures: list[tuple[str, str]], dept: str, number: int) -> None:
        row = row_cells(cells, lay)
        raw_label = row.label
        if row.merged:
            self.book.quirk(
                "first-year values printed inside the 取組内容 cell; the value columns shift one left", number
            )
        parsed = [tokenize_value_cell(c).place(at) for c, at in zip(row.values, row.value_at, strict=True)]
        if row.merged:
            for cell, where in zip(parsed, ("inside the 取組内容 cell", "in the first value column"), strict=False):
                for token in cell.tokens:
                    token.notes.append(f"printed {where}")
        parsed = self._spill(cells, row.stray, parsed, number)
        columns = cell_columns(cells)
        label_dept = bracket_department(raw_label, self.departments)
        if label_dept:
            # line 243: （こども未来課）子育て短期支援事業（ショートステイ）利用者数
            dept, raw_label = department_text(label_dept[0]), label_dept[1]
        for year, cell in zip(self.ctx.years, parsed, strict=True):
            self._cell(raw_label, cell, year, measures, dept, number)
        if lay.text is not None:
            self._text_values(cells[lay.text], columns[lay.text], raw_label, parsed, measures[0][0], dept, number)

    def _spill(self, cells: list[str], stray: list[int], parsed: list[CellTokens], number: int) -> list[CellTokens]:
        """Line 163: the second indicator's values stand past the 備考 column; line 207: one stray value in 備考."""
        if not stray:
            return parsed
        if len(stray) == len(parsed):
            self.book.quirk(
                "values of a second indicator printed past the 備考 column are read as its year pair", number
            )
            columns = cell_columns(cells)
            for cell, i in zip(parsed, stray, strict=True):
                extra = tokenize_value_cell(cells[i]).place(columns[i])
                for token in extra.tokens:
                    token.notes.append("printed past the 備考 column")
                cell.tokens.extend(extra.tokens)
                cell.side.extend(extra.side)
                cell.side_at.extend(extra.side_at)
            return parsed
        self.book.quirk("a lone value in the 備考 column cannot be given a year or indicator: coverage only", number)
        columns = cell_columns(cells)
        for i in stray:
            for token in tokenize_value_cell(cells[i]).place(columns[i]).tokens:
                reason = "stray value in the 備考 column: year and indicator unknown"
                self.book.cover(number, token.pos, token.raw, "skipped", reason)
        return parsed

    def _cell(
        self, raw_label: str, cell: CellTokens, year: int, measures: list[tuple[str, str]], dept: str, number: int
    ) -> None:
        for (token_text, reason), at in zip(cell.side, cell.side_at, strict=True):
            self.book.cover(number, at, token_text, "skipped", reason)
            if reason == "parenthesised note":
                self.notes_at.setdefault((number, token_text), []).append(at)
        label_text = clean_cell(raw_label)
        has_label = bool(label_text) and label_text not in NO_INDICATOR
        if not cell.tokens:
            if cell.text_only and has_label:
                self._whole([Label(indicator_name(raw_label))], cell, year, measures[0], dept, number, "text, no value")
            return
        if not has_label:
            if all(t.no_value for t in cell.tokens):
                return
            self._whole([Label("(取組内容なし)")], cell, year, measures[0], dept, number, "values without a label")
            return
        if self._repeated_cell(raw_label, cell, year, measures[0][0], number):
            return
        labels, explicit = labels_for(raw_label, self.crosswalk, len(cell.tokens))
        result = align(labels, cell.tokens, explicit)
        if isinstance(result, str):
            self._whole(labels, cell, year, measures[0], dept, number, result)
            return
        for assignment in result:
            self._assign(assignment, cell, year, measures, dept, number)

    def _repeated_cell(self, raw_label: str, cell: CellTokens, year: int, measure_id: str, number: int) -> bool:
        """True when an earlier listing of the same 事業 printed the same 取組内容 and the same figures this year.

        Line 131 repeats line 37 in other words (市職員向け4回に 参集講座を実施): the figures, not the wording, make
        it a repeat, and all of them are skipped as such.
        """
        numbers = tuple(sorted((token_quantity(t)[:2] for t in cell.tokens if t.number), key=str))
        if not numbers:
            return False
        cell_key = (measure_id, label_key(clean_cell(raw_label)), year, self.ctx.value_kind)
        first = self.cell_figures.setdefault(cell_key, (number, numbers))
        if first[0] == number or first[1] != numbers:
            return False
        self.book.quirk("a repeated listing printing the same figures in other words is a repeat", number)
        for token in cell.tokens:
            if token.number:
                self.book.cover(number, token.pos, token.raw, "skipped", f"repeat of line {first[0]}")
        return True

    def _assign(
        self, a: _Assignment, cell: CellTokens, year: int, measures: list[tuple[str, str]], dept: str, number: int
    ) -> None:
        token, label = a.token, a.label
        measure_id, measure_dept = self._target_measure(label, measures, dept)
        indicator = f"{label.name} {a.qualifier}".strip() if a.qualifier else label.name
        value, unit, multiplier = token_quantity(token)
        sub, _, year_note = _prefix_parts(token.prefix)
        notes = [
            n
            for n in (
                token.prefix if sub and not a.qualifier and key(sub) not in key(label.name) else "",
                year_note,
                *token.notes,
                token.trailing,
                multiplier,
            )
            if n
        ]
        if token.verb and token.verb not in a.qualifier:
            notes.insert(0, token.verb)
        if token.frequency:
            # line 130: 庁内会議年2回 — a yearly frequency, not a count of meetings held
            value = None
            notes.insert(0, f"{token.prefix}{token.raw}: yearly frequency wording, kept without a value")
            self.book.quirk(
                "yearly frequencies in value cells (年2回) are kept as observations without a value", number
            )
        if token.no_value and zero_for_not_held(" ".join(token.notes), indicator):
            # line 38: ー（…拡大防止のため中止） under 運動普及推進員の養成: nothing was held, so the count is 0
            value = 0.0
            notes.append(NOT_HELD_NOTE)
            self.book.quirk("a marker saying the activity did not take place (中止, 未実施) gives the count 0", number)
        if token.unit and label.unit == "" and key(label.name).endswith("回数") and token.unit == "件":
            notes.append("unit 件 as printed for a 回数 label")
        if "述べ" in indicator:
            # line 279: 述べ利用人数 — the label misprints 延べ
            notes.append("述べ in the label read as 延べ")
            self.book.quirk("a label printing 述べ for 延べ is given count basis 延べ", number)
        series_break = label.series_break_from is not None and year >= label.series_break_from
        obs = self.book.draft(
            measure_id=measure_id,
            measure=self._measure_label(measure_id),
            indicator=indicator,
            fiscal_year=year,
            value_kind=self.ctx.value_kind,
            value=value,
            unit=unit,
            value_raw=token.raw,
            source_line=number,
            goal=self.ctx.goal,
            direction=self.ctx.direction,
            policy=self.ctx.policy,
            department=measure_dept,
            count_basis=label.count_basis or _token_basis(token) or label_basis(indicator),
            note="; ".join(dict.fromkeys(notes + ([label.why] if series_break else []))),
            series_break=series_break,
        )
        repeat = self._observe(obs)
        if token.number and not token.frequency:
            self._sub_counts(obs, token, number)
        if token.number:
            if repeat:
                self.book.cover(number, token.pos, obs.value_raw, "skipped", repeat)
            elif token.frequency:
                self.book.cover(number, token.pos, obs.value_raw, "skipped", "frequency wording (年N回)")
            else:
                self.book.cover(number, token.pos, obs.value_raw, "observation")

    def _sub_counts(self, obs: Observation, token: Token, number: int) -> None:
        """A labelled part of the value in brackets, in the same counter, is its own observation.

        Line 235: ``57施設 (うちホテル協会6施設)``, ``60施設 ②(R4新規・3施設)``; other brackets stay notes
        (line 154: 相談員2名体制)."""
        for note in token.notes:
            match = _SUB_COUNT.search(note)
            if match is None or nfkc(match.group("unit")) != nfkc(token.unit):
                continue
            quantity = parse_quantity(nfkc(match.group("number") + match.group("unit")))
            if quantity is None:
                continue
            part = match.group("part")
            label = f"うち{indicator_name(part)}" if part else indicator_name(match.group("group"))
            sub = replace(
                obs,
                indicator=f"{obs.indicator}({label})",
                value=quantity.value,
                value_raw=match.group("number") + match.group("unit"),
                note=f"part of {obs.value_raw}",
            )
            self.book.quirk(
                "a labelled part of a value in brackets (うちホテル協会6施設) is its own observation", number
            )
            if self._observe(sub):
                continue
            self._reclaim(number, match.group("number"), sub.value_raw)

    def _observe(self, obs: Observation) -> str:
        """Keep an observation; returns "" or the coverage reason when its key is already taken (a repeat)."""
        k = (obs.measure_id, obs.indicator, obs.fiscal_year, obs.value_kind)
        first = self.observations.get(k)
        if first is None:
            self.observations[k] = self.book.observe(obs)
            return ""
        if first.value == obs.value:
            return f"repeat of line {first.source_line}"
        raise ValueError(f"line {obs.source_line}: {k} already holds {first.value} (line {first.source_line})")

    def _reclaim(self, line: int, number: str, token: str) -> None:
        """The last bracketed-note number of the line with these digits becomes an observation (a labelled part),
        its token widened to the number with its counter."""
        columns = self.notes_at.get((line, number))
        if columns:
            self.book.cover(line, columns.pop(), token, "observation")

    def _target_measure(self, label: Label, measures: list[tuple[str, str]], dept: str) -> tuple[str, str]:
        if label.measure:
            k = self.aliases.get(measure_key(label.measure), measure_key(label.measure))
            measure_id = self.measures[k].measure_id
            return measure_id, next(d for m, d in measures if m == measure_id)
        return measures[0][0], dept

    def _whole(
        self,
        labels: list[Label],
        cell: CellTokens,
        year: int,
        measure: tuple[str, str],
        dept: str,
        number: int,
        reason: str,
    ) -> None:
        """Keep a cell that cannot be aligned as one observation without a value."""
        names = [label.name for label in labels if not label.placeholder]
        masked = _mask(cell.raw)
        start, stop = len(masked) - len(masked.lstrip()), len(masked.rstrip())
        obs = self.book.draft(
            measure_id=measure[0],
            measure=self._measure_label(measure[0]),
            indicator=" / ".join(names),
            fiscal_year=year,
            value_kind=self.ctx.value_kind,
            value=None,
            unit="",
            value_raw=cell.raw[start:stop],
            source_line=number,
            goal=self.ctx.goal,
            direction=self.ctx.direction,
            policy=self.ctx.policy,
            department=dept,
            note=f"cannot align labels and values ({reason}); the cell is kept whole: {clean_cell(cell.raw)}",
        )
        self.book.quirk(
            "cells whose labels and values cannot be paired are kept whole as one observation without a value", number
        )
        repeat = self._observe(obs)
        for token in cell.tokens:
            if token.number:
                self.book.cover(number, token.pos, token.raw, "skipped", repeat or f"cell kept whole: {reason}")

    # ------------------------------------------------------------ numbers in the 実施状況 text

    def _text_values(
        self, raw_text: str, at: int, raw_label: str, parsed: list[CellTokens], measure_id: str, dept: str, number: int
    ) -> None:
        """Numbers read from the 実施状況 text (standing at column ``at``): a year list, a target, (参考) figures."""
        text = clean_cell(raw_text)
        self._year_list(text, _TextPlaces(raw_text, at), raw_label, parsed, measure_id, dept, number)
        self._target(text, _TextPlaces(raw_text, at), measure_id, dept, number)
        self._reference(text, _TextPlaces(raw_text, at), measure_id, dept, number)

    def _year_list(
        self,
        text: str,
        places: _TextPlaces,
        raw_label: str,
        parsed: list[CellTokens],
        measure_id: str,
        dept: str,
        number: int,
    ) -> None:
        """Line 171: ``○ 令和2年度 2件 ○ 令和3年度 1件 ○ 令和4年度 0件`` — the years between the two columns."""
        pairs = [(parse_fiscal_year(m.group("year")), m.group("value")) for m in _YEAR_LIST.finditer(text)]
        if len(pairs) < 3 or any(len(c.tokens) != 1 or c.tokens[0].no_value for c in parsed):
            return
        printed = {y: token_quantity(c.tokens[0])[0] for y, c in zip(self.ctx.years, parsed, strict=True)}
        listed = {y: parse_quantity(nfkc(v)) for y, v in pairs}
        if any(listed.get(y) is None or listed[y].value != v for y, v in printed.items()):
            return
        self.book.quirk("a year list in 実施状況 that repeats both value columns gives the year between them", number)
        label = indicator_name(raw_label)
        for (year, raw_value), match in zip(pairs, _YEAR_LIST.finditer(text), strict=True):
            quantity = listed[year]
            token, column = places.find(raw_value)
            if year in printed or quantity is None or year is None:
                self.book.cover(number, column, token, "skipped", f"{TEXT_REASON}: restates a value column")
                continue
            obs = self._text_observation(
                measure_id, label, year, "actual", quantity.value, quantity.unit, token, dept, number
            )
            obs = _with(
                obs, year_basis=f"実施状況 text: {match.group().strip()} (the same list matches both value columns)"
            )
            repeat = self._observe(obs)
            outcome = "skipped" if repeat else "observation"
            self.book.cover(number, column, token, outcome, f"{TEXT_REASON}: {repeat or 'read'}")

    def _target(self, text: str, places: _TextPlaces, measure_id: str, dept: str, number: int) -> None:
        """Line 143: ``令和4年度は新規相談件数について、目標値240件`` — a target stated in the 実施状況 text."""
        if "目標値" not in text:
            return
        for match in _TARGET.finditer(text):
            quantity = parse_quantity(nfkc(match.group("value")))
            year = parse_fiscal_year(match.group("year"))
            if quantity is None or year is None:
                continue
            token, column = places.find(match.group("value"))
            obs = self._text_observation(
                measure_id,
                indicator_name(match.group("label")),
                year,
                "target",
                quantity.value,
                quantity.unit,
                token,
                dept,
                number,
            )
            obs = _with(obs, year_basis=f"実施状況 text: {match.group().strip()}")
            self.book.quirk(
                "a target stated in the 実施状況 text (目標値) is read with the year the sentence names", number
            )
            repeat = self._observe(obs)
            outcome = "skipped" if repeat else "observation"
            self.book.cover(number, column, token, outcome, f"{TEXT_REASON}: {repeat or 'read'}")

    def _reference(self, text: str, places: _TextPlaces, measure_id: str, dept: str, number: int) -> None:
        """Line 224: ``(参考)自主防災組織の組織化率 R2:84.5% R4:84.5%`` in the 実施状況 text."""
        if "参考" not in text:
            return
        for match in _REFERENCE.finditer(text):
            for pair in _REFERENCE_PAIR.finditer(match.group("pairs")):
                quantity = parse_quantity(pair.group("value"))
                year = parse_fiscal_year(pair.group("year"))
                if quantity is None or year is None:
                    continue
                token, column = places.find(pair.group("value"))
                obs = self._text_observation(
                    measure_id,
                    indicator_name(match.group("label")),
                    year,
                    "actual",
                    quantity.value,
                    quantity.unit,
                    token,
                    dept,
                    number,
                )
                obs = _with(
                    obs, year_basis=f"実施状況 text: {pair.group().strip()}", note="(参考) figure in the 実施状況 text"
                )
                self.book.quirk(
                    "(参考) figures with their own year labels in the 実施状況 text are read as observations", number
                )
                repeat = self._observe(obs)
                outcome = "skipped" if repeat else "observation"
                self.book.cover(number, column, token, outcome, f"{TEXT_REASON}: {repeat or 'read'}")

    def _text_observation(
        self,
        measure_id: str,
        indicator: str,
        year: int,
        kind: str,
        value: float | None,
        unit: str,
        raw: str,
        dept: str,
        number: int,
    ) -> Observation:
        return self.book.draft(
            measure_id=measure_id,
            measure=self._measure_label(measure_id),
            indicator=indicator,
            fiscal_year=year,
            value_kind=kind,
            value=value,
            unit=unit,
            value_raw=raw,
            source_line=number,
            goal=self.ctx.goal,
            direction=self.ctx.direction,
            policy=self.ctx.policy,
            department=dept,
            count_basis=label_basis(indicator),
        )


_SHAPE_QUIRKS: dict[str, str] = {
    "label-before-text": "a row whose 取組内容 stands before the 実施状況 sentence (label and text swapped)",
    "no-text": "a row without 実施状況: 取組内容 and values shifted one column left",
    "text-anchored": "continuation rows (leading tabs) inherit 事業 and 関連課; the 実施状況 opens with (課名)",
}


def _with(obs: Observation, **changes: str) -> Observation:
    return replace(obs, **changes)  # type: ignore[arg-type]


def cell_columns(cells: list[str]) -> list[int]:
    """The column each tab-separated cell of a line starts at."""
    columns, column = [], 0
    for cell in cells:
        columns.append(column)
        column += len(cell) + 1
    return columns


@dataclass
class _TextPlaces:
    """Where numbers quoted from a text cell stand on the line: each is looked for after the one before, so the same
    figure printed twice (line 224: ``R2:84.5% R4:84.5%``) is two places."""

    raw: str
    column: int
    cursor: int = 0

    def find(self, value: str) -> tuple[str, int]:
        """The token as it stands in the raw cell (``_raw_find``) and its column on the line."""
        token = _raw_find(self.raw, value)
        start = self.raw.find(token, self.cursor)
        if start < 0:
            start = self.raw.find(token)
        if start < 0:
            raise ValueError(f"{value!r} is not in its 実施状況 cell")
        self.cursor = start + len(token)
        return token, self.column + start


def _raw_find(raw: str, token: str) -> str:
    """The token as it stands in the raw cell (falls back to the NFKC form, which the caller then checks)."""
    if token in raw:
        return token
    for candidate in _WORD.finditer(raw):
        if nfkc(candidate.group()) == token:
            return candidate.group()
    return token


@per_parse_cache
def _bare_value(cell: str) -> bool:
    """True for a cell holding only a number with its counter (a value outside the value columns)."""
    text = nfkc(clean_cell(cell))
    return bool(text) and bool(_BARE_VALUE.fullmatch(text)) and bool(tokenize_value_cell(cell).tokens)


@dataclass(frozen=True)
class RowCells:
    """The raw 取組内容 text, one raw text per value column, and stray values found right of the value columns."""

    label: str
    values: list[str]
    stray: list[int]
    merged: bool
    value_at: list[int]
    """The column each value text starts at on the line."""


def row_cells(cells: list[str], lay: Layout) -> RowCells:
    """Cut a data row into its label, value and stray-value cells (line 299: first-year values in the label cell)."""
    raw_label = cells[lay.label] if lay.label is not None and lay.label < len(cells) else ""
    values = [cells[i] if i < len(cells) else "" for i in lay.values]
    columns = cell_columns(cells)
    value_at = [columns[i] if i < len(cells) else 0 for i in lay.values]
    stray = [i for i in lay.notes if i < len(cells) and _bare_value(cells[i])]
    items = [b for b in _bullets(clean_cell(raw_label)) if b.strip()]
    valued = [b for b in items if _DIGIT.search(b) and tokenize_value_cell(b).tokens]
    if not valued or clean_cell(values[-1]):
        return RowCells(raw_label, values, stray, merged=False, value_at=value_at)
    start = raw_label.find("・" + valued[0]) if "・" + valued[0] in raw_label else raw_label.find(valued[0])
    label_at = columns[lay.label] if lay.label is not None else 0
    merged_at = [label_at + start, *value_at[:-1]]
    return RowCells(raw_label[:start], [raw_label[start:], *values[:-1]], stray, merged=True, value_at=merged_at)


def value_texts(line: str, departments: dict[str, str], n_values: int = 2) -> list[str]:
    """Raw texts holding values on one data line (value columns, values inside the label cell, stray values)."""
    cells = split_cells(line)
    lay = layout(cells, departments, n_values)
    if lay is None:
        return []
    row = row_cells(cells, lay)
    return [*row.values, *(cells[i] for i in row.stray)]


def _bullets(text: str) -> list[str]:
    """The text split at its ``・`` bullets."""
    return _BULLET_SPLIT.split(text) if "・" in text else [text]


def narrative_items(raw: str) -> list[str]:
    """One item per paragraph or ``・`` bullet of a narrative cell, HTML stripped, original characters kept."""
    items: list[str] = []
    for part in _PARAGRAPH_BREAK.split(raw):
        for bullet in _bullets(strip_html(part)):
            # line 28: ※ notes of several 事業 run together in one 備考 cell
            for note in _BEFORE_NOTE_MARK.split(bullet) if "※" in bullet else [bullet]:
                if note.strip():
                    items.append(note.strip())
    return items


def parse(path: Path, *, city: str, source_file: str, lines: list[str] | None = None) -> ParsedSheet:
    """Read the 施策の実施状況 sheet into observations, listings, activities and coverage."""
    lines = read_sheet_lines(path, source_file) if lines is None else lines
    book = SheetBuilder(city, source_file, lines, coverage_order="recorded")
    parser = _Parser(
        book, lines, load_departments(), load_measure_aliases(), load_measure_names(), load_indicator_crosswalk()
    )
    parser.run()
    years = (
        f"件数等実績値 columns are fiscal years {', '.join(map(str, parser.ctx.years))} from the header labels; "
        f"実施状況 and 備考 texts are dated {parser.ctx.years[-1]} (the 中間年 column)"
    )
    return book.finish(notes=(years,))

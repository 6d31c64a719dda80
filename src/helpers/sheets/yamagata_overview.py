"""山形市における重層的支援体制整備事業について (overview slides) read into records.

The slides give dated city-profile figures, the growth of the 我が事・丸ごと hubs by fiscal year (a series
running over several lines joined by ⇒) and narrative text; every other number (dates, rules, fees, undated
profile figures) is recorded as coverage with the reason it is not an observation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core.fiscal_years import ERA_YEAR_PATTERN, era_to_gregorian, parse_fiscal_years
from helpers.core.lexicons import lexicon_rows
from helpers.core.non_counts import NonCountRule, make_rule, non_count_rule, non_count_rules, non_count_spans
from helpers.core.numbers import WIDE_NUMBER_PATTERN, parse_quantity
from helpers.core.text import CIRCLED_MARKERS, nfkc
from helpers.sheets.builder import SheetBuilder
from helpers.sheets.records import ParsedSheet
from helpers.sources.raw_text import read_sheet_lines

MEASURES_LEXICON = "yamagata_overview_measures.csv"
"""Slide heading → the measure its figures and texts belong to."""

HUB_INDICATORS: dict[str, str] = {"地区": "実施地区数", "拠点": "拠点数"}
"""Counter of a hub-series token → indicator (``21地区23拠点`` holds both)."""

_ATOM = re.compile(rf"[{CIRCLED_MARKERS}]|{WIDE_NUMBER_PATTERN}")
_DATE_RULE, _PERIOD_RULE, _ERA_YEAR_RULE = non_count_rules("date", "period", "era_year")
_DATE = _DATE_RULE.pattern
_PERIOD = _PERIOD_RULE.pattern
_FISCAL_LABEL = re.compile(rf"{ERA_YEAR_PATTERN}\s*年度")
_QUANTITY = re.compile(rf"(?P<number>{WIDE_NUMBER_PATTERN})\s*(?P<unit>人|%|地区|拠点|場所|校|施設)")
_COVER_RULES: tuple[NonCountRule, ...] = (
    _DATE_RULE,
    _PERIOD_RULE,
    _ERA_YEAR_RULE.worded("fiscal-year label"),
    non_count_rule("ordinal"),
    # line 59: 「1 庁内ワーキンググループを設置」 — a slide list numbered by a bare number and a space
    make_rule("list_numbering", "numbering", r"^\s*\d+(?=\s+\S)", "list numbering"),
    # line 21: 「14 場所 | 〈市社協3〉」 — the 〈〉 column of the profile table holds an undated sub-count
    make_rule("profile_sub_count", "undated", r"〈[^〈〉]*\d+[^〈〉]*〉", "undated profile figure (sub-count in 〈〉)"),
    non_count_rule("frequency"),
    # line 105: 「月8回以上開催、うち1回は専門職の相談日開設」 — うちN回 is a share of the frequency rule before it
    make_rule("of_which", "frequency", r"うち\s*\d+\s*回", "frequency rule (うちN回)"),
    *non_count_rules("interval", "fee", "name"),
)
"""Numbers on the slides that are not observations, in the order they are tried: shared rules and the deck's own."""
_HEADING = re.compile(r"^\s*[★○]|^\s*山形市の概要\s*$")
_DOCUMENT_DATE = re.compile(rf"[(（]\s*(?P<date>{_DATE.pattern})\s*現在\s*[)）]")
_INDENTED_ITEM = re.compile(r"^\s+-")
_NARRATIVE = re.compile(rf"。|⇒|^[-*]|[(（]{ERA_YEAR_PATTERN}")
_ITEM_BULLET = re.compile(r"^[-*]\s*(?:・)?")
_COUNTER_AFTER = re.compile(r"\s?(?:km²|km2|場所|[人校施設地区拠点%])+")
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_LEADING_BULLETS = re.compile(r"^[\s\-・]+")
_PLAN_WORDS = re.compile(r"目指|予定|将来")
UNDATED = "undated profile figure"


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    outcome: str
    reason: str = ""


@dataclass
class _State:
    measure_id: str = ""
    measure: str = ""
    dated_parent: tuple[int, str] | None = None
    """(fiscal year, date text) of the top-level profile item whose indented sub-items share its date."""
    in_hub_series: bool = False
    listed: set[str] = field(default_factory=set)


def load_headings() -> list[tuple[str, str, str]]:
    """(heading text, measure_id, measure), longest heading first so the most specific wins."""
    rows = [(r["heading"], r["measure_id"], r["measure"]) for r in lexicon_rows(MEASURES_LEXICON)]
    return sorted(rows, key=lambda r: len(r[0]), reverse=True)


def date_fiscal_year(match: re.Match[str]) -> int:
    """Fiscal year of a dated expression (``令和5年4月1日`` → 2023, ``平成28年9月`` → 2016, ``R2.6`` → 2020)."""
    year = era_to_gregorian(match.group("era"), match.group("year"))
    month = int(match.group("month") or match.group("month2"))
    return year if month >= 4 else year - 1


def document_fiscal_year(lines: list[str]) -> tuple[int | None, str]:
    """The fiscal year of the document's own date (``（令和5年4月1日現在）`` on the profile slide), if printed."""
    for line in lines:
        match = _DOCUMENT_DATE.search(nfkc(line))
        if match:
            inner = _DATE.search(match.group("date"))
            assert inner is not None
            return date_fiscal_year(inner), match.group("date")
    return None, ""


@dataclass
class _Parser:
    book: SheetBuilder
    headings: list[tuple[str, str, str]]
    doc_year: int | None = None
    doc_date: str = ""
    state: _State = field(default_factory=_State)

    def run(self) -> None:
        self.doc_year, self.doc_date = document_fiscal_year(self.book.lines)
        for number, line in enumerate(self.book.lines, start=1):
            spans = self._line(line, number)
            self._cover(line, number, spans)

    # ------------------------------------------------------------ per line

    def _line(self, line: str, number: int) -> list[_Span]:
        text = line.strip()
        if not text:
            return []
        if _HEADING.match(text):
            self._heading(text, number)
            return []
        if self.state.measure_id == "yamagata-overview-profile":
            return self._profile(line, number)
        if "実施地区" in text or (self.state.in_hub_series and text.startswith("⇒")):
            return self._hub_series(line, number)
        self.state.in_hub_series = False
        self._activity(text, number)
        return []

    def _heading(self, text: str, number: int) -> None:
        for heading, measure_id, measure in self.headings:
            if heading in text:
                self.state.measure_id, self.state.measure = measure_id, measure
                if measure_id not in self.state.listed:
                    self.state.listed.add(measure_id)
                    self.book.listing(measure_id, measure, number)
                return

    # ------------------------------------------------------------ profile slide

    def _profile(self, line: str, number: int) -> list[_Span]:
        """Line 13: the 人口 item carries the slide's date; its indented sub-items (lines 14-15) share it."""
        text = nfkc(line)
        indented = bool(_INDENTED_ITEM.match(line))
        date = _DATE.search(text)
        if not indented:
            self.state.dated_parent = (date_fiscal_year(date), date.group()) if date else None
        dated = self.state.dated_parent if (date or indented) else None
        if dated is None:
            # line 12: 面積 381.58km², line 26: 地区数 30 — figures without a date are not observations of a year
            self.book.quirk(
                "profile figures without a date on their line or parent item (面積, 民生委員児童委員数, 学校, "
                "相談支援関連機関, 地区数, 町内会数) are not observations of a year: the slide's 現在 date "
                "stands on the 人口 item only and is not carried over (coverage: undated profile figure)",
                number,
            )
            return []
        return self._profile_values(line, number, dated, indented)

    def _profile_values(self, line: str, number: int, dated: tuple[int, str], indented: bool) -> list[_Span]:
        spans: list[_Span] = []
        taken = [(m.start(), m.end()) for m in _DATE.finditer(line)]
        for match in _QUANTITY.finditer(line):
            if any(s <= match.start() < e for s, e in taken):
                continue
            label = _profile_label(line[: match.start()])
            quantity = parse_quantity(nfkc(match.group()))
            if not label or quantity is None:
                continue
            year_basis = f"dated by 「{dated[1]}現在」" + (" on the parent item" if indented else "")
            self.book.observation(
                measure_id=self.state.measure_id,
                measure=self.state.measure,
                indicator=label,
                fiscal_year=dated[0],
                value_kind="actual",
                value=quantity.value,
                unit=quantity.unit,
                value_raw=match.group(),
                source_line=number,
                year_basis=year_basis,
            )
            spans.append(_Span(match.start(), match.end(), "observation"))
        if indented:
            self.book.quirk("indented profile items (高齢者人口, 高齢化率) take the date of their parent item", number)
        return spans

    # ------------------------------------------------------------ hub series

    def _hub_series(self, line: str, number: int) -> list[_Span]:
        """Lines 110-114: ``平成29年度 3地区3拠点 ⇒ … ⇒ 令和4年度 22地区24拠点`` over several lines."""
        self.state.in_hub_series = True
        self.book.quirk(
            "the hub series runs over several lines joined by ⇒; each value keeps the line it stands on", number
        )
        spans: list[_Span] = []
        offset = 0
        for segment in line.split("⇒"):
            spans.extend(self._hub_segment(segment, offset, number))
            offset += len(segment) + 1
        return spans

    def _hub_segment(self, segment: str, offset: int, number: int) -> list[_Span]:
        quantities = [m for m in _QUANTITY.finditer(segment) if m.group("unit") in HUB_INDICATORS]
        years = parse_fiscal_years(segment)
        if not quantities:
            return []
        if not years:
            raise ValueError(f"line {number}: hub figures without a fiscal year: {segment!r}")
        labels = list(_FISCAL_LABEL.finditer(segment))
        label = segment[labels[0].start() : labels[-1].end()] if labels else ""
        if "元" in label:
            self.book.quirk("令和元年度 has no digit; it is read as fiscal year 2019", number)
        if len(years) > 1:
            # line 112: 令和2年度・令和3年度 21地区23拠点 — one label for two fiscal years
            self.book.quirk("one label covering two fiscal years gives one observation per year", number)
        for match in quantities:
            quantity = parse_quantity(nfkc(match.group()))
            assert quantity is not None
            for year in years:
                basis = f"the label 「{label}」 covers {len(years)} fiscal years" if len(years) > 1 else ""
                self.book.observation(
                    measure_id=self.state.measure_id,
                    measure=self.state.measure,
                    indicator=HUB_INDICATORS[match.group("unit")],
                    fiscal_year=year,
                    value_kind="actual",
                    value=quantity.value,
                    unit=quantity.unit,
                    value_raw=match.group(),
                    source_line=number,
                    year_basis=basis,
                    note="one token holds both counts (N地区M拠点)",
                )
        return [_Span(offset + m.start(), offset + m.end(), "observation") for m in quantities]

    # ------------------------------------------------------------ narrative

    def _activity(self, text: str, number: int) -> None:
        """Narrative lines of the project slides, dated by the year they name or else by the document date."""
        if not self.state.measure_id or not _NARRATIVE.search(text):
            return
        if _PERIOD.search(nfkc(text)) and "。" not in text:
            return  # line 48: a plan title with its period (R3～R7), not a narrative item
        item = _ITEM_BULLET.sub("", text).strip()
        date = _DATE.search(nfkc(item))
        years = parse_fiscal_years(item)
        if date:
            year = date_fiscal_year(date)
        elif years and not _PERIOD.search(nfkc(item)):
            year = years[0]
        elif self.doc_year is not None:
            year = self.doc_year
            self.book.quirk(
                f"narrative items naming no year are dated by the document date 「{self.doc_date}現在」", number
            )
        else:
            self.book.quirk("narrative items naming no year are left out when the document prints no date", number)
            return
        kind = "plan" if _PLAN_WORDS.search(item) else "actual"
        self.book.activity(self.state.measure_id, year, kind, item, number, section="slides")

    # ------------------------------------------------------------ coverage

    def _cover(self, line: str, number: int, spans: list[_Span]) -> None:
        """Give every number on the line a coverage item: the observation it became, or why it did not."""
        text = nfkc(line) if len(nfkc(line)) == len(line) else line  # positions must match the raw line
        found = list(spans)
        for span in non_count_spans(text, _COVER_RULES):
            if not _overlaps(found, span.start, span.end):
                found.append(_Span(span.start, span.end, "skipped", span.reason))
        for atom in _ATOM.finditer(text):
            if not _overlaps(found, atom.start(), atom.end()):
                found.append(_Span(atom.start(), _token_end(text, atom.end()), "skipped", self._leftover(number)))
        for span in found:
            self.book.cover(number, span.start, line[span.start : span.end], span.outcome, span.reason)

    def _leftover(self, number: int) -> str:
        if self.state.measure_id == "yamagata-overview-profile":
            return UNDATED
        # line 172: 52施設 in the 参加支援事業 slide carries no year
        self.book.quirk("figures in the project slides without a year (52施設) are not observations", number)
        return "undated figure"


def _overlaps(spans: list[_Span], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _token_end(text: str, end: int) -> int:
    """Extend a bare number over the counter that follows it (``30.7%``, ``14 場所``, ``381.58km²``)."""
    match = _COUNTER_AFTER.match(text[end:])
    return end + match.end() if match else end


def _profile_label(before: str) -> str:
    """The label of a profile figure: the words before its number, minus bullets and the date bracket."""
    text = _BRACKETED.sub("", nfkc(before))
    text = _LEADING_BULLETS.sub("", text).strip(" :：・-")
    return text


def parse(path: Path, *, city: str, source_file: str, lines: list[str] | None = None) -> ParsedSheet:
    """Read the overview slides into observations (profile, hub series), listings, activities and coverage."""
    lines = read_sheet_lines(path, source_file) if lines is None else lines
    book = SheetBuilder(city, source_file, lines)
    _Parser(book, load_headings()).run()
    return book.finish()

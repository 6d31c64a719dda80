"""The records every sheet parser returns; the table builder turns them into validated tables.

A parser reads one raw file and returns a :class:`ParsedSheet`. It never writes files and never
drops a number silently: every numeric token in a value column becomes an :class:`Observation`
or a :class:`CoverageItem` saying why it was skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VALUE_KINDS: tuple[str, ...] = ("actual", "target", "plan")
VALUE_ORIGINS: tuple[str, ...] = ("table", "narrative")
"""Where a value was read: a value column of a table, or a labelled count inside narrative text."""


@dataclass(frozen=True)
class Observation:
    """One number (or one empty cell with a note) for an indicator of a measure in one fiscal year.

    ``value_raw`` is the exact substring of line ``source_line`` (1-based) of ``source_file``.
    """

    city: str
    measure_id: str
    measure: str
    indicator: str
    fiscal_year: int
    value_kind: str
    value: float | None
    unit: str
    value_raw: str
    source_file: str
    source_line: int
    goal: str = ""
    direction: str = ""
    policy: str = ""
    department: str = ""
    actor: str = ""
    count_basis: str = ""
    note: str = ""
    series_break: bool = False
    year_basis: str = ""
    """How the fiscal year was decided when it is not the column header (e.g. ``comment: 4年度は…``)."""
    value_origin: str = "table"
    """``table`` (a value column) or ``narrative`` (a labelled count in a sentence), so analyses can weigh it."""


@dataclass(frozen=True)
class MeasureListing:
    """One place a measure is listed in the plan (a project can stand under several policies)."""

    city: str
    measure_id: str
    measure: str
    source_file: str
    source_line: int
    goal: str = ""
    direction: str = ""
    policy: str = ""
    department: str = ""
    actor: str = ""
    is_repeat: bool = False
    """True for a listing the sheet marks as a repeat (白井市 ``※再掲``) or that repeats an earlier one."""


@dataclass(frozen=True)
class Evaluation:
    """白井市's A–D 評価 for a measure in one fiscal year, and the 進捗状況 box checked for the sheet's year."""

    city: str
    measure_id: str
    fiscal_year: int
    grade: str
    progress: str
    source_file: str
    source_line: int
    indicator: str = ""


@dataclass(frozen=True)
class Activity:
    """A narrative item (a ■ bullet, an 実施状況 cell, a comment) kept for text analysis."""

    city: str
    measure_id: str
    fiscal_year: int
    value_kind: str
    text: str
    source_file: str
    source_line: int
    department: str = ""
    actor: str = ""
    section: str = ""
    """Which column or block the text stands in (``実施状況``, ``備考``, ``令和5年度計画`` …)."""
    period_start: int | None = None
    """First fiscal year the text reports on: ``fiscal_year`` (the default) unless the text reviews several years."""

    def __post_init__(self) -> None:
        if self.period_start is None:
            object.__setattr__(self, "period_start", self.fiscal_year)


COVERAGE_REGIONS: tuple[str, ...] = ("value_column", "narrative", "outside_values")
"""Where a numeric token stands: a value column, narrative text (実施状況, 予定, ■ bullets, comments), or outside
the tables' values (titles, contents, headings, rosters, glossaries)."""

_OUTSIDE_VALUES = (
    "heading number",
    "table of contents",
    "fiscal year in a block header",
    "fiscal year in the document title",
    "glossary text",
    "caption or figure text",
    "not a value column",
)


@dataclass(frozen=True)
class CoverageItem:
    """A numeric token found in a sheet and what became of it."""

    city: str
    source_file: str
    source_line: int
    token: str
    outcome: str
    """``observation`` or ``skipped``."""
    reason: str = ""
    region: str = ""
    """One of COVERAGE_REGIONS; a parser that does not say is placed by its reason (``実施状況 text`` → narrative)."""

    def __post_init__(self) -> None:
        if not self.region:
            object.__setattr__(self, "region", region_of_reason(self.reason))


def region_of_reason(reason: str) -> str:
    """Where a token stands, told by its reason when the parser does not say.

    >>> region_of_reason("実施状況 text: repeat of line 12"), region_of_reason("heading number"), region_of_reason("")
    ('narrative', 'outside_values', 'value_column')
    """
    if any(word in reason for word in _OUTSIDE_VALUES):
        return "outside_values"
    if "narrative" in reason or "実施状況 text" in reason or "plan text" in reason:
        return "narrative"
    return "value_column"


@dataclass
class ParsedSheet:
    """Everything a parser read from one raw file."""

    source_file: str
    observations: list[Observation] = field(default_factory=list)
    measures: list[MeasureListing] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    coverage: list[CoverageItem] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)
    """One line per quirk the parser handled in this file, for the notebook to show."""

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


@dataclass(frozen=True)
class CoverageItem:
    """A numeric token found in a value column and what became of it."""

    city: str
    source_file: str
    source_line: int
    token: str
    outcome: str
    """``observation`` or ``skipped``."""
    reason: str = ""


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

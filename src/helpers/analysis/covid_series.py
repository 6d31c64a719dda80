"""Numeric series of the COVID analysis: what each indicator counts (its kind), its points, and its reference level.

Only an activity or participation series (sessions held, participants, trainees) can show a numeric stall. Demand
(相談, 申請), stock (registrations, agreements, rosters, places, staff), money, rates and running totals are read
apart: a consultation count that falls when a relief scheme ends, or a roster that grows, says nothing about
whether a service stopped. The kinds are a reviewed lexicon (``lexicons/covid_indicator_kinds.csv``).

The reference level is a pre-pandemic actual where the sheet has one; otherwise the series' own level in its latest
reported year, and only for an established activity (not marked new, not a ramp-up). A plan target is never a
reference: the shortfall against plan is reported beside the status (:func:`plan_shortfall`).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise

import pandas as pd

from helpers.analysis.covid_text import Lexicon, city_rank, natural_key, sentence_effects, split_sentences
from helpers.core.text import nfkc
from helpers.tables.schema import COVID_INDICATOR_KINDS

KINDS_FILE = "covid_indicator_kinds.csv"
"""File name of the indicator-kind rules inside the package's ``lexicons`` folder."""

INDICATOR_KINDS: tuple[str, ...] = COVID_INDICATOR_KINDS
"""Closed vocabulary of indicator kinds; ``cumulative`` comes from the table's count basis (累計)."""

NEW_MARKERS = re.compile(r"新規|新設|創設|開始|立ち上げ|スタート|モデル事業")
"""Words in a series' own cells or label that mark it as new: its first years are a launch, not a stall."""


@dataclass(frozen=True)
class KindRule:
    """One reviewed kind rule: a regular expression on the NFKC label and/or one on the unit."""

    order: int
    kind: str
    label: re.Pattern[str] | None
    unit: re.Pattern[str] | None


@functools.lru_cache(maxsize=1)
def load_kind_rules() -> tuple[KindRule, ...]:
    """The indicator-kind rules in their order (the first that matches decides).

    >>> rules = load_kind_rules()
    >>> {r.kind for r in rules} <= set(INDICATOR_KINDS)
    True
    """
    text = resources.files("helpers").joinpath("lexicons", KINDS_FILE).read_text(encoding="utf-8")
    rules = []
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] not in INDICATOR_KINDS:
            raise ValueError(f"{KINDS_FILE}: kind {row['kind']!r} not in {INDICATOR_KINDS}")
        label = re.compile(nfkc(row["pattern"])) if row["pattern"] else None
        unit = re.compile(nfkc(row["unit_pattern"])) if row["unit_pattern"] else None
        rules.append(KindRule(int(row["order"]), row["kind"], label, unit))
    return tuple(sorted(rules, key=lambda r: r.order))


def indicator_kind(label: str, unit: str, count_basis: str = "", rules: Sequence[KindRule] | None = None) -> str:
    """The kind of an indicator from its label, unit and count basis (``other`` when no rule matches).

    >>> indicator_kind("市内の参加者数", "人"), indicator_kind("相談受付件数", "件")
    ('activity', 'demand')
    >>> indicator_kind("情報の提供者数", "箇所")
    'stock'
    >>> indicator_kind("延べ人数", "人", "累計")
    'cumulative'
    """
    if count_basis == "累計":
        return "cumulative"
    key, unit_key = nfkc(label), nfkc(unit or "").strip()
    for rule in rules if rules is not None else load_kind_rules():
        if (rule.label is not None and rule.label.search(key)) or (
            rule.unit is not None and unit_key and rule.unit.search(unit_key)
        ):
            return rule.kind
    return "other"


@dataclass(frozen=True)
class Point:
    """One value of a series with its provenance; ``imputed`` marks an empty cell that says 中止 (read as 0)."""

    year: int
    value: float
    raw: str
    source_file: str
    source_line: int
    imputed: bool = False

    def describe(self) -> str:
        """The value as the sheet writes it, with its fiscal year (``2020年度 0人``)."""
        return f"{self.year}年度 {self.raw}".strip()


@dataclass(frozen=True)
class Series:
    """The actual values of one indicator of a measure, with its targets, plans and kind."""

    city: str
    measure_id: str
    measure: str
    indicator: str
    unit: str
    kind: str
    actuals: tuple[Point, ...]
    targets: tuple[Point, ...]
    plans: tuple[Point, ...]
    series_break: bool
    new: bool
    lines: frozenset[tuple[str, int]]
    cells: str
    """The series' raw value cells and notes (NFKC, joined), to tell whose cell a sentence stands in."""
    part_of_total: bool = False
    """Every value is a labelled part of a printed total (``内訳:…デイサービス職員6名``): the total is the activity."""


def _text(value: object) -> str:
    """A table cell as text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _cancelled_cell(row: dict[str, object], lexicon: Lexicon) -> bool:
    """Whether an empty value cell (or its note) says the activity was cancelled by COVID that year
    (``ー（新型コロナウイルス感染症拡大防止のため中止）``, yamagata_fy2022_progress_sheet.txt:38)."""
    year = int(row["fiscal_year"])
    cells = [_text(row.get("value_raw")), _text(row.get("note"))]
    return any(
        (year, "cancelled") in sentence_effects(s, year, lexicon) for cell in cells for s in split_sentences(cell)
    )


def _points(rows: list[dict[str, object]], lexicon: Lexicon | None = None) -> tuple[Point, ...]:
    """Numeric points of rows sorted by year; with a lexicon, an empty cell saying 中止 becomes a 0 point."""
    points = []
    for row in rows:
        value = row.get("value")
        present = value is not None and not pd.isna(value)
        if present or (lexicon is not None and _cancelled_cell(row, lexicon)):
            points.append(
                Point(
                    year=int(row["fiscal_year"]),
                    value=float(value) if present else 0.0,
                    raw=_text(row.get("value_raw")),
                    source_file=_text(row["source_file"]),
                    source_line=int(row["source_line"]),
                    imputed=not present,
                )
            )
    return tuple(sorted(points, key=lambda p: p.year))


PART_NOTE = "breakdown of "
"""How the cleaning step's note starts on a labelled part of a total (ichinoseki_fy2023_council_papers.txt:283)."""


def _is_true(value: object) -> bool:
    """A boolean cell, whether read as bool or as text."""
    return value is True or _text(value).strip().lower() in ("true", "1")


def build_series(indicators: pd.DataFrame, lexicon: Lexicon, rules: Sequence[KindRule] | None = None) -> list[Series]:
    """Every (city, measure_id, indicator) series with its kind, points, targets and plans, in table order."""
    rules = rules if rules is not None else load_kind_rules()
    groups: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in indicators.to_dict("records"):
        groups.setdefault((_text(row["city"]), _text(row["measure_id"]), _text(row["indicator"])), []).append(row)
    out = []
    for key in sorted(groups, key=lambda k: (city_rank(k[0]), k[0], natural_key(k[1]), k[2])):
        rows = groups[key]
        by_kind = {k: [r for r in rows if r["value_kind"] == k] for k in ("actual", "target", "plan")}
        units = [_text(r.get("unit")) for r in sorted(rows, key=lambda r: r["value_kind"] != "actual")]
        unit = next((u for u in units if u), "")
        bases = [_text(r.get("count_basis")) for r in rows]
        cells = "\n".join(nfkc(_text(r.get(c))) for r in rows for c in ("value_raw", "note"))
        measures = [_text(r.get("measure")) for r in rows if _text(r.get("measure"))]
        out.append(
            Series(
                city=key[0],
                measure_id=key[1],
                measure=measures[0] if measures else "",
                indicator=key[2],
                unit=unit,
                kind=indicator_kind(key[2], unit, "累計" if "累計" in bases else "", rules),
                actuals=_points(by_kind["actual"], lexicon),
                targets=_points(by_kind["target"]),
                plans=_points(by_kind["plan"]),
                series_break=any(_is_true(r.get("series_break")) for r in rows),
                new=bool(NEW_MARKERS.search(nfkc(key[2]) + "\n" + cells)),
                lines=frozenset((_text(r["source_file"]), int(r["source_line"])) for r in rows),
                cells=cells,
                part_of_total=all(_text(r.get("note")).startswith(PART_NOTE) for r in rows),
            )
        )
    return out


RAMP_SHARE = 0.5
"""A rise still below this share of the last value in the year before it is a roll-out, not a recovery."""


def is_ramp_up(actuals: Sequence[Point]) -> bool:
    """A roll-out: three or more values rising every year from a non-zero start, still far below the last value in
    the year before it (情報の提供者数 4 → 26 → 85, shiroi_fy2022_progress_sheet.txt:373). A start at zero is a
    stop, not a roll-out (市内の参加者数 0 → 2 → 232, shiroi_fy2022_progress_sheet.txt:412).

    >>> pts = lambda *v: [Point(2020 + i, x, "", "f", 1) for i, x in enumerate(v)]
    >>> is_ramp_up(pts(4, 26, 85)), is_ramp_up(pts(0, 2, 232)), is_ramp_up(pts(2, 25, 28))
    (True, False, False)
    """
    values = [p.value for p in actuals]
    if len(values) < 3 or values[0] <= 0 or any(b <= a for a, b in pairwise(values)):
        return False
    return values[-2] <= values[-1] * RAMP_SHARE


def reference_point(
    series: Series, window_start: int, latest_year: int | None = None, pandemic_named: bool = False
) -> tuple[Point | None, str, str]:
    """The reference level, its basis (``pre_pandemic`` | ``latest_year``) and, without one, why not.

    A pre-pandemic actual wins. Otherwise the latest reported year, for an established activity only: a series
    with at least one earlier year, not marked new, not a ramp-up (unless the row's own sentence names the
    pandemic), above zero in its latest year. Targets are never a reference.
    """
    actuals = [p for p in series.actuals if latest_year is None or p.year <= latest_year]
    before = [p for p in actuals if p.year < window_start]
    if before:
        return before[-1], "pre_pandemic", ""
    if len(actuals) < 2:
        return None, "", "single_year" if actuals else "no_actuals"
    if series.new:
        return None, "", "marked_new"
    if is_ramp_up(actuals) and not pandemic_named:
        return None, "", "ramp_up"
    if actuals[-1].value <= 0:
        return None, "", "latest_zero"
    return actuals[-1], "latest_year", ""


def plan_shortfall(series: Series, latest_year: int | None = None) -> tuple[float | None, int | None, float | None]:
    """(target, its year, latest actual ÷ target) for the latest year holding both; a shortfall against plan is
    reported beside the status and never read as a stall."""
    targets = {t.year: t for t in series.targets}
    for p in reversed(series.actuals):
        if (latest_year is None or p.year <= latest_year) and p.year in targets and targets[p.year].value > 0:
            target = targets[p.year]
            return target.value, target.year, round(p.value / target.value, 4)
    return None, None, None


def demand_change(series: Series, min_change: float, latest_year: int | None = None) -> str:
    """For a demand series: whether it rose, fell or stayed flat from its first to its last reported year
    (``rose`` | ``fell`` | ``flat``; '' with fewer than two years).

    >>> points = (Point(2021, 20, "", "f", 1), Point(2022, 211, "", "f", 2))
    >>> s = Series("c", "m", "", "相談件数", "件", "demand", points, (), (), False, False, frozenset(), "")
    >>> demand_change(s, 2)
    'rose'
    """
    actuals = [p for p in series.actuals if latest_year is None or p.year <= latest_year]
    if len(actuals) < 2:
        return ""
    delta = actuals[-1].value - actuals[0].value
    if abs(delta) < min_change:
        return "flat"
    return "rose" if delta > 0 else "fell"

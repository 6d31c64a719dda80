"""Which measures stalled during COVID-19 and which recovered: numeric, grade and text rules, combined per measure.

Three kinds of evidence are read (defaults of :class:`TrajectoryParams` in brackets):

* **numeric** — each (city, measure_id, indicator) series of actual values. Not read, with a reason: 累計
  counts, money (円), percentages, series with a definition break, fewer than two points (a target counts as
  one). An empty cell that says 中止 for COVID is read as 0. The reference is the last pre-pandemic value
  (``fiscal_year < window_start``), else the plan target nearest the window start (same unit), else the first
  year. In the window [2020–2021], a value below ``reference × (1 − drop_threshold)`` [0.3] is a *drop*; a zero
  with non-zero years around it is a *zero* (a zero before any non-zero year may be a launch, so it needs the
  cell or a stall sentence on the series' line to say so). *Stalled baseline* (山形市's R2 column): the
  reference is the first year, lies in the window, and a stall sentence for that year stands on the series'
  line. Recovery: the values after the last stall year end in a run at or above ``reference × recovery_share``
  [0.8] — or ``reference × (1 + baseline_recovery_gain)`` [0.1] when the reference is itself a stalled year,
  any positive value when it is zero. A reference later than the stall cannot judge recovery.
* **grade** — 白井市's A–D: a C or D in the window is a stall; grades after the last stall ending in a run of
  A or B are a recovery, C or D at the end is not.
* **text** — COVID events (:mod:`helpers.analysis.covid_text`), on the series' own lines or on lines holding no series
  of the measure. Stall effects in or after the window (a later one says the effect persisted;
  ``text_after_window`` [True]); ``resumed`` in a result column in or after the last stall year is a recovery;
  ``resumed`` or ``moved_format`` in a plan column is a planned resume; so is a later plan sentence that names an
  activity a cancel/postpone sentence named (``福祉員研修会は中止`` → ``福祉員研修会の開催方法を検討``) and says
  nothing of stopping it (a *follow-up*); a resume alone implies a stall of unknown year.

Which sentences speak for which row: a sentence standing in the value cell or note of some of a measure's series
speaks for those series only (山形市 lists four figures in one cell, one of them ``ー（…中止）``); other sentences on
a series' line speak for the series on that line; sentences on lines holding no series speak for all of them.

As of a year (``latest_year``, the report year): results (actual values, grades, result-column sentences) are read
up to it, plans up to the year after it (the plan a report for that year carries); targets are kept.

Combination, and precedence when kinds disagree: a row is stalled when **any** kind shows a stall (each is
independent evidence; numbers miss what a sentence says and the reverse). Recovery is judged after the **last**
stall year found by any kind, by the first kind in ``numeric > grade > text`` that observed something after it:
observed levels outrank the city's own grade, which outranks a sentence (sentences cover part of a measure and
are rarely revisited). Not recovered, or nothing observed (``recovery:unobserved`` in ``rules``), but a planned
resume (plan text, or a plan value reaching the threshold) → ``stalled_planned``; else ``stalled_not_recovered``.
No stall, and a numeric window value compared with a reference other than itself, or a grade in the window →
``not_stalled``; otherwise ``insufficient_data``. Rows: one per readable series of a measure, else one per
measure (``excluded_reason`` says why its series were not read).

Each row's evidence (series, grades, sentences, plans) reads neither ``drop_threshold`` nor ``recovery_share``:
it is gathered once (:func:`gather_evidence`) and only the decision (:func:`decide_row`) runs per setting of the
sensitivity grid.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.analysis.covid_text import (
    EFFECTS,
    EVENT_COLUMNS,
    FOLLOWED_EFFECTS,
    PLAN_STALL_EFFECTS,
    STALL_EFFECTS,
    Lexicon,
    city_rank,
    followed_name,
    load_lexicon,
    natural_key,
    require_columns,
    sentence_effects,
    split_sentences,
)
from helpers.core.text import clean_cell, nfkc
from helpers.sources.raw_text import read_sheet_text

STATUSES: tuple[str, ...] = (
    "stalled_recovered",
    "stalled_planned",
    "stalled_not_recovered",
    "not_stalled",
    "insufficient_data",
)
STALLED_STATUSES: tuple[str, ...] = STATUSES[:3]
STATUS_LABELS_JA: dict[str, str] = {
    "stalled_recovered": "停滞→回復",
    "stalled_planned": "停滞→再開予定",
    "stalled_not_recovered": "停滞→未回復",
    "not_stalled": "停滞なし",
    "insufficient_data": "判定できず",
}
"""Japanese labels of the statuses, shared by the notebook's figures and the report."""
EVIDENCE_LABELS_JA: dict[str, str] = {"numeric": "数値", "grade": "評価", "text": "記述"}
"""Japanese labels of the evidence kinds."""
QUOTE_JOINER = " ／ "
"""Between the stall sentence and the plan sentence quoted for a ``stalled_planned`` row."""
MEASURE_LEVEL_INDICATOR = "(取組全体)"
"""Indicator label of a measure-level row (no series read numerically), so the table's key has no empty field."""
EVIDENCE_PRECEDENCE: tuple[str, ...] = ("numeric", "grade", "text")
"""Order in which evidence kinds decide recovery when they disagree."""
REFERENCE_BASES: tuple[str, ...] = ("pre_pandemic", "target", "first_year")
STALL_GRADES: tuple[str, ...] = ("C", "D")
GOOD_GRADES: tuple[str, ...] = ("A", "B")
PLAN_RESUME_EFFECTS: tuple[str, ...] = ("resumed", "moved_format")
"""Plan-column effects that say the activity is to be held again (e.g. オンライン開催等を検討する)."""
PERCENT_UNITS: tuple[str, ...] = ("%", "パーセント")
"""Units of shares: a rate is not an activity level, so these series are not read by default."""
EXCLUSION_REASONS: tuple[str, ...] = ("series_break", "cumulative", "money", "percentage", "no_actuals", "single_year")
"""Why a series is not read numerically, in the order they are reported."""

TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "city",
    "measure_id",
    "measure",
    "indicator",
    "status",
    "evidence",
    "stall_year",
    "recovery_year",
    "reference_value",
    "reference_year",
    "reference_basis",
    "latest_value",
    "latest_year",
    "excluded_reason",
    "quote",
    "source_file",
    "source_line",
    "rules",
)
"""Columns of ``covid_trajectories.csv``; ``rules`` lists the rules that fired, for review."""


@dataclass(frozen=True)
class TrajectoryParams:
    """Window and thresholds of the classification (the notebook's papermill parameters).

    Defaults: window FY2020–FY2021, a drop is 30 % below the reference, recovery is 80 % of it, and a stalled
    pandemic-year baseline must be beaten by 10 %; percentages are not read as activity levels. A COVID stall
    sentence dated after the window (a later report looking back, or a cancellation that went on) opens a stall
    by itself unless ``text_after_window`` is False; either way it moves the recovery check to its year.
    ``latest_year`` (the report year) cuts later results off; by default nothing is cut.
    """

    window_start: int = 2020
    window_end: int = 2021
    drop_threshold: float = 0.3
    recovery_share: float = 0.8
    baseline_recovery_gain: float = 0.1
    exclude_percentages: bool = True
    text_after_window: bool = True
    latest_year: int | None = None
    """The report year: results are read up to it, plans up to the year after (None: no cut)."""

    def in_window(self, year: int) -> bool:
        """Whether a fiscal year lies in the COVID window.

        >>> TrajectoryParams().in_window(2021), TrajectoryParams().in_window(2022)
        (True, False)
        """
        return self.window_start <= year <= self.window_end


@dataclass(frozen=True)
class Point:
    """One value of a series, with its provenance; ``imputed`` marks an empty cell that says 中止 (read as 0)."""

    year: int
    value: float
    source_file: str
    source_line: int
    imputed: bool = False


@dataclass(frozen=True)
class Series:
    """The actual values of one indicator of a measure, with its targets, plans and reference."""

    city: str
    measure_id: str
    measure: str
    indicator: str
    unit: str
    actuals: tuple[Point, ...]
    targets: tuple[Point, ...]
    plans: tuple[Point, ...]
    excluded_reason: str
    reference: Point | None
    reference_basis: str
    lines: frozenset[tuple[str, int]] = frozenset()
    """Every (source_file, source_line) the series' rows stand on, empty cells included."""
    cells: str = ""
    """The series' raw value cells and notes (NFKC, joined), to tell whose cell a sentence stands in."""

    @property
    def readable(self) -> bool:
        """Whether the series is read numerically (no exclusion and a reference)."""
        return not self.excluded_reason and self.reference is not None


@dataclass
class Signal:
    """What one kind of evidence says about a stall; ``has_data`` means it could have shown one."""

    kind: str
    has_data: bool = False
    stalled: bool = False
    stall_year: int | None = None
    last_year: int | None = None
    source: tuple[str, int] | None = None
    quote: str = ""
    rules: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recovery:
    """A kind's reading after the last stall year: ``recovered``, ``not_recovered`` or ``unobserved``."""

    kind: str
    outcome: str
    year: int | None = None


def _text(value: object) -> str:
    """A table cell as text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _is_true(value: object) -> bool:
    """A boolean cell, whether read as bool or as text ('true')."""
    return value is True or _text(value).strip().lower() in ("true", "1")


def _cancelled_cell(row: dict[str, object], lexicon: Lexicon) -> bool:
    """Whether an empty value cell (or its note) says the activity was cancelled by COVID that year."""
    year = int(row["fiscal_year"])
    cells = [_text(row.get("value_raw")), _text(row.get("note"))]
    return any(
        (year, "cancelled") in sentence_effects(s, year, lexicon) for cell in cells for s in split_sentences(cell)
    )


def _points(rows: list[dict[str, object]], lexicon: Lexicon | None = None) -> tuple[Point, ...]:
    """Numeric points of rows, sorted by year; with a lexicon, an empty cell saying 中止 becomes a 0 point."""
    points = []
    for row in rows:
        value = row.get("value")
        present = value is not None and not pd.isna(value)
        if present or (lexicon is not None and _cancelled_cell(row, lexicon)):
            points.append(
                Point(
                    year=int(row["fiscal_year"]),
                    value=float(value) if present else 0.0,
                    source_file=_text(row["source_file"]),
                    source_line=int(row["source_line"]),
                    imputed=not present,
                )
            )
    return tuple(sorted(points, key=lambda p: p.year))


def _units_match(a: str, b: str) -> bool:
    """Units agree, or one is missing (NFKC, so ％ and % match)."""
    return not a or not b or nfkc(a).strip() == nfkc(b).strip()


def _usable_targets(targets: Sequence[Point], rows: list[dict[str, object]], unit: str) -> list[Point]:
    """Targets whose unit matches the series', so a 回 target is never compared with 人 values."""
    units = {(int(r["fiscal_year"]), int(r["source_line"])): _text(r.get("unit")) for r in rows}
    return [t for t in targets if _units_match(units.get((t.year, t.source_line), ""), unit)]


def choose_reference(
    actuals: Sequence[Point], targets: Sequence[Point], params: TrajectoryParams
) -> tuple[Point | None, str]:
    """The reference level: last pre-pandemic actual, else the target nearest the window start, else the first year.

    >>> p = TrajectoryParams()
    >>> choose_reference([Point(2019, 5, "f", 1), Point(2020, 1, "f", 2)], [], p)[1]
    'pre_pandemic'
    >>> choose_reference([Point(2021, 1, "f", 2)], [Point(2020, 8, "f", 1)], p)[1]
    'target'
    """
    before = [p for p in actuals if p.year < params.window_start]
    if before:
        return before[-1], "pre_pandemic"
    if targets:
        return min(targets, key=lambda t: (abs(t.year - params.window_start), t.year)), "target"
    if actuals:
        return actuals[0], "first_year"
    return None, ""


def _exclusions(rows: list[dict[str, object]], unit: str, n_points: int, params: TrajectoryParams) -> list[str]:
    """Why a series should not be read numerically, in the order of ``EXCLUSION_REASONS``."""
    reasons = []
    if any(_is_true(r.get("series_break")) for r in rows):
        reasons.append("series_break")
    if any(_text(r.get("count_basis")) == "累計" for r in rows):
        reasons.append("cumulative")
    if any("円" in _text(r.get("unit")) for r in rows):
        reasons.append("money")
    if params.exclude_percentages and nfkc(unit).strip() in PERCENT_UNITS:
        reasons.append("percentage")
    if n_points == 0:
        reasons.append("no_actuals")
    return reasons


def _series(
    key: tuple[str, str, str], rows: list[dict[str, object]], params: TrajectoryParams, lexicon: Lexicon
) -> Series:
    """Build one series: actual points (an empty cell saying 中止 read as 0), targets, plans, exclusions, reference."""
    by_kind = {k: [r for r in rows if r["value_kind"] == k] for k in ("actual", "target", "plan")}
    actuals = _points(by_kind["actual"], lexicon)
    ordered = sorted(rows, key=lambda r: (r["value_kind"] != "actual", int(r["fiscal_year"])))
    units = [_text(r.get("unit")) for r in ordered if _text(r.get("unit"))]
    unit = units[0] if units else ""
    targets = _usable_targets(_points(by_kind["target"]), by_kind["target"], unit)
    reasons = _exclusions(rows, unit, len(actuals), params)
    reference, basis = choose_reference(actuals, targets, params)
    if actuals and len(actuals) + (basis == "target") < 2:
        reasons.append("single_year")
    measures = [_text(r.get("measure")) for r in rows if _text(r.get("measure"))]
    return Series(
        city=key[0],
        measure_id=key[1],
        measure=measures[0] if measures else "",
        indicator=key[2],
        unit=unit,
        actuals=actuals,
        targets=tuple(targets),
        plans=_points(by_kind["plan"]),
        excluded_reason="; ".join(reasons),
        reference=reference,
        reference_basis=basis,
        lines=frozenset((_text(r["source_file"]), int(r["source_line"])) for r in rows),
        cells="\n".join(nfkc(_text(r.get(c))) for r in rows for c in ("value_raw", "note")),
    )


def build_series(
    indicators: pd.DataFrame, params: TrajectoryParams | None = None, lexicon: Lexicon | None = None
) -> list[Series]:
    """Every (city, measure_id, indicator) series with its reference and, if any, why it is not read numerically."""
    params = params or TrajectoryParams()
    lexicon = lexicon or load_lexicon()
    groups: dict[tuple[str, str, str], list[dict[str, object]]] = {}
    for row in indicators.to_dict("records"):
        key = (_text(row["city"]), _text(row["measure_id"]), _text(row["indicator"]))
        groups.setdefault(key, []).append(row)
    ordered = sorted(groups, key=lambda k: (city_rank(k[0]), k[0], natural_key(k[1]), k[2]))
    return [_series(k, groups[k], params, lexicon) for k in ordered]


def series_exclusions(
    indicators: pd.DataFrame, params: TrajectoryParams | None = None, lexicon: Lexicon | None = None
) -> pd.DataFrame:
    """One row per series: its unit, years, reference basis and why it was not read numerically (if so)."""
    rows = [
        {
            "city": s.city,
            "measure_id": s.measure_id,
            "indicator": s.indicator,
            "unit": s.unit,
            "n_actual_years": len(s.actuals),
            "reference_basis": s.reference_basis,
            "excluded_reason": s.excluded_reason,
        }
        for s in build_series(indicators, params, lexicon)
    ]
    columns = ["city", "measure_id", "indicator", "unit", "n_actual_years", "reference_basis", "excluded_reason"]
    return pd.DataFrame(rows, columns=columns)


def recovery_threshold(reference: float, stalled_baseline: bool, params: TrajectoryParams) -> float:
    """The level a later value must reach to count as recovered (0 reference: any positive value, see callers).

    >>> recovery_threshold(100, False, TrajectoryParams()), recovery_threshold(100, True, TrajectoryParams())
    (80.0, 110.0)
    """
    factor = 1 + params.baseline_recovery_gain if stalled_baseline else params.recovery_share
    return _scaled(reference, factor)


def _scaled(value: float, factor: float) -> float:
    """``value × factor`` rounded to 9 decimals, so 10 × (1 − 0.3) is exactly 7 and 7 is not a drop."""
    return round(value * factor, 9)


def _reaches(value: float, reference: float, stalled_baseline: bool, params: TrajectoryParams) -> bool:
    """Whether a value counts as recovered against the reference (any positive value when it is zero)."""
    if reference <= 0:
        return value > 0
    return value >= recovery_threshold(reference, stalled_baseline, params)


def _final_run_start(years_ok: list[tuple[int, bool]]) -> int | None:
    """First year of the unbroken run of good years that ends the sequence (None if the last year is not good).

    >>> _final_run_start([(2021, False), (2022, True)]), _final_run_start([(2021, True), (2022, False)])
    (2022, None)
    """
    start = None
    for year, ok in years_ok:
        start = (start if start is not None else year) if ok else None
    return start


def _said_stalled(series: Series, stall_lines: Collection[tuple[int, str, int]]) -> set[int]:
    """Years for which a COVID stall sentence stands on one of the series' own lines (cell, note or row text)."""
    return {year for year, file, line in stall_lines if (file, line) in series.lines}


def stalled_baseline(
    series: Series | None, stall_lines: Collection[tuple[int, str, int]], params: TrajectoryParams
) -> bool:
    """山形市-style baseline: the first year is in the window and a stall sentence for that year stands on a line
    of this series (its value cell, note or the narrative on the same row)."""
    if series is None or series.reference is None or series.reference_basis != "first_year":
        return False
    ref = series.reference
    return params.in_window(ref.year) and ref.year in _said_stalled(series, stall_lines)


def _reference_in_stall(series: Series | None, firsts: list[int], last: int | None) -> bool:
    """Whether a first-year reference lies inside the stalled years (so it is itself a depressed level)."""
    if series is None or series.reference is None or series.reference_basis != "first_year" or not firsts:
        return False
    return last is not None and min(firsts) <= series.reference.year <= last


def _zero_stall(series: Series, p: Point, said: set[int]) -> bool:
    """A zero between non-zero years. A zero before any non-zero year may be a launch (a new channel or
    programme), so it counts only when the cell says 中止 or a stall sentence on the series' line names that year."""
    if p.value != 0 or not any(q.value != 0 for q in series.actuals if q.year != p.year):
        return False
    earlier = any(q.value != 0 for q in series.actuals if q.year < p.year)
    return earlier or p.imputed or p.year in said


def numeric_signal(
    series: Series | None, stall_lines: Collection[tuple[int, str, int]], params: TrajectoryParams
) -> Signal:
    """Drop, zero and stalled-baseline rules on one readable series."""
    signal = Signal("numeric")
    if series is None or not series.readable:
        return signal
    ref = series.reference
    assert ref is not None
    said = _said_stalled(series, stall_lines)
    signal.has_data = any(params.in_window(p.year) and p != ref for p in series.actuals)
    for p in (p for p in series.actuals if params.in_window(p.year)):
        if _zero_stall(series, p, said):
            rule = "zero"
        elif p != ref and ref.value > 0 and p.value < _scaled(ref.value, 1 - params.drop_threshold):
            rule = "drop"
        else:
            continue
        _mark_stall(signal, p.year, (p.source_file, p.source_line))
        signal.rules.append(f"numeric:{rule} {p.year}" + (" (empty cell says 中止)" if p.imputed else ""))
    if not signal.stalled and stalled_baseline(series, stall_lines, params):
        _mark_stall(signal, ref.year, (ref.source_file, ref.source_line))
        signal.rules.append(f"numeric:stalled_baseline {ref.year}")
    return signal


def _mark_stall(signal: Signal, year: int | None, source: tuple[str, int]) -> None:
    """Record a stall year on a signal; the first call sets the source, later calls extend the last year."""
    if not signal.stalled:
        signal.stalled, signal.stall_year, signal.source = True, year, source
    if year is not None:
        signal.last_year = max(year, signal.last_year or year)


def numeric_recovery(series: Series | None, after: int | None, baseline: bool, params: TrajectoryParams) -> Recovery:
    """Recovered when the values after the last stall year end in a run at or above the threshold.

    Unobserved without later values, or when the reference itself comes after the stall (it cannot measure it).
    """
    if series is None or not series.readable or after is None:
        return Recovery("numeric", "unobserved")
    ref = series.reference
    assert ref is not None
    later = [p for p in series.actuals if p.year > after]
    if not later or ref.year > after:
        return Recovery("numeric", "unobserved")
    start = _final_run_start([(p.year, _reaches(p.value, ref.value, baseline, params)) for p in later])
    return Recovery("numeric", "recovered", start) if start else Recovery("numeric", "not_recovered")


def _grades_by_measure(evaluations: pd.DataFrame) -> dict[tuple[str, str], dict[int, tuple[str, str, int]]]:
    """Worst grade per measure and fiscal year (D worst), with the row it stands on; years in order."""
    worst: dict[tuple[str, str], dict[int, tuple[str, str, int]]] = {}
    columns = ("city", "measure_id", "fiscal_year", "grade", "source_file", "source_line")
    for city, measure_id, fiscal_year, letter, file, line in zip(*(evaluations[c] for c in columns), strict=True):
        grade = _text(letter).strip()
        if not grade:
            continue
        by_year = worst.setdefault((_text(city), _text(measure_id)), {})
        year = int(fiscal_year)
        if year not in by_year or grade > by_year[year][0]:
            by_year[year] = (grade, _text(file), int(line))
    return {key: dict(sorted(by_year.items())) for key, by_year in worst.items()}


def grade_signal(grades: dict[int, tuple[str, str, int]], params: TrajectoryParams) -> Signal:
    """A C or D in the window is a stall (白井市's own judgement of the measure)."""
    signal = Signal("grade", has_data=any(params.in_window(y) for y in grades))
    for year, (grade, file, line) in grades.items():
        if params.in_window(year) and grade in STALL_GRADES:
            _mark_stall(signal, year, (file, line))
            signal.rules.append(f"grade:{grade} {year}")
    return signal


def grade_recovery(grades: dict[int, tuple[str, str, int]], after: int | None) -> Recovery:
    """Recovered when the grades after the last stall year end in a run of A or B (the year: the run's start)."""
    later = [(y, g in GOOD_GRADES) for y, (g, _, _) in grades.items() if after is not None and y > after]
    if not later:
        return Recovery("grade", "unobserved")
    start = _final_run_start(later)
    return Recovery("grade", "recovered", start) if start else Recovery("grade", "not_recovered")


@dataclass(frozen=True)
class Event:
    """One row of ``covid_events.csv`` as the rules read it (plain values, so tiny per-measure lists stay cheap)."""

    year: int
    value_kind: str
    effect: str
    evidence: str
    source_file: str
    source_line: int


def event_records(events: pd.DataFrame) -> list[Event]:
    """The rows of an events table as :class:`Event` records, in table order."""
    columns = ("fiscal_year", "value_kind", "effect", "evidence", "source_file", "source_line")
    return [
        Event(int(year), _text(kind), _text(effect), _text(evidence), _text(file), int(line))
        for year, kind, effect, evidence, file, line in zip(*(events[c] for c in columns), strict=True)
    ]


def _events_by_measure(events: pd.DataFrame) -> dict[tuple[str, str], list[Event]]:
    """Event records per (city, measure_id), each list in table order."""
    grouped: dict[tuple[str, str], list[Event]] = {}
    keys = zip(events["city"], events["measure_id"], strict=True)
    for (city, measure_id), record in zip(keys, event_records(events), strict=True):
        grouped.setdefault((_text(city), _text(measure_id)), []).append(record)
    return grouped


def _in_order(events: Iterable[Event]) -> list[Event]:
    """Events in year, line order (the first is the one quoted)."""
    return sorted(events, key=lambda e: (e.year, e.source_file, e.source_line, e.evidence))


def _quote_rank(e: Event) -> tuple[object, ...]:
    """Which stall sentence a row quotes: the earliest year, then the strongest effect (中止 before 形式の変更)."""
    return (e.year, EFFECTS.index(e.effect), e.source_file, e.source_line)


def _is_stall_event(e: Event) -> bool:
    """Stall effects in result columns; in plan columns only those saying the stall goes on."""
    if e.value_kind == "plan":
        return e.effect in PLAN_STALL_EFFECTS
    return e.effect in STALL_EFFECTS


def text_signal(events: Iterable[Event], params: TrajectoryParams) -> Signal:
    """Stall sentences in or after the window; a resume (done or planned) alone implies a stall of unknown year."""
    signal = Signal("text")
    rows = [e for e in _in_order(events) if e.year >= params.window_start]
    stalls = [e for e in rows if _is_stall_event(e)]
    resumes = [e for e in rows if e.effect == "resumed" or (e.value_kind == "plan" and e.effect in PLAN_RESUME_EFFECTS)]
    opening = [e for e in stalls if params.text_after_window or e.year <= params.window_end]
    if stalls and not opening:
        signal.last_year = max(e.year for e in stalls)
        signal.rules.append("text:after window only " + ",".join(sorted({str(e.year) for e in stalls})))
        return signal
    chosen = min(stalls, key=_quote_rank) if stalls else (resumes[0] if resumes else None)
    if chosen is None:
        return signal
    signal.quote = chosen.evidence
    for e in stalls:
        _mark_stall(signal, e.year, (chosen.source_file, chosen.source_line))
    if stalls:
        signal.rules.extend(sorted({f"text:{e.effect} {e.year}" for e in stalls}))
    else:
        _mark_stall(signal, None, (chosen.source_file, chosen.source_line))
        signal.rules.append("text:implied by resume")
    return signal


def text_stall_lines(events: Iterable[Event]) -> frozenset[tuple[int, str, int]]:
    """(year, file, line) of stall sentences in result columns (used by the stalled-baseline rule)."""
    return frozenset(
        (e.year, e.source_file, e.source_line) for e in events if e.value_kind != "plan" and e.effect in STALL_EFFECTS
    )


def text_recovery(events: Iterable[Event], after: int | None) -> Recovery:
    """Recovered when a result column says the activity resumed in or after the last stall year."""
    years = sorted(
        e.year
        for e in events
        if e.value_kind != "plan" and e.effect == "resumed" and (after is None or e.year >= after)
    )
    return Recovery("text", "recovered", years[0]) if years else Recovery("text", "unobserved")


@dataclass(frozen=True)
class PlanSentence:
    """A sentence of a plan column (next year's 実施予定 / 計画 / 事業) of a measure."""

    year: int
    text: str
    source_file: str
    source_line: int


@dataclass(frozen=True)
class Plan:
    """A planned resume: the evidence kind, the rule that fired and the plan sentence (if any)."""

    kind: str
    rule: str
    quote: str = ""


def plan_sentences_by_measure(activities: pd.DataFrame) -> dict[tuple[str, str], list[PlanSentence]]:
    """The plan-column sentences of activity rows per (city, measure_id), in year and line order."""
    rows = activities[activities["value_kind"] == "plan"]
    found: dict[tuple[str, str], set[PlanSentence]] = {}
    columns = ("city", "measure_id", "fiscal_year", "text", "source_file", "source_line")
    for city, measure_id, year, text, file, line in zip(*(rows[c] for c in columns), strict=True):
        sentences = found.setdefault((_text(city), _text(measure_id)), set())
        sentences.update(PlanSentence(int(year), s, _text(file), int(line)) for s in split_sentences(_text(text)))
    return {
        key: sorted(sentences, key=lambda p: (p.year, p.source_file, p.source_line, p.text))
        for key, sentences in found.items()
    }


def followup_candidates(
    events: Iterable[Event], plans: Sequence[PlanSentence], lexicon: Lexicon
) -> list[tuple[PlanSentence, int]]:
    """Plan sentences naming an activity that an earlier result sentence said was cancelled or postponed (and not
    saying it stops again), e.g. 福祉員研修会は中止 (FY2021) → 福祉員研修会の開催方法を検討 (FY2022 plan), each
    with the length of the longest name it shares; in plan order."""
    stalls = [e for e in events if e.value_kind != "plan" and e.effect in FOLLOWED_EFFECTS]
    found = []
    for plan in plans:
        longest = max(
            (len(followed_name(e.evidence, plan.text, lexicon)) for e in stalls if plan.year > e.year), default=0
        )
        if longest:
            found.append((plan, longest))
    return found


def followup_plan(candidates: Iterable[tuple[PlanSentence, int]], after: int | None) -> PlanSentence | None:
    """The follow-up (see :func:`followup_candidates`) after the last stall year sharing the longest name (the most
    specific), then the earliest."""
    best: tuple[int, PlanSentence] | None = None
    for plan, length in candidates:
        if (after is None or plan.year > after) and (best is None or length > best[0]):
            best = (length, plan)
    return best[1] if best else None


def planned_resume(
    series: Series | None,
    events: Iterable[Event],
    after: int | None,
    baseline: bool,
    params: TrajectoryParams,
    followups: Iterable[tuple[PlanSentence, int]] = (),
) -> Plan | None:
    """A plan that says the activity will run again after the last stall year, in this order: a follow-up naming
    the cancelled activity, a COVID plan sentence (resumed or moved format), a plan value reaching the recovery
    level (None if none)."""
    followup = followup_plan(followups, after)
    if followup is not None:
        return Plan("text", f"planned:followup {followup.year}", followup.text)
    planned = [
        e
        for e in _in_order(events)
        if e.value_kind == "plan" and e.effect in PLAN_RESUME_EFFECTS and (after is None or e.year > after)
    ]
    if planned:
        return Plan("text", f"planned:text {planned[0].year}", planned[0].evidence)
    if series is not None and series.readable and series.reference is not None:
        last_actual = series.actuals[-1].year if series.actuals else -1
        for p in series.plans:
            later = p.year > last_actual and (after is None or p.year > after)
            if later and _reaches(p.value, series.reference.value, baseline, params):
                return Plan("numeric", f"planned:numeric {p.year}")
    return None


def _decide(recoveries: Iterable[Recovery]) -> Recovery | None:
    """The first kind (numeric > grade > text) that observed something after the stall."""
    return next((r for r in recoveries if r.outcome != "unobserved"), None)


@dataclass
class MeasureEvidence:
    """Everything known about one measure: its series, grades by year, COVID events and plan sentences."""

    city: str
    measure_id: str
    measure: str
    series: list[Series]
    grades: dict[int, tuple[str, str, int]]
    events: list[Event]
    plans: list[PlanSentence] = field(default_factory=list)


@dataclass(frozen=True)
class RowEvidence:
    """What one output row (a measure, or one of its readable series) is decided from: everything that reads
    neither ``drop_threshold`` nor ``recovery_share``, so the sensitivity grid gathers it once. Read only."""

    measure: MeasureEvidence
    series: Series | None
    events: tuple[Event, ...]
    """The sentences that speak for this row (see :func:`_row_events`)."""
    stall_lines: frozenset[tuple[int, str, int]]
    baseline: bool
    """Whether the series' first-year reference is a stalled pandemic year (:func:`stalled_baseline`)."""
    grade: Signal
    text: Signal
    followups: tuple[tuple[PlanSentence, int], ...]


def _cell_owners(evidence: str, line: tuple[str, int], siblings: list[Series]) -> list[Series]:
    """The readable series on a line whose own value cell or note holds the sentence (empty: nobody's cell)."""
    key = nfkc(evidence)
    return [s for s in siblings if s.readable and line in s.lines and key in s.cells]


def _row_events(events: Sequence[Event], series: Series | None, siblings: list[Series]) -> list[Event]:
    """The sentences that speak for one series: those in its own cells; other sentences on its lines unless they
    stand in a sibling's cell; and those on lines holding no readable series of the measure (narrative shared by
    all; a series not read numerically has no row of its own, so its sentences are shared too)."""
    if series is None or not events:
        return list(events)
    taken = set().union(*(s.lines for s in siblings if s.readable))
    keep = []
    for e in events:
        line = (e.source_file, e.source_line)
        owners = _cell_owners(e.evidence, line, siblings)
        if owners:
            speaks = any(series is o for o in owners)
        else:
            speaks = line in series.lines or line not in taken
        if speaks:
            keep.append(e)
    return keep


def _row_evidence(m: MeasureEvidence, series: Series | None, params: TrajectoryParams, lexicon: Lexicon) -> RowEvidence:
    """Gather the threshold-free evidence of one row."""
    events = _row_events(m.events, series, m.series)
    stall_lines = text_stall_lines(events)
    return RowEvidence(
        measure=m,
        series=series,
        events=tuple(events),
        stall_lines=stall_lines,
        baseline=stalled_baseline(series, stall_lines, params),
        grade=grade_signal(m.grades, params),
        text=text_signal(events, params),
        followups=tuple(followup_candidates(events, m.plans, lexicon)) if m.plans else (),
    )


def decide_row(r: RowEvidence, params: TrajectoryParams) -> dict[str, object]:
    """Combine the three kinds of evidence for one row into its output row (status, years, quote, rules)."""
    m, series, events = r.measure, r.series, r.events
    signals = [numeric_signal(series, r.stall_lines, params), r.grade, r.text]
    stalled = [s for s in signals if s.stalled]
    rules = [rule for s in signals for rule in s.rules]
    row = _row_base(m, series)
    if not stalled:
        with_data = [s.kind for s in signals if s.has_data]
        row["status"] = "not_stalled" if with_data else "insufficient_data"
        row["evidence"] = "+".join(sorted(with_data))
        row["source_file"], row["source_line"] = _not_stalled_source(series, m.grades, params)
        row["rules"] = "; ".join(rules)
        return row
    firsts = [s.stall_year for s in stalled if s.stall_year is not None]
    lasts = [s.last_year for s in signals if s.last_year is not None and (s.stalled or s.kind == "text")]
    last = max(lasts) if lasts else None
    baseline = r.baseline or _reference_in_stall(series, firsts, last)
    decision = _decide(
        [
            numeric_recovery(series, last, baseline, params),
            grade_recovery(m.grades, last),
            text_recovery(events, last),
        ]
    )
    kinds = {s.kind for s in stalled}
    plan: Plan | None = None
    if decision is not None and decision.outcome == "recovered":
        row["status"], row["recovery_year"] = "stalled_recovered", decision.year
        kinds.add(decision.kind)
        rules.append(f"recovery:{decision.kind} {decision.year}")
    else:
        if decision is not None:
            kinds.add(decision.kind)
            rules.append(f"not_recovered:{decision.kind}")
        else:
            rules.append("recovery:unobserved")
        plan = planned_resume(series, events, last, baseline, params, r.followups)
        row["status"] = "stalled_planned" if plan else "stalled_not_recovered"
        if plan:
            kinds.add(plan.kind)
            rules.append(plan.rule)
    row["evidence"] = "+".join(sorted(kinds))
    row["stall_year"] = min(firsts) if firsts else None
    text = next((s for s in stalled if s.kind == "text"), None)
    quotes = [text.quote if text else "", plan.quote if plan else ""]
    row["quote"] = QUOTE_JOINER.join(q for q in quotes if q)
    source = text.source if text else _by_precedence(stalled)[0].source
    row["source_file"], row["source_line"] = source if source else ("", None)
    row["rules"] = "; ".join(rules)
    return row


def _by_precedence(signals: list[Signal]) -> list[Signal]:
    """Signals ordered numeric, grade, text."""
    return sorted(signals, key=lambda s: EVIDENCE_PRECEDENCE.index(s.kind))


def _row_base(m: MeasureEvidence, series: Series | None) -> dict[str, object]:
    """An output row with the measure, series and reference columns filled, status columns empty."""
    row: dict[str, object] = dict.fromkeys(TRAJECTORY_COLUMNS, None)
    row.update(city=m.city, measure_id=m.measure_id, measure=m.measure, quote="", source_file="", rules="")
    row["indicator"] = series.indicator if series else ""
    row["excluded_reason"] = _excluded_summary(m.series) if series is None else ""
    if series is not None and series.reference is not None:
        ref = series.reference
        row.update(reference_value=ref.value, reference_year=ref.year, reference_basis=series.reference_basis)
    if series is not None and series.actuals:
        row.update(latest_value=series.actuals[-1].value, latest_year=series.actuals[-1].year)
    row["reference_basis"] = row["reference_basis"] or ""
    return row


def _excluded_summary(series: list[Series]) -> str:
    """Why none of a measure's series was read: ``indicator: reason`` per series ('' when it has none)."""
    return " | ".join(f"{s.indicator}: {s.excluded_reason}" for s in series if s.excluded_reason)


def _not_stalled_source(
    series: Series | None, grades: dict[int, tuple[str, str, int]], params: TrajectoryParams
) -> tuple[str, int | None]:
    """Where a not-stalled row points: the series' latest value, else the last window grade."""
    if series is not None and series.readable and series.actuals:
        return series.actuals[-1].source_file, series.actuals[-1].source_line
    window = [(file, line) for year, (_, file, line) in grades.items() if params.in_window(year)]
    return window[-1] if window else ("", None)


def _measure_keys(*frames: pd.DataFrame) -> list[tuple[str, str]]:
    """Every (city, measure_id) named in any input, in city order and natural id order."""
    keys = {(_text(c), _text(m)) for f in frames for c, m in zip(f["city"], f["measure_id"], strict=True)}
    return sorted(keys, key=lambda k: (city_rank(k[0]), k[0], natural_key(k[1])))


def _measure_names(indicators: pd.DataFrame, measures: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """Measure names from ``measures`` if given, else from the indicators table."""
    names: dict[tuple[str, str], str] = {}
    for frame in (measures, indicators):
        if frame is None or "measure" not in frame:
            continue
        for city, measure_id, measure in zip(frame["city"], frame["measure_id"], frame["measure"], strict=True):
            key = (_text(city), _text(measure_id))
            if _text(measure) and key not in names:
                names[key] = _text(measure)
    return names


def check_inputs(
    indicators: pd.DataFrame, activities: pd.DataFrame, evaluations: pd.DataFrame, events: pd.DataFrame
) -> None:
    """Stop with the missing columns of any input table before classifying."""
    key = ["city", "measure_id", "fiscal_year", "source_file", "source_line"]
    require_columns(indicators, [*key, "indicator", "value_kind", "value", "unit", "value_raw"], "indicators")
    require_columns(activities, [*key, "value_kind", "text"], "activities")
    require_columns(evaluations, [*key, "grade"], "evaluations")
    require_columns(events, EVENT_COLUMNS, "covid_events")


def gather_evidence(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    params: TrajectoryParams,
    measures: pd.DataFrame | None = None,
    lexicon: Lexicon | None = None,
) -> list[RowEvidence]:
    """The evidence of every output row, in measure order (one per readable series of a measure, else one).

    Reads every parameter but ``drop_threshold`` and ``recovery_share``, which only :func:`decide_row` reads.
    """
    lexicon = lexicon or load_lexicon()
    check_inputs(indicators, activities, evaluations, events)
    indicators, activities, evaluations, events = (
        as_of(f, params.latest_year) for f in (indicators, activities, evaluations, events)
    )
    series_by_measure: dict[tuple[str, str], list[Series]] = {}
    for s in build_series(indicators, params, lexicon):
        series_by_measure.setdefault((s.city, s.measure_id), []).append(s)
    grades, texts = _grades_by_measure(evaluations), _events_by_measure(events)
    plans = plan_sentences_by_measure(activities)
    names = _measure_names(indicators, measures)
    rows = []
    for key in _measure_keys(indicators, activities, evaluations, events):
        evidence = MeasureEvidence(
            city=key[0],
            measure_id=key[1],
            measure=names.get(key, ""),
            series=series_by_measure.get(key, []),
            grades=grades.get(key, {}),
            events=texts.get(key, []),
            plans=plans.get(key, []),
        )
        readable = [s for s in evidence.series if s.readable] or [None]
        rows.extend(_row_evidence(evidence, s, params, lexicon) for s in readable)
    return rows


def classify_trajectories(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    params: TrajectoryParams | None = None,
    measures: pd.DataFrame | None = None,
    lexicon: Lexicon | None = None,
) -> pd.DataFrame:
    """Classify every measure (one row per readable numeric series, else one row) for ``covid_trajectories.csv``.

    ``activities`` only widens the set of measures (a measure with text but no COVID sentence is reported as
    ``insufficient_data``) and gives the plan sentences; the COVID sentences come in through ``events``.
    """
    params = params or TrajectoryParams()
    evidence = gather_evidence(indicators, activities, evaluations, events, params, measures, lexicon)
    return label_measure_level_rows(_trajectories_frame([decide_row(r, params) for r in evidence]))


def as_of(frame: pd.DataFrame, latest_year: int | None) -> pd.DataFrame:
    """Rows known by the report for ``latest_year``: results up to it, plans up to the year after, every target.

    >>> f = pd.DataFrame({"fiscal_year": [2022, 2023, 2023, 2024], "value_kind": ["actual", "actual", "plan", "plan"]})
    >>> as_of(f, 2022)["fiscal_year"].tolist()
    [2022, 2023]
    """
    if latest_year is None or frame.empty:
        return frame
    years = frame["fiscal_year"].astype(int)
    if "value_kind" not in frame:
        return frame[years <= latest_year]
    kind = frame["value_kind"]
    keep = (years <= latest_year) | ((kind == "plan") & (years <= latest_year + 1)) | (kind == "target")
    return frame[keep]


def label_measure_level_rows(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Name the indicator of measure-level rows ``(取組全体)`` (an empty field cannot stand in a primary key).

    >>> label_measure_level_rows(pd.DataFrame({"indicator": ["", "参加人数"]}))["indicator"].tolist()
    ['(取組全体)', '参加人数']
    """
    labelled = trajectories.copy()
    labelled["indicator"] = labelled["indicator"].where(labelled["indicator"] != "", MEASURE_LEVEL_INDICATOR)
    return labelled


def _trajectories_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Rows as the output frame: sorted, nullable integer years and lines."""
    rows = sorted(rows, key=lambda r: (city_rank(r["city"]), r["city"], natural_key(r["measure_id"]), r["indicator"]))
    frame = pd.DataFrame(rows, columns=list(TRAJECTORY_COLUMNS))
    for column in ("stall_year", "recovery_year", "reference_year", "latest_year", "source_line"):
        frame[column] = frame[column].astype("Int64")
    for column in ("reference_value", "latest_value"):
        frame[column] = frame[column].astype("float64")
    return frame


def sensitivity_table(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    drop_thresholds: Sequence[float] = (0.2, 0.3, 0.4, 0.5),
    recovery_shares: Sequence[float] = (0.6, 0.7, 0.8, 0.9, 1.0),
    params: TrajectoryParams | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows per status as the drop threshold and recovery share move (other parameters as in ``params``).

    The evidence reads neither threshold, so it is gathered once and only the decision runs per setting.
    """
    base = params or TrajectoryParams()
    evidence = gather_evidence(indicators, activities, evaluations, events, base, measures, load_lexicon())
    rows = []
    for drop in sorted(drop_thresholds):
        for share in sorted(recovery_shares):
            varied = dataclasses.replace(base, drop_threshold=drop, recovery_share=share)
            counts = Counter(decide_row(r, varied)["status"] for r in evidence)
            rows.extend(
                {"drop_threshold": drop, "recovery_share": share, "status": st, "n_rows": counts[st]} for st in STATUSES
            )
    return pd.DataFrame(rows, columns=["drop_threshold", "recovery_share", "status", "n_rows"])


def check_trajectories(trajectories: pd.DataFrame) -> None:
    """Stop with a message when a vocabulary is broken, a stalled row has no source line, or a row repeats."""
    problems = []
    unknown = sorted(set(trajectories["status"]) - set(STATUSES))
    if unknown:
        problems.append(f"unknown statuses {unknown}")
    stalled = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    unsourced = stalled[(stalled["source_file"] == "") | stalled["source_line"].isna()]
    if not unsourced.empty:
        problems.append(f"stalled rows without a source line: {unsourced['measure_id'].tolist()}")
    bases = sorted(set(trajectories["reference_basis"]) - {*REFERENCE_BASES, ""})
    if bases:
        problems.append(f"unknown reference bases {bases}")
    kinds = {k for e in trajectories["evidence"] for k in e.split("+") if k}
    if kinds - set(EVIDENCE_PRECEDENCE):
        problems.append(f"unknown evidence kinds {sorted(kinds - set(EVIDENCE_PRECEDENCE))}")
    duplicated = trajectories.duplicated(["city", "measure_id", "indicator"])
    if duplicated.any():
        problems.append(f"repeated rows: {trajectories.loc[duplicated, 'measure_id'].tolist()}")
    if problems:
        raise ValueError("covid_trajectories: " + "; ".join(problems))


MEASURE_STATUS_ORDER: tuple[str, ...] = (
    "stalled_not_recovered",
    "stalled_planned",
    "stalled_recovered",
    "not_stalled",
    "insufficient_data",
)
"""How a measure's rows reduce to one status: the first in this order wins (one series still down keeps the measure
down; a stall anywhere outranks no stall; any reading outranks none)."""


def measure_statuses(trajectories: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: its status by ``MEASURE_STATUS_ORDER`` and how many rows (series) it has."""
    rank = trajectories["status"].map(MEASURE_STATUS_ORDER.index)
    ordered = trajectories.assign(_rank=rank).sort_values("_rank", kind="stable")
    first = ordered.drop_duplicates(["city", "measure_id"], keep="first")
    counts = trajectories.groupby(["city", "measure_id"]).size().rename("n_rows").reset_index()
    out = first[["city", "measure_id", "measure", "status"]].merge(counts, on=["city", "measure_id"])
    keys = [(city_rank(c), c, natural_key(m)) for c, m in zip(out["city"], out["measure_id"], strict=True)]
    return out.iloc[sorted(range(len(out)), key=keys.__getitem__)].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Rows per city and status (cities in the project's order, every status as a column, totals last)."""
    cities = sorted(set(table["city"]), key=lambda c: (city_rank(c), c))
    counts = pd.crosstab(table["city"], table["status"]).reindex(index=cities, columns=list(STATUSES), fill_value=0)
    counts.loc["total"] = counts.sum()
    counts["total"] = counts.sum(axis=1)
    counts.index.name, counts.columns.name = "city", "status"
    return counts.astype("int64")


def sensitivity_pivot(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity table with one row per (drop threshold, recovery share) and one column per status."""
    pivot = sensitivity.pivot(index=["drop_threshold", "recovery_share"], columns="status", values="n_rows")
    return pivot.reindex(columns=list(STATUSES)).astype("int64")


def quotes_missing_from_sources(trajectories: pd.DataFrame, raw_dir: Path) -> pd.DataFrame:
    """Rows whose quoted sentence(s) cannot be found in their raw file as a reader sees it (HTML stripped, spaces
    collapsed); empty when every quote keeps the sheet's own characters."""
    texts: dict[str, str] = {}
    missing = []
    for index, quote, file in zip(trajectories.index, trajectories["quote"], trajectories["source_file"], strict=True):
        if not _text(quote):
            continue
        if file not in texts:
            texts[file] = clean_cell(read_sheet_text(raw_dir / file))
        if any(part not in texts[file] for part in _text(quote).split(QUOTE_JOINER)):
            missing.append(index)
    return trajectories.loc[missing]

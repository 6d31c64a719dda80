"""Which activities stalled during COVID-19 and what became of them, one row per activity.

A row is an activity: a numeric series (a measure's indicator) or an activity a pandemic sentence names and no
series speaks for (:mod:`helpers.analysis.covid_links`). Evidence, defaults of :class:`TrajectoryParams` in brackets:

* **sentences** linked to the row: 中止・延期・縮小 … dated in the window [FY2020–2022] (by the years the sentence
  names, see :func:`helpers.analysis.covid_text.sentence_effects`) are a stall *the sheet ties to the pandemic*;
  a format change alone (ハイブリッド, 各地区で開催) or a mention where nothing stopped is ``not_stalled``; 再開 in a
  later result column is a recovery (alone, it implies a stall of unknown year).
* **numbers**, for activity and participation series only (:mod:`helpers.analysis.covid_series`): a window value at
  or below ``(1 − drop_threshold)`` [0.2] of the reference and at least ``min_change`` [2] under it. The reference is
  a pre-pandemic actual, else the latest year of an established activity (and never a series whose scheme the
  sheet says changed). A numeric stall is a stall *by timing and pattern* unless a sentence naming the activity
  ties it to the pandemic.
* **grades** (白井市 A–D, per measure): a D (未実施) in the window beside a zero activity count, followed by A or
  B, is a stall by pattern; C or D that does not follow the pandemic years (every year, only the latest year, or a
  C with no fall) is ``delayed_cause_not_stated``. Grades never outrank numbers or sentences.

After the last stall year, recovery is read from later actuals (back to ``recovery_share`` [0.8] of a pre-pandemic
reference; above the stalled value for a latest-year reference), then sentences (再開), then grades (A/B). Not seen
back: a later plan that names the activity (or a planned value) makes it ``stalled_planned``; a later year that
shows it still down ``stalled_not_recovered``; nothing later ``stalled_recovery_not_observed``.

Every row carries the stall evidence (``quote``, ``source_file``, ``source_line``, ``stall_year``) and the recovery
evidence (``recovery_quote``, ``recovery_file``, ``recovery_line``, ``recovery_year``) apart, its reference and
latest values, the shortfall against plan (never a status), the rule that decided and every rule that fired.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from helpers.analysis.covid_links import LinkRule, Mention, label_core, link_mentions
from helpers.analysis.covid_series import (
    KindRule,
    Point,
    Series,
    build_series,
    demand_change,
    plan_shortfall,
    reference_point,
)
from helpers.analysis.covid_text import (
    EVENT_COLUMNS,
    PLAN_STALL_EFFECTS,
    Lexicon,
    city_rank,
    load_lexicon,
    names_a_stall,
    names_scheme_change,
    natural_key,
    require_columns,
    split_sentences,
)
from helpers.core.text import nfkc
from helpers.tables.schema import COVID_STATUSES

STATUSES: tuple[str, ...] = COVID_STATUSES
"""The closed list of statuses, described once with the table (``tables/schema.py``); the first four are stalls."""
STALLED_STATUSES: tuple[str, ...] = STATUSES[:4]
STATUS_LABELS_JA: dict[str, str] = {
    "stalled_recovered": "停滞→回復",
    "stalled_planned": "停滞→再開予定",
    "stalled_not_recovered": "停滞→未回復",
    "stalled_recovery_not_observed": "停滞→回復は未確認",
    "not_stalled": "停滞なし",
    "delayed_cause_not_stated": "遅れ(原因の記載なし)",
    "insufficient_data": "判定できず",
}
"""Japanese labels of the statuses, shared by the notebook's figures and the report."""
ATTRIBUTIONS: tuple[str, ...] = ("sheet", "timing")
"""Who ties a stall to the pandemic: the sheet (in the row, or a sentence naming the activity), or only the timing
and the pattern of the numbers or grades."""
ATTRIBUTION_LABELS_JA: dict[str, str] = {"sheet": "資料がコロナの影響と明記", "timing": "時期と推移から判断"}
ROW_BASES: tuple[str, ...] = ("series", "sentence")
REFERENCE_BASES: tuple[str, ...] = ("pre_pandemic", "latest_year")
STALL_EFFECTS: tuple[str, ...] = (*PLAN_STALL_EFFECTS, "stopped_no_cause")
"""Effects that say an activity stopped or ran less (中止, 延期, 休止, 見送り …); ``stopped_no_cause`` names no
pandemic, so a stall resting on it alone is attributed to the timing."""
FORMAT_EFFECTS: tuple[str, ...] = ("moved_format",)
SCALED_EFFECTS: tuple[str, ...] = ("scaled_down",)
"""Held on a smaller scale (縮小して実施): the activity took place, so it is not a stall on its own."""
NOT_READ_KINDS: tuple[str, ...] = ("demand", "stock", "money", "cumulative", "rate")
"""Kinds whose numbers are never read as a stall: reported in the window and named by no stall sentence, they are
``not_stalled`` (a roster that grows or a consultation count that falls says nothing of a service stopping)."""
STALL_GRADES, GOOD_GRADES = ("C", "D"), ("A", "B")
DEMAND_CHANGES: tuple[str, ...] = ("rose", "fell", "flat")

TRAJECTORY_COLUMNS: tuple[str, ...] = (
    "city",
    "measure_id",
    "measure",
    "activity",
    "indicator",
    "indicator_kind",
    "row_basis",
    "status",
    "attribution",
    "rule",
    "stall_year",
    "quote",
    "source_file",
    "source_line",
    "recovery_year",
    "recovery_quote",
    "recovery_file",
    "recovery_line",
    "reference_value",
    "reference_year",
    "reference_basis",
    "latest_value",
    "latest_year",
    "plan_target",
    "plan_target_year",
    "plan_ratio",
    "demand_change",
    "rules",
)
"""Columns of ``covid_trajectories.csv``: ``quote``/``source_*``/``stall_year`` are the stall evidence,
``recovery_*`` the recovery evidence; ``rule`` decided the status, ``rules`` lists every rule that fired."""


@dataclass(frozen=True)
class TrajectoryParams:
    """Window and thresholds of the classification (the notebook's papermill parameters).

    The default window covers the years the sheets themselves tie to the pandemic: 白井市 and 山形市 name FY2020
    and FY2021, 一関市 reports visits held back and events cancelled in FY2022
    (ichinoseki_fy2023_council_papers.txt:228, :229, :282). ``latest_year`` (the report year) cuts later results
    off; plans are read to the year after it. ``min_change`` keeps tiny counts from deciding a fall.
    ``drop_threshold`` asks for a fall to a small share (a fifth) of the reference, not a halving: most series start
    in FY2020, so the reference is the activity's own later level, and a rise to two or four times that is as
    likely growth (利用者数 5,483 → 11,853, yamagata_fy2022_progress_sheet.txt:61; 放課後子ども教室 23 → 41 → 74,
    shiroi_fy2022_progress_sheet.txt:526) as a stall.
    """

    window_start: int = 2020
    window_end: int = 2022
    drop_threshold: float = 0.8
    recovery_share: float = 0.8
    min_change: float = 2.0
    latest_year: int | None = None

    def in_window(self, year: int) -> bool:
        """Whether a fiscal year lies in the COVID window.

        >>> TrajectoryParams().in_window(2022), TrajectoryParams().in_window(2023)
        (True, False)
        """
        return self.window_start <= year <= self.window_end


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a year, what it says, and where it stands."""

    year: int | None
    quote: str
    source_file: str
    source_line: int | None
    rule: str
    year_stated: bool = True
    """False for a sentence naming no year in a text reviewing several years: ``year`` is then the span's last."""


@dataclass
class RowInput:
    """Everything one row is decided from: its series (if any), linked sentences, the measure's grades and plans."""

    city: str
    measure_id: str
    measure: str
    activity: str
    series: Series | None
    mentions: list[Mention]
    grades: dict[int, tuple[str, str, int]]
    plan_texts: list[tuple[int, str, str, int]] = field(default_factory=list)
    keys: tuple[str, ...] = ()
    """Names to look for in later plan sentences (the activity, the linked labels' cores)."""
    scheme_changed: bool = False
    """The text on the series' lines says its scheme changed: its numbers are explained otherwise."""
    also_listed: tuple[str, ...] = ()
    """Other measures that list the same series (same department, same figures): one activity, counted here."""


def _text(value: object) -> str:
    """A table cell as text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


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


def _grades_by_measure(evaluations: pd.DataFrame) -> dict[tuple[str, str], dict[int, tuple[str, str, int]]]:
    """Worst grade per measure and fiscal year (D worst), with the row it stands on; years in order."""
    worst: dict[tuple[str, str], dict[int, tuple[str, str, int]]] = {}
    columns = ("city", "measure_id", "fiscal_year", "grade", "source_file", "source_line")
    for city, measure_id, year, letter, file, line in zip(*(evaluations[c] for c in columns), strict=True):
        grade = _text(letter).strip()
        if grade:
            by_year = worst.setdefault((_text(city), _text(measure_id)), {})
            if int(year) not in by_year or grade > by_year[int(year)][0]:
                by_year[int(year)] = (grade, _text(file), int(line))
    return {key: dict(sorted(by_year.items())) for key, by_year in worst.items()}


def _plan_texts(activities: pd.DataFrame) -> dict[tuple[str, str], list[tuple[int, str, str, int]]]:
    """Plan-column sentences per measure: (year, sentence, file, line), in order."""
    rows = activities[activities["value_kind"] == "plan"]
    found: dict[tuple[str, str], set[tuple[int, str, str, int]]] = {}
    columns = ("city", "measure_id", "fiscal_year", "text", "source_file", "source_line")
    for city, measure_id, year, text, file, line in zip(*(rows[c] for c in columns), strict=True):
        bucket = found.setdefault((_text(city), _text(measure_id)), set())
        bucket.update((int(year), s, _text(file), int(line)) for s in split_sentences(_text(text)))
    return {k: sorted(v) for k, v in found.items()}


def _scheme_change_lines(activities: pd.DataFrame, lexicon: Lexicon) -> set[tuple[str, int]]:
    """(file, line) of result and note texts that say a scheme changed (see ``scheme_change`` lexicon rows)."""
    rows = activities[activities["value_kind"] != "plan"]
    return {
        (_text(file), int(line))
        for text, file, line in zip(rows["text"], rows["source_file"], rows["source_line"], strict=True)
        if names_scheme_change(_text(text), lexicon)
    }


def _measure_names(indicators: pd.DataFrame, measures: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """Measure names from ``measures`` if given, else from the indicators table."""
    names: dict[tuple[str, str], str] = {}
    for frame in (measures, indicators):
        if frame is None or "measure" not in frame:
            continue
        for city, measure_id, measure in zip(frame["city"], frame["measure_id"], frame["measure"], strict=True):
            if _text(measure):
                names.setdefault((_text(city), _text(measure_id)), _text(measure))
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


def gather_rows(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    params: TrajectoryParams,
    measures: pd.DataFrame | None = None,
    lexicon: Lexicon | None = None,
    kind_rules: Sequence[KindRule] | None = None,
    link_rules: Sequence[LinkRule] | None = None,
    same_facts: pd.DataFrame | None = None,
) -> list[RowInput]:
    """The inputs of every row: one per series, one per activity that sentences name and no series speaks for. A
    series that only repeats another measure's series (``same_facts.csv``: every actual linked to one series) and
    that no sentence names is the same activity: it gets no row of its own, and its place is named on the row that
    counts it (連携会議 0/1/1 under No.38 and No.42, shiroi_fy2022_progress_sheet.txt:453 and :500)."""
    lexicon = lexicon or load_lexicon()
    check_inputs(indicators, activities, evaluations, events)
    indicators, activities, evaluations, events = (
        as_of(f, params.latest_year) for f in (indicators, activities, evaluations, events)
    )
    series = build_series(indicators, lexicon, kind_rules)
    mentions = link_mentions(events, series, lexicon, link_rules)
    grades, plans = _grades_by_measure(evaluations), _plan_texts(activities)
    names = _measure_names(indicators, measures)
    rows: dict[tuple[str, str, str], RowInput] = {}

    def row(city: str, measure_id: str, activity: str, s: Series | None) -> RowInput:
        key = (city, measure_id, activity)
        if key not in rows:
            rows[key] = RowInput(
                city=city,
                measure_id=measure_id,
                measure=names.get((city, measure_id), s.measure if s else ""),
                activity=activity,
                series=s,
                mentions=[],
                grades=grades.get((city, measure_id), {}),
                plan_texts=plans.get((city, measure_id), []),
            )
        return rows[key]

    by_label = {(s.city, s.measure_id, s.indicator): s for s in series}
    changed = _scheme_change_lines(activities, lexicon)
    for s in series:
        row(s.city, s.measure_id, s.indicator, s).scheme_changed = bool(s.lines & changed)
    for m in mentions:
        linked = [by_label[(m.city, m.measure_id, i)] for i in m.indicators if (m.city, m.measure_id, i) in by_label]
        if linked:
            for s in linked:
                row(m.city, m.measure_id, s.indicator, s).mentions.append(m)
        else:
            row(m.city, m.measure_id, m.activity, None).mentions.append(m)
    for key, counted in _repeats(rows, same_facts).items():
        rows[counted].also_listed += (key[1],)
        del rows[key]
    for r in rows.values():
        labels = [r.activity, *(label_core(r.series.indicator) for r in [r] if r.series is not None)]
        labels += [m.plan_key or m.activity for m in r.mentions]
        r.keys = tuple(sorted({nfkc(k) for k in labels if len(nfkc(k)) >= 3}))
    order = sorted(rows, key=lambda k: (city_rank(k[0]), k[0], natural_key(k[1]), rows[k].series is None, k[2]))
    return [rows[k] for k in order]


def _repeats(
    rows: dict[tuple[str, str, str], RowInput], same_facts: pd.DataFrame | None
) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    """Series rows that repeat another row's series in every actual year and carry no sentence, with the row that
    counts them."""
    if same_facts is None or same_facts.empty:
        return {}
    actual = same_facts[same_facts["value_kind"] == "actual"]
    targets: dict[tuple[str, str, str], dict[int, tuple[str, str, str]]] = {}
    for link in actual.to_dict("records"):
        key = (str(link["city"]), str(link["measure_id"]), str(link["indicator"]))
        counted = (str(link["city"]), str(link["same_as_measure_id"]), str(link["same_as_indicator"]))
        targets.setdefault(key, {})[int(link["fiscal_year"])] = counted
    out = {}
    for key, r in rows.items():
        if r.series is None or r.mentions or key not in targets:
            continue
        years = {p.year for p in r.series.actuals}
        counted = {targets[key].get(y) for y in years}
        if years and len(counted) == 1 and None not in counted:
            (target,) = counted
            if target in rows and target not in targets:
                out[key] = target
    return out


def _sentence_evidence(r: RowInput, effects: Iterable[str], params: TrajectoryParams) -> list[Evidence]:
    """Evidence from the row's sentences with one of ``effects`` (plans included for stall effects: a plan column
    can report 開催予定であったが…中止, yamaguchi_fy2021_implementation_report.txt:526), in year order."""
    wanted = set(effects)
    found = []
    for m in r.mentions:
        for year, effect in m.effects:
            if effect not in wanted or (m.value_kind == "plan" and effect not in STALL_EFFECTS):
                continue
            if params.latest_year is not None and m.value_kind != "plan" and year > params.latest_year:
                continue
            if effect in m.unstated and m.period_start is not None:
                rule = f"text:{effect} {m.period_start}–{m.year} (year not stated)"
                found.append(Evidence(m.year, m.fragment, m.source_file, m.source_line, rule, year_stated=False))
                continue
            found.append(Evidence(year, m.fragment, m.source_file, m.source_line, f"text:{effect} {year}"))
    return sorted(found, key=lambda e: (e.year or 0, e.source_file, e.source_line or 0, e.quote))


@dataclass
class Numeric:
    """What a row's series says: its reference, the stalled points and why it could not be read."""

    reference: Point | None = None
    basis: str = ""
    stalls: list[Point] = field(default_factory=list)
    compared: bool = False
    reason: str = ""


def numeric_reading(
    series: Series | None, params: TrajectoryParams, scheme_changed: bool = False, pandemic_named: bool = False
) -> Numeric:
    """Reference level and stalled window points of an activity series (kind, break and reference checked). A series
    whose scheme changed on the way keeps only a pre-pandemic reference: its own later level measures the new
    scheme (通いの場の支援 after 補助要綱の見直し, yamagata_fy2022_progress_sheet.txt:26). A rise that looks like a
    roll-out is read against its latest level when a sentence linked to the row says it stopped or was held back in
    the pandemic (a sentence saying only that it moved to another form does not: ふれあい会議 1 → 7 → 15 held in
    smaller units, shiroi_fy2022_progress_sheet.txt:148, stays a roll-out)."""
    if series is None:
        return Numeric(reason="no_series")
    if series.kind != "activity":
        return Numeric(reason=f"kind:{series.kind}")
    if series.part_of_total:
        return Numeric(reason="part of a total")
    if series.series_break:
        return Numeric(reason="series_break")
    ref, basis, reason = reference_point(series, params.window_start, params.latest_year, pandemic_named)
    if ref is not None and basis == "latest_year" and scheme_changed:
        ref, reason = None, "scheme_changed"
    if ref is None:
        return Numeric(reason=reason)
    out = Numeric(reference=ref, basis=basis)
    for p in series.actuals:
        if p is ref or not params.in_window(p.year) or (basis == "latest_year" and p.year >= ref.year):
            continue
        if params.latest_year is not None and p.year > params.latest_year:
            continue
        out.compared = True
        falls = ref.value - p.value >= params.min_change and p.value <= ref.value * (1 - params.drop_threshold) + 1e-9
        if falls:
            out.stalls.append(p)
    return out


def _graded_falls(num: Numeric, grades: dict[int, tuple[str, str, int]]) -> Numeric:
    """Drop the falls of years the sheet grades A or B: the department judged that year on track, and a fall alone
    (研修会 3 → 1 → 5 with A in FY2021, shiroi_fy2022_progress_sheet.txt:38) is then no stall unless a sentence
    says so."""
    kept = [p for p in num.stalls if grades.get(p.year, ("",))[0] not in GOOD_GRADES]
    if len(kept) == len(num.stalls):
        return num
    graded = [p.year for p in num.stalls if p not in kept]
    reason = num.reason or "; ".join(f"fall {y} graded {grades[y][0]}" for y in graded)
    return dataclasses.replace(num, stalls=kept, reason=reason)


def _point_evidence(p: Point, rule: str) -> Evidence:
    """Evidence quoting a value as the sheet writes it."""
    return Evidence(p.year, p.describe(), p.source_file, p.source_line, rule)


def _grade_evidence(grades: dict[int, tuple[str, str, int]], years: Iterable[int], rule: str) -> list[Evidence]:
    """Evidence quoting grades (``2020年度 評価D``)."""
    return [Evidence(y, f"{y}年度 評価{grades[y][0]}", grades[y][1], grades[y][2], rule) for y in years]


def _grade_pattern(grades: dict[int, tuple[str, str, int]], params: TrajectoryParams) -> tuple[str, list[int]]:
    """How the grades read: ``pandemic_years`` (every C/D in the window, then A or B after the last of them),
    ``delayed`` (any other C/D: every year, or only the latest year), ``good`` (only A/B) or '' (no grades); with the
    C/D years."""
    if not grades:
        return "", []
    bad = [y for y, (g, _, _) in grades.items() if g in STALL_GRADES]
    if not bad:
        return "good", []
    last = max(grades)
    later_good = [y for y, (g, _, _) in grades.items() if y > max(bad) and g in GOOD_GRADES]
    if all(params.in_window(y) for y in bad) and later_good and max(bad) < last:
        return "pandemic_years", bad
    return "delayed", bad


def _d_years(grades: dict[int, tuple[str, str, int]], bad: list[int], params: TrajectoryParams) -> list[int]:
    """Window years graded D (未実施)."""
    return [y for y in bad if params.in_window(y) and grades[y][0] == "D"]


def _zero_in(series: Series | None, years: list[int]) -> list[Point]:
    """The activity series' zero values in the given years: a D grade marks a stall only where the measure's
    activity count says nothing was held (会議の開催回数 0 with D, shiroi_fy2022_progress_sheet.txt:453); a D
    beside a staff or plan count is about that count (担当職員配置, line 114). The latest value must be above zero:
    a series back at 0 (0 → 1 → 0) never showed a level to fall from."""
    if series is None or series.kind != "activity" or not series.actuals or series.actuals[-1].value <= 0:
        return []
    return [p for p in series.actuals if p.year in years and p.value == 0]


def _zero_in_any(series: Series | None, years: list[int]) -> list[Point]:
    """Zero values of any kind of series in the given years (a plan or a staff count not made: 全体計画の策定 0
    with D, shiroi_fy2022_progress_sheet.txt:428)."""
    if series is None:
        return []
    return [p for p in series.actuals if p.year in years and p.value == 0]


def _window_actuals(series: Series | None, params: TrajectoryParams) -> list[Point]:
    """The series' actual values in the window, up to the latest year read."""
    if series is None:
        return []
    return [
        p
        for p in series.actuals
        if params.in_window(p.year) and (params.latest_year is None or p.year <= params.latest_year)
    ]


def _later_plan(r: RowInput, after: int | None) -> Evidence | None:
    """A plan sentence after ``after`` that names the row's activity and says nothing of stopping it, or a planned
    value of the series above zero."""
    lexicon = load_lexicon()
    for year, text, file, line in r.plan_texts:
        if after is not None and year <= after:
            continue
        key = nfkc(text)
        if any(k in key for k in r.keys) and not names_a_stall(text, lexicon):
            return Evidence(year, text, file, line, f"planned:text {year}")
    for m in r.mentions:
        for year, effect in m.effects:
            if m.value_kind == "plan" and effect in ("resumed", "moved_format") and (after is None or year > after):
                return Evidence(year, m.fragment, m.source_file, m.source_line, f"planned:text {year}")
    if r.series is not None:
        last_actual = max((p.year for p in r.series.actuals), default=-1)
        for p in r.series.plans:
            if p.value > 0 and p.year > last_actual and (after is None or p.year > after):
                return _point_evidence(p, f"planned:numeric {p.year}")
    return None


def _numeric_recovery(
    num: Numeric,
    series: Series,
    last: int,
    stall_years: set[int],
    stopped: bool,
    params: TrajectoryParams,
    grades: dict[int, tuple[str, str, int]] | None = None,
) -> tuple[str, Evidence | None]:
    """``recovered`` / ``not_recovered`` / ``unobserved`` from the actuals after the last stall year. An activity
    that did not take place (``stopped``) is back when a later actual is above zero, whatever its reference. A year
    the sheet grades C or D is not yet back (連携会議 0 → 1 → 1 with C in FY2021: only a briefing was held,
    shiroi_fy2022_progress_sheet.txt:453)."""
    graded = grades or {}
    later = [
        p
        for p in series.actuals
        if p.year > last
        and (params.latest_year is None or p.year <= params.latest_year)
        and graded.get(p.year, ("",))[0] not in STALL_GRADES
    ]
    if stopped and later and num.reference is None:
        held = [p for p in later if p.value > 0]
        if held:
            return "recovered", _point_evidence(held[0], f"recovery:held again {held[0].year}")
    if num.reference is None or not later:
        return "unobserved", None
    stalled_values = [p.value for p in series.actuals if p.year in stall_years]
    level = num.reference.value * params.recovery_share
    if num.basis == "latest_year":
        # back only at recovery_share of its own level: 2 participants after 0 is no recovery when the level is 232
        # (shiroi_fy2022_progress_sheet.txt:412-414)
        low = max(stalled_values) if stalled_values else 0.0
        back = [p for p in later if p.value > low and p.value >= level - 1e-9]
        if back:
            return "recovered", _point_evidence(back[0], f"recovery:numeric {back[0].year}")
        return "unobserved", None
    if later[-1].value >= level - 1e-9:
        start = later[-1]
        for p in reversed(later):
            if p.value < level - 1e-9:
                break
            start = p
        return "recovered", _point_evidence(start, f"recovery:numeric {start.year}")
    return "not_recovered", _point_evidence(later[-1], f"not_recovered:numeric {later[-1].year}")


@dataclass
class Reading:
    """The evidence of one row sorted by kind."""

    num: Numeric
    text_stalls: list[Evidence]
    window_text: list[Evidence]
    """The stall sentences dated in the window."""
    resumes: list[Evidence]
    formats: list[Evidence]
    scaled: list[Evidence]
    mentioned: list[Evidence]
    pattern: str
    bad_years: list[int]


def read_row(r: RowInput, params: TrajectoryParams) -> Reading:
    """Sort a row's evidence: numeric reading, stall / resume / format / mention sentences, grade pattern."""
    pattern, bad_years = _grade_pattern(r.grades, params)
    text_stalls = [e for e in _sentence_evidence(r, STALL_EFFECTS, params) if e.year is not None]
    formats = _sentence_evidence(r, FORMAT_EFFECTS, params)
    scaled = _sentence_evidence(r, SCALED_EFFECTS, params)
    named = any(not e.rule.startswith("text:stopped_no_cause") for e in text_stalls)
    return Reading(
        num=_graded_falls(numeric_reading(r.series, params, r.scheme_changed, named), r.grades),
        text_stalls=text_stalls,
        window_text=[e for e in text_stalls if params.in_window(e.year or 0)],
        resumes=_sentence_evidence(r, ("resumed",), params),
        formats=formats,
        scaled=scaled,
        mentioned=_sentence_evidence(r, ("mentioned",), params),
        pattern=pattern,
        bad_years=bad_years,
    )


def find_stall(r: RowInput, g: Reading, params: TrajectoryParams) -> tuple[list[Evidence], str, str]:
    """(stall evidence, attribution, rule), in order of trust: a stall sentence in the window; a fall of an activity
    series (the sheet's attribution when a format-change sentence names it); a D grade beside a zero activity count;
    a 再開 sentence alone (it implies a stop). Empty evidence: no stall."""
    if g.window_text:
        uncaused = all(e.rule.startswith("text:stopped_no_cause") for e in g.window_text)
        return (
            g.window_text,
            "timing" if uncaused else "sheet",
            "stall:text (no cause stated)" if uncaused else "stall:text",
        )
    if g.num.stalls:
        evidence = [_point_evidence(p, f"numeric:fall {p.year}") for p in g.num.stalls]
        named = g.formats or g.scaled or any(not e.rule.startswith("text:stopped_no_cause") for e in g.text_stalls)
        return evidence, "sheet" if named else "timing", f"stall:numeric ({g.num.basis})"
    zeros = _zero_in(r.series, _d_years(r.grades, g.bad_years, params)) if g.pattern == "pandemic_years" else []
    if zeros:
        return [_point_evidence(p, f"grade:D {p.year}, value 0") for p in zeros], "timing", "stall:grade D with a zero"
    if g.resumes and not g.formats:
        first = g.resumes[0]
        return (
            [Evidence(None, first.quote, first.source_file, first.source_line, "text:implied by resume")],
            ("sheet"),
            "stall:implied by resume",
        )
    return [], "", ""


def _grade_recovery(
    grades: dict[int, tuple[str, str, int]], last: int, params: TrajectoryParams
) -> tuple[str, Evidence | None]:
    """Recovered when the grades after the last stall year end in a run of A or B; not recovered on a final C or D."""
    later = [y for y in grades if y > last and (params.latest_year is None or y <= params.latest_year)]
    if not later:
        return "unobserved", None
    if grades[later[-1]][0] not in GOOD_GRADES:
        return "not_recovered", _grade_evidence(grades, [later[-1]], "not_recovered:grade")[0]
    start = later[-1]
    for y in reversed(later):
        if grades[y][0] not in GOOD_GRADES:
            break
        start = y
    return "recovered", _grade_evidence(grades, [start], "recovered:grade")[0]


def find_recovery(
    r: RowInput, g: Reading, stall: list[Evidence], params: TrajectoryParams
) -> tuple[str, Evidence | None, int | None]:
    """(outcome, its evidence, last stall year) after the last stall year, read from later actuals, then sentences
    (再開, or held again), then grades; a stall seen again in a later year is ``not_recovered``."""
    years = {e.year for e in [*stall, *g.text_stalls] if e.year is not None} | {p.year for p in g.num.stalls}
    last = max(years) if years else None
    outcome: str = "unobserved"
    evidence: Evidence | None = None
    stopped = bool(g.window_text) and all(
        e.rule.split()[0] in ("text:cancelled", "text:postponed", "text:stopped_no_cause") for e in g.window_text
    )
    if last is not None and r.series is not None:
        outcome, evidence = _numeric_recovery(g.num, r.series, last, years, stopped, params, r.grades)
    if outcome == "unobserved":
        held = [e for e in g.mentioned if last is not None and (e.year or 0) > last]
        later = [e for e in g.resumes if last is None or (e.year or 0) >= last] + held
        if later:
            outcome, evidence = "recovered", dataclasses.replace(later[0], rule=f"recovery:text {later[0].year}")
    if outcome == "unobserved" and last is not None:
        outcome, evidence = _grade_recovery(r.grades, last, params)
    dated = sorted((e for e in [*stall, *g.text_stalls] if e.year is not None), key=lambda e: e.year or 0)
    if outcome == "unobserved" and dated and dated[-1].year != dated[0].year:
        outcome = "not_recovered"
        evidence = dataclasses.replace(dated[-1], rule=f"not_recovered:still down {dated[-1].year}")
    return outcome, evidence, last


def decide_row(r: RowInput, params: TrajectoryParams) -> dict[str, object]:
    """The output row of one activity: status, attribution, the rule, and the stall and recovery evidence.

    Not seen back, a later plan naming the activity makes it ``stalled_planned``; else a later year still down makes
    it ``stalled_not_recovered``; else ``stalled_recovery_not_observed``."""
    g = read_row(r, params)
    out = _row_base(r, params, g.num)
    rules = [f"also listed under {', '.join(r.also_listed)}"] if r.also_listed else []
    rules += [f"numeric:not read ({g.num.reason})"] if g.num.reason else []
    rules += [e.rule for e in g.text_stalls + g.resumes + g.formats + g.scaled]
    rules += [f"numeric:fall {p.year}" for p in g.num.stalls]
    stall, attribution, decided = find_stall(r, g, params)
    if not stall:
        return _unstalled(out, r, g, rules, params)
    first = stall[0]
    stall_year = first.year if first.year_stated else None
    out.update(stall_year=stall_year, quote=first.quote, source_file=first.source_file, source_line=first.source_line)
    out["attribution"] = attribution
    outcome, evidence, last = find_recovery(r, g, stall, params)
    plan = _later_plan(r, last) if outcome != "recovered" else None
    if outcome == "recovered":
        status = "stalled_recovered"
    elif plan is not None:
        status, evidence = "stalled_planned", plan
    else:
        status = "stalled_not_recovered" if outcome == "not_recovered" else "stalled_recovery_not_observed"
    if evidence is not None:
        out.update(
            recovery_quote=evidence.quote, recovery_file=evidence.source_file, recovery_line=evidence.source_line
        )
        out["recovery_year"] = evidence.year if status == "stalled_recovered" else None
        rules.append(evidence.rule)
    out.update(status=status, rule=f"{decided}; {status}", rules="; ".join(dict.fromkeys(rules)))
    return out


def _unstalled(
    out: dict[str, object], r: RowInput, g: Reading, rules: list[str], params: TrajectoryParams
) -> dict[str, object]:
    """Status of a row with no stall: held (another format, a smaller scale), delayed without a stated cause (C/D
    outside the pandemic-years pattern, or a D beside a zero that is read as no stall), held (a mention), not
    fallen, a kind not read as a stall, or not enough to tell."""
    num, pattern, bad_years = g.num, g.pattern, g.bad_years
    evidence: Evidence | None = None
    not_done = _zero_in_any(r.series, _d_years(r.grades, bad_years, params))
    reported = _window_actuals(r.series, params)
    if g.formats:
        status, rule, evidence = "not_stalled", "held:another format", g.formats[0]
    elif g.scaled:
        status, rule, evidence = "not_stalled", "held:smaller scale", g.scaled[0]
    elif not_done:
        status, rule = "delayed_cause_not_stated", "grade:D beside a zero, not read as a stall"
        evidence = _point_evidence(not_done[0], f"grade:D {not_done[0].year}, value 0")
    elif pattern == "delayed":
        status, rule = "delayed_cause_not_stated", "grade:" + ",".join(f"{r.grades[y][0]} {y}" for y in bad_years)
        evidence = _grade_evidence(r.grades, bad_years[:1], rule)[0]
    elif g.mentioned:
        status, rule, evidence = "not_stalled", "held:pandemic named, nothing stopped", g.mentioned[0]
    elif num.compared:
        status, rule = "not_stalled", f"numeric:no fall to the stall line ({num.basis})"
        assert num.reference is not None
        evidence = _point_evidence(num.reference, rule)
    elif r.series is not None and r.series.kind in NOT_READ_KINDS and reported:
        status, rule = "not_stalled", f"kind:{r.series.kind}, reported in the window (not read as a stall)"
        evidence = _point_evidence(reported[-1], rule)
    elif pattern == "good" and any(params.in_window(y) for y in r.grades):
        status, rule = "not_stalled", "grade:A/B in the window"
        evidence = _grade_evidence(r.grades, [y for y in r.grades if params.in_window(y)][:1], rule)[0]
    else:
        status, rule = "insufficient_data", "nothing shows a stall or its absence"
    if evidence is not None:
        out.update(quote=evidence.quote, source_file=evidence.source_file, source_line=evidence.source_line)
    elif r.series is not None and r.series.actuals:
        p = r.series.actuals[-1]
        out.update(source_file=p.source_file, source_line=p.source_line)
    rules.append(rule)
    out.update(status=status, rule=rule, rules="; ".join(dict.fromkeys(rules)))
    return out


def _row_base(r: RowInput, params: TrajectoryParams, num: Numeric) -> dict[str, object]:
    """An output row with the activity, series, reference, plan and demand columns filled."""
    out: dict[str, object] = dict.fromkeys(TRAJECTORY_COLUMNS, None)
    s = r.series
    out.update(city=r.city, measure_id=r.measure_id, measure=r.measure, activity=r.activity)
    out.update(indicator=s.indicator if s else "", indicator_kind=s.kind if s else "", attribution="")
    out.update(row_basis="series" if s else "sentence", quote="", source_file="", recovery_quote="", recovery_file="")
    out["demand_change"] = ""
    if s is None:
        return out
    actuals = [p for p in s.actuals if params.latest_year is None or p.year <= params.latest_year]
    if actuals:
        out.update(latest_value=actuals[-1].value, latest_year=actuals[-1].year)
    if num.reference is not None:
        out.update(reference_value=num.reference.value, reference_year=num.reference.year, reference_basis=num.basis)
    target, target_year, ratio = plan_shortfall(s, params.latest_year)
    out.update(plan_target=target, plan_target_year=target_year, plan_ratio=ratio)
    if s.kind == "demand":
        out["demand_change"] = demand_change(s, params.min_change, params.latest_year)
    return out


def _trajectories_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Rows as the output frame: nullable integer years and lines, empty text for missing text."""
    frame = pd.DataFrame(rows, columns=list(TRAJECTORY_COLUMNS))
    for column in ("stall_year", "recovery_year", "reference_year", "latest_year", "plan_target_year"):
        frame[column] = frame[column].astype("Int64")
    for column in ("source_line", "recovery_line"):
        frame[column] = frame[column].astype("Int64")
    for column in ("reference_value", "latest_value", "plan_target", "plan_ratio"):
        frame[column] = frame[column].astype("float64")
    text = [c for c in TRAJECTORY_COLUMNS if frame[c].dtype == object]
    frame[text] = frame[text].fillna("")
    frame["reference_basis"] = frame["reference_basis"].fillna("")
    return frame


def classify_trajectories(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    params: TrajectoryParams | None = None,
    measures: pd.DataFrame | None = None,
    lexicon: Lexicon | None = None,
    link_rules: Sequence[LinkRule] | None = None,
    same_facts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Classify every activity (``covid_trajectories.csv``): one row per series and per sentence-named activity.
    ``link_rules`` replaces the reviewed link file (tests on crafted tables); ``same_facts`` (the cleaning step's
    table) folds a series listed under two measures into one row."""
    params = params or TrajectoryParams()
    rows = gather_rows(
        indicators, activities, evaluations, events, params, measures, lexicon, None, link_rules, same_facts
    )
    return _trajectories_frame([decide_row(r, params) for r in rows])


SENSITIVITY_GRID: dict[str, tuple[float, ...]] = {
    "drop_threshold": (0.5, 0.6, 0.7, 0.8, 0.9),
    "recovery_share": (0.6, 0.7, 0.8, 0.9, 1.0),
    "min_change": (1.0, 2.0, 3.0, 5.0),
    "window_end": (2021.0, 2022.0),
}
"""Values each parameter takes in the sensitivity table (the others stay at the run's parameters)."""


def sensitivity_table(
    indicators: pd.DataFrame,
    activities: pd.DataFrame,
    evaluations: pd.DataFrame,
    events: pd.DataFrame,
    params: TrajectoryParams | None = None,
    measures: pd.DataFrame | None = None,
    grid: dict[str, tuple[float, ...]] | None = None,
    same_facts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows per status as one parameter at a time moves over ``grid`` (``covid_sensitivity.csv``); ``is_run``
    marks the setting of the run itself. A row's inputs depend on the report year alone (not on the window or the
    thresholds), so they are gathered once per report year and decided again for each setting."""
    base = params or TrajectoryParams()
    lexicon = load_lexicon()
    gathered: dict[int | None, list[RowInput]] = {}
    rows = []
    for name, values in (grid or SENSITIVITY_GRID).items():
        for value in values:
            setting = dataclasses.replace(base, **{name: int(value) if name == "window_end" else float(value)})
            if setting.latest_year not in gathered:
                gathered[setting.latest_year] = gather_rows(
                    indicators, activities, evaluations, events, setting, measures, lexicon, same_facts=same_facts
                )
            counts = Counter(decide_row(r, setting)["status"] for r in gathered[setting.latest_year])
            is_run = float(getattr(base, name)) == float(value)
            rows.extend(
                {"parameter": name, "value": float(value), "is_run": is_run, "status": s, "n_rows": counts[s]}
                for s in STATUSES
            )
    return pd.DataFrame(rows, columns=["parameter", "value", "is_run", "status", "n_rows"])


def sensitivity_summary(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Stalled activities (all stalled statuses) per parameter setting, with the run's setting marked."""
    stalled = sensitivity[sensitivity["status"].isin(STALLED_STATUSES)]
    grouped = stalled.groupby(["parameter", "value", "is_run"], sort=False)["n_rows"].sum().rename("n_stalled")
    return grouped.reset_index()


def check_trajectories(trajectories: pd.DataFrame) -> None:
    """Stop with a message when a vocabulary is broken, a stalled row lacks its evidence, a stalled row rests on a
    plan target or on a series that never fell, or a row repeats."""
    problems = []
    unknown = sorted(set(trajectories["status"]) - set(STATUSES))
    if unknown:
        problems.append(f"unknown statuses {unknown}")
    stalled = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    unsourced = stalled[(stalled["source_file"] == "") | stalled["source_line"].isna() | (stalled["quote"] == "")]
    if not unsourced.empty:
        problems.append(f"stalled rows without stall evidence: {unsourced['activity'].tolist()}")
    if (stalled["attribution"] == "").any() or not set(stalled["attribution"]) <= set(ATTRIBUTIONS):
        problems.append("stalled rows without a valid attribution")
    bases = sorted(set(trajectories["reference_basis"]) - {*REFERENCE_BASES, ""})
    if bases:
        problems.append(f"unknown reference bases {bases}")
    numeric = stalled[stalled["rule"].str.startswith("stall:numeric")]
    never_fell = numeric[~(numeric["reference_value"] > 0)]
    if not never_fell.empty:
        problems.append(f"numeric stalls without a positive reference: {never_fell['activity'].tolist()}")
    duplicated = trajectories.duplicated(["city", "measure_id", "activity"])
    if duplicated.any():
        problems.append(f"repeated rows: {trajectories.loc[duplicated, 'activity'].tolist()}")
    if problems:
        raise ValueError("covid_trajectories: " + "; ".join(problems))


MEASURE_STATUS_ORDER: tuple[str, ...] = (
    "stalled_not_recovered",
    "stalled_recovery_not_observed",
    "stalled_planned",
    "stalled_recovered",
    "delayed_cause_not_stated",
    "not_stalled",
    "insufficient_data",
)
"""How a measure's rows reduce to one status: the first in this order wins."""


def measure_statuses(trajectories: pd.DataFrame) -> pd.DataFrame:
    """One row per measure: its status by ``MEASURE_STATUS_ORDER`` and how many rows (activities) it has."""
    rank = trajectories["status"].map(MEASURE_STATUS_ORDER.index)
    ordered = trajectories.assign(_rank=rank).sort_values("_rank", kind="stable")
    first = ordered.drop_duplicates(["city", "measure_id"], keep="first")
    counts = trajectories.groupby(["city", "measure_id"]).size().rename("n_rows").reset_index()
    out = first[["city", "measure_id", "measure", "status"]].merge(counts, on=["city", "measure_id"])
    keys = [(city_rank(c), c, natural_key(m)) for c, m in zip(out["city"], out["measure_id"], strict=True)]
    return out.iloc[sorted(range(len(out)), key=keys.__getitem__)].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Rows (activities) per city and status (cities in the project's order, every status a column, totals last)."""
    cities = sorted(set(table["city"]), key=lambda c: (city_rank(c), c))
    counts = pd.crosstab(table["city"], table["status"]).reindex(index=cities, columns=list(STATUSES), fill_value=0)
    counts.loc["total"] = counts.sum()
    counts["total"] = counts.sum(axis=1)
    counts.index.name, counts.columns.name = "city", "status"
    return counts.astype("int64")


def attribution_counts(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Stalled activities per city and attribution (the sheet says so / timing and pattern only)."""
    stalled = trajectories[trajectories["status"].isin(STALLED_STATUSES)]
    cities = sorted(set(trajectories["city"]), key=lambda c: (city_rank(c), c))
    counts = pd.crosstab(stalled["city"], stalled["attribution"])
    return counts.reindex(index=cities, columns=list(ATTRIBUTIONS), fill_value=0).astype("int64")


def quotes_missing_from_tables(
    trajectories: pd.DataFrame, activities: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    """Rows whose stall or recovery quote is not found in the cleaned table text of its file and line (activity
    texts, raw values and notes); quotes of values and grades (``2020年度 …``) are checked by their raw token."""
    texts: dict[tuple[str, int], str] = {}
    for frame, columns in ((activities, ("text",)), (indicators, ("value_raw", "note"))):
        for row in frame.to_dict("records"):
            key = (_text(row["source_file"]), int(row["source_line"]))
            texts[key] = texts.get(key, "") + "\n" + "\n".join(nfkc(_text(row[c])) for c in columns)
    missing = []
    for index, row in trajectories.iterrows():
        for quote, file, line in (
            (row["quote"], row["source_file"], row["source_line"]),
            (row["recovery_quote"], row["recovery_file"], row["recovery_line"]),
        ):
            if not _text(quote) or pd.isna(line) or _text(quote).split(" ", 1)[-1].startswith("評価"):
                continue
            token = nfkc(_text(quote))
            if token[:4].isdigit() and "年度 " in token:
                token = token.split(" ", 1)[1]
            if token not in texts.get((_text(file), int(line)), ""):
                missing.append(index)
    return trajectories.loc[sorted(set(missing))]

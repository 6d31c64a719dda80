"""Each table's columns described once; the pandera schemas and ``datapackage.json`` derive from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from helpers import CITIES
from helpers.core.count_basis import COUNT_BASES
from helpers.sheets.records import COVERAGE_REGIONS, VALUE_KINDS, VALUE_ORIGINS

if TYPE_CHECKING:  # pandera is imported where a schema is built: reading tables back (the report) needs none
    import pandera.pandas as pa

GRADES: tuple[str, ...] = ("A", "B", "C", "D")
PROGRESS_LABELS: tuple[str, ...] = ("順調に進んだ", "概ね進んだ", "一部遅れがある", "未実施")

_PANDERA_TYPES = {"string": str, "integer": "int64", "number": "float64", "boolean": bool}


@dataclass(frozen=True)
class Field:
    """One column: its Frictionless type, whether it may be empty, its closed vocabulary and descriptions."""

    name: str
    type: str
    description: str
    description_ja: str
    required: bool = True
    enum: tuple[str, ...] = ()
    minimum: float | None = None

    @property
    def title_ja(self) -> str:
        """The column's short Japanese header for staff (workbook, report); ``description_ja`` unless overridden."""
        return TITLES_JA.get(self.name, self.description_ja)


@dataclass(frozen=True)
class Table:
    """A published table: file name, fields in column order, primary key and sort order."""

    name: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    sort_by: tuple[str, ...] = field(default=())
    row_checks: tuple[Callable[[pd.DataFrame], pd.Series], ...] = ()
    """Checks across columns (each returns True for every valid row), run by pandera on every write."""

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def title_ja(self) -> str:
        """The table's Japanese name for staff (an Excel sheet name: at most 31 characters, no []:*?/\\)."""
        return TABLE_TITLES_JA.get(self.name, self.title)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


def _f(name: str, type_: str, en: str, ja: str, **kw: object) -> Field:
    return Field(name, type_, en, ja, **kw)  # type: ignore[arg-type]


CITY = _f("city", "string", "City (romanised).", "市", enum=CITIES)
MEASURE_ID = _f("measure_id", "string", "Stable id of the measure, from the sheet's own numbering.", "取組ID")
MEASURE = _f("measure", "string", "Measure (事業 / 取組項目 / 取り組み) as named in the sheet.", "事業・取組名")
GOAL = _f("goal", "string", "Plan goal (基本目標 / 基本方針).", "基本目標", required=False)
DIRECTION = _f(
    "direction",
    "string",
    "Direction under the goal (基本的な方向性 / 活動目標 / 施策の方向).",
    "方向性",
    required=False,
)
POLICY = _f("policy", "string", "Policy under the direction (施策 / 事業).", "施策", required=False)
DEPARTMENT = _f("department", "string", "Responsible department(s) (担当課 / 関連課).", "担当課", required=False)
ACTOR = _f("actor", "string", "Acting body where the sheet names one (市, 市社協).", "実施主体", required=False)
FISCAL_YEAR = _f(
    "fiscal_year", "integer", "Gregorian year the Japanese fiscal year starts in (令和2年度 = 2020).", "年度(西暦)"
)
VALUE_KIND = _f("value_kind", "string", "actual, target or plan.", "値の種類(実績・目標・計画)", enum=VALUE_KINDS)
SOURCE_FILE = _f("source_file", "string", "Raw file in data/raw the row comes from.", "出典ファイル")
SOURCE_LINE = _f("source_line", "integer", "1-based line of the raw file.", "出典行", minimum=1)
INDICATOR = _f("indicator", "string", "Indicator label (実績の指標 / 取組内容 / 活動指標).", "指標")

INDICATORS = Table(
    name="indicators",
    title="Indicator observations",
    description=(
        "One row per observation: a measure's indicator in one fiscal year, with its raw token and source line."
    ),
    fields=(
        CITY,
        MEASURE_ID,
        MEASURE,
        GOAL,
        DIRECTION,
        POLICY,
        DEPARTMENT,
        ACTOR,
        INDICATOR,
        FISCAL_YEAR,
        VALUE_KIND,
        _f("value", "number", "Numeric value; empty when the cell holds no number.", "値", required=False),
        _f("unit", "string", "Unit as written (人, 件, 回, 円, % …).", "単位", required=False),
        _f("count_basis", "string", "延べ, 実 or 累計 where stated.", "集計の基準", required=False, enum=COUNT_BASES),
        _f(
            "note",
            "string",
            "Marker, sub-count or reason when the value is empty or qualified.",
            "備考",
            required=False,
        ),
        _f("series_break", "boolean", "The sheet says the indicator's definition changed.", "定義の変更"),
        _f(
            "year_basis",
            "string",
            "How the fiscal year was decided when not from the header.",
            "年度の根拠",
            required=False,
        ),
        _f(
            "value_origin",
            "string",
            "Where the value was read: table (a value column) or narrative (a labelled count in a sentence).",
            "値の出所(表・本文)",
            enum=VALUE_ORIGINS,
        ),
        _f("value_raw", "string", "The exact token as it stands on the source line.", "原文の値"),
        SOURCE_FILE,
        SOURCE_LINE,
    ),
    primary_key=("city", "measure_id", "indicator", "fiscal_year", "value_kind"),
)

MEASURES = Table(
    name="measures",
    title="Tracked measures",
    description="One row per measure a sheet reports on, with its first place in the plan.",
    fields=(
        CITY,
        MEASURE_ID,
        MEASURE,
        GOAL,
        DIRECTION,
        POLICY,
        DEPARTMENT,
        ACTOR,
        SOURCE_FILE,
        SOURCE_LINE,
        _f("n_listings", "integer", "How many places in the sheet list the measure.", "掲載箇所数", minimum=1),
    ),
    primary_key=("city", "measure_id"),
)

MEASURE_LISTINGS = Table(
    name="measure_listings",
    title="Places where each measure is listed",
    description="Every place a measure stands in a sheet (a project can be listed under several policies).",
    fields=(
        CITY,
        MEASURE_ID,
        MEASURE,
        GOAL,
        DIRECTION,
        POLICY,
        DEPARTMENT,
        ACTOR,
        _f("is_repeat", "boolean", "The listing repeats an earlier one (※再掲).", "再掲"),
        SOURCE_FILE,
        SOURCE_LINE,
    ),
    primary_key=("source_file", "source_line", "measure_id"),
)

EVALUATIONS = Table(
    name="evaluations",
    title="Self-evaluations (A–D grades, from the sheets that carry them)",
    description="A–D grade per measure and fiscal year, and the progress box checked for the sheet's year.",
    fields=(
        CITY,
        MEASURE_ID,
        FISCAL_YEAR,
        _f("indicator", "string", "Indicator the graded row reports.", "実績の指標", required=False),
        _f("grade", "string", "評価 A–D as printed; empty when none.", "評価", required=False, enum=GRADES),
        _f(
            "progress",
            "string",
            "Checked 進捗状況 on the report-year row.",
            "進捗状況",
            required=False,
            enum=PROGRESS_LABELS,
        ),
        SOURCE_FILE,
        SOURCE_LINE,
    ),
    primary_key=("city", "measure_id", "fiscal_year", "source_file", "source_line"),
)

ACTIVITIES = Table(
    name="activities",
    title="Narrative items",
    description="Each narrative item (実施状況, ■ bullet, plan, comment) with its year and source line.",
    fields=(
        CITY,
        MEASURE_ID,
        FISCAL_YEAR,
        _f(
            "period_start",
            "integer",
            "First fiscal year the text reports on: fiscal_year itself, or earlier for a text reviewing several years "
            "(山形市's 中間年の点検 covers R2–R4). A sentence naming no year is dated to this span, not to one year.",
            "対象期間の初年度",
        ),
        VALUE_KIND,
        _f("section", "string", "Column or block the text stands in.", "欄", required=False),
        DEPARTMENT,
        ACTOR,
        _f("text", "string", "The item's text, HTML removed, characters as in the sheet.", "本文"),
        SOURCE_FILE,
        SOURCE_LINE,
        _f("item", "integer", "Order of the item within its source line.", "行内の順番", minimum=1),
    ),
    primary_key=("source_file", "source_line", "item"),
)


@dataclass(frozen=True)
class CoverageReason:
    """One kind of reason a numeric token is skipped: the reason texts it covers (regex) and what it means."""

    kind: str
    pattern: str
    meaning: str


COVERAGE_REASONS: tuple[CoverageReason, ...] = (
    CoverageReason(
        "date",
        r"date.*|.*: date, time or period; not a value column|as-of date of .*",
        "a date or time (令和4年6月7日, 1/19, R4.11.30現在)",
    ),
    CoverageReason(
        "year_reference",
        r"year (in narrative text|reference.*)|fiscal[- ]year .*|target year label|start year of .*|plan period",
        "a fiscal year or era year naming when, not how many (令和3年度, H32(2020))",
    ),
    CoverageReason(
        "frequency_rule",
        r"frequency .*|interval rule .*",
        "a rule of how often (月1回, 年6回発行, 1回/年, 3か月ごと), not how often it happened",
    ),
    CoverageReason(
        "ordinal_or_numbering",
        r"ordinal.*|heading number|table of contents .*|list numbering|item marker"
        r"|.*: (numbering or reference|item marker); not a value column",
        "an ordinal, heading, page, list or roster number (第2期, ①, contents page numbers)",
    ),
    CoverageReason(
        "name_or_rule",
        r"digits inside .*|part of a name .*|fee .*|range .*|.*: range in a rule .*"
        r"|number in narrative text: (not a count .*|money, share or duration, not a count)"
        r"|number in narrative text without a counter|glossary text .*|caption or figure text",
        "digits in a name, a fee, a limit set by a rule, money or a duration in prose, text outside value columns",
    ),
    CoverageReason(
        "note_of_another_value",
        r"sub-count .*|breakdown .*|share after .*|parenthesised .*|.*kept in note.*"
        r"|repeats .* as the base of the next figure|undated .*|stray value .*",
        "a sub-count, breakdown, share or as-of figure kept in the note of the value it qualifies, or a figure "
        "without a year",
    ),
    CoverageReason(
        "repeat",
        r"repeat of line .*|same figure .*|※再掲 .*|実施状況 text: (repeat|restates) .*",
        "the same figure already recorded elsewhere (one fact, one observation)",
    ),
    CoverageReason(
        "unclear_label",
        r"count in narrative text: .*|count in plan text .*|count in brackets inside the label.*"
        r"|cannot align labels and values.*|no (label|indicator label) .*|value without a label.*"
        r"|compound count refused|cell kept whole.*|実施状況 text.*|conflicts with line .*",
        "a count whose words do not say clearly what it counts, or whose labels and values cannot be aligned",
    ),
)
"""The closed list of skip reasons (by kind). Every skipped token's reason must fall under a kind (the first
that matches names it); writing a table with any other reason fails validation. Reasons keep their particulars
(line numbers, the value they belong to) after the kind's wording."""

_REASON_PATTERNS = tuple((r.kind, re.compile(r.pattern)) for r in COVERAGE_REASONS)


def coverage_reason_kind(reason: str) -> str:
    """The kind of a skip reason from the closed list, or '' when no kind covers it.

    >>> coverage_reason_kind("frequency rule (月1回 / 年1回), not a count")
    'frequency_rule'
    >>> coverage_reason_kind("count in narrative text: no label names it")
    'unclear_label'
    >>> coverage_reason_kind("because")
    ''
    """
    return next((kind for kind, pattern in _REASON_PATTERNS if pattern.fullmatch(reason)), "")


def _skip_reasons_are_listed(frame: pd.DataFrame) -> pd.Series:
    """Row check of coverage: an observation needs no reason; a skipped token's reason is of a listed kind."""
    skipped = frame["outcome"] == "skipped"
    kinds = frame["reason"].map(coverage_reason_kind)
    return ~skipped | (kinds != "")


COVERAGE = Table(
    name="coverage",
    title="Numeric tokens and their fate",
    description="Every numeric token of the sheets: became an observation, or skipped with a reason.",
    fields=(
        CITY,
        SOURCE_FILE,
        SOURCE_LINE,
        _f("item", "integer", "Order of the token within its source line.", "行内の順番", minimum=1),
        _f("token", "string", "The numeric token as it stands.", "原文"),
        _f(
            "region",
            "string",
            "Where the token stands: value_column, narrative (text cells, bullets) or outside_values (titles, "
            "contents, headings, rosters).",
            "位置(値の欄・本文・表外)",
            enum=COVERAGE_REGIONS,
        ),
        _f("outcome", "string", "observation or skipped.", "結果", enum=("observation", "skipped")),
        _f(
            "reason",
            "string",
            "Why a token was skipped: one of the kinds of COVERAGE_REASONS (schema.py), with its particulars.",
            "理由",
            required=False,
        ),
    ),
    primary_key=("source_file", "source_line", "item"),
    row_checks=(_skip_reasons_are_listed,),
)

CLEAN_TABLES: tuple[Table, ...] = (INDICATORS, MEASURES, MEASURE_LISTINGS, EVALUATIONS, ACTIVITIES, COVERAGE)

# --- Links between observations (written beside the clean tables; every row names two rows of indicators.csv) ---

SUPERSEDED = Table(
    name="superseded",
    title="Observations replaced by a newer document",
    description="Where two documents of a city report the same key, the newer one is kept and the older recorded here.",
    fields=(
        CITY,
        MEASURE_ID,
        INDICATOR,
        FISCAL_YEAR,
        VALUE_KIND,
        _f("kept_source_file", "string", "File of the observation kept in indicators.csv.", "採用した出典ファイル"),
        _f("kept_source_line", "integer", "Line of the kept observation.", "採用した出典行", minimum=1),
        _f("kept_value_raw", "string", "Token of the kept observation.", "採用した原文の値"),
        _f("replaced_source_file", "string", "File of the replaced observation.", "置き換えた出典ファイル"),
        _f("replaced_source_line", "integer", "Line of the replaced observation.", "置き換えた出典行", minimum=1),
        _f("replaced_value_raw", "string", "Token of the replaced observation.", "置き換えた原文の値"),
    ),
    primary_key=("city", "measure_id", "indicator", "fiscal_year", "value_kind"),
)

SAME_FACT_RELATIONS: tuple[str, ...] = ("same_as", "also_listed")
SAME_FACTS = Table(
    name="same_facts",
    title="One fact printed in two places",
    description=(
        "An observation that repeats a fact of another observation of indicators.csv: the same figure in another "
        "document of the city (same_as) or under another measure of the same sheet (also_listed). Both rows stay "
        "in indicators.csv; count the fact once, at the same_as_* observation."
    ),
    fields=(
        CITY,
        MEASURE_ID,
        INDICATOR,
        FISCAL_YEAR,
        VALUE_KIND,
        SOURCE_FILE,
        SOURCE_LINE,
        _f("relation", "string", "same_as or also_listed.", "関係(別資料・別事業に同じ値)", enum=SAME_FACT_RELATIONS),
        _f("same_as_measure_id", "string", "Measure of the observation to count.", "数える観測の取組ID"),
        _f("same_as_indicator", "string", "Indicator of the observation to count.", "数える観測の指標"),
        _f("same_as_source_file", "string", "File of the observation to count.", "数える観測の出典ファイル"),
        _f("same_as_source_line", "integer", "Line of the observation to count.", "数える観測の出典行", minimum=1),
        _f("basis", "string", "Why the two are one fact.", "同じとみなす根拠"),
    ),
    primary_key=("city", "measure_id", "indicator", "fiscal_year", "value_kind"),
)

LINK_TABLES: tuple[Table, ...] = (SUPERSEDED, SAME_FACTS)
"""Tables linking rows of indicators.csv; described in datapackage.json with the clean tables."""


def _check(f: Field) -> list[pa.Check]:
    import pandera.pandas as pa

    checks: list[pa.Check] = []
    if f.enum:
        allowed = list(f.enum) + ([] if f.required else [""])
        checks.append(pa.Check.isin(allowed))
    if f.minimum is not None:
        checks.append(pa.Check.ge(f.minimum))
    if f.type == "string" and f.required:
        checks.append(pa.Check.str_length(min_value=1))
    return checks


def pandera_schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of a table: exact columns, types, vocabularies and a unique primary key."""
    import pandera.pandas as pa

    columns = {
        f.name: pa.Column(
            "Int64" if f.type == "integer" and not f.required else _PANDERA_TYPES[f.type],
            checks=_check(f),
            nullable=(f.type in ("number", "integer") and not f.required),
        )
        for f in table.fields
    }
    checks = [pa.Check(check, error=check.__doc__ or check.__name__) for check in table.row_checks]
    return pa.DataFrameSchema(
        columns, checks=checks, strict=True, ordered=True, unique=list(table.primary_key), name=table.name
    )


def frictionless_resource(table: Table) -> dict[str, object]:
    """The Data Package resource descriptor of a table (UTF-8 CSV, fields, primary key)."""
    fields = []
    for f in table.fields:
        spec: dict[str, object] = {
            "name": f.name,
            "type": f.type,
            "description": f.description,
            "title": f.description_ja,
        }
        constraints: dict[str, object] = {}
        if f.required:
            constraints["required"] = True
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.minimum is not None:
            constraints["minimum"] = int(f.minimum) if f.type == "integer" else f.minimum
        if constraints:
            spec["constraints"] = constraints
        if f.type == "boolean":
            spec["trueValues"] = ["true"]
            spec["falseValues"] = ["false"]
        fields.append(spec)
    return {
        "name": table.name.replace("_", "-"),
        "path": table.path,
        "title": table.title,
        "description": table.description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": list(table.primary_key), "missingValues": [""]},
    }


# --- Analysis tables (written by the analysis notebooks into the same processed directory) ---

HUB_SUBTYPES: tuple[str, ...] = (
    "hub_places",
    "hub_participation",
    "consultation_volume",
    "consultation_capacity",
    "coordination",
    "policy_design",
    "community_development",
)
POPULATION_GROUP = _f(
    "population_group",
    "string",
    "Who the service is for: all_residents, aged_65_plus, children or persons_with_disabilities.",
    "対象の人口",
    required=False,
)
SERVICE = _f("service", "string", "Service concept from lexicons/hub_service_crosswalk.csv.", "サービス")
SAME_FACT_AS = _f(
    "same_fact_as",
    "string",
    "The series this series repeats (same figures, same city): empty for the series kept.",
    "同じ数値の系列",
    required=False,
)
SUBTYPE = _f("subtype", "string", "Hub/consultation subtype from the taxonomy.", "区分", enum=HUB_SUBTYPES)

HUB_CONSULTATION = Table(
    name="hub_consultation",
    title="Hub and consultation observations",
    description="The observations of indicators.csv that the taxonomy tags as hub or consultation, with attributes.",
    fields=(
        *INDICATORS.fields,
        _f("series_id", "string", "City, measure and indicator joined: one series.", "系列ID"),
        _f(
            "domain",
            "string",
            "hub, consultation or community (地域づくり).",
            "領域(拠点・相談・地域づくり)",
            enum=("hub", "consultation", "community"),
        ),
        SUBTYPE,
        _f("rule_id", "string", "Taxonomy rule that classified the indicator.", "分類ルール"),
        _f(
            "count_basis_resolved",
            "string",
            "延べ, 実, 累計 or unstated (from the row or its label).",
            "集計の基準(判定)",
            enum=(*COUNT_BASES, "unstated"),
        ),
        _f("level", "string", "city, district or facility.", "集計の単位", enum=("city", "district", "facility")),
        _f("unit_family", "string", "What the checked unit counts (persons, cases, places, meetings …).", "単位の種類"),
        _f("scope", "string", "new, continuing, part, attendance or all.", "対象(新規・継続・一部・出席・全体)"),
        _f("has_target", "boolean", "The series has a target row.", "目標値あり"),
        SERVICE,
        _f("service_ja", "string", "Service name in Japanese.", "サービス名"),
        POPULATION_GROUP,
        _f("scheme", "string", "national programme or the city's own (local).", "全国の制度・市独自", required=False),
        _f("unit_checked", "string", "Unit after checking it against the label.", "単位(ラベルと照合)", required=False),
        _f("unit_note", "string", "Why the checked unit differs from the unit written.", "単位の注記", required=False),
        SAME_FACT_AS,
    ),
    primary_key=INDICATORS.primary_key,
)

HUB_MATRIX = Table(
    name="hub_consultation_matrix",
    title="What each city measures (city × subtype)",
    description="Series, units, count bases, levels, fiscal years and targets per city and subtype.",
    fields=(
        CITY,
        SUBTYPE,
        _f("domains", "string", "Domains of the series.", "領域", required=False),
        _f("n_series", "integer", "Number of series.", "系列数", minimum=0),
        _f("n_observations", "integer", "Number of observations.", "観測数", minimum=0),
        _f("units", "string", "Units used.", "単位", required=False),
        _f("count_bases", "string", "Count bases used.", "集計の基準", required=False),
        _f("levels", "string", "Levels counted at.", "集計の単位", required=False),
        _f("fiscal_years", "string", "Fiscal years covered.", "年度", required=False),
        _f("n_series_with_target", "integer", "Series with a target.", "目標のある系列数", minimum=0),
        _f("n_series_with_actual", "integer", "Series with an actual value.", "実績のある系列数", minimum=0),
        _f("n_repeats", "integer", "Series left out as repeats of another.", "重複として除いた系列数", minimum=0),
    ),
    primary_key=("city", "subtype"),
)

PER_THOUSAND = Table(
    name="hub_consultation_per_1000",
    title="Hub and consultation services compared across cities (per 1,000 of the population served, where known)",
    description=(
        "Each tagged observation with its comparison group (service, subtype, unit, basis, scope, level); comparable "
        "when another city counts the same service the same way; per_1000 of the service's population where known."
    ),
    fields=(
        CITY,
        MEASURE_ID,
        INDICATOR,
        FISCAL_YEAR,
        VALUE_KIND,
        SUBTYPE,
        SERVICE,
        POPULATION_GROUP,
        _f("value", "number", "Value as in indicators.csv.", "値", required=False),
        _f("unit_checked", "string", "Unit after checking it against the label.", "単位", required=False),
        _f("count_basis_resolved", "string", "Count basis.", "集計の基準", enum=(*COUNT_BASES, "unstated")),
        _f("scope", "string", "new, continuing, part, attendance or all.", "対象"),
        _f("level", "string", "city, district or facility.", "集計の単位", enum=("city", "district", "facility")),
        _f("population", "integer", "Population the service is for (denominator).", "人口", required=False, minimum=1),
        _f("population_reference_date", "string", "Date of the population figure.", "人口の基準日", required=False),
        _f("comparable_group", "string", "What must match to compare.", "比較グループ"),
        _f("comparable", "boolean", "Another city counts the same service the same way.", "比較可能"),
        _f("per_1000", "number", "Value per 1,000 of the population served.", "対象人口千人当たり", required=False),
        _f(
            "per_1000_note",
            "string",
            "Why a comparable value has no per-1,000 figure.",
            "千人当たりの注記",
            required=False,
        ),
        _f("reason_left_out", "string", "Why not compared.", "比較しない理由", required=False),
        SAME_FACT_AS,
        SOURCE_FILE,
        SOURCE_LINE,
    ),
    primary_key=("city", "measure_id", "indicator", "fiscal_year", "value_kind"),
)

ANALYSIS_TABLES: list[Table] = [HUB_CONSULTATION, HUB_MATRIX, PER_THOUSAND]
"""Analysis tables; the COVID tables are appended below their definitions."""

COVID_EFFECTS: tuple[str, ...] = (
    "cancelled",
    "postponed",
    "reduced",
    "scaled_down",
    "moved_format",
    "resumed",
    "mentioned",
    "stopped_no_cause",
)
COVID_STATUSES: tuple[str, ...] = (
    "stalled_recovered",
    "stalled_planned",
    "stalled_not_recovered",
    "stalled_recovery_not_observed",
    "not_stalled",
    "delayed_cause_not_stated",
    "insufficient_data",
)
COVID_INDICATOR_KINDS: tuple[str, ...] = ("activity", "demand", "stock", "money", "cumulative", "rate", "other")

COVID_EVENTS = Table(
    name="covid_events",
    title="COVID-19 effects stated in the sheets",
    description=(
        "Sentences naming the pandemic, with their effect (or none), the year they report on and their line; and "
        "sentences saying a named activity did not take place with no cause stated (stopped_no_cause)."
    ),
    fields=(
        CITY,
        MEASURE_ID,
        FISCAL_YEAR,
        _f(
            "period_start",
            "integer",
            "First fiscal year the effect may belong to: fiscal_year when the sentence names its year or stands in a "
            "one-year column; the first reviewed year when it names none in a text reviewing several years "
            "(the effect is then dated to the span, fiscal_year being its last year).",
            "対象期間の初年度",
        ),
        VALUE_KIND,
        _f(
            "effect",
            "string",
            "cancelled, postponed, reduced (suspended, restricted, held back), scaled_down (held on a smaller scale), "
            "moved_format, resumed, mentioned (the pandemic named, no effect), or stopped_no_cause (a named activity "
            "not held, with no cause stated: read by timing).",
            "影響",
            enum=COVID_EFFECTS,
        ),
        _f("evidence", "string", "The sentence, as in the sheet.", "根拠の文"),
        SOURCE_FILE,
        SOURCE_LINE,
    ),
    primary_key=("city", "measure_id", "fiscal_year", "value_kind", "effect", "source_file", "source_line", "evidence"),
)

_YEAR = {"required": False}
COVID_TRAJECTORIES = Table(
    name="covid_trajectories",
    title="COVID-19 stall and recovery per activity",
    description=(
        "One row per activity (a numeric series, or an activity a pandemic sentence names): status, attribution, "
        "the stall and recovery evidence apart, reference and latest values, the shortfall against plan."
    ),
    fields=(
        CITY,
        MEASURE_ID,
        MEASURE,
        _f("activity", "string", "The activity: the series' indicator, or the name a sentence gives.", "活動"),
        _f(
            "indicator",
            "string",
            "Indicator of the series (empty for an activity named only in text).",
            "指標",
            required=False,
        ),
        _f(
            "indicator_kind",
            "string",
            "What the series counts.",
            "指標の種類",
            required=False,
            enum=COVID_INDICATOR_KINDS,
        ),
        _f("row_basis", "string", "series or sentence.", "行の元", enum=("series", "sentence")),
        _f("status", "string", "Classification.", "判定", enum=COVID_STATUSES),
        _f(
            "attribution",
            "string",
            "sheet (the sheet ties the stall to the pandemic) or timing (timing and pattern "
            "only); empty when not stalled.",
            "コロナとの関係",
            required=False,
            enum=("sheet", "timing"),
        ),
        _f("rule", "string", "The rule that decided the status.", "判定のルール"),
        _f("stall_year", "integer", "Fiscal year of the stall evidence.", "停滞の年度", **_YEAR),
        _f(
            "quote",
            "string",
            "Stall evidence (or, when not stalled, the evidence of that): the sheet's words or value.",
            "停滞の根拠",
            required=False,
        ),
        _f("source_file", "string", "Raw file of that evidence.", "出典ファイル", required=False),
        _f("source_line", "integer", "Line of that evidence.", "出典行", required=False, minimum=1),
        _f("recovery_year", "integer", "Fiscal year the activity is seen back.", "回復の年度", **_YEAR),
        _f(
            "recovery_quote",
            "string",
            "Recovery evidence: the words or value showing it back, still down, or planned.",
            "その後の根拠",
            required=False,
        ),
        _f(
            "recovery_file",
            "string",
            "Raw file of the recovery evidence.",
            "その後の根拠の出典ファイル",
            required=False,
        ),
        _f(
            "recovery_line",
            "integer",
            "Line of the recovery evidence.",
            "その後の根拠の出典行",
            required=False,
            minimum=1,
        ),
        _f("reference_value", "number", "Reference level (never a plan target).", "基準値", required=False),
        _f("reference_year", "integer", "Year of the reference level.", "基準の年度", **_YEAR),
        _f(
            "reference_basis",
            "string",
            "pre_pandemic or latest_year.",
            "基準の種類",
            required=False,
            enum=("pre_pandemic", "latest_year"),
        ),
        _f("latest_value", "number", "Latest actual value.", "最新値", required=False),
        _f("latest_year", "integer", "Year of the latest value.", "最新の年度", **_YEAR),
        _f(
            "plan_target",
            "number",
            "Plan target of the latest year with both (shortfall against plan, not a status).",
            "計画の目標値",
            required=False,
        ),
        _f("plan_target_year", "integer", "Year of that target.", "目標の年度", **_YEAR),
        _f("plan_ratio", "number", "Actual ÷ target in that year.", "計画比", required=False),
        _f(
            "demand_change",
            "string",
            "For demand series: rose, fell or flat over the years reported.",
            "需要の増減",
            required=False,
            enum=("rose", "fell", "flat"),
        ),
        _f("rules", "string", "Every rule that fired, for review.", "適用ルール", required=False),
    ),
    primary_key=("city", "measure_id", "activity"),
)

COVID_SENSITIVITY = Table(
    name="covid_sensitivity",
    title="Status counts as the parameters move",
    description="Activities per status as one parameter at a time moves (the others as in the run).",
    fields=(
        _f(
            "parameter",
            "string",
            "drop_threshold, recovery_share, min_change or window_end.",
            "パラメータ",
            enum=("drop_threshold", "recovery_share", "min_change", "window_end"),
        ),
        _f("value", "number", "Value of the parameter.", "値"),
        _f("is_run", "boolean", "Whether this is the run's own setting.", "本実行の設定"),
        _f("status", "string", "Classification.", "判定", enum=COVID_STATUSES),
        _f("n_rows", "integer", "Activities with that status.", "件数", minimum=0),
    ),
    primary_key=("parameter", "value", "status"),
)

ANALYSIS_TABLES.extend([COVID_EVENTS, COVID_TRAJECTORIES, COVID_SENSITIVITY])


# --- Japanese titles for staff (workbook sheets and headers); fields not listed use their description_ja ---

TITLES_JA: dict[str, str] = {
    "measure_id": "取組番号",
    "fiscal_year": "年度",
    "value_kind": "値の種類",
    "value_raw": "原文の表記",
    "source_file": "資料(ファイル名)",
    "source_line": "行",
    "series_id": "指標ID",
    "domain": "領域",
    "n_series": "指標の数",
    "n_observations": "値の件数",
    "n_series_with_target": "目標のある指標の数",
    "n_series_with_actual": "実績のある指標の数",
    "scope": "対象",
    "comparable": "人口当たりで比較",
    "quote": "資料の記述",
    "rule_id": "分類の規則",
    "rules": "適用した規則",
}
"""Column headers where a field's ``description_ja`` is a description rather than a header."""

TABLE_TITLES_JA: dict[str, str] = {
    "indicators": "指標の値",
    "measures": "取組",
    "measure_listings": "取組の掲載箇所",
    "evaluations": "自己評価",
    "activities": "記述",
    "coverage": "数値の読み取り結果",
    "hub_consultation": "拠点・相談の値",
    "hub_consultation_matrix": "拠点・相談の市別区分",
    "hub_consultation_per_1000": "人口千人当たり",
    "covid_events": "コロナの影響の記述",
    "covid_trajectories": "コロナ停滞と回復(全件)",
    "covid_sensitivity": "判定の感度",
}
"""Sheet names of the staff workbook."""

"""Hub (拠点・窓口), consultation (相談) and community-development indicators: taxonomy, tagging, the city × subtype
matrix and the sentences per city (comparing services across cities is in ``hub_services``).

The classification is data, not code: ``lexicons/hub_consultation_taxonomy.csv`` holds ordered rules that match the
NFKC-normalised indicator label, and where needed the measure name and the unit. The first rule that matches decides;
exclusion rules (money, training, publicity …) stand before the positive ones so that, for example, a subsidy for
running hubs is never counted as a hub. Every figure this module derives comes from the tables, never from typed
numbers, so a notebook can turn the results into sentences.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.core.count_basis import COUNT_BASES, count_basis
from helpers.core.errors import PipelineError
from helpers.core.text import key
from helpers.tables.schema import HUB_SUBTYPES

TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "lexicons" / "hub_consultation_taxonomy.csv"
POPULATION_PATH = Path(__file__).resolve().parents[3] / "data" / "raw" / "reference" / "population.csv"

DOMAINS: tuple[str, ...] = ("hub", "consultation", "community")
SUBTYPES: tuple[str, ...] = HUB_SUBTYPES
"""The closed list of subtypes, described once with the table (``tables/schema.py``)."""
SUBTYPE_DOMAINS: dict[str, tuple[str, ...]] = {
    "hub_places": ("hub",),
    "hub_participation": ("hub",),
    "consultation_volume": ("consultation",),
    "consultation_capacity": ("consultation",),
    "coordination": ("consultation", "hub"),
    "policy_design": ("consultation",),
    "community_development": ("community",),
}
"""Which domains a subtype may sit in: coordination is usually consultation-side, but salons' liaison meetings are
hub-side coordination; 生活支援コーディネーター and 協議体 build the community (地域づくり), a domain of their own;
meetings that design a support system (検討会議) are kept apart from meetings about cases."""

LEVELS: tuple[str, ...] = ("city", "district", "facility")
BASES: tuple[str, ...] = (*COUNT_BASES, "unstated")

TAXONOMY_COLUMNS: tuple[str, ...] = (
    "rule_id",
    "priority",
    "exclude",
    "domain",
    "subtype",
    "label_pattern",
    "measure_pattern",
    "unit_pattern",
    "comment",
    "example_city",
    "example_label",
    "example_measure",
    "example_unit",
    "example_source",
)
POPULATION_COLUMNS: tuple[str, ...] = ("city", "city_ja", "population", "reference_date", "source")
TAGGED_COLUMNS: tuple[str, ...] = (
    "series_id",
    "domain",
    "subtype",
    "rule_id",
    "count_basis_resolved",
    "level",
    "unit_family",
    "scope",
    "has_target",
)
"""Columns ``tag_indicators`` adds after the columns of indicators.csv."""

SCALED_FAMILIES: dict[str, frozenset[str]] = {
    "hub_places": frozenset({"places", "groups"}),
    "hub_participation": frozenset({"persons", "cases", "households"}),
    "consultation_volume": frozenset({"cases", "persons", "households"}),
    "consultation_capacity": frozenset({"persons", "places"}),
    "coordination": frozenset(),
    "policy_design": frozenset(),
    "community_development": frozenset({"persons"}),
}
"""Unit families that make sense per 1,000 residents, by subtype (meetings, districts and money never do)."""

KEYWORDS = re.compile(
    r"拠点|相談|窓口|サロン|通いの場|居場所|子育て支援センター|食堂|会議|協議体|コーディネーター|カフェ"
)
"""Words that put a label on the review list of ``audit_labels`` whatever the taxonomy says about it."""


@dataclass(frozen=True)
class Rule:
    """One taxonomy row: regexes on the normalised label, measure and unit (empty = any), and what a match means."""

    rule_id: str
    priority: int
    exclude: bool
    domain: str
    subtype: str
    label_pattern: str
    measure_pattern: str
    unit_pattern: str
    comment: str
    example_city: str = ""
    example_label: str = ""
    example_measure: str = ""
    example_unit: str = ""
    example_source: str = ""

    def matches(self, label_key: str, measure_key: str, unit_key: str) -> bool:
        """True when every non-empty pattern is found in its (already normalised) text."""
        pairs = ((self.label_pattern, label_key), (self.measure_pattern, measure_key), (self.unit_pattern, unit_key))
        return all(not pattern or _compiled(pattern).search(text) for pattern, text in pairs)


@dataclass(frozen=True)
class Classification:
    """What an indicator measures: its domain, subtype and the rule that said so."""

    domain: str
    subtype: str
    rule_id: str
    comment: str = ""


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _norm(text: object) -> str:
    """Normalised comparison text: NFKC, no spaces, no HTML; missing values become ''."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return key(str(text))


def _rule_from_row(row: dict[str, str], where: str) -> Rule:
    exclude = row["exclude"].strip().lower()
    if exclude not in ("true", "false"):
        raise PipelineError(f"{where}: exclude must be true or false, not {row['exclude']!r}")
    try:
        priority = int(row["priority"])
    except ValueError:
        raise PipelineError(f"{where}: priority must be an integer, not {row['priority']!r}") from None
    rule = Rule(**{**row, "priority": priority, "exclude": exclude == "true"})  # type: ignore[arg-type]
    _check_rule(rule, where)
    return rule


def _check_rule(rule: Rule, where: str) -> None:
    """Refuse a rule with an unknown vocabulary, no pattern at all, or a regex that does not compile."""
    patterns = (rule.label_pattern, rule.measure_pattern, rule.unit_pattern)
    if not any(patterns):
        raise PipelineError(f"{where}: rule {rule.rule_id} has no pattern")
    for pattern in patterns:
        try:
            _compiled(pattern)
        except re.error as exc:
            raise PipelineError(f"{where}: rule {rule.rule_id}: bad regex {pattern!r}: {exc}") from None
    if rule.exclude:
        if rule.domain or rule.subtype:
            raise PipelineError(f"{where}: exclusion rule {rule.rule_id} must leave domain and subtype empty")
        return
    if rule.subtype not in SUBTYPES:
        raise PipelineError(f"{where}: rule {rule.rule_id}: unknown subtype {rule.subtype!r}")
    if rule.domain not in SUBTYPE_DOMAINS[rule.subtype]:
        raise PipelineError(
            f"{where}: rule {rule.rule_id}: subtype {rule.subtype} cannot sit in domain {rule.domain!r}"
        )


def load_taxonomy(path: Path | None = None) -> tuple[Rule, ...]:
    """Read and check the taxonomy; rules come back in the order they are tried (priority, then file order)."""
    return _load_taxonomy(Path(path) if path else TAXONOMY_PATH)


@lru_cache(maxsize=8)
def _load_taxonomy(path: Path) -> tuple[Rule, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != TAXONOMY_COLUMNS:
            raise PipelineError(f"{path}:1: columns must be {','.join(TAXONOMY_COLUMNS)}")
        rules = [_rule_from_row(row, f"{path}:{n}") for n, row in enumerate(reader, start=2)]
    ids = [r.rule_id for r in rules]
    if len(set(ids)) != len(ids):
        raise PipelineError(f"{path}: a rule_id is used twice")
    return tuple(sorted(rules, key=lambda r: r.priority))


def match_rule(label: str, measure: str = "", unit: str = "", rules: tuple[Rule, ...] | None = None) -> Rule | None:
    """The first rule (exclusions included) that matches, or None; use it to see why a label was left out."""
    label_key, measure_key, unit_key = _norm(label), _norm(measure), _norm(unit)
    for rule in rules if rules is not None else load_taxonomy():
        if rule.matches(label_key, measure_key, unit_key):
            return rule
    return None


def classify_indicator(
    label: str, measure: str = "", unit: str = "", rules: tuple[Rule, ...] | None = None
) -> Classification | None:
    """Domain and subtype of an indicator, or None when no rule claims it or an exclusion rule matches first.

    >>> classify_indicator("子育て支援センター数", "地域子育て支援拠点事業").subtype
    'hub_places'
    >>> classify_indicator("拠点運営の補助金額", "", "円") is None
    True
    """
    rule = match_rule(label, measure, unit, rules)
    if rule is None or rule.exclude:
        return None
    return Classification(rule.domain, rule.subtype, rule.rule_id, rule.comment)


def count_basis_of(row: Mapping[str, object]) -> str:
    """延べ / 実 / 累計 from the row's count_basis column, else its label, else its raw token; else 'unstated'.

    >>> count_basis_of({"count_basis": "", "indicator": "問い合わせ・相談実人数", "value_raw": "1362人"})
    '実'
    >>> count_basis_of({"count_basis": "", "indicator": "相談件数", "value_raw": "5,044件"})
    'unstated'
    """
    stated = _norm(row.get("count_basis", ""))
    if stated in BASES[:3]:
        return stated
    for column in ("indicator", "value_raw"):
        basis = count_basis(_norm(row.get(column, "")))
        if basis:
            return basis
    return "unstated"


_FACILITY = re.compile(
    r"(か所|箇所|カ所|施設|拠点|センター|窓口|相談室)(あたり|当たり|ごと|毎|別)"
    r"|^1(か所|箇所|施設|拠点|センター)|(センター|拠点|窓口|施設|相談室)(における|での|内の|内で)"
)
_DISTRICT = re.compile(r"地区|小学校区|校区|圏域|自治会|町内会|地域ごと|第2層")
_DISTRICT_UNIT = re.compile(r"^(地区|地区社協|小学校区|校区|圏域|地域)$")


def level_of(label: str, measure: str = "", unit: str = "") -> str:
    """Level an indicator is counted at: 'facility' (per centre or one centre's figure), 'district' (地区, 校区,
    圏域 in the label, unit or measure) or 'city' (a city-wide total).

    >>> level_of("相談窓口設置数", "地区社会福祉協議会での相談窓口設置の推進", "地区")
    'district'
    >>> level_of("相談支援センターにおける相談件数", "障がい者相談支援事業")
    'facility'
    >>> level_of("相談件数", "児童家庭相談事業", "件")
    'city'
    >>> level_of("地域包括支援センターに第2層コーディネーターを配置", "地域の支えあい活動の仕組みづくり", "人")
    'district'
    """
    label_key, measure_key, unit_key = _norm(label), _norm(measure), _norm(unit)
    if _FACILITY.search(label_key):
        return "facility"
    if _DISTRICT.search(label_key) or _DISTRICT_UNIT.search(unit_key) or _DISTRICT.search(measure_key):
        return "district"
    return "city"


_UNIT_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("money", re.compile(r"円")),
    ("percent", re.compile(r"%|割")),
    ("households", re.compile(r"世帯")),
    ("districts", _DISTRICT_UNIT),
    ("groups", re.compile(r"団体|グループ|法人|組")),
    (
        "places",
        re.compile(r"^(か所|カ所|箇所|ヶ所|ケ所|ヵ所|個所|所|場所|拠点|施設|センター|サロン|教室|館|園|機関|事業所)$"),
    ),
    ("cases", re.compile(r"^(件|ケース)$")),
    ("persons", re.compile(r"^(人|名)$")),
    ("sessions", re.compile(r"^(回|日|日間)$")),
)
_LABEL_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("money", re.compile(r"金額|円")),
    ("households", re.compile(r"世帯数")),
    ("districts", re.compile(r"地区数|校区数")),
    ("groups", re.compile(r"団体数|グループ数")),
    ("places", re.compile(r"(箇所|か所|カ所|センター|拠点|施設|窓口|教室|設置)数")),
    ("cases", re.compile(r"件数")),
    ("persons", re.compile(r"(人|者)数|人員|相談員|コーディネーター")),
    ("sessions", re.compile(r"回数|開催")),
)


def unit_family(unit: str, label: str = "") -> str:
    """Family of a unit as written (件 → cases, 人/名 → persons, か所 → places …); the label decides only when the
    cell carries no unit. Cases and persons are never the same family.

    >>> unit_family("件"), unit_family("名"), unit_family("", "子育て支援センター数"), unit_family("", "")
    ('cases', 'persons', 'places', 'unstated')
    """
    unit_key = _norm(unit)
    families = _UNIT_FAMILIES if unit_key else _LABEL_FAMILIES
    text = unit_key or _norm(label)
    for family, pattern in families:
        if pattern.search(text):
            return family
    return f"other:{unit_key}" if unit_key else "unstated"


_SCOPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("new", re.compile(r"新規|新たに|新設|開設数")),
    ("continuing", re.compile(r"継続")),
    ("part", re.compile(r"のうち|\((障がい者|高齢者|児童)\)$")),
    ("attendance", re.compile(r"出席|参加回数")),
)


def count_scope(label: str) -> str:
    """What a label counts: 'new' (新規開設, 新規相談件数), 'continuing' (継続), 'part' (…のうち…, 相談件数(障がい者)),
    'attendance' (meetings attended, not held) or 'all'; a part is never compared with a total.

    >>> count_scope("サロン新規開設"), count_scope("生活サポート相談数(継続)"), count_scope("相談件数")
    ('new', 'continuing', 'all')
    >>> count_scope("相談受付件数のうち、複合的な課題を抱える世帯からの相談件数"), count_scope("地域ケア会議等への出席")
    ('part', 'attendance')
    """
    label_key = _norm(label)
    found = [scope for scope, pattern in _SCOPES if pattern.search(label_key)]
    return found[0] if len(found) == 1 else "all"


def series_id(city: str, measure: str, indicator: str) -> str:
    """One series across years and value kinds; keyed on names so that a measure listed twice (再掲) is one series."""
    return f"{city}|{_norm(measure)}|{_norm(indicator)}"


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def tag_indicators(indicators: pd.DataFrame, rules: tuple[Rule, ...] | None = None) -> pd.DataFrame:
    """The hub and consultation observations of indicators.csv, with every provenance column kept and the
    taxonomy's verdict added (domain, subtype, rule, resolved count basis, level, unit family, has_target)."""
    rules = rules if rules is not None else load_taxonomy()
    frame = indicators.copy()
    labels, measures, units = (_text_column(frame, c) for c in ("indicator", "measure", "unit"))
    frame["series_id"] = [series_id(c, m, i) for c, m, i in zip(frame["city"], measures, labels, strict=True)]
    targets = set(frame.loc[frame["value_kind"] == "target", "series_id"])
    verdicts: dict[tuple[str, str, str], Classification | None] = {}
    for triple in zip(labels, measures, units, strict=True):
        if triple not in verdicts:
            verdicts[triple] = classify_indicator(*triple, rules=rules)
    found = [verdicts[t] for t in zip(labels, measures, units, strict=True)]
    keep = pd.Series([c is not None for c in found], index=frame.index, dtype=bool)
    frame["domain"] = [c.domain if c else "" for c in found]
    frame["subtype"] = [c.subtype if c else "" for c in found]
    frame["rule_id"] = [c.rule_id if c else "" for c in found]
    frame["count_basis_resolved"] = [count_basis_of(row) for row in frame.to_dict("records")]
    frame["level"] = [level_of(lab, mea, uni) for lab, mea, uni in zip(labels, measures, units, strict=True)]
    frame["unit_family"] = [unit_family(uni, lab) for lab, uni in zip(labels, units, strict=True)]
    frame["scope"] = [count_scope(lab) for lab in labels]
    frame["has_target"] = frame["series_id"].isin(targets)
    tagged = frame.loc[keep].copy()
    return _sorted(tagged, ["subtype", "measure_id", "indicator", "fiscal_year", "value_kind"]).reset_index(drop=True)


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows in the project's city order (north to south), then by the given columns (stable)."""
    order = frame["city"].map({c: i for i, c in enumerate(CITIES)})
    present = [c for c in by if c in frame.columns]
    return frame.assign(_city=order).sort_values(["_city", *present], kind="stable").drop(columns="_city")


def _joined(values: pd.Series | list[object], sep: str = "、") -> str:
    """Distinct non-empty values, sorted, joined for a table cell."""
    return sep.join(sorted({str(v) for v in values if str(v) not in ("", "nan")}))


def _years(values: pd.Series) -> str:
    return ", ".join(str(y) for y in sorted({int(v) for v in values}))


def distinct_facts(tagged: pd.DataFrame) -> pd.DataFrame:
    """The rows of series that repeat no other series (``same_fact_as`` empty): each fact once. A table without that
    column (tagged before de-duplication) is returned whole."""
    if "same_fact_as" not in tagged.columns:
        return tagged
    return tagged[_text_column(tagged, "same_fact_as").eq("")]


def coverage_matrix(tagged: pd.DataFrame) -> pd.DataFrame:
    """City × subtype: how many distinct series and observations, with which units, count bases, levels, fiscal
    years and targets; a series repeating another's figures (``same_fact_as``) is counted once, under the series it
    repeats, and ``n_repeats`` says how many were set aside. Every combination is listed, so a subtype a city does not
    track shows as zero series."""
    repeats = tagged[~tagged.index.isin(distinct_facts(tagged).index)]
    tagged = distinct_facts(tagged)
    rows = []
    for city in CITIES:
        for subtype in SUBTYPES:
            part = tagged[(tagged["city"] == city) & (tagged["subtype"] == subtype)]
            rows.append(
                {
                    "city": city,
                    "subtype": subtype,
                    "domains": _joined(part["domain"], ", "),
                    "n_series": int(part["series_id"].nunique()),
                    "n_observations": len(part),
                    "units": _joined(part["unit"]) if "unit" in part else "",
                    "count_bases": _joined(part["count_basis_resolved"]),
                    "levels": _joined(part["level"], ", "),
                    "fiscal_years": _years(part["fiscal_year"]),
                    "n_series_with_target": int(part.loc[part["has_target"], "series_id"].nunique()),
                    "n_series_with_actual": int(part.loc[part["value_kind"] == "actual", "series_id"].nunique()),
                    "n_repeats": int(
                        repeats.loc[(repeats["city"] == city) & (repeats["subtype"] == subtype), "series_id"].nunique()
                    ),
                }
            )
    return pd.DataFrame(rows)


def load_population(path: Path | None = None) -> pd.DataFrame:
    """The per-1,000 denominators (one row per city, with its source); lines starting with # are comments."""
    path = Path(path) if path else POPULATION_PATH
    frame = pd.read_csv(path, comment="#", dtype={"city": str, "city_ja": str, "reference_date": str, "source": str})
    if tuple(frame.columns) != POPULATION_COLUMNS:
        raise PipelineError(f"{path}: columns must be {','.join(POPULATION_COLUMNS)}")
    if frame["city"].duplicated().any() or not set(frame["city"]) <= set(CITIES):
        raise PipelineError(f"{path}: cities must be distinct and among {', '.join(CITIES)}")
    if not (pd.to_numeric(frame["population"], errors="coerce") > 0).all():
        raise PipelineError(f"{path}: population must be a positive number")
    if frame["source"].fillna("").str.strip().eq("").any():
        raise PipelineError(f"{path}: every row needs a source")
    frame["population"] = frame["population"].astype("int64")
    return frame


def _target_only(part: pd.DataFrame) -> int:
    """Series that have a target row but no actual or plan row (a target the sheet never reported against)."""
    kinds = part.groupby("series_id")["value_kind"].agg(frozenset)
    return int(sum(k == frozenset({"target"}) for k in kinds))


def _prose_counts(activities: pd.DataFrame | None, city: str) -> tuple[object, object]:
    """Narrative items of a city that mention 相談, and how many of those carry a number."""
    if activities is None:
        return pd.NA, pd.NA
    texts = _text_column(activities[activities["city"] == city], "text").map(key)
    mention = texts[texts.str.contains("相談", regex=False)]
    return len(mention), int(mention.str.contains(r"\d", regex=True).sum())


def city_summaries(tagged: pd.DataFrame, matrix: pd.DataFrame, activities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Facts per city for the notebook's sentences: which subtypes it tracks, in which units and bases, whether
    windows are counted per district, whether consultation is tracked only through meetings or only in prose.
    Series that repeat another series' figures are left out, so each fact counts once."""
    tagged = distinct_facts(tagged)
    rows = []
    for city in CITIES:
        cells = matrix[matrix["city"] == city].set_index("subtype")
        n = {s: int(cells["n_series"].get(s, 0)) for s in SUBTYPES}
        part = tagged[tagged["city"] == city]
        consult = part[part["domain"] == "consultation"]
        volume = part[part["subtype"] == "consultation_volume"]
        capacity = part[part["subtype"] == "consultation_capacity"]
        hubs = part[part["domain"] == "hub"]
        n_consult_meetings = int(consult.loc[consult["subtype"] == "coordination", "series_id"].nunique())
        prose, prose_numbers = _prose_counts(activities, city)
        rows.append(
            {
                "city": city,
                "n_series": int(part["series_id"].nunique()),
                **{f"n_{s}": n[s] for s in SUBTYPES},
                "consultation_tracks": _joined(consult["subtype"], ", "),
                "n_consultation_volume_with_actual": int(cells["n_series_with_actual"].get("consultation_volume", 0)),
                "tracks_consultation_volume": n["consultation_volume"] > 0,
                "consultation_meetings_only": n_consult_meetings > 0
                and n["consultation_volume"] == 0
                and n["consultation_capacity"] == 0,
                "volume_units": _joined(volume["unit"]),
                "volume_unit_families": _joined(volume["unit_family"], ", "),
                "volume_bases": _joined(volume["count_basis_resolved"]),
                "windows_per_district": bool((capacity["level"] == "district").any()),
                "hub_tracks": _joined(hubs["subtype"], ", "),
                "hub_place_units": _joined(part.loc[part["subtype"] == "hub_places", "unit"]),
                "hub_levels": _joined(hubs["level"], ", "),
                "n_series_with_target": int(part.loc[part["has_target"], "series_id"].nunique()),
                "n_series_target_only": _target_only(part),
                "fiscal_years": _years(part["fiscal_year"]),
                "prose_consultation_items": prose,
                "prose_consultation_items_with_numbers": prose_numbers,
                "consultation_only_in_prose": pd.NA
                if prose is pd.NA
                else bool(int(prose) > 0 and n["consultation_volume"] == 0),
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("prose_consultation_items", "prose_consultation_items_with_numbers"):
        frame[column] = frame[column].astype("Int64")
    frame["consultation_only_in_prose"] = frame["consultation_only_in_prose"].astype("boolean")
    return frame


def summary_sentence(row: Mapping[str, object]) -> str:
    """One English sentence per city built only from a ``city_summaries`` row (no typed numbers)."""
    parts = [f"{row['city']}: {row['n_series']} hub/consultation series"]
    if row["consultation_meetings_only"]:
        parts.append(f"consultation is tracked only through meetings ({row['n_coordination']} series), no volumes")
    elif row["tracks_consultation_volume"]:
        parts.append(
            f"{row['n_consultation_volume']} consultation-volume series in {row['volume_units'] or 'no stated unit'}"
            f" (count basis: {row['volume_bases']})"
        )
    else:
        parts.append("no consultation-volume series")
    if row["n_consultation_capacity"]:
        where = " counted per district" if row["windows_per_district"] else ""
        parts.append(f"{row['n_consultation_capacity']} capacity series (windows, counsellors){where}")
    parts.append(f"{row['n_hub_places']} hub-place and {row['n_hub_participation']} hub-participation series")
    if row["n_series_with_target"]:
        alone = (
            f" ({row['n_series_target_only']} with a target but no reported value)"
            if row["n_series_target_only"]
            else ""
        )
        parts.append(f"{row['n_series_with_target']} series carry a target{alone}")
    only_prose = row.get("consultation_only_in_prose")
    if pd.notna(only_prose) and bool(only_prose):
        parts.append(f"consultations appear only in prose ({row['prose_consultation_items']} items mention 相談)")
    return "; ".join(parts) + "."


def audit_labels(indicators: pd.DataFrame, rules: tuple[Rule, ...] | None = None) -> pd.DataFrame:
    """Distinct (city, measure, indicator, unit) with the rule that decided (exclusions included) and whether the
    label holds a hub/consultation keyword: the review list for keeping the taxonomy complete."""
    rules = rules if rules is not None else load_taxonomy()
    columns = ["city", "measure", "indicator", "unit"]
    frame = pd.DataFrame({c: _text_column(indicators, c) for c in columns}).drop_duplicates()
    matched = [match_rule(r.indicator, r.measure, r.unit, rules) for r in frame.itertuples(index=False)]
    frame["rule_id"] = [m.rule_id if m else "" for m in matched]
    frame["excluded"] = [bool(m and m.exclude) for m in matched]
    frame["subtype"] = [m.subtype if m else "" for m in matched]
    frame["keyword"] = frame["indicator"].map(lambda s: bool(KEYWORDS.search(_norm(s))))
    return _sorted(frame, ["measure", "indicator", "unit"]).reset_index(drop=True)


# --- Japanese labels and the views the notebooks show ---------------------------------------------------------------

SUBTYPE_LABELS_JA: dict[str, str] = {
    "hub_places": "拠点の数",
    "hub_participation": "拠点の利用",
    "consultation_volume": "相談の量",
    "consultation_capacity": "相談の体制",
    "coordination": "連携・会議",
    "policy_design": "体制の検討",
    "community_development": "地域づくり",
}
BASIS_LABELS_JA: dict[str, str] = {"延べ": "延べ", "実": "実", "累計": "累計", "unstated": "基準の記載なし"}
FAMILY_LABELS_JA: dict[str, str] = {
    "cases": "件数",
    "persons": "人数",
    "households": "世帯数",
    "places": "か所数",
    "groups": "団体数",
    "sessions": "回数",
    "districts": "地区数",
    "money": "金額",
    "percent": "割合",
    "unstated": "単位の記載なし",
}
SCOPE_LABELS_JA: dict[str, str] = {
    "all": "全体",
    "new": "新規",
    "continuing": "継続",
    "part": "一部",
    "attendance": "出席",
}
LEVEL_LABELS_JA: dict[str, str] = {"city": "市全体", "district": "地区ごと", "facility": "施設ごと"}


def _city_ja(city: str) -> str:
    from helpers.sources.manifest import CITY_JA

    return CITY_JA.get(city, city)


def _split(text: object, sep: str) -> list[str]:
    return [t for t in str(text).split(sep) if t] if isinstance(text, str) else []


def _bases_ja(text: object) -> str:
    """'unstated、実、延べ' → '延べ・実・記載なし' (the order of BASES)."""
    found = set(_split(text, "、"))
    return "・".join("記載なし" if b == "unstated" else b for b in BASES if b in found)


def year_span(text: object) -> str:
    """Fiscal years as runs: '2017, 2018, 2019' → '2017〜2019'; '2020, 2022' → '2020・2022'.

    >>> year_span("2017, 2018, 2019, 2022"), year_span("2021"), year_span("")
    ('2017〜2019・2022', '2021', '')
    """
    years = sorted({int(y) for y in _split(str(text).replace(" ", ""), ",")})
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return "・".join(f"{r[0]}〜{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def matrix_table_ja(matrix: pd.DataFrame) -> pd.DataFrame:
    """The coverage matrix for display: 市 × 区分 in Japanese, with units, count bases, levels, years and targets."""
    frame = pd.DataFrame(
        {
            "市": matrix["city"].map(_city_ja),
            "区分": matrix["subtype"].map(SUBTYPE_LABELS_JA),
            "系列数": matrix["n_series"],
            "観測数": matrix["n_observations"],
            "単位": matrix["units"],
            "集計の基準": matrix["count_bases"].map(_bases_ja),
            "集計の単位": matrix["levels"].map(lambda s: "・".join(LEVEL_LABELS_JA.get(v, v) for v in _split(s, ", "))),
            "年度": matrix["fiscal_years"].map(year_span),
            "目標のある系列": matrix["n_series_with_target"],
            "実績のある系列": matrix["n_series_with_actual"],
        }
    )
    return frame.set_index(["市", "区分"])


def hub_expansion_frame(tagged: pd.DataFrame, overview_files: list[str], fiscal_year: int) -> pd.DataFrame:
    """Hub-place counts over the years up to ``fiscal_year`` (actual values): every series of the overview documents,
    and the whole counts (scope 'all', not new openings) of the cities that have no overview document. A series that
    repeats another's figures (``same_fact_as``) is drawn once, as the series it repeats."""
    tagged = distinct_facts(tagged)
    hubs = tagged[
        tagged["subtype"].eq("hub_places")
        & tagged["value_kind"].eq("actual")
        & tagged["value"].notna()
        & tagged["fiscal_year"].le(fiscal_year)
    ]
    from_overview = hubs["source_file"].isin(list(overview_files))
    overview_cities = set(hubs.loc[from_overview, "city"])
    others = ~hubs["city"].isin(overview_cities) & hubs["scope"].eq("all")
    frame = hubs[from_overview | others].assign(from_overview=from_overview)
    columns = ["city", "series_id", "measure", "indicator", "unit", "level", "fiscal_year", "value", "from_overview"]
    frame = frame.assign(_first=~frame["from_overview"])
    return _sorted(frame, ["_first", "series_id", "fiscal_year"])[columns].reset_index(drop=True)


def overview_growth_lines(overview: pd.DataFrame) -> list[str]:
    """One line per overview series of ``hub_expansion_frame``: its years, its values and how many times it grew."""
    lines = []
    for (city, indicator, unit), part in overview.groupby(["city", "indicator", "unit"], sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        path = ", ".join(f"{int(v)}" for v in part["value"])
        lines.append(
            f"{_city_ja(city)} {indicator} ({unit}), {int(first.fiscal_year)}–{int(last.fiscal_year)}: {path}"
            f"  (×{last.value / first.value:,.1f})"
        )
    return lines


def overview_cross_check(tagged: pd.DataFrame, overview: pd.DataFrame, overview_files: list[str]) -> pd.DataFrame:
    """The overview's hub counts beside the same city's progress-sheet hub counts of the same measure, unit and year
    (actual values), with ``agree`` saying whether the two documents give the same number."""
    sheet = tagged[
        tagged["city"].isin(overview["city"])
        & ~tagged["source_file"].isin(overview_files)
        & tagged["measure"].isin(overview["measure"])
        & tagged["subtype"].eq("hub_places")
        & tagged["value_kind"].eq("actual")
    ]
    check = overview.merge(sheet, on=["city", "measure", "unit", "fiscal_year"], suffixes=("_overview", "_sheet"))
    columns = ["city", "measure", "unit", "fiscal_year", "indicator_overview", "value_overview"]
    check = check[[*columns, "indicator_sheet", "value_sheet"]]
    return check.assign(agree=check["value_overview"].eq(check["value_sheet"]).astype(bool))


def cross_check_lines(check: pd.DataFrame) -> list[str]:
    """One line per year of ``overview_cross_check``: both values and the verdict (agree / DIFFER)."""
    return [
        f"cross-check {int(row.fiscal_year)}: overview {row.indicator_overview} {int(row.value_overview)}"
        f" vs progress sheet {row.indicator_sheet} {int(row.value_sheet)} → {'agree' if row.agree else 'DIFFER'}"
        for row in check.itertuples()
    ]


def hub_flows(tagged: pd.DataFrame) -> pd.DataFrame:
    """Hub-place series (actual values) that count a part of the flow, such as new openings or continuing groups,
    not the whole stock: one row per series, for naming what the expansion figure leaves out."""
    tagged = distinct_facts(tagged)
    flows = tagged[tagged["subtype"].eq("hub_places") & tagged["scope"].ne("all") & tagged["value_kind"].eq("actual")]
    return flows.drop_duplicates("series_id")[["city", "series_id", "indicator", "scope"]].reset_index(drop=True)


def flow_lines(flows: pd.DataFrame) -> list[str]:
    """One line per series of ``hub_flows``, saying it is left out of the expansion figure and why (its scope)."""
    return [f"left out of the figure ({row.scope}): {_city_ja(row.city)} {row.indicator}" for row in flows.itertuples()]


def _ja_list(text: object, sep: str = "、") -> str:
    return "・".join(_split(text, sep))


def city_sentences_ja(summary_row: Mapping[str, object]) -> list[str]:
    """Japanese sentences about one city, built only from a ``city_summaries`` row: what it counts (volumes, staff
    and windows, meetings, hubs), in which units and count bases, its targets, and what stays in prose.

    >>> city_sentences_ja({"city": "shiroi", "n_series": 0, "fiscal_years": ""})
    ['白井市の資料には、拠点・相談に関する数値の指標がない。']
    """
    city = _city_ja(str(summary_row["city"]))
    n_series = int(summary_row.get("n_series", 0) or 0)
    if n_series == 0:
        return [f"{city}の資料には、拠点・相談に関する数値の指標がない。"]
    n = {s: int(summary_row.get(f"n_{s}", 0) or 0) for s in SUBTYPES}
    span = year_span(summary_row.get("fiscal_years", ""))
    sentences = [
        f"{city}は拠点・相談に関する指標を{n_series}系列で把握している" + (f"({span}年度)。" if span else "。")
    ]
    sentences.append(_volume_sentence(summary_row, n))
    sentences.append(_capacity_sentence(summary_row, n))
    if not summary_row.get("consultation_meetings_only"):
        sentences.append(_coordination_sentence(n))
    sentences.append(_policy_sentence(n))
    sentences.append(_community_sentence(n))
    sentences.append(_hub_sentence(summary_row, n))
    sentences.append(_target_sentence(summary_row))
    prose = _prose_sentence(summary_row)
    return [s for s in [*sentences, prose] if s]


def _volume_sentence(row: Mapping[str, object], n: Mapping[str, int]) -> str:
    if row.get("consultation_meetings_only"):
        return (
            f"相談は会議の回数でのみ把握しており(連携・会議{n['coordination']}系列)、相談件数・相談者数の系列はない。"
        )
    if not n["consultation_volume"]:
        return "相談の量(相談件数・相談者数)の系列はない。"
    units = _ja_list(row.get("volume_units", "")) or "記載なし"
    bases = set(_split(row.get("volume_bases", ""), "、"))
    stated = [b for b in BASES[:3] if b in bases]
    if not stated:
        basis = "集計の基準(延べ・実)は記載されていない"
    elif "unstated" in bases:
        basis = f"集計の基準は{'・'.join(stated)}(記載のない系列もある)"
    else:
        basis = f"集計の基準は{'・'.join(stated)}"
    with_actual = row.get("n_consultation_volume_with_actual")
    actual = (
        f"(うち実績の値があるもの{int(with_actual)}系列)"
        if with_actual is not None and pd.notna(with_actual) and int(with_actual) != n["consultation_volume"]
        else ""
    )
    return f"相談の量を{n['consultation_volume']}系列{actual}で把握しており、単位は{units}、{basis}。"


def _capacity_sentence(row: Mapping[str, object], n: Mapping[str, int]) -> str:
    if not n["consultation_capacity"]:
        return "相談員や相談窓口の数の系列はない。"
    text = f"相談の体制(相談員・窓口)を{n['consultation_capacity']}系列で把握して"
    if row.get("windows_per_district"):
        return text + "おり、うち地区ごとに数える系列(地区単位の窓口など)がある。"
    return text + "いる。"


def _coordination_sentence(n: Mapping[str, int]) -> str:
    if not n["coordination"]:
        return "連携・会議の回数の系列はない。"
    more = (
        f"で、相談の量({n['consultation_volume']}系列)より多い" if n["coordination"] > n["consultation_volume"] else ""
    )
    return f"連携・会議(ケース会議、支援調整会議など)は{n['coordination']}系列{more}。"


def _policy_sentence(n: Mapping[str, int]) -> str:
    if not n.get("policy_design"):
        return ""
    return f"支援体制を検討する会議(検討会議)を{n['policy_design']}系列で把握している。"


def _community_sentence(n: Mapping[str, int]) -> str:
    if not n.get("community_development"):
        return "地域づくり(生活支援コーディネーター・協議体)の系列はない。"
    return f"地域づくり(生活支援コーディネーター・協議体など)を{n['community_development']}系列で把握している。"


def _hub_sentence(row: Mapping[str, object], n: Mapping[str, int]) -> str:
    places, use = n["hub_places"], n["hub_participation"]
    if not places and not use:
        return "拠点の数や利用者数の系列はない。"
    units = _ja_list(row.get("hub_place_units", ""))
    unit_text = f"(単位は{units})" if units else ""
    if not places:
        return f"拠点の数の系列はなく、拠点の利用を{use}系列で把握している。"
    if not use:
        return f"拠点の数を{places}系列{unit_text}で把握しているが、拠点の利用者数の系列はない。"
    return f"拠点の数を{places}系列{unit_text}、拠点の利用を{use}系列で把握している。"


def _target_sentence(row: Mapping[str, object]) -> str:
    with_target = int(row.get("n_series_with_target", 0) or 0)
    if not with_target:
        return "目標値のある系列はない。"
    only = int(row.get("n_series_target_only", 0) or 0)
    return f"目標値のある系列は{with_target}" + (f"(うち実績の記載がないもの{only})" if only else "") + "。"


def _prose_sentence(row: Mapping[str, object]) -> str:
    items = row.get("prose_consultation_items")
    if items is None or pd.isna(items):
        return ""
    numbers = row.get("prose_consultation_items_with_numbers")
    has_numbers = numbers is not None and pd.notna(numbers)
    only = row.get("consultation_only_in_prose")
    if only is not None and pd.notna(only) and bool(only):
        detail = f"、うち数字を含むもの{int(numbers)}件" if has_numbers else ""
        return f"相談件数は表の指標ではなく文章の中でのみ報告している(相談に触れる記述{int(items)}件{detail})。"
    if not int(items):
        return ""
    detail = f"(うち数字を含むもの{int(numbers)}件)" if has_numbers else ""
    return f"このほか、文章の中で相談に触れる記述が{int(items)}件ある{detail}。"

"""Comparing like with like: each tagged series mapped to the service it counts, each fact counted once.

``lexicons/hub_services.csv`` names the services (通いの場, 地域包括支援センター, 生活困窮者自立相談 …) with the
population each is for; ``lexicons/hub_service_crosswalk.csv`` maps every tagged series (city, measure, indicator) to
one of them, with the sheet line it was read from. A city's own scheme is a service of its own (scheme ``local``), so
it is named and never set beside another city's. Two series are compared only when they count the same service, in
the same subtype, unit family, count basis, scope and level; per-1,000 figures divide by the population the service
is for, and only where that population is in the reference data.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers import CITIES
from helpers.analysis.hub_consultation import (
    BASIS_LABELS_JA,
    FAMILY_LABELS_JA,
    LEVEL_LABELS_JA,
    SCALED_FAMILIES,
    SCOPE_LABELS_JA,
    SUBTYPE_LABELS_JA,
    _joined,
    _norm,
    _sorted,
    _text_column,
    load_population,
    series_id,
    unit_family,
)
from helpers.core.errors import PipelineError
from helpers.sources.manifest import CITY_JA

LEXICONS = Path(__file__).resolve().parents[1] / "lexicons"
SERVICES_PATH = LEXICONS / "hub_services.csv"
CROSSWALK_PATH = LEXICONS / "hub_service_crosswalk.csv"
SERVICE_COLUMNS: tuple[str, ...] = ("service", "service_ja", "population", "scheme", "comment")
CROSSWALK_COLUMNS: tuple[str, ...] = ("city", "measure", "indicator", "service", "example_source", "comment")

POPULATION_GROUPS: dict[str, str] = {
    "all_residents": "全住民",
    "aged_65_plus": "65歳以上",
    "children": "子ども",
    "persons_with_disabilities": "障がいのある人",
}
"""Who a service is for, in Japanese; the per-1,000 denominator must be the population of that group."""

SCHEMES: tuple[str, ...] = ("national", "local")
UNREVIEWED = "unreviewed"
"""The service of a tagged series the crosswalk does not list yet (a new sheet): never compared until reviewed."""

MIN_REPEAT_VALUE = 10
"""Two series of one service with the same small figures (1, 2 …) may agree by chance; equal figures count as one
fact only when one of them is at least this large, or when the two labels are the same."""

_EXAMPLE_SOURCE = re.compile(r"^[\w.-]+\.txt:\d+$")


@dataclass(frozen=True)
class Service:
    """One service concept: id, Japanese name, the population it is for, national programme or a city's own."""

    service: str
    service_ja: str
    population: str
    scheme: str
    comment: str


def load_services(path: Path | None = None) -> dict[str, Service]:
    """The service vocabulary, checked: distinct ids, a known population group and scheme for each."""
    return dict(_load_services(Path(path) if path else SERVICES_PATH))


@lru_cache(maxsize=4)
def _load_services(path: Path) -> tuple[tuple[str, Service], ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != SERVICE_COLUMNS:
            raise PipelineError(f"{path}:1: columns must be {','.join(SERVICE_COLUMNS)}")
        services = [Service(**row) for row in reader]
    for n, service in enumerate(services, start=2):
        if service.population not in POPULATION_GROUPS:
            raise PipelineError(f"{path}:{n}: unknown population {service.population!r}")
        if service.scheme not in SCHEMES:
            raise PipelineError(f"{path}:{n}: scheme must be national or local, not {service.scheme!r}")
        if service.service == UNREVIEWED:
            raise PipelineError(f"{path}:{n}: {UNREVIEWED!r} is reserved for series the crosswalk does not list")
    ids = [s.service for s in services]
    if len(set(ids)) != len(ids):
        raise PipelineError(f"{path}: a service id is used twice")
    return tuple((s.service, s) for s in services)


def load_crosswalk(path: Path | None = None, services: dict[str, Service] | None = None) -> pd.DataFrame:
    """The reviewed series → service crosswalk with its ``series_id``; refuses an unknown service, a series listed
    twice or an example source that is not ``file.txt:line``."""
    path = Path(path) if path else CROSSWALK_PATH
    services = services if services is not None else load_services()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != CROSSWALK_COLUMNS:
        raise PipelineError(f"{path}:1: columns must be {','.join(CROSSWALK_COLUMNS)}")
    for n, row in enumerate(frame.itertuples(index=False), start=2):
        if row.service not in services:
            raise PipelineError(f"{path}:{n}: unknown service {row.service!r}")
        if not _EXAMPLE_SOURCE.match(row.example_source):
            raise PipelineError(f"{path}:{n}: example_source must be file.txt:line, not {row.example_source!r}")
    frame["series_id"] = [
        series_id(c, m, i) for c, m, i in zip(frame["city"], frame["measure"], frame["indicator"], strict=True)
    ]
    if frame["series_id"].duplicated().any():
        raise PipelineError(
            f"{path}: a series is listed twice: {frame.loc[frame['series_id'].duplicated(), 'series_id'].iloc[0]}"
        )
    return frame


def assign_services(
    tagged: pd.DataFrame, crosswalk: pd.DataFrame | None = None, services: dict[str, Service] | None = None
) -> pd.DataFrame:
    """``tagged`` with the service of each series, its Japanese name, the population it is for and its scheme; a
    series the crosswalk does not list gets ``unreviewed`` and is never compared."""
    services = services if services is not None else load_services()
    crosswalk = crosswalk if crosswalk is not None else load_crosswalk(services=services)
    by_series = crosswalk.set_index("series_id")["service"]
    found = tagged["series_id"].map(by_series).fillna(UNREVIEWED)
    return tagged.assign(
        service=found,
        service_ja=found.map(lambda s: services[s].service_ja if s in services else "未確認"),
        population_group=found.map(lambda s: services[s].population if s in services else ""),
        scheme=found.map(lambda s: services[s].scheme if s in services else ""),
    )


# --- units checked against labels -----------------------------------------------------------------------------------

_LABEL_PERSONS = re.compile(r"相談員|相談支援員|コーディネーター|専門職|職員|(人|者)数|人員")
_LABEL_CASES = re.compile(r"件数")
_LABEL_SESSIONS = re.compile(r"回数|開催数")
_UNIT_PERSONS = re.compile(r"^(人|名)$")
_UNIT_CASES = re.compile(r"^(件|ケース)$")


def checked_unit(label: str, unit: str) -> tuple[str, str]:
    """The unit a value is counted in, checked against its label: where the label names only persons (少年相談員,
    相談者数) and the cell says 件, only cases (件数) and the cell says 人, or only meetings held (開催回数, 開催数)
    and the cell says 件, the label decides and the note says so. Otherwise the unit stays as written (note '').

    >>> checked_unit("少年相談員", "件")
    ('名', 'the label counts persons but the cell says 件')
    >>> checked_unit("会議の開催回数", "件")
    ('回', 'the label counts meetings held but the cell says 件')
    >>> checked_unit("障がい者相談員の相談件数", "件"), checked_unit("相談件数", "")
    (('件', ''), ('', ''))
    """
    label_key, unit_key = _norm(label), _norm(unit)
    persons, cases = bool(_LABEL_PERSONS.search(label_key)), bool(_LABEL_CASES.search(label_key))
    if persons and not cases and _UNIT_CASES.match(unit_key):
        return "名", f"the label counts persons but the cell says {unit}"
    if cases and not persons and _UNIT_PERSONS.match(unit_key):
        return "件", f"the label counts cases but the cell says {unit}"
    if _LABEL_SESSIONS.search(label_key) and not cases and not persons and _UNIT_CASES.match(unit_key):
        return "回", f"the label counts meetings held but the cell says {unit}"
    return unit_key, ""


def check_units(tagged: pd.DataFrame) -> pd.DataFrame:
    """``tagged`` with ``unit_checked`` and ``unit_note`` per row, and ``unit_family`` recomputed from the checked
    unit (the unit as written stays in ``unit``)."""
    labels, units = _text_column(tagged, "indicator"), _text_column(tagged, "unit")
    checked = [checked_unit(lab, uni) for lab, uni in zip(labels, units, strict=True)]
    unit_checked = [c[0] for c in checked]
    return tagged.assign(
        unit_checked=unit_checked,
        unit_note=[c[1] for c in checked],
        unit_family=[unit_family(u, lab) for u, lab in zip(unit_checked, labels, strict=True)],
    )


# --- each fact once ----------------------------------------------------------------------------------------------


def _figures(part: pd.DataFrame) -> dict[int, float]:
    actual = part[part["value_kind"].eq("actual") & part["value"].notna()]
    return {int(y): float(v) for y, v in zip(actual["fiscal_year"], actual["value"], strict=True)}


def _same_figures(a: dict[int, float], b: dict[int, float], same_label: bool) -> bool:
    """Equal on every fiscal year both report, with at least two such years (one, if the labels are the same), and
    large enough not to agree by chance (unless the labels are the same)."""
    shared = sorted(set(a) & set(b))
    if len(shared) < (1 if same_label else 2) or any(a[y] != b[y] for y in shared):
        return False
    return same_label or max(a[y] for y in shared) >= MIN_REPEAT_VALUE


def _keeper_order(info: dict[str, object]) -> tuple[object, ...]:
    """Which of two repeats is kept: more years, then a stated count basis, then a unit that agrees with its label,
    then the later listing (in these sheets the later one stands under the measure that runs the service, e.g.
    yamagata_fy2022_progress_sheet.txt:96 repeats :164)."""
    return (-int(info["n_years"]), not info["stated_basis"], bool(info["unit_note"]), -int(info["line"]))


def same_fact_links(tagged: pd.DataFrame, same_facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Series that repeat another series' figures: first the pairs the cleaning step links (``same_facts``, the
    published table of reviewed pairs and listings under two measures), then those the figures show: same city, same
    service (or the same label after NFKC), the same actual values on the same fiscal years, from the same document
    or the city's other one. A listed pair joins only if the two series agree on every year both report, since a
    repeat here stands for the whole series. One row per repeat: ``series_id``, ``same_as`` (the series kept) and
    ``reason``. Which series of a pair is kept is decided here, by ``_keeper_order``, for listed pairs too: the hub
    tables name a fact by the series under the measure that runs the service, which need not be the observation the
    cleaning step's table counts."""
    rows = []
    for city, part in tagged.groupby("city", sort=False):
        infos = []
        for sid, series in part.groupby("series_id", sort=True):
            first = series.iloc[0]
            infos.append(
                {
                    "series_id": sid,
                    "label": _norm(first["indicator"]),
                    "service": first.get("service", UNREVIEWED),
                    "subtype": first["subtype"],
                    "figures": _figures(series),
                    "n_years": series["fiscal_year"].nunique(),
                    "stated_basis": (series["count_basis_resolved"] != "unstated").any(),
                    "unit_note": bool(_text_column(series, "unit_note").ne("").any())
                    if "unit_note" in series
                    else False,
                    "line": int(series["source_line"].max()),
                    "files": sorted(set(series["source_file"])),
                }
            )
        parent = {info["series_id"]: info["series_id"] for info in infos}
        reason: dict[str, str] = {}
        by_id = {str(info["series_id"]): info for info in infos}
        for a_id, b_id, why in listed_links(part, same_facts, str(city)):
            if not _same_figures(by_id[a_id]["figures"], by_id[b_id]["figures"], same_label=True):
                continue  # listed for some years only (白井市 No.6 and No.12 ふれあい会議開催数: 19 and 1 in FY2020)
            keep, drop = sorted((by_id[a_id], by_id[b_id]), key=_keeper_order)
            keep_id, drop_id = str(keep["series_id"]), str(drop["series_id"])
            if _root(parent, drop_id) != _root(parent, keep_id):
                parent[_root(parent, drop_id)] = _root(parent, keep_id)
                reason[drop_id] = why
        listed = set(reason)
        for i, a in enumerate(infos):
            for b in infos[i + 1 :]:
                same_label = a["label"] == b["label"]
                same_service = a["service"] == b["service"] and a["service"] != UNREVIEWED
                if not (same_label or same_service) or not _same_figures(a["figures"], b["figures"], same_label):
                    continue
                keep, drop = sorted((a, b), key=_keeper_order)
                root = _root(parent, str(keep["series_id"]))
                parent[_root(parent, str(drop["series_id"]))] = root
                if str(drop["series_id"]) in listed:
                    continue  # the cleaning step's link says why
                where = "the same document" if keep["files"] == drop["files"] else "the city's other document"
                basis = "same label" if same_label else "same service"
                years = ", ".join(str(y) for y in sorted(set(a["figures"]) & set(b["figures"])))
                reason[str(drop["series_id"])] = f"{basis}, same values in {years}, in {where}"
        for sid in parent:  # every series joined to another, also one joined only through a third
            if _root(parent, sid) != sid:
                why = reason.get(sid, "joined to the kept series through another repeat of the same fact")
                rows.append({"series_id": sid, "same_as": _root(parent, sid), "reason": why})
    return pd.DataFrame(rows, columns=["series_id", "same_as", "reason"]).sort_values(
        "series_id", kind="stable", ignore_index=True
    )


def listed_links(part: pd.DataFrame, same_facts: pd.DataFrame | None, city: str) -> list[tuple[str, str, str]]:
    """The cleaning step's links of one city as (series, series, reason), once per pair of series present in
    ``part``; the table's rows are per observation, so a pair usually appears once per year."""
    if same_facts is None or same_facts.empty:
        return []
    series = dict(zip(zip(part["measure_id"], part["indicator"], strict=True), part["series_id"], strict=True))
    links: dict[tuple[str, str], str] = {}
    for row in same_facts[same_facts["city"].eq(city)].itertuples(index=False):
        drop = series.get((row.measure_id, row.indicator))
        keep = series.get((row.same_as_measure_id, row.same_as_indicator))
        if drop and keep and drop != keep:
            links.setdefault((drop, keep), f"listed by the cleaning step ({row.relation}): {row.basis}")
    return [(drop, keep, why) for (drop, keep), why in sorted(links.items())]


def _root(parent: dict[str, str], sid: str) -> str:
    while parent[sid] != sid:
        sid = parent[sid]
    return sid


def mark_repeats(
    tagged: pd.DataFrame, links: pd.DataFrame | None = None, same_facts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``tagged`` with ``same_fact_as``: the series a row's series repeats ('' for the series kept)."""
    links = links if links is not None else same_fact_links(tagged, same_facts)
    same_as = dict(zip(links["series_id"], links["same_as"], strict=True))
    return tagged.assign(same_fact_as=[same_as.get(sid, "") for sid in tagged["series_id"]])


def build_hub_table(tagged: pd.DataFrame, same_facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The published hub table: taxonomy tags, service, checked unit and the repeat links (with the cleaning step's
    ``same_facts`` table, when given), in one call."""
    return mark_repeats(check_units(assign_services(tagged)), same_facts=same_facts)


# --- comparison groups and per-1,000 figures ------------------------------------------------------------------------

GROUP_PARTS: tuple[str, ...] = ("service", "subtype", "unit_family", "count_basis_resolved", "scope", "level")
"""What must be equal for two series to be compared; years are shown beside the values, never assumed equal."""

NO_DENOMINATOR = "denominator not available"


def load_denominators(population_file: Path | None = None, by_age_file: Path | None = None) -> pd.DataFrame:
    """Per city and population group: residents, reference date and source. All residents come from
    ``population.csv``; age groups only from a census-by-age file when one is shipped (none is yet)."""
    population = load_population(population_file)
    rows = population.assign(population_group="all_residents")
    frames = [rows[["city", "population_group", "population", "reference_date", "source"]]]
    if by_age_file is not None:
        frames.append(_read_by_age(Path(by_age_file)))
    return pd.concat(frames, ignore_index=True)


def _read_by_age(path: Path) -> pd.DataFrame:
    """A census-by-age file, checked: known cities and age groups, positive counts, a source on every row."""
    columns = ["city", "population_group", "population", "reference_date", "source"]
    if not path.is_file():
        raise PipelineError(f"{path}: population-by-age file not found")
    frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    if list(frame.columns) != columns:
        raise PipelineError(f"{path}:1: columns must be {','.join(columns)}")
    groups = set(POPULATION_GROUPS) - {"all_residents"}
    if not (set(frame["city"]) <= set(CITIES) and set(frame["population_group"]) <= groups):
        raise PipelineError(f"{path}: cities must be among {', '.join(CITIES)} and groups among {', '.join(groups)}")
    counts = pd.to_numeric(frame["population"], errors="coerce")
    if not counts.gt(0).all() or frame["source"].str.strip().eq("").any():
        raise PipelineError(f"{path}: every row needs a positive population and a source")
    return frame.assign(population=counts.astype("int64"))


def group_key(row: dict[str, object]) -> str:
    """The comparison group of an observation: its service, subtype, unit family, basis, scope and level."""
    return "|".join(str(row[p]) for p in GROUP_PARTS)


def _not_compared(row: dict[str, object]) -> str:
    """Why an observation is never compared ('' when it may be)."""
    if row["service"] == UNREVIEWED:
        return "the series is not in the service crosswalk yet"
    if row["same_fact_as"]:
        return "repeats another series (same fact)"
    if row["scheme"] == "local":
        return "no comparable service: the city's own scheme"
    if row["value_kind"] != "actual":
        return "only actual values are compared (targets and plans are not)"
    if pd.isna(row["value"]):
        return "no value"
    if bool(row.get("series_break", False)):
        return "the sheet marks a change of definition (series_break)"
    return ""


def compare_services(tagged: pd.DataFrame, denominators: pd.DataFrame) -> pd.DataFrame:
    """Every tagged observation with its comparison group, whether another city counts the same service the same
    way (``comparable``), and per 1,000 of the service's population where that population is known and the unit
    can be scaled. Rows left out say why in ``reason_left_out``."""
    frame = tagged.copy()
    records = frame.to_dict("records")
    frame["comparable_group"] = [group_key(r) for r in records]
    reasons = pd.Series([_not_compared(r) for r in records], index=frame.index, dtype=object)
    open_rows = reasons.eq("")
    cities = frame[open_rows].groupby("comparable_group")["city"].nunique()
    alone = open_rows & frame["comparable_group"].map(cities).fillna(0).lt(2)
    reasons[alone] = "no other city counts this service the same way"
    frame["comparable"] = reasons.eq("")
    keyed = denominators.set_index(["city", "population_group"])
    pairs = list(zip(frame["city"], frame["population_group"], strict=True))
    population = pd.Series([keyed["population"].get(p, pd.NA) for p in pairs], index=frame.index)
    frame["population"] = population.astype("Int64")
    frame["population_reference_date"] = [keyed["reference_date"].get(p, "") for p in pairs]
    scalable = [
        str(f) in SCALED_FAMILIES.get(str(s), frozenset())
        for f, s in zip(frame["unit_family"], frame["subtype"], strict=True)
    ]
    frame["scalable"] = scalable
    has_population = frame["population"].notna()
    scaled = frame["comparable"] & frame["scalable"] & has_population
    values = pd.to_numeric(frame["value"], errors="coerce")
    frame["per_1000"] = (values / frame["population"].astype(float) * 1000).where(scaled).round(6)
    frame["per_1000_note"] = [
        "" if not c else ("" if ok else (NO_DENOMINATOR if sc else "not scaled: meetings, districts or sessions"))
        for c, sc, ok in zip(frame["comparable"], frame["scalable"], scaled, strict=True)
    ]
    frame["reason_left_out"] = reasons
    return frame


def service_findings(compared: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """One row per service and city that reports it (actual values up to ``fiscal_year``, repeats left out): the
    series, unit, basis, level, years, first and latest values, the comparison group and the per-1,000 figure where
    comparable. Services reported by more cities come first."""
    part = compared[
        compared["same_fact_as"].eq("") & compared["value_kind"].eq("actual") & compared["fiscal_year"].le(fiscal_year)
    ]
    part = part[part["value"].notna()]
    rows = []
    for (service, city, sid), series in part.groupby(["service", "city", "series_id"], sort=True):
        series = series.sort_values("fiscal_year", kind="stable")
        first, last = series.iloc[0], series.iloc[-1]
        rows.append(
            {
                "service": service,
                "service_ja": first["service_ja"],
                "population_group": first["population_group"],
                "city": city,
                "series_id": sid,
                "subtype": first["subtype"],
                "indicator": first["indicator"],
                "unit": first["unit_checked"],
                "unit_family": first["unit_family"],
                "count_basis": first["count_basis_resolved"],
                "scope": first["scope"],
                "level": first["level"],
                "years": ", ".join(str(int(y)) for y in series["fiscal_year"]),
                "first_year": int(first["fiscal_year"]),
                "first_value": float(first["value"]),
                "latest_year": int(last["fiscal_year"]),
                "latest_value": float(last["value"]),
                "comparable_group": last["comparable_group"],
                "comparable": bool(last["comparable"]),
                "per_1000": last["per_1000"],
                "per_1000_note": last["per_1000_note"],
                "reason_left_out": last["reason_left_out"],
                "source": f"{last['source_file']}:{int(last['source_line'])}",
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    n_cities = frame.groupby("service")["city"].transform("nunique")
    frame = frame.assign(n_cities=n_cities)
    frame = _sorted(frame, ["series_id"])
    return frame.sort_values(["n_cities", "service"], ascending=[False, True], kind="stable").reset_index(drop=True)


def trend_word(first: float, last: float, n_years: int) -> str:
    """'up', 'down', 'level' between the first and latest year, or 'one year' when there is nothing to compare.

    >>> trend_word(95, 104, 2), trend_word(202, 72, 2), trend_word(15, 15, 2), trend_word(7, 7, 1)
    ('up', 'down', 'level', 'one year')
    """
    if n_years < 2:
        return "one year"
    return "up" if last > first else "down" if last < first else "level"


def _describe(row: pd.Series) -> str:
    family = FAMILY_LABELS_JA.get(str(row["unit_family"]), str(row["unit_family"]).removeprefix("other:"))
    basis = BASIS_LABELS_JA[str(row["count_basis"])]
    n_years = len(str(row["years"]).split(", "))
    values = (
        f"{row['first_value']:,.0f} ({row['first_year']}) → {row['latest_value']:,.0f} ({row['latest_year']})"
        if n_years > 1
        else f"{row['latest_value']:,.0f} ({row['latest_year']})"
    )
    extra = [] if row["scope"] == "all" else [SCOPE_LABELS_JA.get(str(row["scope"]), str(row["scope"]))]
    extra += [] if row["level"] == "city" else [LEVEL_LABELS_JA[str(row["level"])]]
    per = ""
    if row["comparable"]:
        per = (
            f"; per 1,000: {row['per_1000']:.3f}"
            if pd.notna(row["per_1000"])
            else f"; per 1,000: {row['per_1000_note']}"
        )
    note = "" if row["comparable"] else f"  [not compared: {row['reason_left_out']}]"
    kind = "・".join([SUBTYPE_LABELS_JA[str(row["subtype"])], family, basis, *extra])
    trend = trend_word(row["first_value"], row["latest_value"], n_years)
    unit = row["unit"] or "単位なし"
    return f"{CITY_JA[str(row['city'])]} {row['indicator']} ({unit}; {kind}): {values}, {trend}{per}{note}"


def finding_lines(findings: pd.DataFrame, min_cities: int = 1) -> list[str]:
    """The findings per service, as plain lines: which cities report it, how, the trend, and per 1,000 of its
    population only where comparable. Services with fewer than ``min_cities`` cities are skipped."""
    lines: list[str] = []
    for _service, part in findings.groupby("service", sort=False):
        present = [c for c in CITIES if c in set(part["city"])]
        if len(present) < min_cities:
            continue
        first = part.iloc[0]
        who = POPULATION_GROUPS.get(str(first["population_group"]), "")
        missing = [CITY_JA[c] for c in CITIES if c not in present]
        lines.append(
            f"{first['service_ja']} (for {who}; reported by {'・'.join(CITY_JA[c] for c in present)}"
            + (f"; no series in {'・'.join(missing)})" if missing else ")")
        )
        lines += [f"  {_describe(row)}" for _, row in part.iterrows()]
    return lines


def not_compared_lines(compared: pd.DataFrame) -> list[str]:
    """What cannot be compared and why: the number of distinct series per reason (each series once, at its latest
    actual observation), then the comparable ones whose population has no denominator."""
    latest = compared[compared["value_kind"].eq("actual")].sort_values("fiscal_year").groupby("series_id").tail(1)
    reasons = latest.loc[latest["reason_left_out"].ne(""), "reason_left_out"].value_counts()
    lines = [f"{int(n)} series: {reason}" for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    no_denominator = latest[latest["per_1000_note"].eq(NO_DENOMINATOR)]
    for group, part in no_denominator.groupby("population_group", sort=True):
        services = _joined(part["service_ja"], "、")
        lines.append(
            f"{part['series_id'].nunique()} comparable series with no {POPULATION_GROUPS[str(group)]} denominator"
            f" ({services}): shown as counts, not per 1,000"
        )
    return lines


def supplementary_files(indicators: pd.DataFrame) -> list[str]:
    """Documents that add to a city's main sheet (山形市's overview): in a city with several documents, every one but
    the document holding most of the city's observations; found from the tables, not the manifest."""
    counts = indicators.groupby(["city", "source_file"]).size().reset_index(name="n")
    counts = counts.sort_values(["city", "n", "source_file"], ascending=[True, False, True], kind="stable")
    main = counts.groupby("city").head(1)
    return sorted(set(counts["source_file"]) - set(main["source_file"]))


# --- the hand check -------------------------------------------------------------------------------------------------

HOLDOUT_FIELDS: tuple[str, ...] = ("subtype", "service", "unit_family", "count_basis", "scope", "level")
"""What the hand check of held-out series judges, beside the series' source line."""


def holdout_agreement(holdout: pd.DataFrame, tagged: pd.DataFrame) -> pd.DataFrame:
    """Each hand-checked series beside what the analysis says, field by field, with ``agree`` when every field
    matches; a held-out series the analysis did not tag at all disagrees on every field."""
    series = tagged.sort_values(["fiscal_year"], kind="stable").drop_duplicates("series_id", keep="last")
    series = series.assign(count_basis=series["count_basis_resolved"]).set_index("series_id")
    rows = []
    for row in holdout.itertuples(index=False):
        sid = series_id(row.city, row.measure, row.indicator)
        found = series.loc[sid] if sid in series.index else None
        record = {"source": row.source, "city": row.city, "indicator": row.indicator, "blind": row.blind}
        for field in HOLDOUT_FIELDS:
            got = "" if found is None else str(found[field])
            record[f"{field}_hand"], record[f"{field}_analysis"] = getattr(row, field), got
            record[f"{field}_agree"] = getattr(row, field) == got
        record["agree"] = all(record[f"{f}_agree"] for f in HOLDOUT_FIELDS)
        rows.append(record)
    return pd.DataFrame(rows)


def read_holdout(path: Path) -> pd.DataFrame:
    """The hand-checked held-out series (``data/validation/hub_holdout.csv``): text as written, blind as a boolean."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.assign(blind=frame["blind"].eq("true"))

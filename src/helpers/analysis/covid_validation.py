"""Agreement between the hand-coded COVID validation set and a classifier's table of activities.

The hand coding (``data/validation/covid_hand_coding.csv``, described in ``data/validation/README.md``) reads every
sentence of the sheets that mentions the pandemic, plus a fixed-seed sample of series, and says per activity whether
it stalled and what became of it. Rows about the same activity share an ``activity_group``; that group is the unit
counted here, so an activity repeated under several 施策 (or told in two years' columns) counts once. A unit is
found in a classifier table when a classifier row cites one of the unit's lines and its label overlaps one of the
unit's labels (NFKC, spaces removed). Column names of the classifier table are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import CITIES
from helpers.core.text import key

HAND_CODING_PATH = Path(__file__).resolve().parents[3] / "data" / "validation" / "covid_hand_coding.csv"

STALLED_STATUSES: tuple[str, ...] = (
    "stalled_recovered",
    "stalled_planned",
    "stalled_not_recovered",
    "stalled_recovery_not_observed",
)
STATUSES: tuple[str, ...] = (*STALLED_STATUSES, "not_stalled", "delayed_cause_not_stated", "insufficient_data")
KINDS: tuple[str, ...] = ("mention", "implicit", "row_series", "zero_series", "control", "series_sample")
INDICATOR_KINDS: tuple[str, ...] = ("activity", "demand", "stock", "money", "cumulative", "none")
ATTRIBUTIONS: tuple[str, ...] = ("sheet_says_pandemic", "timing_only", "none")
CELL_ROLES: tuple[str, ...] = ("result", "plan", "objective")
CONFIDENCES: tuple[str, ...] = ("sure", "ambiguous")
HAND_COLUMNS: tuple[str, ...] = (
    "case_id",
    "kind",
    "city",
    "source_file",
    "source_line",
    "cell_role",
    "quote",
    "activity",
    "indicator_kind",
    "stalled",
    "status",
    "attribution",
    "stall_years",
    "evidence_for_status",
    "activity_group",
    "match_lines",
    "confidence",
    "measure_id",
    "coder_note",
)
UNMATCHED = "(not listed)"
"""The classifier status shown for a unit no classifier row was matched to."""

SAMPLE_SEED = 14
SAMPLE_PER_CITY = 10


def stalled_of(status: str) -> str:
    """The ``stalled`` column a status implies: yes for the four stall statuses, no for not_stalled, else unclear.

    >>> stalled_of("stalled_planned"), stalled_of("not_stalled"), stalled_of("insufficient_data")
    ('yes', 'no', 'unclear')
    """
    if status in STALLED_STATUSES:
        return "yes"
    return "no" if status == "not_stalled" else "unclear"


def load_hand_coding(path: Path = HAND_CODING_PATH) -> pd.DataFrame:
    """Read the hand coding and refuse it, naming the case, when a value is outside its vocabulary or a group of
    rows about one activity disagrees on its status."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in HAND_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    frame["source_line"] = frame["source_line"].astype(int)
    vocabularies = {
        "kind": KINDS,
        "status": STATUSES,
        "indicator_kind": INDICATOR_KINDS,
        "attribution": ATTRIBUTIONS,
        "cell_role": CELL_ROLES,
        "confidence": CONFIDENCES,
    }
    for column, allowed in vocabularies.items():
        wrong = frame.loc[~frame[column].isin(allowed), "case_id"].tolist()
        if wrong:
            raise ValueError(f"{path.name}: {column} outside {allowed} in {wrong}")
    wrong = frame.loc[frame["stalled"] != frame["status"].map(stalled_of), "case_id"].tolist()
    if wrong:
        raise ValueError(f"{path.name}: stalled does not follow status in {wrong}")
    if frame["case_id"].duplicated().any():
        raise ValueError(
            f"{path.name}: repeated case_id {frame.loc[frame['case_id'].duplicated(), 'case_id'].tolist()}"
        )
    unknown = sorted(set(frame["activity_group"]) - set(frame["case_id"]))
    if unknown:
        raise ValueError(f"{path.name}: activity_group names no case: {unknown}")
    shared = ["status", "attribution", "stall_years", "confidence", "city"]
    split = frame.groupby("activity_group")[shared].nunique()
    split = split[(split > 1).any(axis=1)]
    if len(split):
        raise ValueError(f"{path.name}: rows of one activity_group disagree on {shared}: {split.index.tolist()}")
    return frame


def _lines(row: pd.Series | dict[str, object]) -> set[tuple[str, int]]:
    """The (file, line) places a hand row stands on: its own line and its ``match_lines``."""
    places = {(row["source_file"], int(row["source_line"]))}
    places |= {(row["source_file"], int(n)) for n in str(row["match_lines"]).split(";") if n.strip()}
    return places


def hand_units(hand: pd.DataFrame) -> pd.DataFrame:
    """One row per activity (``activity_group``, in order): its status, city, kinds, labels and every line it stands
    on. The rows are read once as records and grouped here (a frame per group cost a quarter of a second)."""
    groups: dict[str, list[dict[str, object]]] = {}
    for record in hand.to_dict("records"):
        groups.setdefault(str(record["activity_group"]), []).append(record)
    records = []
    for unit in sorted(groups):
        rows = groups[unit]
        first = rows[0]
        places: set[tuple[str, int]] = set()
        for row in rows:
            places |= _lines(row)
        records.append(
            {
                "unit": unit,
                "case_ids": ";".join(str(row["case_id"]) for row in rows),
                "kinds": ";".join(sorted({str(row["kind"]) for row in rows})),
                "city": first["city"],
                "status": first["status"],
                "stalled": first["stalled"],
                "attribution": first["attribution"],
                "confidence": first["confidence"],
                "activity": first["activity"],
                "labels": tuple(dict.fromkeys(key(str(row["activity"])) for row in rows)),
                "places": frozenset(places),
                "where": "; ".join(
                    f"{f}:{n}" for f, n in sorted({(row["source_file"], row["source_line"]) for row in rows})
                ),
            }
        )
    return pd.DataFrame.from_records(records)


def longest_common_run(a: str, b: str) -> int:
    """Length of the longest run of characters two labels share (dynamic programming; labels are short).

    >>> longest_common_run("福祉の輪づくり運動関係者及び福祉員研修会", "新任研修会")
    3
    >>> longest_common_run("定例会", "理事会・定例会開催回数(定例会)")
    3
    """
    best = 0
    previous = [0] * (len(b) + 1)
    for char_a in a:
        current = [0] * (len(b) + 1)
        for j, char_b in enumerate(b, start=1):
            if char_a == char_b:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def labels_overlap(hand_label: str, classifier_label: str, min_overlap: int = 4) -> int:
    """The overlap score of two labels after NFKC and space removal: the length of their longest shared run when
    it reaches ``min_overlap`` characters (or the whole of the shorter label), else 0.

    >>> labels_overlap("定例会", "理事会・定例会開催回数(定例会)")
    3
    >>> labels_overlap("福祉の輪づくり運動関係者及び福祉員研修会", "新任研修会")
    0
    >>> labels_overlap("ふれあい会議", "ふれあい会議開催数")
    6
    """
    a, b = key(hand_label), key(classifier_label)
    if not a or not b:
        return 0
    run = longest_common_run(a, b)
    return run if run >= min(min_overlap, len(a), len(b)) else 0


def _classifier_places(
    classifier: pd.DataFrame, evidence_columns: Sequence[tuple[str, str]]
) -> dict[tuple[str, int], list[int]]:
    """Classifier row positions by every (file, line) they cite in ``evidence_columns``."""
    places: dict[tuple[str, int], list[int]] = {}
    for file_column, line_column in evidence_columns:
        if file_column not in classifier.columns or line_column not in classifier.columns:
            raise ValueError(f"the classifier table has no {file_column!r}/{line_column!r} columns")
        lines = pd.to_numeric(classifier[line_column], errors="coerce")
        for position, (file, line) in enumerate(zip(classifier[file_column], lines, strict=True)):
            if isinstance(file, str) and file and pd.notna(line):
                places.setdefault((file, int(line)), []).append(position)
    return places


def match_units(
    units: pd.DataFrame,
    classifier: pd.DataFrame,
    *,
    activity_column: str = "activity",
    status_column: str = "status",
    city_column: str | None = "city",
    evidence_columns: Sequence[tuple[str, str]] = (("stall_source_file", "stall_source_line"),),
    min_overlap: int = 4,
    attribution_column: str | None = None,
    measure_column: str | None = "measure",
) -> pd.DataFrame:
    """Attach to each hand unit the classifier row that speaks of it, if any.

    Candidates are classifier rows citing one of the unit's lines (in any of ``evidence_columns``), of the same
    city, whose label overlaps one of the unit's labels. Among them the row whose label covers the largest share
    of the shorter label wins, then the longer overlap, then a row with a stall status, then the label closest in
    length, then the earlier row. A row whose label overlaps none of the unit's labels may still match by its
    measure's name (``measure_column``), ranked below every label match."""
    for column in (activity_column, status_column, *([attribution_column] if attribution_column else [])):
        if column not in classifier.columns:
            raise ValueError(f"the classifier table has no {column!r} column")
    by_place = _classifier_places(classifier, evidence_columns)
    chosen: list[dict[str, object]] = []
    for unit in units.itertuples():
        best: tuple[int, float, int, int, int, int] | None = None
        for position in sorted({p for place in unit.places for p in by_place.get(place, [])}):
            candidate = classifier.iloc[position]
            if city_column and city_column in classifier.columns and candidate[city_column] != unit.city:
                continue
            label = str(candidate[activity_column])
            by_measure = 0
            scores = [
                (labels_overlap(hand, label, min_overlap), min(len(hand), len(key(label))) or 1) for hand in unit.labels
            ]
            if not max(run for run, _ in scores) and measure_column and measure_column in classifier.columns:
                # the hand coding may name an activity by its measure (各種ボランティア養成講座 for the measure's
                # only series 講座開催回数, shiroi_fy2022_progress_sheet.txt:131): a weaker match, tried last
                label, by_measure = str(candidate[measure_column]), 1
                scores = [
                    (labels_overlap(hand, label, min_overlap), min(len(hand), len(key(label))) or 1)
                    for hand in unit.labels
                ]
            score = max(run for run, _ in scores)
            if not score:
                continue
            coverage = max(run / shorter for run, shorter in scores)
            closeness = -min(abs(len(key(label)) - len(hand)) for hand in unit.labels)
            stalled = int(candidate[status_column] in STALLED_STATUSES)
            rank = (-by_measure, coverage, score, stalled, closeness, -position)
            if best is None or rank > best:
                best = rank
        if best is None:
            chosen.append(
                {
                    "classifier_status": UNMATCHED,
                    "classifier_activity": "",
                    "classifier_where": "",
                    "classifier_attribution": "",
                }
            )
            continue
        row = classifier.iloc[-best[5]]
        where = "; ".join(
            f"{row[f]}:{int(float(row[n]))}"
            for f, n in evidence_columns
            if pd.notna(pd.to_numeric(row[n], errors="coerce"))
        )
        chosen.append(
            {
                "classifier_status": str(row[status_column]),
                "classifier_activity": str(row[activity_column]),
                "classifier_where": where,
                "classifier_row": -best[5],
                "classifier_attribution": str(row[attribution_column]) if attribution_column else "",
            }
        )
    matched = pd.DataFrame.from_records(chosen, index=units.index)
    return pd.concat([units, matched], axis=1)


def cohen_kappa(first: Iterable[str], second: Iterable[str]) -> float:
    """Cohen's kappa of two codings of the same items: (observed − chance agreement) / (1 − chance agreement).

    >>> cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"])
    1.0
    >>> cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"])
    0.0
    >>> round(cohen_kappa(["a", "a", "a", "b"], ["a", "a", "b", "b"]), 4)
    0.5
    """
    a, b = list(first), list(second)
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two codings of the same, non-empty list of items")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    categories = sorted(set(a) | set(b))
    chance = sum((a.count(c) / len(a)) * (b.count(c) / len(b)) for c in categories)
    if chance == 1.0:
        return 1.0 if observed == 1.0 else float("nan")
    return (observed - chance) / (1.0 - chance)


@dataclass(frozen=True)
class Agreement:
    """What the comparison found: one row per hand unit (with the classifier's answer), the figures, and the
    classifier's stalls that no hand unit accounts for."""

    units: pd.DataFrame
    figures: pd.DataFrame
    disagreements: pd.DataFrame
    classifier_stalls_not_in_hand_set: pd.DataFrame


def _share(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


CLASSIFIER_ATTRIBUTIONS: dict[str, str] = {"sheet": "sheet_says_pandemic", "timing": "timing_only", "": "none"}
"""The trajectories table's attribution codes in the hand coding's vocabulary."""


def classifier_view(trajectories: pd.DataFrame) -> pd.DataFrame:
    """``covid_trajectories.csv`` in the shape :func:`agreement` reads: stall evidence under
    ``stall_source_file``/``stall_source_line`` and attributions in the hand coding's words.

    >>> t = pd.DataFrame({"source_file": ["a.txt"], "source_line": [3], "attribution": ["sheet"]})
    >>> classifier_view(t)[["stall_source_file", "attribution"]].iloc[0].tolist()
    ['a.txt', 'sheet_says_pandemic']
    """
    view = trajectories.rename(columns={"source_file": "stall_source_file", "source_line": "stall_source_line"})
    view["attribution"] = view["attribution"].fillna("").map(CLASSIFIER_ATTRIBUTIONS)
    return view


CLASSIFIER_EVIDENCE: tuple[tuple[str, str], ...] = (
    ("stall_source_file", "stall_source_line"),
    ("recovery_file", "recovery_line"),
)
"""The classifier's evidence columns a hand-coded unit is matched on: the stall line and the recovery line."""


def agreement(
    hand: pd.DataFrame,
    classifier: pd.DataFrame,
    *,
    activity_column: str = "activity",
    status_column: str = "status",
    city_column: str | None = "city",
    evidence_columns: Sequence[tuple[str, str]] = (("stall_source_file", "stall_source_line"),),
    min_overlap: int = 4,
    unmatched_status: str = "not_stalled",
    include_ambiguous: bool = True,
    attribution_column: str | None = None,
) -> Agreement:
    """Compare a classifier table with the hand coding, unit by unit.

    An activity the classifier does not list counts as ``unmatched_status`` (by default: left alone, i.e. not
    stalled) in the status agreement and in kappa. Figures: recall of real stalls (units whose hand status is a
    stall status, found with any stall status), status agreement share and Cohen's kappa over all units, and the
    share of not-stalled units flagged as stalled, for pandemic mentions and for every kind; with
    ``attribution_column``, also how often a stall found carries the hand coding's attribution
    (sheet_says_pandemic / timing_only). Pass a subset of the hand coding (one kind, one city) to measure it alone."""
    units = hand_units(hand)
    if not include_ambiguous:
        units = units[units["confidence"] != "ambiguous"].reset_index(drop=True)
    units = match_units(
        units,
        classifier,
        activity_column=activity_column,
        status_column=status_column,
        city_column=city_column,
        evidence_columns=evidence_columns,
        min_overlap=min_overlap,
        attribution_column=attribution_column,
    )
    predicted = units["classifier_status"].where(units["classifier_status"] != UNMATCHED, unmatched_status)
    units["compared_status"] = predicted
    units["agrees"] = units["status"] == predicted
    flagged = predicted.isin(STALLED_STATUSES)
    real = units["status"].isin(STALLED_STATUSES)
    calm = units["status"] == "not_stalled"
    mention = units["kinds"].str.split(";").map(lambda kinds: "mention" in kinds)
    rows = [
        ("units", len(units), len(units)),
        ("real stalls found (recall)", int((real & flagged).sum()), int(real.sum())),
        ("stalls found with the same status", int((real & units["agrees"]).sum()), int(real.sum())),
        ("status agreement", int(units["agrees"].sum()), len(units)),
        ("not-stalled mentions flagged as stalled", int((calm & mention & flagged).sum()), int((calm & mention).sum())),
        ("not-stalled units flagged as stalled (all kinds)", int((calm & flagged).sum()), int(calm.sum())),
        ("units the classifier does not list", int((units["classifier_status"] == UNMATCHED).sum()), len(units)),
    ]
    if attribution_column:
        same = units["attribution"] == units["classifier_attribution"]
        rows.append(
            ("stalls found with the same attribution", int((real & flagged & same).sum()), int((real & flagged).sum()))
        )
    figures = pd.DataFrame(rows, columns=["figure", "count", "of"])
    figures["share"] = [_share(n, d) for n, d in zip(figures["count"], figures["of"], strict=True)]
    kappa = cohen_kappa(units["status"], predicted) if len(units) else float("nan")
    figures.loc[len(figures)] = ["Cohen's kappa on status", np.nan, len(units), kappa]
    figures["share"] = figures["share"].round(4)
    disagreements = units.loc[
        ~units["agrees"],
        [
            "unit",
            "city",
            "where",
            "kinds",
            "activity",
            "status",
            "compared_status",
            "classifier_activity",
            "classifier_where",
        ],
    ].rename(columns={"status": "hand_status", "compared_status": "classifier_status"})
    matched_rows = set(units.get("classifier_row", pd.Series(dtype=float)).dropna().astype(int))
    stall_rows = classifier[status_column].isin(STALLED_STATUSES).to_numpy()
    extra = classifier[[bool(stall_rows[p]) and p not in matched_rows for p in range(len(classifier))]]
    return Agreement(
        units=units.drop(columns=["labels", "places"]),
        figures=figures,
        disagreements=disagreements.sort_values(["city", "where", "unit"], kind="stable").reset_index(drop=True),
        classifier_stalls_not_in_hand_set=extra.reset_index(drop=True),
    )


def sample_series(indicators: pd.DataFrame, per_city: int = SAMPLE_PER_CITY, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """The fixed-seed random sample of series behind the hand coding's ``series_sample`` rows: series are
    (city, measure_id, indicator) with at least one actual value, sorted; cities are drawn in name order from one
    generator seeded with ``seed``.

    >>> frame = pd.DataFrame({"city": ["a"] * 3 + ["b"], "measure_id": ["m1", "m1", "m2", "m9"],
    ...     "indicator": ["x", "y", "x", "z"], "value_kind": "actual", "value": [1.0, 2.0, None, 4.0]})
    >>> sample_series(frame, per_city=5).values.tolist()
    [['a', 'm1', 'x'], ['a', 'm1', 'y'], ['b', 'm9', 'z']]
    """
    actual = indicators[(indicators["value_kind"] == "actual") & indicators["value"].notna()]
    series = (
        actual[["city", "measure_id", "indicator"]]
        .drop_duplicates()
        .sort_values(["city", "measure_id", "indicator"], kind="stable")
        .reset_index(drop=True)
    )
    generator = np.random.default_rng(seed)
    parts = []
    for city in sorted(series["city"].unique()):
        of_city = series[series["city"] == city].reset_index(drop=True)
        chosen = np.sort(generator.choice(len(of_city), size=min(per_city, len(of_city)), replace=False))
        parts.append(of_city.iloc[chosen])
    return pd.concat(parts, ignore_index=True) if parts else series


def count_tables(hand: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows by kind and city, and units (activity groups) by status and city, with totals: the counts the
    validation set's README shows."""
    columns = [c for c in CITIES if c in set(hand["city"])]
    rows = pd.crosstab(hand["kind"], hand["city"]).reindex(index=sorted(set(hand["kind"])), columns=columns)
    units = hand_units(hand)
    statuses = [s for s in STATUSES if s in set(units["status"])]
    by_status = pd.crosstab(units["status"], units["city"]).reindex(index=statuses, columns=columns)
    tables = []
    for table in (rows, by_status):
        table = table.fillna(0).astype(int)
        table["all"] = table.sum(axis=1)
        table.loc["all"] = table.sum()
        tables.append(table)
    return tables[0], tables[1]


ROW_REVIEW_PATH = HAND_CODING_PATH.with_name("covid_row_review.csv")
"""A reviewer's row-by-row check of the classifier's claims against the sheets (see ``data/validation/README.md``)."""

VERDICTS: tuple[str, ...] = ("defensible", "debatable", "wrong")
REVIEW_COLUMNS: tuple[str, ...] = (
    "review_round",
    "review_set",
    "city",
    "measure_id",
    "activity",
    "classifier_status",
    "classifier_stall_year",
    "classifier_recovery_year",
    "verdict",
    "reviewer_status",
    "source_file",
    "source_line",
    "reason",
)
CLAIM_KEY: tuple[str, ...] = ("city", "measure_id", "activity")
"""What names one row of ``covid_trajectories.csv`` across runs."""
CHANGED, NOT_REVIEWED, NO_LONGER = "changed since review", "not reviewed", "no longer stalled or delayed"
"""Standings of a row that no review saw as it stands now."""


def load_row_review(path: Path = ROW_REVIEW_PATH) -> pd.DataFrame:
    """The row review, checked: its columns, closed verdicts and statuses, one verdict per row and round."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in REVIEW_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    for column, allowed in (("verdict", VERDICTS), ("classifier_status", STATUSES), ("reviewer_status", STATUSES)):
        bad = sorted(set(frame[column]) - set(allowed))
        if bad:
            raise ValueError(f"{path.name}: {column} {bad} not in {allowed}")
    repeated = frame.duplicated(["review_round", *CLAIM_KEY])
    if repeated.any():
        raise ValueError(
            f"{path.name}: two verdicts for one row in one round: {frame.loc[repeated, 'activity'].tolist()}"
        )
    return frame


def _year_text(value: object) -> str:
    """A fiscal year as text ('' for none), so a snapshot and a table compare alike."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ""
    return str(int(float(value)))


def review_standing(review: pd.DataFrame, trajectories: pd.DataFrame) -> pd.DataFrame:
    """Each current stalled or delayed row, and each reviewed row, with what the latest review says of it as it
    stands now: its verdict when status, stall year and recovery year are those the reviewer saw; else changed
    since review, not reviewed, or no longer stalled or delayed (with the status the reviewer would give)."""
    latest = review.sort_values("review_round", key=lambda s: s.astype(int)).drop_duplicates(CLAIM_KEY, keep="last")
    seen = {tuple(r[c] for c in CLAIM_KEY): r for r in latest.to_dict("records")}
    flagged_statuses = (*STALLED_STATUSES, "delayed_cause_not_stated")
    rows = []
    for r in trajectories.to_dict("records"):
        claim = tuple(str(r[c]) for c in CLAIM_KEY)
        reviewed = seen.pop(claim, None)
        now = (str(r["status"]), _year_text(r["stall_year"]), _year_text(r["recovery_year"]))
        if r["status"] not in flagged_statuses:
            if reviewed is not None and reviewed["review_set"] == "stalled_or_delayed":
                rows.append(_standing_row(claim, now, NO_LONGER, reviewed))
            elif reviewed is not None:
                rows.append(_standing_row(claim, now, _verdict_now(reviewed, now), reviewed))
            continue
        standing = NOT_REVIEWED if reviewed is None else _verdict_now(reviewed, now)
        rows.append(_standing_row(claim, now, standing, reviewed))
    for claim, reviewed in seen.items():
        rows.append(_standing_row(claim, (_gone(claim, trajectories), "", ""), NO_LONGER, reviewed))
    columns = [*CLAIM_KEY, "status", "stall_year", "recovery_year", "standing", "verdict_then", "reviewer_status"]
    columns += ["reason"]
    return pd.DataFrame([dict(zip(columns, row, strict=True)) for row in rows], columns=columns)


def _gone(claim: tuple[str, ...], trajectories: pd.DataFrame) -> str:
    """What became of a reviewed row the table no longer has: folded into the row that lists it, or gone."""
    note = f"also listed under {claim[1]}"
    rules = trajectories["rules"] if "rules" in trajectories.columns else pd.Series(dtype=str)
    folded = trajectories[(trajectories["city"] == claim[0]) & rules.fillna("").str.contains(note, regex=False)]
    if len(folded):
        return f"(counted under {folded['measure_id'].iloc[0]})"
    return "(row gone)"


def _verdict_now(reviewed: dict[str, str], now: tuple[str, str, str]) -> str:
    """The review's verdict if the row still makes the claim the reviewer saw, else ``changed since review``."""
    then = (
        reviewed["classifier_status"],
        _year_text(reviewed["classifier_stall_year"]),
        _year_text(reviewed["classifier_recovery_year"]),
    )
    return reviewed["verdict"] if then == now else CHANGED


def _standing_row(
    claim: tuple[str, ...], now: tuple[str, str, str], standing: str, reviewed: dict[str, str] | None
) -> tuple[object, ...]:
    """One row of :func:`review_standing`."""
    verdict = reviewed["verdict"] if reviewed is not None else ""
    wanted = reviewed["reviewer_status"] if reviewed is not None else ""
    reason = reviewed["reason"] if reviewed is not None else ""
    return (*claim, *now, standing, verdict, wanted, reason)


def review_summary(standing: pd.DataFrame) -> pd.DataFrame:
    """Current stalled and delayed rows by standing, with shares: defensible, and not wrong (defensible or
    debatable), of the rows a review saw as they stand now."""
    current = standing[standing["standing"] != NO_LONGER]
    groups = {
        "stalled": current[current["status"].isin(STALLED_STATUSES)],
        "delayed_cause_not_stated": current[current["status"] == "delayed_cause_not_stated"],
    }
    order = [*VERDICTS, CHANGED, NOT_REVIEWED]
    records = []
    for name, rows in groups.items():
        counts = rows["standing"].value_counts()
        seen = int(sum(counts.get(v, 0) for v in VERDICTS))
        record: dict[str, object] = {"rows": name, "total": len(rows)}
        record |= {s: int(counts.get(s, 0)) for s in order}
        record["defensible share"] = round(counts.get("defensible", 0) / seen, 4) if seen else float("nan")
        not_wrong = counts.get("defensible", 0) + counts.get("debatable", 0)
        record["not-wrong share"] = round(not_wrong / seen, 4) if seen else float("nan")
        records.append(record)
    return pd.DataFrame(records)

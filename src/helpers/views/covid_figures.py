"""Views and figures of the COVID stall/recovery analysis (notebook 02 and the report).

The ``*_frame`` / ``grade_matrix`` / ``stall_list`` functions shape the analysis tables for showing; the ``plot_*``
functions draw them with the project's style (Japanese labels, colours paired with hatches or markers so the
figures survive greyscale printing). Every figure function returns the figure; the caller saves and closes it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helpers import CITIES
from helpers.analysis.covid_series import build_series
from helpers.analysis.covid_text import EFFECTS, Lexicon, city_rank, load_lexicon, natural_key
from helpers.analysis.covid_trajectories import (
    ATTRIBUTIONS,
    STALLED_STATUSES,
    STATUSES,
    TrajectoryParams,
    as_of,
)
from helpers.views.figures import CITY_LABELS, HATCHES, MIN_FONT_PT, PALETTE, display_label, wrap_title

EDGE = "#333333"
"""Bar edges and hatch lines (matplotlib draws hatches in the edge colour)."""

STATUS_STYLES: dict[str, tuple[str, str]] = {
    "stalled_recovered": (PALETTE[1], HATCHES[2]),
    "stalled_planned": (PALETTE[2], HATCHES[1]),
    "stalled_not_recovered": (PALETTE[0], HATCHES[0]),
    "stalled_recovery_not_observed": (PALETTE[3], HATCHES[3]),
    "not_stalled": (PALETTE[4], HATCHES[0]),
    "delayed_cause_not_stated": ("#d9d9d9", HATCHES[1]),
    "insufficient_data": ("#ffffff", HATCHES[4]),
}
"""Fill colour and hatch per status: dark solid = not recovered, light dotted = recovered, hatched = planned."""

ATTRIBUTION_STYLES: dict[str, tuple[str, str]] = {"sheet": (PALETTE[0], HATCHES[0]), "timing": ("#ffffff", HATCHES[2])}
"""Fill colour and hatch per attribution of a stall."""

STATUS_MARKERS: dict[str, str] = {
    "stalled_recovered": "o",
    "stalled_planned": "s",
    "stalled_not_recovered": "v",
    "stalled_recovery_not_observed": "x",
}
"""Line markers of the stalled statuses in the indexed-series figure."""

EFFECT_STYLES: dict[str, tuple[str, str]] = {
    "cancelled": (PALETTE[0], HATCHES[0]),
    "postponed": (PALETTE[3], HATCHES[1]),
    "reduced": (PALETTE[2], HATCHES[2]),
    "scaled_down": (PALETTE[5], HATCHES[5]),
    "moved_format": (PALETTE[1], HATCHES[3]),
    "resumed": (PALETTE[4], HATCHES[4]),
    "mentioned": ("#ffffff", HATCHES[0]),
    "stopped_no_cause": ("#ffffff", HATCHES[3]),
}
"""Fill colour and hatch per effect in the timeline."""

GRADE_SHADES: dict[str, str] = {"A": "#ffffff", "B": "#d9d9d9", "C": "#8c8c8c", "D": "#3a3a3a", "": "#ffffff"}
"""Grey per grade (darker = worse); the letter is written in each cell too."""


def _ordered_cities(cities: pd.Series | list[str]) -> list[str]:
    """Distinct cities in the project's order."""
    return sorted(set(cities), key=lambda c: (city_rank(c), c))


# --- views ------------------------------------------------------------------------------------------------------


def grade_matrix(evaluations: pd.DataFrame, latest_year: int | None = None) -> pd.DataFrame:
    """A city's grades as measure × fiscal year: the worst grade of the year's indicators ('' where none)."""
    graded = as_of(evaluations[evaluations["grade"].fillna("") != ""], latest_year)
    worst = graded.groupby(["measure_id", "fiscal_year"])["grade"].max().unstack("fiscal_year", fill_value="")
    order = sorted(worst.index, key=natural_key)
    matrix = worst.reindex(order)
    matrix.columns = [int(c) for c in matrix.columns]
    matrix.index.name, matrix.columns.name = "measure_id", "fiscal_year"
    return matrix


def measure_labels(measures: pd.DataFrame, measure_ids: list[str], width: int = 22) -> list[str]:
    """``No.15 多職種連携研修の実施``-style labels: the sheet's number (the id's last part) and the measure name."""
    names = dict(zip(measures["measure_id"], measures["measure"], strict=True))
    labels = []
    for measure_id in measure_ids:
        number = measure_id.rsplit("-", 1)[-1].removeprefix("no").lstrip("0") or "0"
        labels.append(wrap_title(f"No.{number} {names.get(measure_id, '')}".strip(), width))
    return labels


def _series_by_key(indicators: pd.DataFrame, params: TrajectoryParams, lexicon: Lexicon | None) -> dict:
    """The numeric series of the indicators table by (city, measure_id, indicator), as of the report year."""
    series = build_series(as_of(indicators, params.latest_year), lexicon or load_lexicon())
    return {(s.city, s.measure_id, s.indicator): s for s in series}


def indexed_series_frame(
    trajectories: pd.DataFrame, indicators: pd.DataFrame, params: TrajectoryParams, lexicon: Lexicon | None = None
) -> pd.DataFrame:
    """Activity series that fell (a numeric stall), as values indexed to their reference level = 100.

    One row per actual value up to the report year; ``label`` is the panel title (city, measure number and
    indicator, unique). Only rows stalled by the numeric rule are shown, so every panel goes below its stall line.
    """
    fell = trajectories[
        trajectories["status"].isin(STALLED_STATUSES)
        & trajectories["rule"].str.startswith("stall:numeric")
        & (trajectories["reference_value"].fillna(0) > 0)
    ]
    by_key = _series_by_key(indicators, params, lexicon)
    rows: list[dict[str, object]] = []
    for r in fell.itertuples(index=False):
        s = by_key.get((r.city, r.measure_id, r.indicator))
        if s is None:
            continue
        label = panel_label(r.city, r.measure_id, r.indicator)
        for p in s.actuals:
            if params.latest_year is None or p.year <= params.latest_year:
                rows.append(
                    {
                        "city": r.city,
                        "measure_id": r.measure_id,
                        "indicator": r.indicator,
                        "label": label,
                        "status": r.status,
                        "reference_basis": r.reference_basis,
                        "reference_year": r.reference_year,
                        "fiscal_year": p.year,
                        "value": p.value,
                        "index": round(100 * p.value / r.reference_value, 6),
                    }
                )
    columns = ["city", "measure_id", "indicator", "label", "status", "reference_basis", "reference_year"]
    return pd.DataFrame(rows, columns=[*columns, "fiscal_year", "value", "index"])


def panel_label(city: str, measure_id: str, indicator: str, width: int = 16) -> str:
    """A panel title: city and the measure's number, then the indicator wrapped at ``width`` (unique per series).

    >>> panel_label("shiroi", "shiroi-no34", "市内の参加者数")
    '白井市 No.34\\n市内の参加者数'
    """
    number = measure_id.split("-", 1)[-1].removeprefix("no").lstrip("0") or "0"
    return f"{CITY_LABELS.get(city, city)} No.{number}\n{wrap_title(indicator, width)}"


def stall_line_checks(indexed: pd.DataFrame, params: TrajectoryParams) -> pd.DataFrame:
    """Per panel of the indexed figure: its lowest index and whether it goes to or below the stall line."""
    line = 100 * (1 - params.drop_threshold)
    lowest = indexed.groupby("label", sort=False)["index"].min().rename("lowest_index").reset_index()
    return lowest.assign(below_stall_line=lowest["lowest_index"] <= line + 1e-9)


def event_timeline(events: pd.DataFrame, latest_year: int | None = None) -> pd.DataFrame:
    """COVID sentences of result columns per city, fiscal year and effect (a sentence repeated on several lines of
    a measure counts once); every effect and year up to ``latest_year`` present, zeros included. Stops with no
    cause stated name no pandemic and are left out."""
    events = events[events["effect"] != "stopped_no_cause"]
    results = as_of(events[events["value_kind"] != "plan"], latest_year)
    distinct = results.drop_duplicates(["city", "measure_id", "fiscal_year", "effect", "evidence"])
    counts = distinct.groupby(["city", "fiscal_year", "effect"]).size()
    cities = _ordered_cities(events["city"])
    last = latest_year if latest_year is not None else int(results["fiscal_year"].max())
    years = range(int(results["fiscal_year"].min()), last + 1) if not results.empty else range(0)
    shown = [e for e in EFFECTS if e != "stopped_no_cause"]
    index = pd.MultiIndex.from_product([cities, list(years), shown], names=["city", "fiscal_year", "effect"])
    return counts.reindex(index, fill_value=0).rename("n_sentences").reset_index()


def stall_list(trajectories: pd.DataFrame, city: str) -> pd.DataFrame:
    """What stalled in one city and what became of it: status (Japanese), measure, indicator, years, evidence
    kinds, the quoted sentence(s) in the sheet's characters, and the source line."""
    rows = trajectories[(trajectories["city"] == city) & trajectories["status"].isin(STALLED_STATUSES)]
    rows = rows.assign(_rank=rows["status"].map(STALLED_STATUSES.index))
    keys = [(r, natural_key(m), i) for r, m, i in zip(rows["_rank"], rows["measure_id"], rows["activity"], strict=True)]
    rows = rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]
    return pd.DataFrame(
        {
            "status": rows["status"].map(lambda code: display_label("status", code)),
            "measure": rows["measure"],
            "activity": rows["activity"],
            "stalled": rows["stall_year"],
            "recovered": rows["recovery_year"],
            "attribution": rows["attribution"],
            "rule": rows["rule"],
            "stall evidence": rows["quote"] + " (" + rows["source_file"] + ":" + rows["source_line"].astype(str) + ")",
            "recovery evidence": rows["recovery_quote"],
            "recovery line": rows["recovery_line"],
        }
    ).reset_index(drop=True)


# --- figures ----------------------------------------------------------------------------------------------------


def _stacked_bars(
    ax: plt.Axes, counts: pd.DataFrame, styles: dict[str, tuple[str, str]], labels: dict[str, str]
) -> None:
    """Stacked vertical bars: one bar per index entry, one segment per column (styled and labelled)."""
    bottom = [0] * len(counts)
    for column in counts.columns:
        colour, hatch = styles[column]
        values = counts[column].tolist()
        edge = "#ffffff" if colour == PALETTE[0] else EDGE
        ax.bar(
            range(len(counts)),
            values,
            bottom=bottom,
            color=colour,
            hatch=hatch,
            edgecolor=edge,
            linewidth=0.6,
            label=labels[column],
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]


def plot_status_by_city(row_counts: pd.DataFrame, attribution: pd.DataFrame) -> Figure:
    """Stacked bars per city: activities by status (left) and stalled activities by who ties them to the
    pandemic (right)."""
    fig, axes = plt.subplots(1, 2, figsize=(10.2, 5.8), gridspec_kw={"width_ratios": (3, 2)})
    data = row_counts.drop(index="total", errors="ignore")[list(STATUSES)]
    _stacked_bars(axes[0], data, STATUS_STYLES, {s: display_label("status", s) for s in STATUSES})
    ties = {a: display_label("attribution", a) for a in ATTRIBUTIONS}
    _stacked_bars(axes[1], attribution[list(ATTRIBUTIONS)], ATTRIBUTION_STYLES, ties)
    for ax, counts, title in zip(
        axes, (data, attribution), ("活動ごとの判定", "停滞した活動とコロナとの関係"), strict=True
    ):
        ax.set_xticks(range(len(counts)), [CITY_LABELS.get(c, c) for c in counts.index])
        ax.set_title(title)
        ax.set_ylabel("活動の数")
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    fig.suptitle("新型コロナによる停滞と回復の判定(市別、活動の数)")
    fig.tight_layout()
    return fig


def graded_cities(evaluations: pd.DataFrame) -> list[str]:
    """The cities whose sheets grade their measures (A–D), in the project's order."""
    graded = set(evaluations.loc[evaluations["grade"].fillna("") != "", "city"])
    return [c for c in CITIES if c in graded]


def plot_grade_heatmap(matrix: pd.DataFrame, labels: list[str], city: str) -> Figure:
    """A city's A–D grades as a measure × fiscal-year grid: grey shade by grade and the letter in each cell."""
    n_rows, n_cols = matrix.shape
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    fig, ax = plt.subplots(figsize=(2.2 + 0.9 * n_cols + 3.4, 1.0 + 0.2 * lines * n_rows + 0.1 * n_rows))
    for i, measure_id in enumerate(matrix.index):
        for j, year in enumerate(matrix.columns):
            grade = matrix.loc[measure_id, year]
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=GRADE_SHADES[grade], edgecolor="#bbbbbb", lw=0.5))
            colour = "#ffffff" if grade in ("C", "D") else "#000000"
            ax.text(j + 0.5, i + 0.5, grade or "–", ha="center", va="center", fontsize=MIN_FONT_PT, color=colour)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], [f"{y}年度" for y in matrix.columns])
    ax.set_yticks([i + 0.5 for i in range(n_rows)], labels, fontsize=MIN_FONT_PT)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    ax.set_title(f"{CITY_LABELS[city]} 取組ごとの評価(A:順調 B:概ね順調 C:一部遅れ D:未実施)", pad=24, fontsize=10)
    fig.tight_layout()
    return fig


def series_gaps(indexed: pd.DataFrame) -> list[str]:
    """Panels of ``indexed_series_frame`` with a year between their first and last that has no value.

    >>> series_gaps(pd.DataFrame({"label": ["a", "a", "b", "b"], "fiscal_year": [2019, 2021, 2020, 2021]}))
    ['a']
    """
    years = indexed.groupby("label", sort=True)["fiscal_year"].agg(["min", "max", "nunique"])
    return [str(label) for label in years.index[years["max"] - years["min"] + 1 > years["nunique"]]]


def plot_indexed_series(indexed: pd.DataFrame, params: TrajectoryParams, n_cols: int = 3) -> Figure:
    """Small multiples: each activity series that fell, indexed to its reference level (= 100), with the stall and
    recovery lines; the marker tells the status. Every panel goes to or below the stall line. A year the sheet
    gives no value for is a gap in the line, not a straight line across it."""
    labels = list(dict.fromkeys(indexed["label"]))
    n_rows = max(1, -(-len(labels) // n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(10.2, 3.1 * n_rows + 1.0), squeeze=False)
    years = list(range(int(indexed["fiscal_year"].min()), int(indexed["fiscal_year"].max()) + 1)) if labels else []
    for ax, label in zip(axes.flat, labels, strict=False):
        points = indexed[indexed["label"] == label]
        status = points["status"].iloc[0]
        values = points.set_index("fiscal_year")["index"].reindex(years)  # NaN where the sheet has no value
        style = {"color": STATUS_STYLES[status][0], "marker": STATUS_MARKERS[status], "lw": 1.4, "ms": 5}
        ax.plot(range(len(years)), values.to_numpy(dtype=float), **style)
        ax.axhline(100, color="#777777", lw=0.8, ls="--")
        ax.axhline(100 * (1 - params.drop_threshold), color="#aaaaaa", lw=0.8, ls=":")
        if points["reference_basis"].iloc[0] == "pre_pandemic":
            ax.axhline(100 * params.recovery_share, color="#aaaaaa", lw=0.6, ls="-.")
        ax.set_xticks(range(len(years)), [f"{y}" for y in years], fontsize=MIN_FONT_PT, rotation=90)
        ax.tick_params(axis="y", labelsize=MIN_FONT_PT)
        ax.set_xlim(-0.4, len(years) - 0.6)
        ax.set_ylim(bottom=0)
        basis = "基準:" + ("コロナ前" if points["reference_basis"].iloc[0] == "pre_pandemic" else "最新年度")
        ax.set_title(f"{label}\n({basis}{points['reference_year'].iloc[0]}年度 = 100)", fontsize=MIN_FONT_PT)
    for ax in list(axes.flat)[len(labels) :]:
        ax.axis("off")
    shown = [s for s in STALLED_STATUSES if s in set(indexed["status"])]
    handles = [
        plt.Line2D([], [], color=STATUS_STYLES[s][0], marker=STATUS_MARKERS[s], label=display_label("status", s))
        for s in shown
    ]
    stall_line = 100 * (1 - params.drop_threshold)
    handles += [
        plt.Line2D([], [], color="#777777", ls="--", label="基準 = 100"),
        plt.Line2D([], [], color="#aaaaaa", ls=":", label=f"停滞の線 ({stall_line:.0f})"),
    ]
    if (indexed["reference_basis"] == "pre_pandemic").any():
        label = f"回復の線 ({100 * params.recovery_share:.0f}、コロナ前が基準の活動)"
        handles.append(plt.Line2D([], [], color="#aaaaaa", ls="-.", label=label))
    if series_gaps(indexed):
        handles.append(plt.Line2D([], [], color="none", label="線の切れ目:その年度の値が資料にない"))
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(f"コロナ禍の年度に基準の{stall_line:.0f}%以下に下がった活動の数値(基準値 = 100 とした指数)")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


DEMAND_LABELS_JA: dict[str, str] = {"rose": "増えた", "flat": "ほぼ同じ", "fell": "減った"}
DEMAND_STYLES: dict[str, tuple[str, str]] = {
    "rose": (PALETTE[1], HATCHES[2]),
    "flat": ("#ffffff", HATCHES[0]),
    "fell": (PALETTE[0], HATCHES[0]),
}


def demand_counts(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Demand series per city by direction (rose, flat, fell) from their first to their last reported year."""
    demand = trajectories[(trajectories["indicator_kind"] == "demand") & (trajectories["demand_change"] != "")]
    cities = _ordered_cities(demand["city"])
    counts = pd.crosstab(demand["city"], demand["demand_change"])
    return counts.reindex(index=cities, columns=list(DEMAND_LABELS_JA), fill_value=0).astype("int64")


def plot_demand(counts: pd.DataFrame) -> Figure:
    """Demand series (相談, 申請 …) per city that rose, stayed flat or fell over the years each sheet reports: read
    apart from the activity stalls (demand falls when a relief scheme ends, and rises in a crisis)."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    _stacked_bars(ax, counts, DEMAND_STYLES, {d: display_label("demand_change", d) for d in DEMAND_LABELS_JA})
    ax.set_xticks(range(len(counts)), [CITY_LABELS.get(c, c) for c in counts.index])
    ax.set_ylabel("指標の数")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_title("需要の指標(相談・申請など):最初の年度から最新の年度への増減")
    fig.tight_layout()
    return fig


def plot_timeline(timeline: pd.DataFrame) -> Figure:
    """COVID sentences per fiscal year and kind of effect, one panel per city (stacked bars)."""
    cities = _ordered_cities(timeline["city"])
    fig, axes = plt.subplots(1, len(cities), figsize=(10.2, 4.2), sharey=True, squeeze=False)
    for ax, city in zip(axes[0], cities, strict=True):
        data = timeline[timeline["city"] == city].pivot(index="fiscal_year", columns="effect", values="n_sentences")
        shown = [e for e in EFFECTS if e != "stopped_no_cause"]
        data = data.reindex(columns=shown, fill_value=0)
        _stacked_bars(ax, data, EFFECT_STYLES, {e: display_label("effect", e) for e in shown})
        ax.set_xticks(range(len(data)), [f"{y}" for y in data.index])
        ax.set_title(CITY_LABELS.get(city, city))
        ax.set_xlabel("報告の対象年度")
    axes[0][0].set_ylabel("文の数")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle("新型コロナに触れた文(実績欄)の年度別・影響別の件数")
    fig.tight_layout()
    return fig

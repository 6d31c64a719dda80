"""Views and figures of the COVID stall/recovery analysis (notebook 02 and the report).

The ``*_frame`` / ``grade_matrix`` / ``stall_list`` functions shape the analysis tables for showing; the ``plot_*``
functions draw them with the project's style (Japanese labels, colours paired with hatches or markers so the
figures survive greyscale printing). Every figure function returns the figure; the caller saves and closes it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from helpers.analysis.covid_text import EFFECT_LABELS_JA, EFFECTS, Lexicon, city_rank, natural_key
from helpers.analysis.covid_trajectories import (
    STALLED_STATUSES,
    STATUS_LABELS_JA,
    STATUSES,
    TrajectoryParams,
    as_of,
    build_series,
)
from helpers.views.figures import CITY_LABELS, HATCHES, PALETTE

EDGE = "#333333"
"""Bar edges and hatch lines (matplotlib draws hatches in the edge colour)."""

STATUS_STYLES: dict[str, tuple[str, str]] = {
    "stalled_recovered": (PALETTE[1], HATCHES[2]),
    "stalled_planned": (PALETTE[2], HATCHES[1]),
    "stalled_not_recovered": (PALETTE[0], HATCHES[0]),
    "not_stalled": (PALETTE[4], HATCHES[0]),
    "insufficient_data": ("#ffffff", HATCHES[4]),
}
"""Fill colour and hatch per status: dark solid = not recovered, light dotted = recovered, hatched = planned."""

STATUS_MARKERS: dict[str, str] = {"stalled_recovered": "o", "stalled_planned": "s", "stalled_not_recovered": "v"}
"""Line markers of the stalled statuses in the indexed-series figure."""

EFFECT_STYLES: dict[str, tuple[str, str]] = {
    "cancelled": (PALETTE[0], HATCHES[0]),
    "postponed": (PALETTE[3], HATCHES[1]),
    "reduced": (PALETTE[2], HATCHES[2]),
    "moved_format": (PALETTE[1], HATCHES[3]),
    "resumed": (PALETTE[4], HATCHES[4]),
}
"""Fill colour and hatch per effect in the timeline."""

GRADE_SHADES: dict[str, str] = {"A": "#ffffff", "B": "#d9d9d9", "C": "#8c8c8c", "D": "#3a3a3a", "": "#ffffff"}
"""Grey per grade (darker = worse); the letter is written in each cell too."""

REFERENCE_STEP = "基準"
"""x label of the reference level in the indexed-series figure."""


def _ordered_cities(cities: pd.Series | list[str]) -> list[str]:
    """Distinct cities in the project's order."""
    return sorted(set(cities), key=lambda c: (city_rank(c), c))


def short_label(text: str, width: int = 18) -> str:
    """A label cut to ``width`` characters with an ellipsis.

    >>> short_label("福祉の輪づくり運動関係者及び福祉員研修会", 8)
    '福祉の輪づくり…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


# --- views ------------------------------------------------------------------------------------------------------


def grade_matrix(evaluations: pd.DataFrame, latest_year: int | None = None) -> pd.DataFrame:
    """白井市's grades as measure × fiscal year: the worst grade of the year's indicators ('' where none)."""
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
        labels.append(short_label(f"No.{number} {names.get(measure_id, '')}".strip(), width))
    return labels


def indexed_series_frame(
    trajectories: pd.DataFrame, indicators: pd.DataFrame, params: TrajectoryParams, lexicon: Lexicon | None = None
) -> pd.DataFrame:
    """Stalled rows read numerically, as values indexed to their reference level = 100.

    One row per point: the reference (``step`` 基準) and each actual value after it (an empty cell saying 中止
    counts as 0, as in the classification). Rows whose reference is 0 cannot be indexed and are left out.
    """
    stalled = trajectories[
        trajectories["status"].isin(STALLED_STATUSES)
        & trajectories["evidence"].str.split("+").map(lambda kinds: "numeric" in kinds)
        & (trajectories["reference_value"].fillna(0) > 0)
    ]
    wanted = {(r.city, r.measure_id, r.indicator): r for r in stalled.itertuples(index=False)}
    rows: list[dict[str, object]] = []
    for s in build_series(as_of(indicators, params.latest_year), params, lexicon):
        row = wanted.get((s.city, s.measure_id, s.indicator))
        if row is None or s.reference is None:
            continue
        ref = s.reference
        base = {
            "city": s.city,
            "measure_id": s.measure_id,
            "indicator": s.indicator,
            "status": row.status,
            "reference_year": ref.year,
            "reference_basis": s.reference_basis,
        }
        rows.append({**base, "step": REFERENCE_STEP, "fiscal_year": pd.NA, "value": ref.value, "index": 100.0})
        for p in s.actuals:
            if p.year > ref.year or (s.reference_basis == "target" and p != ref):
                index = round(100 * p.value / ref.value, 6)
                rows.append({**base, "step": str(p.year), "fiscal_year": p.year, "value": p.value, "index": index})
    columns = ["city", "measure_id", "indicator", "status", "reference_year", "reference_basis"]
    frame = pd.DataFrame(rows, columns=[*columns, "step", "fiscal_year", "value", "index"])
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    return frame


def event_timeline(events: pd.DataFrame, latest_year: int | None = None) -> pd.DataFrame:
    """COVID sentences of result columns per city, fiscal year and effect (a sentence repeated on several lines of
    a measure counts once); every effect and year up to ``latest_year`` present, zeros included."""
    results = as_of(events[events["value_kind"] != "plan"], latest_year)
    distinct = results.drop_duplicates(["city", "measure_id", "fiscal_year", "effect", "evidence"])
    counts = distinct.groupby(["city", "fiscal_year", "effect"]).size()
    cities = _ordered_cities(events["city"])
    last = latest_year if latest_year is not None else int(results["fiscal_year"].max())
    years = range(int(results["fiscal_year"].min()), last + 1) if not results.empty else range(0)
    index = pd.MultiIndex.from_product([cities, list(years), list(EFFECTS)], names=["city", "fiscal_year", "effect"])
    return counts.reindex(index, fill_value=0).rename("n_sentences").reset_index()


def stall_list(trajectories: pd.DataFrame, city: str) -> pd.DataFrame:
    """What stalled in one city and what became of it: status (Japanese), measure, indicator, years, evidence
    kinds, the quoted sentence(s) in the sheet's characters, and the source line."""
    rows = trajectories[(trajectories["city"] == city) & trajectories["status"].isin(STALLED_STATUSES)]
    rows = rows.assign(_rank=rows["status"].map(STALLED_STATUSES.index))
    keys = [
        (r, natural_key(m), i) for r, m, i in zip(rows["_rank"], rows["measure_id"], rows["indicator"], strict=True)
    ]
    rows = rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]
    return pd.DataFrame(
        {
            "status": rows["status"].map(STATUS_LABELS_JA),
            "measure": rows["measure"],
            "indicator": rows["indicator"],
            "stalled": rows["stall_year"],
            "recovered": rows["recovery_year"],
            "evidence": rows["evidence"],
            "quote": rows["quote"],
            "line": rows["source_line"],
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


def plot_status_by_city(row_counts: pd.DataFrame, measure_counts: pd.DataFrame) -> Figure:
    """Stacked bars of statuses per city: series (indicator) rows on the left, measures on the right."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=False)
    for ax, counts, title in zip(
        axes, (row_counts, measure_counts), ("系列(指標)ごと", "取組ごと(最も停滞した系列で代表)"), strict=True
    ):
        data = counts.drop(index="total", errors="ignore")[list(STATUSES)]
        _stacked_bars(ax, data, STATUS_STYLES, STATUS_LABELS_JA)
        ax.set_xticks(range(len(data)), [CITY_LABELS.get(c, c) for c in data.index])
        ax.set_title(title)
        ax.set_ylabel("件数")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle("新型コロナによる停滞と回復の判定(市別)")
    fig.tight_layout()
    return fig


def plot_grade_heatmap(matrix: pd.DataFrame, labels: list[str]) -> Figure:
    """白井市's A–D grades as a measure × fiscal-year grid: grey shade by grade and the letter in each cell."""
    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(2.2 + 0.9 * n_cols + 2.6, 0.8 + 0.24 * n_rows))
    for i, measure_id in enumerate(matrix.index):
        for j, year in enumerate(matrix.columns):
            grade = matrix.loc[measure_id, year]
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=GRADE_SHADES[grade], edgecolor="#bbbbbb", lw=0.5))
            colour = "#ffffff" if grade in ("C", "D") else "#000000"
            ax.text(j + 0.5, i + 0.5, grade or "–", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], [f"{y}年度" for y in matrix.columns])
    ax.set_yticks([i + 0.5 for i in range(n_rows)], labels, fontsize=7.5)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    ax.set_title("白井市 取組ごとの評価(A:順調 B:概ね順調 C:一部遅れ D:未実施)", pad=24, fontsize=10)
    fig.tight_layout()
    return fig


def plot_indexed_series(indexed: pd.DataFrame, params: TrajectoryParams, n_cols: int = 6) -> Figure:
    """Small multiples: each stalled numeric series indexed to its reference level (= 100), with the drop and
    recovery lines; the marker tells the status."""
    keys = list(dict.fromkeys(zip(indexed["city"], indexed["measure_id"], indexed["indicator"], strict=True)))
    keys.sort(key=lambda k: (city_rank(k[0]), k[0], natural_key(k[1]), k[2]))
    n_rows = max(1, -(-len(keys) // n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(2.1 * n_cols, 1.9 * n_rows), squeeze=False)
    steps = [REFERENCE_STEP, *sorted({s for s in indexed["step"] if s != REFERENCE_STEP})]
    for ax, key in zip(axes.flat, keys, strict=False):
        points = indexed[(indexed["city"] == key[0]) & (indexed["measure_id"] == key[1])]
        points = points[points["indicator"] == key[2]]
        status = points["status"].iloc[0]
        x = [steps.index(s) for s in points["step"]]
        ax.plot(x, points["index"], color=STATUS_STYLES[status][0], marker=STATUS_MARKERS[status], lw=1.4, ms=5)
        ax.axhline(100, color="#777777", lw=0.8, ls="--")
        ax.axhline(100 * (1 - params.drop_threshold), color="#aaaaaa", lw=0.6, ls=":")
        ax.axhline(100 * params.recovery_share, color="#aaaaaa", lw=0.6, ls="-.")
        ticks = [reference_tick(points.iloc[0]) if s == REFERENCE_STEP else f"'{s[-2:]}" for s in steps]
        ax.set_xticks(range(len(steps)), ticks, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(-0.4, len(steps) - 0.6)
        ax.set_ylim(bottom=0)
        ax.set_title(f"{CITY_LABELS.get(key[0], key[0])} {short_label(key[2], 13)}", fontsize=7.5)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    handles = [
        plt.Line2D([], [], color=STATUS_STYLES[s][0], marker=STATUS_MARKERS[s], label=STATUS_LABELS_JA[s])
        for s in STALLED_STATUSES
    ]
    handles += [
        plt.Line2D([], [], color="#777777", ls="--", label="基準 = 100"),
        plt.Line2D([], [], color="#aaaaaa", ls=":", label=f"停滞の線 ({100 * (1 - params.drop_threshold):.0f})"),
        plt.Line2D([], [], color="#aaaaaa", ls="-.", label=f"回復の線 ({100 * params.recovery_share:.0f})"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, bbox_to_anchor=(0.5, -0.01))
    fig.suptitle("停滞した数値系列(基準値 = 100 とした指数。年度は西暦の下2桁、目標は計画の目標値が基準)")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def reference_tick(point: pd.Series) -> str:
    """x label of a series' reference: 目標 for a plan target, else 基準, with the year's last two digits.

    >>> reference_tick(pd.Series({"reference_basis": "target", "reference_year": 2020}))
    "目標'20"
    """
    word = "目標" if point["reference_basis"] == "target" else REFERENCE_STEP
    return f"{word}'{str(point['reference_year'])[-2:]}"


def plot_timeline(timeline: pd.DataFrame) -> Figure:
    """COVID sentences per fiscal year and kind of effect, one panel per city (stacked bars)."""
    cities = _ordered_cities(timeline["city"])
    fig, axes = plt.subplots(1, len(cities), figsize=(2.6 * len(cities) + 1.5, 3.6), sharey=True, squeeze=False)
    for ax, city in zip(axes[0], cities, strict=True):
        data = timeline[timeline["city"] == city].pivot(index="fiscal_year", columns="effect", values="n_sentences")
        data = data.reindex(columns=list(EFFECTS), fill_value=0)
        _stacked_bars(ax, data, EFFECT_STYLES, EFFECT_LABELS_JA)
        ax.set_xticks(range(len(data)), [f"{y}" for y in data.index])
        ax.set_title(CITY_LABELS.get(city, city))
        ax.set_xlabel("報告の対象年度")
    axes[0][0].set_ylabel("文の数")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.suptitle("新型コロナの影響を述べた文(実績欄)の年度別件数")
    fig.tight_layout()
    return fig

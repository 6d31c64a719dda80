"""Figures of the hub and consultation analysis (notebook 03): coverage heatmap, per-1,000 bars, hub expansion.

Each ``plot_*`` function draws a table of ``helpers.analysis.hub_consultation`` in the project's style (Japanese labels,
colours paired with hatches or markers so the figures survive greyscale printing) and returns the figure; the caller
saves and closes it. The small formatters beside them build the figures' texts and are tested on their own.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from helpers import CITIES
from helpers.analysis.hub_consultation import SUBTYPE_LABELS_JA, SUBTYPES, group_label_ja
from helpers.views.covid_figures import short_label
from helpers.views.figures import CITY_LABELS, HATCHES, PALETTE

OVERVIEW_MARK = "〔概要資料〕"
"""Appended to a label whose value comes from an overview document rather than the progress sheet."""

EXPANSION_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
"""Markers of the expansion lines, one per series in turn, so lines differ without colour."""

EXPANSION_DASHES: tuple[str, ...] = ("--", ":", "-.")
"""Line styles of a city's progress-sheet series (overview series are solid)."""

LOG_TICKS: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500)
"""Candidate y ticks of the log-scaled expansion figure, written as plain numbers."""


# --- texts ------------------------------------------------------------------------------------------------------


def city_by_subtype(matrix: pd.DataFrame, column: str) -> pd.DataFrame:
    """One column of the coverage matrix as city × subtype, in the project's city and subtype order."""
    return matrix.pivot(index="city", columns="subtype", values=column).reindex(
        index=list(CITIES), columns=list(SUBTYPES)
    )


def unit_text(units: str, n_series: int) -> str:
    """A heatmap cell's unit line: units joined by ・, wrapped after two when there are more than three; — if none.

    >>> unit_text("か所、地区、拠点、箇所", 8), unit_text("", 0)
    ('か所・地区・\\n拠点・箇所', '—')
    """
    words = units.split("、") if n_series else ["—"]
    return "・".join(words) if len(words) <= 3 else "・".join(words[:2]) + "・\n" + "・".join(words[2:])


def per_1000_text(value: float) -> str:
    """A per-1,000 figure to about three significant digits, for bar labels.

    >>> per_1000_text(281.54), per_1000_text(20.619), per_1000_text(0.1252)
    ('281.5', '20.62', '0.125')
    """
    return f"{value:,.1f}" if value >= 100 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def per_1000_label(city: str, label: str, year: int, source_file: str, overview_files: list[str]) -> str:
    """A bar's y label: city, shortened indicator, fiscal year, and a mark when the value is from an overview.

    >>> per_1000_label("shiroi", "配置人数", 2022, "s.txt", [])
    '白井市 配置人数(2022)'
    """
    mark = OVERVIEW_MARK if source_file in overview_files else ""
    return f"{CITY_LABELS[city]} {short_label(label, 24)}({year}){mark}"


def log_ticks(top: float) -> list[int]:
    """The y ticks of the expansion figure: the candidates up to 1.5 × the largest value.

    >>> log_ticks(24)
    [1, 2, 3, 5, 10, 20, 30]
    """
    return [t for t in LOG_TICKS if t <= top * 1.5]


# --- figures ----------------------------------------------------------------------------------------------------


def plot_matrix_heatmap(matrix: pd.DataFrame) -> Figure:
    """City × subtype grid of the coverage matrix: the number of series (grey shade and figure) and its units."""
    n_series, units = city_by_subtype(matrix, "n_series"), city_by_subtype(matrix, "units")
    top = max(int(n_series.to_numpy().max()), 1)
    fig, ax = plt.subplots(figsize=(9, 4.4))
    image = ax.imshow(n_series.to_numpy(), cmap="Greys", vmin=0, vmax=top * 1.3, aspect="auto")
    for i, city in enumerate(CITIES):
        for j, subtype in enumerate(SUBTYPES):
            n = int(n_series.loc[city, subtype])
            colour = "white" if n > top * 0.65 else "black"
            ax.text(j, i - 0.15, f"{n}", ha="center", va="center", fontsize=14, color=colour)
            text = unit_text(units.loc[city, subtype], n)
            ax.text(j, i + 0.25, text, ha="center", va="center", fontsize=7.5, color=colour, linespacing=1.1)
    ax.set_xticks(range(len(SUBTYPES)), [SUBTYPE_LABELS_JA[s] for s in SUBTYPES])
    ax.set_yticks(range(len(CITIES)), [CITY_LABELS[c] for c in CITIES])
    ax.set_xlabel("指標の区分(下段は単位)")
    ax.set_ylabel("市")
    ax.set_title("拠点・相談に関する指標の系列数(市 × 区分)")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colourbar = fig.colorbar(image, ax=ax, fraction=0.035, pad=0.02)
    colourbar.set_label("系列数")
    colourbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def plot_per_1000(latest: pd.DataFrame, overview_files: list[str], fiscal_year: int) -> Figure:
    """Per-1,000-resident bars of ``latest_comparable``: one panel per comparable group, bars styled per city."""
    title = f"拠点・相談の人口千人当たりの値(比較できる系列のみ、{fiscal_year}年度または直近の年度)"
    groups = list(dict.fromkeys(latest["comparable_group"]))
    if not groups:  # fewer than two cities count the same thing (a manifest with one city, say)
        fig, ax = plt.subplots(figsize=(9.5, 1.6))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "複数の市で比較できる系列がありません", ha="center", va="center", fontsize=11)
        fig.suptitle(title)
        return fig
    sizes = [int(latest["comparable_group"].eq(g).sum()) for g in groups]
    fig, axes = plt.subplots(
        len(groups),
        1,
        figsize=(9.5, 0.34 * sum(sizes) + 0.9 * len(groups) + 0.8),
        gridspec_kw={"height_ratios": sizes},
        squeeze=False,
        layout="constrained",
    )
    for ax, group in zip(axes[:, 0], groups, strict=True):
        part = latest[latest["comparable_group"] == group]
        order = [CITIES.index(c) for c in part["city"]]
        bars = ax.barh(
            range(len(part)), part["per_1000"], color=[PALETTE[i] for i in order], edgecolor="black", linewidth=0.5
        )
        for bar, i in zip(bars, order, strict=True):
            bar.set_hatch(HATCHES[i])
        rows = part[["city", "label_ja", "fiscal_year", "source_file"]].itertuples(index=False)
        labels = [per_1000_label(*row, overview_files) for row in rows]
        ax.set_yticks(range(len(part)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[per_1000_text(v) for v in part["per_1000"]], padding=3, fontsize=8)
        ax.set_xlim(0, float(part["per_1000"].max()) * 1.2)
        ax.set_title(group_label_ja(group), loc="left", fontsize=10)
    axes[-1, 0].set_xlabel("人口千人当たり(年度は括弧内)")
    handles = [
        Patch(facecolor=PALETTE[i], hatch=HATCHES[i], edgecolor="black", label=CITY_LABELS[c])
        for i, c in enumerate(CITIES)
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(CITIES))
    fig.suptitle(title)
    return fig


def plot_expansion(expansion: pd.DataFrame) -> Figure:
    """Hub counts over the fiscal years (log scale) from ``hub_expansion_frame``: overview series bold and solid,
    the progress sheets' series thin and dashed, each series with its own marker."""
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    shown_per_city: dict[str, int] = {}
    for i, (_series_id, part) in enumerate(expansion.groupby("series_id", sort=False)):
        city, from_overview = part["city"].iloc[0], bool(part["from_overview"].iloc[0])
        k = shown_per_city.get(city, 0)
        shown_per_city[city] = k + 1
        label = f"{CITY_LABELS[city]} {part['indicator'].iloc[0]}({part['unit'].iloc[0]})"
        ax.plot(
            part["fiscal_year"],
            part["value"],
            label=label + (OVERVIEW_MARK if from_overview else ""),
            color=PALETTE[CITIES.index(city)],
            marker=EXPANSION_MARKERS[i % len(EXPANSION_MARKERS)],
            markersize=7 if from_overview else 6,
            linestyle="-" if from_overview else EXPANSION_DASHES[k % len(EXPANSION_DASHES)],
            linewidth=2.2 if from_overview else 1.3,
            markeredgecolor="black",
            markeredgewidth=0.5,
        )
    ax.set_yscale("log")
    ticks = log_ticks(expansion["value"].max())
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticklabels([str(t) for t in ticks])
    years = range(int(expansion["fiscal_year"].min()), int(expansion["fiscal_year"].max()) + 1)
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.set_xlabel("年度")
    ax.set_ylabel("数(拠点・地区・か所・団体など、対数目盛)")
    ax.set_title("山形市の拠点の広がり(概要資料)と他市の拠点の数")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig

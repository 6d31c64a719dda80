"""Figures of the hub and consultation analysis (notebook 03): coverage heatmap, service panels, hub expansion.

Each ``plot_*`` function draws a table of ``helpers.analysis.hub_consultation`` in the project's style (Japanese labels,
colours paired with hatches or markers so the figures survive greyscale printing) and returns the figure; the caller
saves and closes it. The small formatters beside them build the figures' texts and are tested on their own.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from helpers import CITIES
from helpers.analysis.hub_consultation import SUBTYPES
from helpers.views.figures import CITY_LABELS, HATCHES, MIN_FONT_PT, PALETTE, display_label, wrap_title

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


CELL_CHARACTERS = 7
"""Full-width characters a heatmap cell holds on one line at ``MIN_FONT_PT`` (a longer line runs into the next cell)."""


def unit_text(units: str, n_series: int, width: int = CELL_CHARACTERS) -> str:
    """A heatmap cell's unit lines: units joined by ・ on as few lines as fit ``width``, balanced; — if none.

    >>> unit_text("か所、地区、拠点、箇所", 8), unit_text("件、回", 2), unit_text("", 0)
    ('か所・地区・\\n拠点・箇所', '件・回', '—')
    >>> unit_text("件、回、地区社協", 10), unit_text("か所、カ所、グループ、サロン", 7)
    ('件・回・\\n地区社協', 'か所・カ所・\\nグループ・\\nサロン')
    """
    words = units.split("、") if n_series else ["—"]
    for n_lines in range(1, len(words) + 1):
        best = min(_splits(words, n_lines), key=lambda lines: (max(map(len, lines)), [-len(x) for x in lines]))
        if max(map(len, best)) <= width or n_lines == len(words):
            return "\n".join(best)
    return "・".join(words)  # pragma: no cover - the loop returns at the latest with one word a line


def _splits(words: list[str], n_lines: int) -> list[list[str]]:
    """Every way to put ``words`` on ``n_lines`` lines in order, each line but the last ending in ・."""
    if n_lines == 1:
        return [["・".join(words)]]
    return [
        ["・".join(words[:cut]) + "・", *rest]
        for cut in range(1, len(words) - n_lines + 2)
        for rest in _splits(words[cut:], n_lines - 1)
    ]


def per_1000_text(value: float) -> str:
    """A per-1,000 figure to about three significant digits, for bar labels.

    >>> per_1000_text(281.54), per_1000_text(20.619), per_1000_text(0.1252)
    ('281.5', '20.62', '0.125')
    """
    return f"{value:,.1f}" if value >= 100 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"


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
    fig, ax = plt.subplots(figsize=(10.2, 6.0))
    image = ax.imshow(n_series.to_numpy(), cmap="Greys", vmin=0, vmax=top * 1.3, aspect="auto")
    for i, city in enumerate(CITIES):
        for j, subtype in enumerate(SUBTYPES):
            n = int(n_series.loc[city, subtype])
            colour = "white" if n > top * 0.65 else "black"
            ax.text(j, i - 0.15, f"{n}", ha="center", va="center", fontsize=14, color=colour)
            text = unit_text(units.loc[city, subtype], n)
            ax.text(j, i + 0.25, text, ha="center", va="center", fontsize=MIN_FONT_PT, color=colour, linespacing=1.1)
    ax.set_xticks(range(len(SUBTYPES)), [wrap_title(display_label("subtype", s), 6) for s in SUBTYPES])
    ax.set_yticks(range(len(CITIES)), [CITY_LABELS[c] for c in CITIES])
    ax.set_xlabel("指標の区分(下段は単位)")
    ax.set_ylabel("市")
    ax.set_title("拠点・相談に関する指標の数(市 × 区分)")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colourbar = fig.colorbar(image, ax=ax, fraction=0.035, pad=0.02)
    colourbar.set_label("指標の数")
    colourbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


NO_SERIES_MARK = "—\n指標なし"
"""Written in a service panel where a city's sheets have no series of that service."""

NOT_COMPARABLE_MARK = "×\n比較できない"
"""Written (with the city's own figure) where a city reports the service but counts it another way."""


def main_group(findings: pd.DataFrame) -> str:
    """The comparison group of one service that most cities share (then most series, then name): the group a
    service panel draws as bars.

    >>> main_group(pd.DataFrame({"comparable_group": ["a", "b", "b"], "city": ["x", "x", "y"]}))
    'b'
    """
    return _most_reported(findings, "comparable_group")


def main_subtype(findings: pd.DataFrame) -> str:
    """The subtype of one service that most cities report (then most series, then name): what a panel with no bars
    shows first for each city, so a consultation service shows consultations before referrals.

    >>> main_subtype(pd.DataFrame({"subtype": ["v", "v", "k", "k", "k"], "city": ["x", "y", "z", "z", "z"]}))
    'v'
    """
    return _most_reported(findings, "subtype")


def _most_reported(findings: pd.DataFrame, column: str) -> str:
    """The value of ``column`` that the most cities report, then the most series, then the first by name."""
    cities = findings.groupby(column)["city"].nunique()
    series = findings.groupby(column).size()
    return str(sorted(cities.index, key=lambda v: (-int(cities[v]), -int(series[v]), str(v)))[0])


def own_figure_text(row: pd.Series) -> str:
    """What a city counts instead, under the not-comparable mark: latest value, unit, basis and year.

    >>> own_figure_text(pd.Series({"latest_value": 962.0, "unit": "人", "count_basis": "実", "latest_year": 2022}))
    '962人(実、2022)'
    """
    basis = "" if row["count_basis"] == "unstated" else f"{row['count_basis']}、"
    return f"{row['latest_value']:,.0f}{row['unit']}({basis}{int(row['latest_year'])})"


def plot_service_panels(findings: pd.DataFrame, fiscal_year: int, min_cities: int = 2) -> Figure:
    """One panel per service that at least ``min_cities`` cities report, the four cities side by side: bars for the
    series that count the service the same way (per 1,000 of its population where known, else the count), a plain
    mark where a city counts it another way or reports no series of it."""
    title = wrap_title(
        f"サービスごとの4市の比較({fiscal_year}年度または直近の年度、同じ数え方の指標だけを棒で表示)", 60
    )
    counts = findings.groupby("service")["city"].nunique() if not findings.empty else pd.Series(dtype=int)
    services = [s for s in dict.fromkeys(findings.get("service", [])) if counts.get(s, 0) >= min_cities]
    if not services:
        fig, ax = plt.subplots(figsize=(9.5, 1.6))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "複数の市が報告しているサービスがありません", ha="center", va="center")
        fig.suptitle(title)
        return fig
    ncols = 2
    nrows = -(-len(services) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(10.2, 3.6 * nrows + 1.0), squeeze=False, layout="constrained")
    for ax, service in zip(axes.flat, services, strict=False):
        _service_panel(ax, findings[findings["service"] == service])
    for ax in list(axes.flat)[len(services) :]:
        ax.set_axis_off()
    fig.suptitle(title)
    return fig


def _service_panel(ax: plt.Axes, part: pd.DataFrame) -> None:
    group = main_group(part)
    drawn = part[part["comparable_group"].eq(group) & part["comparable"]]
    scaled = not drawn.empty and drawn["per_1000"].notna().all()
    column = "per_1000" if scaled else "latest_value"
    top = float(drawn[column].max()) if not drawn.empty else 1.0
    for i, city in enumerate(CITIES):
        mine = drawn[drawn["city"] == city]
        others = part[(part["city"] == city) & ~part.index.isin(mine.index)]
        if not mine.empty:
            width = 0.7 / len(mine)
            for k, row in enumerate(mine.itertuples()):
                x = i - 0.35 + width * (k + 0.5)
                value = float(getattr(row, column))
                ax.bar(x, value, width * 0.9, color=PALETTE[i], hatch=HATCHES[i], edgecolor="black", linewidth=0.5)
                text = per_1000_text(value) if scaled else f"{value:,.0f}"
                ax.text(x, value, f"{text}\n({row.latest_year})", ha="center", va="bottom", fontsize=MIN_FONT_PT)
        elif not others.empty:  # texts alternate high and low so neighbouring cities' figures do not overlap
            # the city's series of the panel's own subtype first (its consultations before its referrals): the
            # drawn group's, or with no bars the one most cities report (白井市 339 相談実件数 before 187 referrals)
            lead = group.split("|")[1] if not drawn.empty else main_subtype(part)
            others = others.assign(_other=others["subtype"].ne(lead)).sort_values("_other", kind="stable")
            own = "\n".join(own_figure_text(r) for _, r in others.head(2).iterrows())
            ax.text(
                i,
                top * (0.7 if i % 2 else 0.3),
                f"{NOT_COMPARABLE_MARK}\n{own}",
                ha="center",
                va="center",
                fontsize=MIN_FONT_PT,
                color="#444444",
            )
        else:
            ax.text(
                i,
                top * (0.7 if i % 2 else 0.3),
                NO_SERIES_MARK,
                ha="center",
                va="center",
                fontsize=MIN_FONT_PT,
                color="#777777",
            )
    first = part.iloc[0]
    if drawn.empty:
        subtitle = "市ごとに数え方が違うため、棒にしていません"
    else:
        row = drawn.iloc[0]
        family = display_label("unit_family", row["unit_family"]) or str(row["unit"])
        basis = "" if row["count_basis"] == "unstated" else f"({row['count_basis']})"
        subtitle = f"{family}{basis}を比較:" + ("対象人口千人当たり" if scaled else "実数")
    ax.set_title(f"{wrap_title(str(first['service_ja']), 30)}\n{subtitle}", loc="left", fontsize=MIN_FONT_PT + 1)
    ax.set_xticks(range(len(CITIES)), [CITY_LABELS[c] for c in CITIES], fontsize=MIN_FONT_PT)
    ax.set_xlim(-0.6, len(CITIES) - 0.4)
    ax.set_ylim(0, top * 1.35)
    ax.tick_params(axis="y", labelsize=MIN_FONT_PT)
    if drawn.empty:  # no bars: an axis with numbers would suggest values that are not there
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    else:
        ax.set_ylabel("対象人口千人当たり" if scaled else "実数", fontsize=MIN_FONT_PT)


def plot_expansion(expansion: pd.DataFrame) -> Figure:
    """Hub counts over the fiscal years (log scale) from ``hub_expansion_frame``: overview series bold and solid,
    the progress sheets' series thin and dashed, each series with its own marker."""
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    if expansion.empty:
        # a manifest without a hub series (one city, a new format) still gets the figure, saying so
        ax.set_axis_off()
        ax.text(0.5, 0.5, "拠点の数を年度ごとに報告している資料はありません", ha="center", va="center", fontsize=12)
        return fig
    shown_per_city: dict[str, int] = {}
    for i, (_series_id, part) in enumerate(expansion.groupby("series_id", sort=False)):
        city, from_overview = part["city"].iloc[0], bool(part["from_overview"].iloc[0])
        k = shown_per_city.get(city, 0)
        shown_per_city[city] = k + 1
        label = wrap_title(f"{CITY_LABELS[city]} {part['indicator'].iloc[0]}({part['unit'].iloc[0]})", 36)
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
    overview = [CITY_LABELS[c] for c in CITIES if c in set(expansion.loc[expansion["from_overview"], "city"])]
    lead = f"{'・'.join(overview)}の拠点の広がり(概要資料)と他市の" if overview else ""
    ax.set_title(f"{lead}拠点の数")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig

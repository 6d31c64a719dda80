"""Figures of the hub and consultation analysis and their texts, on small crafted tables."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.hub_consultation import SUBTYPES
from helpers.views.hub_figures import (
    OVERVIEW_MARK,
    city_by_subtype,
    log_ticks,
    per_1000_label,
    per_1000_text,
    plot_expansion,
    plot_matrix_heatmap,
    plot_per_1000,
    unit_text,
)

OVERVIEW = "yamagata_fy2023_jusoteki_overview.txt"


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def coverage(cells: dict[tuple[str, str], tuple[int, str]]) -> pd.DataFrame:
    """A coverage matrix with every city and subtype: (n_series, units) where given, else no series."""
    rows = []
    for city in reversed(CITIES):
        for subtype in SUBTYPES:
            n_series, units = cells.get((city, subtype), (0, ""))
            rows.append({"city": city, "subtype": subtype, "n_series": n_series, "units": units})
    return pd.DataFrame(rows)


def test_city_by_subtype_follows_the_project_order():
    grid = city_by_subtype(coverage({("shiroi", "coordination"): (8, "回")}), "n_series")
    assert grid.index.tolist() == list(CITIES)
    assert grid.columns.tolist() == list(SUBTYPES)
    assert grid.loc["shiroi", "coordination"] == 8


def test_unit_text_wraps_after_two_units_and_marks_empty_cells():
    assert unit_text("人、件", 17) == "人・件"
    assert unit_text("か所、カ所、グループ", 4) == "か所・カ所・グループ"
    assert unit_text("か所、地区、拠点、箇所", 8) == "か所・地区・\n拠点・箇所"
    assert unit_text("", 0) == "—"


@pytest.mark.parametrize(
    ("value", "expected"), [(1234.56, "1,234.6"), (100.0, "100.0"), (20.619, "20.62"), (1.0, "1.00"), (0.004, "0.004")]
)
def test_per_1000_text_keeps_about_three_significant_digits(value, expected):
    assert per_1000_text(value) == expected


def test_per_1000_label_shortens_long_labels_and_marks_the_overview():
    long_label = "福祉まるごと相談員配置数(多機関コーディネーターも含む)"
    label = per_1000_label("yamagata", long_label, 2020, OVERVIEW, [OVERVIEW])
    assert label == f"山形市 {long_label[:23]}…(2020){OVERVIEW_MARK}"
    assert per_1000_label("ichinoseki", "相談者数", 2022, "i.txt", [OVERVIEW]) == "一関市 相談者数(2022)"


def test_log_ticks_stop_at_one_and_a_half_times_the_largest_value():
    assert log_ticks(24) == [1, 2, 3, 5, 10, 20, 30]
    assert log_ticks(400) == [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500]
    assert log_ticks(0.5) == []


def test_matrix_heatmap_writes_counts_and_units_in_every_cell(close_figures):
    matrix = coverage(
        {("yamagata", "hub_places"): (8, "か所、地区、拠点、箇所"), ("shiroi", "coordination"): (2, "回")}
    )
    fig = plot_matrix_heatmap(matrix)
    ax, colourbar = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 2 * len(CITIES) * len(SUBTYPES)
    assert texts[:2] == ["8", "か所・地区・\n拠点・箇所"]
    assert texts.count("—") == len(CITIES) * len(SUBTYPES) - 2
    assert ax.texts[0].get_color() == "white" and ax.texts[-2].get_color() == "black"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["山形市", "山口市", "一関市", "白井市"]
    assert colourbar.get_ylabel() == "系列数"


def test_per_1000_draws_one_panel_per_group_with_city_styles(close_figures):
    latest = pd.DataFrame(
        {
            "comparable_group": ["consultation_volume|cases|unstated|all|city"] * 2
            + ["hub_places|places|unstated|all|city"] * 3,
            "city": ["yamagata", "shiroi", "yamagata", "yamaguchi", "shiroi"],
            "label_ja": ["相談件数〔一般介護予防事業〕", "相談件数", "拠点数", "サロン", "活動拠点数"],
            "fiscal_year": [2022, 2022, 2022, 2021, 2022],
            "source_file": ["y.txt", "s.txt", OVERVIEW, "g.txt", "s.txt"],
            "per_1000": [20.619, 33.616, 0.097, 1.5, 0.144],
        }
    )
    fig = plot_per_1000(latest, [OVERVIEW], 2022)
    assert len(fig.axes) == 2
    first, second = fig.axes
    assert first.get_title(loc="left") == "相談の量・件数・基準の記載なし・全体・市全体"
    assert [t.get_text() for t in second.get_yticklabels()] == [
        f"山形市 拠点数(2022){OVERVIEW_MARK}",
        "山口市 サロン(2021)",
        "白井市 活動拠点数(2022)",
    ]
    assert [t.get_text() for t in first.texts] == ["20.62", "33.62"]
    assert [p.get_hatch() for p in second.patches] == ["", "//", "xx"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["山形市", "山口市", "一関市", "白井市"]
    assert "2022年度" in fig.get_suptitle()


def test_expansion_draws_one_line_per_series_with_overview_lines_solid(close_figures):
    expansion = pd.DataFrame(
        {
            "city": ["yamagata"] * 3 + ["shiroi"] * 2,
            "series_id": ["y|o"] * 3 + ["s|1"] * 2,
            "indicator": ["拠点数"] * 3 + ["活動拠点数"] * 2,
            "unit": ["拠点"] * 3 + ["箇所"] * 2,
            "fiscal_year": [2017, 2018, 2022, 2021, 2022],
            "value": [3.0, 11.0, 24.0, 8.0, 9.0],
            "from_overview": [True] * 3 + [False] * 2,
        }
    )
    fig = plot_expansion(expansion)
    (ax,) = fig.axes
    overview_line, sheet_line = ax.get_lines()
    assert overview_line.get_label() == f"山形市 拠点数(拠点){OVERVIEW_MARK}"
    assert (overview_line.get_linestyle(), sheet_line.get_linestyle()) == ("-", "--")
    assert overview_line.get_linewidth() > sheet_line.get_linewidth()
    assert (overview_line.get_marker(), sheet_line.get_marker()) == ("o", "s")
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3", "5", "10", "20", "30"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in range(2017, 2023)]


def test_per_1000_without_comparable_groups_says_so(close_figures):
    empty = pd.DataFrame(columns=["comparable_group", "city", "label_ja", "fiscal_year", "source_file", "per_1000"])
    fig = plot_per_1000(empty, [], 2022)
    assert [t.get_text() for t in fig.axes[0].texts] == ["複数の市で比較できる系列がありません"]

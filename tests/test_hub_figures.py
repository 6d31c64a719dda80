"""Figures of the hub and consultation analysis and their texts, on small crafted tables."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.hub_consultation import SUBTYPES
from helpers.views.hub_figures import (
    NO_SERIES_MARK,
    NOT_COMPARABLE_MARK,
    OVERVIEW_MARK,
    city_by_subtype,
    log_ticks,
    main_group,
    own_figure_text,
    per_1000_text,
    plot_expansion,
    plot_matrix_heatmap,
    plot_service_panels,
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


def test_unit_text_wraps_to_the_cell_width_and_marks_empty_cells():
    assert unit_text("人、件", 17) == "人・件"
    assert unit_text("か所、カ所、グループ", 4) == "か所・カ所・\nグループ"
    assert unit_text("か所、地区、拠点、箇所", 8) == "か所・地区・\n拠点・箇所"
    assert unit_text("件、回、地区社協", 10) == "件・回・\n地区社協"  # 山口市 連携・会議
    assert unit_text("", 0) == "—"


def test_matrix_heatmap_unit_lines_stay_inside_their_cells(close_figures):
    """山口市's units (か所・カ所・グループ・サロン, 件・回・地区社協) ran into the next cell when written on one or two
    lines: every unit line is now narrower than its cell."""
    matrix = coverage(
        {
            ("yamaguchi", "hub_places"): (7, "か所、カ所、グループ、サロン"),
            ("yamaguchi", "coordination"): (10, "件、回、地区社協"),
            ("yamagata", "consultation_system"): (6, "か所、人、件、名"),
        }
    )
    fig = plot_matrix_heatmap(matrix)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    cell = ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]
    for text in ax.texts[1::2]:
        assert text.get_window_extent(renderer).width < cell, text.get_text()


@pytest.mark.parametrize(
    ("value", "expected"), [(1234.56, "1,234.6"), (100.0, "100.0"), (20.619, "20.62"), (1.0, "1.00"), (0.004, "0.004")]
)
def test_per_1000_text_keeps_about_three_significant_digits(value, expected):
    assert per_1000_text(value) == expected


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
    assert colourbar.get_ylabel() == "指標の数"


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


def _finding(city, service, group, comparable, value, per_1000=float("nan"), **kw):
    """One row of ``service_findings`` with what the panels read."""
    return {
        "service": service,
        "service_ja": {
            "jukyo_kakuho": "住居確保給付金の相談",
            "kayoi_no_ba": "通いの場",
            "hikikomori": "ひきこもり相談",
        }[service],
        "city": city,
        "subtype": kw.get("subtype", "consultation_volume"),
        "indicator": kw.get("indicator", "相談件数"),
        "unit": kw.get("unit", "件"),
        "unit_family": kw.get("unit_family", "cases"),
        "count_basis": kw.get("count_basis", "unstated"),
        "latest_year": kw.get("year", 2022),
        "latest_value": value,
        "comparable_group": group,
        "comparable": comparable,
        "per_1000": per_1000,
    }


def test_service_panels_put_the_cities_side_by_side_with_plain_marks(close_figures):
    housing = "jukyo_kakuho|consultation_volume|cases|unstated|all|city"
    findings = pd.DataFrame(
        [
            # yamagata_fy2022_progress_sheet.txt:296 and shiroi_fy2022_progress_sheet.txt:478
            _finding("yamagata", "jukyo_kakuho", housing, True, 72, 0.290803),
            _finding("shiroi", "jukyo_kakuho", housing, True, 11, 0.176166),
            # 通いの場: places and participants in 山形市, continuing groups in 山口市 (never one scale)
            _finding("yamagata", "kayoi_no_ba", "k|places", False, 104, subtype="hub_places", unit="箇所"),
            _finding(
                "yamaguchi", "kayoi_no_ba", "k|groups", False, 136, subtype="hub_places", unit="グループ", year=2021
            ),
            # only one city: no panel
            _finding("yamagata", "hikikomori", "h|cases", False, 31),
        ]
    )
    fig = plot_service_panels(findings, 2022)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [ax.get_title(loc="left").split("\n")[0] for ax in panels] == ["住居確保給付金の相談", "通いの場"]
    housing_ax, kayoi_ax = panels
    assert [round(p.get_height(), 3) for p in housing_ax.patches] == [0.291, 0.176]
    assert [p.get_hatch() for p in housing_ax.patches] == ["", "xx"]
    assert "対象人口千人当たり" in housing_ax.get_title(loc="left")
    assert [t.get_text() for t in housing_ax.texts].count(NO_SERIES_MARK) == 2
    assert not kayoi_ax.patches and kayoi_ax.get_yticks().size == 0
    texts = [t.get_text() for t in kayoi_ax.texts]
    assert f"{NOT_COMPARABLE_MARK}\n104箇所(2022)" in texts and f"{NOT_COMPARABLE_MARK}\n136グループ(2021)" in texts
    assert texts.count(NO_SERIES_MARK) == 2
    assert [t.get_text() for t in kayoi_ax.get_xticklabels()] == ["山形市", "山口市", "一関市", "白井市"]


def test_service_panels_without_a_shared_service_say_so(close_figures):
    fig = plot_service_panels(pd.DataFrame([_finding("yamagata", "hikikomori", "h", False, 31)]), 2022)
    assert [t.get_text() for t in fig.axes[0].texts] == ["複数の市が報告しているサービスがありません"]


def test_the_panel_draws_the_group_most_cities_share():
    part = pd.DataFrame({"comparable_group": ["b", "a", "a", "c"], "city": ["x", "x", "y", "y"]})
    assert main_group(part) == "a"
    row = pd.Series({"latest_value": 8915.0, "unit": "件", "count_basis": "延べ", "latest_year": 2020})
    assert own_figure_text(row) == "8,915件(延べ、2020)"


def test_a_panel_without_bars_shows_each_city_s_series_of_the_service_s_main_subtype_first(close_figures):
    """生活困窮者自立相談: 白井市 reports two referral counts (187, 124) and its consultations (339); with no bars, the
    panel names the consultations, the subtype most cities report, not the referrals."""
    findings = pd.DataFrame(
        [
            {"service": "konkyu_jiritsu", "service_ja": "生活困窮者自立相談", "city": city, "subtype": subtype,
             "latest_value": value, "unit": unit, "count_basis": basis, "latest_year": 2022,
             "comparable_group": f"konkyu_jiritsu|{subtype}|{unit}|{basis}", "comparable": False,
             "per_1000": float("nan"), "unit_family": "cases"}
            for city, subtype, value, unit, basis in (
                ("yamagata", "consultation_volume", 962.0, "人", "実"),
                ("ichinoseki", "consultation_volume", 451.0, "人", "延べ"),
                ("shiroi", "coordination", 187.0, "件", "unstated"),
                ("shiroi", "coordination", 124.0, "件", "unstated"),
                ("shiroi", "consultation_volume", 339.0, "件", "実"),
            )
        ]
    )  # fmt: skip
    fig = plot_service_panels(findings, 2022)
    texts = [t.get_text() for t in fig.axes[0].texts]
    shiroi = next(t for t in texts if "187件" in t or "339件" in t)
    assert "339件(実、2022)" in shiroi and "124件" not in shiroi  # two lines: the consultations, then one referral
    assert shiroi.index("339件") < shiroi.index("187件")

"""Views and figures of the COVID analysis, on small crafted tables."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.analysis.covid_text import EFFECTS, EVENT_COLUMNS
from helpers.analysis.covid_trajectories import (
    TrajectoryParams,
    attribution_counts,
    classify_trajectories,
    status_counts,
)
from helpers.views.covid_figures import (
    demand_counts,
    event_timeline,
    grade_matrix,
    indexed_series_frame,
    measure_labels,
    plot_demand,
    plot_grade_heatmap,
    plot_indexed_series,
    plot_status_by_city,
    plot_timeline,
    stall_line_checks,
    stall_list,
)
from helpers.views.labels import label_ja


def grade_row(measure_id, year, letter, indicator="参加人数"):
    return {
        "city": "shiroi",
        "measure_id": measure_id,
        "fiscal_year": year,
        "indicator": indicator,
        "grade": letter,
        "progress": "",
        "source_file": "s.txt",
        "source_line": 1,
    }


def test_grade_matrix_takes_the_worst_grade_and_orders_measures():
    evaluations = pd.DataFrame(
        [
            grade_row("shiroi-no10", 2020, "B"),
            grade_row("shiroi-no2", 2020, "A"),
            grade_row("shiroi-no2", 2020, "D", indicator="回数"),
            grade_row("shiroi-no2", 2021, ""),
            grade_row("shiroi-no2", 2023, "A"),
        ]
    )
    matrix = grade_matrix(evaluations, latest_year=2022)
    assert matrix.index.tolist() == ["shiroi-no2", "shiroi-no10"]
    assert matrix.columns.tolist() == [2020]
    assert matrix.loc["shiroi-no2", 2020] == "D"


def test_measure_labels_use_the_sheet_number():
    measures = pd.DataFrame({"measure_id": ["shiroi-no05"], "measure": ["庁内の横断的な連携体制の推進"]})
    assert measure_labels(measures, ["shiroi-no05"], width=10) == [
        "No.5 庁内の横断\n的な連携体制の推進"
    ]  # wrapped, not cut


def obs(year, value, kind="actual", indicator="参加人数", measure_id="m1"):
    return {
        "city": "yamaguchi",
        "measure_id": measure_id,
        "measure": "取組",
        "indicator": indicator,
        "fiscal_year": year,
        "value_kind": kind,
        "value": value,
        "unit": "人",
        "count_basis": "",
        "note": "",
        "series_break": False,
        "value_raw": f"{value}人",
        "source_file": "y.txt",
        "source_line": year - 2000,
    }


def classified(indicators: pd.DataFrame) -> pd.DataFrame:
    """Crafted observations classified (no sentences, no grades, no link file)."""
    empty = pd.DataFrame(columns=["city", "measure_id", "fiscal_year", "value_kind", "text", "source_file",
                                  "source_line"])  # fmt: skip
    grades = pd.DataFrame(columns=["city", "measure_id", "fiscal_year", "grade", "source_file", "source_line"])
    events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    return classify_trajectories(indicators, empty, grades, events, PARAMS, link_rules=())


PARAMS = TrajectoryParams(latest_year=2022)


def test_indexed_series_show_only_series_that_fell():
    indicators = pd.DataFrame(
        [obs(2020, 0), obs(2021, 2), obs(2022, 232)]
        + [obs(y, v, indicator="会議回数") for y, v in ((2020, 10), (2021, 12), (2022, 11))]
        + [obs(y, v, indicator="相談件数") for y, v in ((2020, 95), (2021, 46), (2022, 11))]
    )
    frame = indexed_series_frame(classified(indicators), indicators, PARAMS)
    assert frame["indicator"].unique().tolist() == ["参加人数"]
    assert frame["index"].tolist() == [0.0, round(200 / 232, 6), 100.0]
    checks = stall_line_checks(frame, PARAMS)
    assert checks["below_stall_line"].all()


def test_panel_labels_are_unique_per_series():
    indicators = pd.DataFrame(
        [obs(y, v, measure_id=m) for m in ("yamaguchi-1-1", "yamaguchi-1-2") for y, v in ((2020, 0), (2022, 9))]
    )
    frame = indexed_series_frame(classified(indicators), indicators, PARAMS)
    assert frame.groupby("label")["measure_id"].nunique().eq(1).all()
    assert frame["label"].nunique() == 2


def test_demand_series_are_counted_apart_by_direction():
    indicators = pd.DataFrame(
        [obs(y, v, indicator="相談件数") for y, v in ((2020, 95), (2021, 46), (2022, 11))]
        + [obs(y, v, indicator="申請件数") for y, v in ((2020, 15), (2022, 58))]
        + [obs(y, v) for y, v in ((2020, 0), (2021, 2), (2022, 232))]
    )
    counts = demand_counts(classified(indicators))
    assert counts.loc["yamaguchi"].to_dict() == {"rose": 1, "flat": 0, "fell": 1}


def event(city, year, effect, evidence, kind="actual", measure_id="m1"):
    return dict(
        zip(EVENT_COLUMNS, [city, measure_id, year, year, kind, effect, evidence, "f.txt", 1], strict=True),
    )


def test_timeline_counts_distinct_result_sentences_with_zeros():
    events = pd.DataFrame(
        [
            event("shiroi", 2020, "cancelled", "A"),
            event("shiroi", 2020, "cancelled", "A"),
            event("shiroi", 2022, "resumed", "B"),
            event("shiroi", 2023, "cancelled", "C"),
            event("yamaguchi", 2022, "moved_format", "D", kind="plan"),
        ]
    )
    timeline = event_timeline(events, latest_year=2022)
    assert timeline["city"].unique().tolist() == ["yamaguchi", "shiroi"]
    assert len(timeline) == 2 * 3 * (len(EFFECTS) - 1)  # stops with no cause stated name no pandemic
    assert "stopped_no_cause" not in set(timeline["effect"])
    nonzero = timeline[timeline["n_sentences"] > 0]
    assert nonzero[["city", "fiscal_year", "effect", "n_sentences"]].values.tolist() == [
        ["shiroi", 2020, "cancelled", 1],
        ["shiroi", 2022, "resumed", 1],
    ]


def test_stall_list_shows_stalled_rows_in_status_order():
    indicators = pd.DataFrame(
        [obs(y, v) for y, v in ((2020, 0), (2021, 2), (2022, 232))]
        + [obs(y, v, indicator="教室回数", measure_id="m2") for y, v in ((2019, 40), (2020, 5), (2022, 10))]
    )
    got = stall_list(classified(indicators), "yamaguchi")
    assert got["status"].tolist() == [
        label_ja("status", "stalled_recovered"),
        label_ja("status", "stalled_not_recovered"),
    ]
    assert got["activity"].tolist() == ["参加人数", "教室回数"]
    assert got["stall evidence"].tolist()[0] == "2020年度 0人 (y.txt:20)"


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def test_figures_draw(close_figures):
    indicators = pd.DataFrame(
        [obs(y, v) for y, v in ((2020, 0), (2021, 2), (2022, 232))]
        + [obs(y, v, indicator="相談件数") for y, v in ((2020, 95), (2021, 46), (2022, 11))]
    )
    table = classified(indicators)
    fig = plot_status_by_city(status_counts(table), attribution_counts(table))
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel() == "活動の数"
    matrix = pd.DataFrame({2020: ["D", ""], 2021: ["B", "A"]}, index=["shiroi-no1", "shiroi-no2"])
    assert len(plot_grade_heatmap(matrix, ["No.1 a", "No.2 b"], "shiroi").axes) == 1
    indexed = indexed_series_frame(table, indicators, PARAMS)
    fig = plot_indexed_series(indexed, PARAMS, n_cols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 1 and titles[0].startswith("山口市 No.")
    assert len(plot_demand(demand_counts(table)).axes) == 1
    timeline = event_timeline(pd.DataFrame([event("shiroi", 2020, "cancelled", "A")]), latest_year=2021)
    assert len(plot_timeline(timeline).axes) == 1


def test_show_figure_shows_the_saved_png(tmp_path, monkeypatch, close_figures):
    """The notebook shows the published PNG itself, at the inline view's size, and the figure is closed."""
    import IPython.display

    from helpers.views.figures import show_figure

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    with plt.rc_context({"figure.dpi": 100, "savefig.dpi": 150}):
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot([0, 1], [1, 0])
        show_figure(fig, tmp_path, "line")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["line.png", "line.svg"]
    assert not plt.fignum_exists(fig.number)
    (image,) = shown
    assert image.data == (tmp_path / "line.png").read_bytes()
    pixels = int.from_bytes(image.data[16:20], "big")  # the PNG's width: 4 in at 150 dpi, less the trimmed margin
    assert 500 < pixels <= 600
    assert image.width == round(pixels * 100 / 150)  # shown at the inline view's 100 dpi


def test_indexed_series_break_the_line_at_a_year_without_a_value(close_figures):
    """A panel whose sheet skips a year (山形市 has no FY2021 value) shows a gap there, and the legend says so."""
    rows = [(2019, 100.0), (2020, 10.0), (2022, 90.0)]
    indexed = pd.DataFrame(
        [
            {"city": "yamagata", "measure_id": "m", "indicator": "i", "label": "A", "status": "stalled_recovered",
             "reference_basis": "pre_pandemic", "reference_year": 2019, "fiscal_year": y, "value": v, "index": v}
            for y, v in rows
        ]
    )  # fmt: skip
    fig = plot_indexed_series(indexed, PARAMS, n_cols=1)
    (line,) = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2]
    assert list(line.get_xdata()) == [0, 1, 2, 3]
    assert [str(v) for v in line.get_ydata()] == ["100.0", "10.0", "nan", "90.0"]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "線の切れ目:その年度の値が資料にない" in labels

"""Views and figures of the COVID analysis, on small crafted tables."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.analysis.covid_text import EFFECTS, EVENT_COLUMNS
from helpers.analysis.covid_trajectories import STATUSES, TrajectoryParams, status_counts
from helpers.views.covid_figures import (
    REFERENCE_STEP,
    event_timeline,
    grade_matrix,
    indexed_series_frame,
    measure_labels,
    plot_grade_heatmap,
    plot_indexed_series,
    plot_status_by_city,
    plot_timeline,
    stall_list,
)


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
    assert measure_labels(measures, ["shiroi-no05"], width=10) == ["No.5 庁内の横…"]


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


def trajectory(status, evidence, reference_value, indicator="参加人数", measure_id="m1"):
    return {
        "city": "yamaguchi",
        "measure_id": measure_id,
        "indicator": indicator,
        "status": status,
        "evidence": evidence,
        "reference_value": reference_value,
    }


def test_indexed_series_start_at_the_reference():
    indicators = pd.DataFrame([obs(2020, 20, kind="target"), obs(2021, 5), obs(2022, 30, kind="plan")])
    indicators = pd.concat(
        [indicators, pd.DataFrame([obs(2021, 0, kind="target", indicator="回数"), obs(2021, 3, indicator="回数")])]
    )
    trajectories = pd.DataFrame(
        [
            trajectory("stalled_not_recovered", "numeric", 20),
            trajectory("stalled_recovered", "grade+numeric", 0, indicator="回数"),
        ]
    )
    frame = indexed_series_frame(trajectories, indicators, TrajectoryParams(latest_year=2022))
    assert frame["step"].tolist() == [REFERENCE_STEP, "2021"]
    assert frame["index"].tolist() == [100.0, 25.0]
    assert frame["reference_basis"].unique().tolist() == ["target"]


def test_text_only_stalls_are_not_indexed():
    indicators = pd.DataFrame([obs(2020, 20), obs(2021, 19)])
    trajectories = pd.DataFrame([trajectory("stalled_not_recovered", "text", 20)])
    assert indexed_series_frame(trajectories, indicators, TrajectoryParams()).empty


def event(city, year, effect, evidence, kind="actual", measure_id="m1"):
    return dict(
        zip(EVENT_COLUMNS, [city, measure_id, year, kind, effect, evidence, "f.txt", 1], strict=True),
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
    assert len(timeline) == 2 * 3 * len(EFFECTS)
    nonzero = timeline[timeline["n_sentences"] > 0]
    assert nonzero[["city", "fiscal_year", "effect", "n_sentences"]].values.tolist() == [
        ["shiroi", 2020, "cancelled", 1],
        ["shiroi", 2022, "resumed", 1],
    ]


def test_stall_list_shows_stalled_rows_in_status_order():
    table = pd.DataFrame(
        [
            ("shiroi", "no10", "B", "x", "stalled_not_recovered", 2020, None, "grade", "", 5),
            ("shiroi", "no2", "A", "x", "stalled_recovered", 2020, 2022, "text", "…再開", 3),
            ("shiroi", "no3", "C", "x", "not_stalled", None, None, "numeric", "", 4),
            ("yamagata", "z", "D", "x", "stalled_recovered", 2020, 2022, "text", "…", 9),
        ],
        columns=[
            "city",
            "measure_id",
            "measure",
            "indicator",
            "status",
            "stall_year",
            "recovery_year",
            "evidence",
            "quote",
            "source_line",
        ],
    )
    got = stall_list(table, "shiroi")
    assert got["status"].tolist() == ["停滞→回復", "停滞→未回復"]
    assert got["measure"].tolist() == ["A", "B"]
    assert got.columns.tolist() == [
        "status",
        "measure",
        "indicator",
        "stalled",
        "recovered",
        "evidence",
        "quote",
        "line",
    ]


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


def test_figures_draw(close_figures):
    table = pd.DataFrame({"city": ["shiroi", "yamagata"], "status": ["not_stalled", "stalled_recovered"]})
    counts = status_counts(table)
    fig = plot_status_by_city(counts, counts)
    assert len(fig.axes) == 2
    assert len(fig.legends[0].get_texts()) == len(STATUSES)
    matrix = pd.DataFrame({2020: ["D", ""], 2021: ["B", "A"]}, index=["shiroi-no1", "shiroi-no2"])
    assert len(plot_grade_heatmap(matrix, ["No.1 a", "No.2 b"]).axes) == 1
    indexed = pd.DataFrame(
        {
            "city": ["shiroi"] * 2,
            "measure_id": ["m"] * 2,
            "indicator": ["参加人数"] * 2,
            "status": ["stalled_recovered"] * 2,
            "reference_year": [2020] * 2,
            "reference_basis": ["first_year"] * 2,
            "step": [REFERENCE_STEP, "2021"],
            "fiscal_year": pd.array([pd.NA, 2021], dtype="Int64"),
            "value": [10.0, 3.0],
            "index": [100.0, 30.0],
        }
    )
    assert len(plot_indexed_series(indexed, TrajectoryParams(), n_cols=3).axes) == 3
    timeline = event_timeline(pd.DataFrame([event("shiroi", 2020, "cancelled", "A")]), latest_year=2021)
    assert len(plot_timeline(timeline).axes) == 1

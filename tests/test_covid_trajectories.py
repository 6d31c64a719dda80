"""Each status rule of the COVID classification on crafted tables: one activity, its series, grades and sentences.

The sentences are real ones from the sheets (file:line in each test); the numbers are crafted to isolate one rule.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.covid_series import Point, is_ramp_up, reference_point
from helpers.analysis.covid_text import detect_covid_events
from helpers.analysis.covid_trajectories import (
    STALLED_STATUSES,
    STATUSES,
    TrajectoryParams,
    check_trajectories,
    classify_trajectories,
    sensitivity_summary,
    sensitivity_table,
    status_counts,
)

FILE = "crafted.txt"
PARAMS = TrajectoryParams(latest_year=2022)


def frames(
    series: dict[str, dict[int, float]] | None = None,
    *,
    targets: dict[str, dict[int, float]] | None = None,
    plans: dict[str, dict[int, float]] | None = None,
    unit: str = "回",
    grades: dict[int, str] | None = None,
    sentences: list[tuple[int, str, str]] = (),
    measure_id: str = "shiroi-no99",
) -> dict[str, pd.DataFrame]:
    """Tables for one measure: ``series`` label → {year: value}; sentences (year, value_kind, text) as activities."""
    rows = []
    line = 10
    for kind, data in (("actual", series or {}), ("target", targets or {}), ("plan", plans or {})):
        for label, values in data.items():
            for year, value in values.items():
                line += 1
                rows.append(
                    {
                        "city": "shiroi",
                        "measure_id": measure_id,
                        "measure": "試験の取組",
                        "indicator": label,
                        "fiscal_year": year,
                        "value_kind": kind,
                        "value": value,
                        "unit": unit,
                        "count_basis": "",
                        "note": "",
                        "series_break": False,
                        "value_raw": f"{value:g}",
                        "source_file": FILE,
                        "source_line": line,
                    }
                )
    indicators = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if indicators.empty:
        indicators = pd.DataFrame(
            columns=["city", "measure_id", "measure", "indicator", "fiscal_year", "value_kind", "value", "unit",
                     "count_basis", "note", "series_break", "value_raw", "source_file", "source_line"]
        )  # fmt: skip
    activities = pd.DataFrame(
        [
            {"city": "shiroi", "measure_id": measure_id, "fiscal_year": year, "value_kind": kind, "text": text,
             "source_file": FILE, "source_line": 100 + i}
            for i, (year, kind, text) in enumerate(sentences)
        ],
        columns=["city", "measure_id", "fiscal_year", "value_kind", "text", "source_file", "source_line"],
    )  # fmt: skip
    evaluations = pd.DataFrame(
        [
            {"city": "shiroi", "measure_id": measure_id, "fiscal_year": y, "grade": g, "source_file": FILE,
             "source_line": 200 + y - 2020}
            for y, g in (grades or {}).items()
        ],
        columns=["city", "measure_id", "fiscal_year", "grade", "source_file", "source_line"],
    )  # fmt: skip
    return {"indicators": indicators, "activities": activities, "evaluations": evaluations}


def classify(tables: dict[str, pd.DataFrame], params: TrajectoryParams = PARAMS) -> pd.DataFrame:
    """The crafted tables classified without the reviewed link file."""
    events = detect_covid_events(tables["activities"], tables["indicators"])
    table = classify_trajectories(
        tables["indicators"], tables["activities"], tables["evaluations"], events, params, link_rules=()
    )
    check_trajectories(table)
    return table


def row(table: pd.DataFrame, activity: str) -> pd.Series:
    """The one row of an activity."""
    rows = table[table["activity"] == activity]
    assert len(rows) == 1, table[["activity", "status"]]
    return rows.iloc[0]


# --- references -------------------------------------------------------------------------------------------------


def pts(*values: float, start: int = 2020) -> list[Point]:
    return [Point(start + i, v, str(v), FILE, 1 + i) for i, v in enumerate(values)]


def test_a_roll_out_is_no_reference_but_a_zero_start_is():
    """情報の提供者数 4 → 26 → 85 (shiroi:373) is a roll-out; 市内の参加者数 0 → 2 → 232 (shiroi:412) a stop."""
    assert is_ramp_up(pts(4, 26, 85))
    assert not is_ramp_up(pts(0, 2, 232))


def test_a_plan_target_is_never_the_reference():
    table = classify(frames({"講座開催回数": {2021: 3}}, targets={"講座開催回数": {2021: 12}}))
    r = row(table, "講座開催回数")
    assert r["status"] == "insufficient_data"
    assert r["reference_basis"] == ""
    assert r["plan_target"] == 12 and r["plan_ratio"] == 0.25


def test_pre_pandemic_actual_is_the_reference():
    from helpers.analysis.covid_series import Series

    s = Series("c", "m", "", "開催回数", "回", "activity", tuple(pts(10, 2, 9, start=2019)), (), (), False, False,
               frozenset(), "")  # fmt: skip
    ref, basis, _ = reference_point(s, 2020)
    assert (ref.year, basis) == (2019, "pre_pandemic")


# --- stalls -----------------------------------------------------------------------------------------------------


def test_zero_in_the_pandemic_years_then_back_is_stalled_recovered_by_pattern():
    table = classify(frames({"市内の参加者数": {2020: 0, 2021: 2, 2022: 232}}, unit="人"))
    r = row(table, "市内の参加者数")
    assert (r["status"], r["attribution"], r["stall_year"], r["recovery_year"]) == (
        "stalled_recovered",
        "timing",
        2020,
        2022,
    )
    assert r["reference_basis"] == "latest_year" and r["reference_value"] == 232
    assert r["quote"] == "2020年度 0" and r["source_file"] == FILE


def test_a_fall_smaller_than_the_threshold_is_not_stalled():
    table = classify(frames({"会議の実施回数": {2020: 17, 2021: 16, 2022: 26}}))
    assert row(table, "会議の実施回数")["status"] == "not_stalled"


def test_a_tiny_count_does_not_decide():
    """0 → 1 is nothing against its later level, but by less than ``min_change``: not read as a fall."""
    table = classify(frames({"会議の開催回数": {2020: 0, 2022: 1}}))
    assert row(table, "会議の開催回数")["status"] == "not_stalled"
    loose = classify(frames({"会議の開催回数": {2020: 0, 2022: 1}}), TrajectoryParams(latest_year=2022, min_change=1))
    assert row(loose, "会議の開催回数")["status"] == "stalled_recovered"


def test_demand_and_stock_series_never_stall_by_their_numbers():
    table = classify(frames({"相談受付件数": {2020: 95, 2021: 46, 2022: 11}, "協定数": {2020: 2, 2022: 40}}, unit="件"))
    demand, stock = row(table, "相談受付件数"), row(table, "協定数")
    assert demand["indicator_kind"] == "demand" and demand["status"] not in STALLED_STATUSES
    assert demand["demand_change"] == "fell"
    assert stock["indicator_kind"] == "stock" and stock["status"] not in STALLED_STATUSES


def test_a_sentence_stall_with_a_later_resume_is_recovered():
    """白井市 No.8 (shiroi_fy2022_progress_sheet.txt:110): halted in FY2021, back in FY2022, in one sentence."""
    sentence = (
        "3年度は新型コロナウイルス感染症の影響により休止せざるを得ない活動もあったが、"
        "4年度はコロナ前と同程度の地域における支え合い活動を継続することができた。"
    )
    table = classify(frames(sentences=[(2022, "actual", sentence)]))
    (r,) = table.itertuples()
    assert (r.status, r.attribution, r.stall_year, r.recovery_year) == ("stalled_recovered", "sheet", 2021, 2022)
    assert r.row_basis == "sentence"


def test_a_cancelled_activity_named_in_a_later_plan_is_planned():
    """山口市 福祉員研修会 (yamaguchi:885 → :891)."""
    table = classify(
        frames(
            sentences=[
                (
                    2021,
                    "actual",
                    "福祉の輪づくり運動関係者及び福祉員研修会は新型コロナウイルス感染症拡大防止対策のため中止",
                ),
                (2022, "plan", "福祉の輪づくり運動関係者及び福祉員研修会の開催方法を検討"),
            ]
        )
    )
    r = row(table, "輪づくり運動関係者及び福祉員研修会")
    assert r["status"] == "stalled_planned"
    assert r["recovery_quote"] == "福祉の輪づくり運動関係者及び福祉員研修会の開催方法を検討"
    assert pd.isna(r["recovery_year"])


def test_a_stall_with_nothing_later_is_recovery_not_observed():
    """一関市 設置訓練 (ichinoseki:282): cancelled in FY2022, no later year in the sheet."""
    sentence = "岩手県災害ボランティアセンター設置訓練を予定していたが、新型コロナウイルス感染拡大の影響で中止となった"
    table = classify(frames(sentences=[(2022, "actual", sentence)]))
    assert row(table, "岩手県災害ボランティアセンター設置訓練")["status"] == "stalled_recovery_not_observed"


def test_a_stall_reported_again_in_a_later_year_is_not_recovered():
    """市ふれあいレク大会 (yamaguchi:520, :526): cancelled in FY2021 and again in the FY2022 column."""
    table = classify(
        frames(
            sentences=[
                (2021, "actual", "市ふれあいレク大会は新型コロナウイルス感染症拡大防止対策のため中止"),
                (2022, "plan", "市ふれあいレク大会を開催予定であったが新型コロナウイルス感染症拡大防止のため中止"),
            ]
        )
    )
    r = row(table, "市ふれあいレク大会")
    assert r["status"] == "stalled_not_recovered"
    assert r["recovery_quote"].startswith("市ふれあいレク大会を開催予定であったが")


def test_a_later_actual_still_down_against_a_pre_pandemic_level_is_not_recovered():
    table = classify(frames({"教室開催回数": {2019: 40, 2020: 5, 2022: 10}}))
    r = row(table, "教室開催回数")
    assert (r["status"], r["reference_basis"]) == ("stalled_not_recovered", "pre_pandemic")
    assert r["recovery_quote"] == "2022年度 10" and r["recovery_line"] == 13


def test_held_in_another_format_is_not_stalled():
    """災害ボランティア研修会 (yamaguchi:42): hybrid."""
    sentence = (
        "災害ボランティア研修会は、新型コロナウイルス感染症拡大防止のため会場とオンライン併用のハイブリッドで開催"
    )
    table = classify(frames(sentences=[(2021, "actual", sentence)]))
    (r,) = table.itertuples()
    assert (r.status, r.rule) == ("not_stalled", "held:another format")


def test_a_mention_where_nothing_stopped_is_not_stalled():
    """一関市 児童保育課 (ichinoseki:243)."""
    sentence = (
        "新型コロナウイルスの流行下でありながらも、各児童保育施設の創意工夫により、地域で開催される様々な行事に参加し"
    )
    table = classify(frames(sentences=[(2022, "actual", sentence)]))
    (r,) = table.itertuples()
    assert r.status == "not_stalled"


@pytest.mark.parametrize(
    ("grades", "status"),
    [
        pytest.param({2020: "C", 2021: "C", 2022: "C"}, "delayed_cause_not_stated", id="C-every-year"),
        pytest.param({2020: "A", 2021: "A", 2022: "C"}, "delayed_cause_not_stated", id="C-only-latest"),
        pytest.param({2020: "A", 2021: "B", 2022: "A"}, "not_stalled", id="good"),
    ],
)
def test_grades_that_do_not_follow_the_pandemic_years(grades, status):
    table = classify(frames({"創出したサービス数": {2020: 0, 2021: 0, 2022: 0}}, unit="サービス", grades=grades))
    assert row(table, "創出したサービス数")["status"] == status


def test_a_d_grade_with_a_zero_activity_count_is_a_stall():
    """会議の開催回数 0 (D) → 1 (C) → 1 (A), shiroi_fy2022_progress_sheet.txt:453."""
    table = classify(frames({"会議の開催回数": {2020: 0, 2021: 1, 2022: 1}}, grades={2020: "D", 2021: "C", 2022: "A"}))
    r = row(table, "会議の開催回数")
    assert (r["status"], r["attribution"], r["stall_year"]) == ("stalled_recovered", "timing", 2020)
    assert r["rule"].startswith("stall:grade D")


def test_a_d_grade_beside_a_staff_count_is_no_stall():
    table = classify(
        frames({"担当職員配置数": {2020: 0, 2021: 1}}, unit="人", grades={2020: "D", 2021: "C", 2022: "B"})
    )
    assert row(table, "担当職員配置数")["status"] not in STALLED_STATUSES


def test_nothing_at_all_is_insufficient_data():
    table = classify(frames({"開催回数": {2021: 4}}))
    assert row(table, "開催回数")["status"] == "insufficient_data"


def test_the_window_is_a_parameter():
    tables = frames({"開催回数": {2020: 10, 2021: 10, 2022: 1, 2023: 10}})
    wide = classify(tables, TrajectoryParams(latest_year=2023, window_end=2022))
    narrow = classify(tables, TrajectoryParams(latest_year=2023, window_end=2021))
    assert row(wide, "開催回数")["status"] == "stalled_recovered"
    assert row(narrow, "開催回数")["status"] == "not_stalled"


def test_sensitivity_counts_every_status_for_every_setting():
    tables = frames({"市内の参加者数": {2020: 0, 2021: 2, 2022: 232}, "会議回数": {2020: 3, 2021: 6, 2022: 8}})
    events = detect_covid_events(tables["activities"], tables["indicators"])
    grid = {"drop_threshold": (0.3, 0.5, 0.8), "window_end": (2021.0, 2022.0)}
    table = sensitivity_table(tables["indicators"], tables["activities"], tables["evaluations"], events, PARAMS,
                              grid=grid)  # fmt: skip
    assert len(table) == 5 * len(STATUSES)
    assert (table.groupby(["parameter", "value"])["n_rows"].sum() == 2).all()
    summary = sensitivity_summary(table)
    at = dict(zip(summary["value"], summary["n_stalled"], strict=False))
    assert at[0.3] == 2 and at[0.8] == 1
    assert summary["is_run"].sum() == 2


def test_status_counts_have_every_status():
    table = classify(frames({"市内の参加者数": {2020: 0, 2021: 2, 2022: 232}}))
    counts = status_counts(table)
    assert list(counts.columns) == [*STATUSES, "total"]
    assert counts.loc["total", "stalled_recovered"] == 1


def test_the_covid_analysis_reads_only_the_cleaned_tables():
    """analysis/ and views/ never import the sheet parsers or the raw-sheet reader (issue 12 item 4)."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "helpers"
    modules = [*sorted((src / "analysis").glob("covid_*.py")), src / "views" / "covid_figures.py"]
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith(("helpers.sheets", "helpers.sources.raw_text"))], path.name


def test_a_series_whose_scheme_changed_is_not_read_against_its_own_later_level():
    """yamagata:26: 通いの場の支援 126人 → 315人, the 備考 says the subsidy rules were revised in R3."""
    tables = frames({"参加人数(通いの場の支援)": {2020: 126, 2022: 315}}, unit="人")
    halving = TrajectoryParams(latest_year=2022, drop_threshold=0.5)
    assert row(classify(tables, halving), "参加人数(通いの場の支援)")["status"] == "stalled_recovered"
    note = {"city": "shiroi", "measure_id": "shiroi-no99", "fiscal_year": 2022, "value_kind": "actual",
            "text": "令和3年度に、これまでより、より活動実態に即した補助を実施できるよう補助要綱の見直しを実施した。",
            "source_file": FILE, "source_line": 12}  # fmt: skip
    tables["activities"] = pd.DataFrame([note])
    r = row(classify(tables, halving), "参加人数(通いの場の支援)")
    assert r["status"] == "insufficient_data" and "scheme_changed" in r["rules"]


def test_a_sentence_naming_no_year_in_a_review_of_several_years_has_no_stall_year():
    """yamagata_fy2022_progress_sheet.txt:46: the 中間年の点検 reviews R2–R4, and 「コロナ禍において活動が停滞した」
    names no year: the stall belongs to the span, not to FY2022; the same sentence in a one-year column is dated."""
    sentence = "すでに活動中の拠点についても、コロナ禍において活動が停滞したこともあり、活発な活動の維持が課題"
    yearly = frames(sentences=[(2022, "actual", sentence)])
    review = frames(sentences=[(2022, "actual", sentence)])
    review["activities"]["period_start"] = 2020
    events = detect_covid_events(review["activities"], review["indicators"])
    assert events[["fiscal_year", "period_start", "effect"]].values.tolist() == [[2022, 2020, "reduced"]]
    dated, spanned = classify(yearly), classify(review)
    assert dated["stall_year"].tolist() == [2022]
    assert spanned["status"].tolist() == ["stalled_recovery_not_observed"]
    assert spanned["stall_year"].isna().all() and "2020–2022 (year not stated)" in spanned["rules"].iloc[0]


def test_a_named_year_in_a_review_of_several_years_still_dates_the_stall():
    """yamagata_fy2022_progress_sheet.txt:59: 「R2は2回中止し」 in the R2–R4 review is dated FY2020."""
    review = frames(sentences=[(2022, "actual", "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした")])
    review["activities"]["period_start"] = 2020
    events = detect_covid_events(review["activities"], review["indicators"])
    assert events[["fiscal_year", "period_start", "effect"]].values.tolist() == [[2020, 2020, "cancelled"]]
    assert classify(review)["stall_year"].tolist() == [2020]


def test_growth_to_its_latest_level_is_not_a_stall_but_a_near_stop_is():
    """With no pre-pandemic actual the reference is the latest level, and only a fall to a fifth of it reads as a
    stall: 放課後子ども教室 23 → 41 → 74 (shiroi_fy2022_progress_sheet.txt:526) and 利用者数 5,483 → 11,853
    (yamagata_fy2022_progress_sheet.txt:61) grew; 講座 2 → 25 → 28 (shiroi:131) and 参加者数 0 → 2 → 232 stopped."""
    table = classify(
        frames(
            {
                "放課後子ども教室実施回数": {2020: 23, 2021: 41, 2022: 74},
                "利用者数": {2020: 5483, 2022: 11853},
                "講座開催回数": {2020: 2, 2021: 25, 2022: 28},
                "市内の参加者数": {2020: 0, 2021: 2, 2022: 232},
            }
        )
    )
    status = dict(zip(table["indicator"], table["status"], strict=True))
    assert status["放課後子ども教室実施回数"] == status["利用者数"] == "not_stalled"
    assert status["講座開催回数"] == status["市内の参加者数"] == "stalled_recovered"
    grown = row(table, "利用者数")
    assert grown["rule"] == "numeric:no fall to the stall line (latest_year)" and grown["reference_value"] == 11853

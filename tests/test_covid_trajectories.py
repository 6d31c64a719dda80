"""Stall and recovery rules, on crafted series: numeric, grade, text, their precedence, and the output table."""

import dataclasses

import pandas as pd
import pytest

from helpers.analysis.covid_text import EVENT_COLUMNS
from helpers.analysis.covid_trajectories import (
    MEASURE_LEVEL_INDICATOR,
    STATUS_LABELS_JA,
    STATUSES,
    TRAJECTORY_COLUMNS,
    TrajectoryParams,
    as_of,
    check_trajectories,
    classify_trajectories,
    label_measure_level_rows,
    measure_statuses,
    sensitivity_pivot,
    sensitivity_table,
    series_exclusions,
    status_counts,
)

INDICATOR_COLUMNS = [
    "city",
    "measure_id",
    "measure",
    "indicator",
    "fiscal_year",
    "value_kind",
    "value",
    "unit",
    "count_basis",
    "note",
    "series_break",
    "value_raw",
    "source_file",
    "source_line",
]


def obs(year, value, *, kind="actual", measure_id="m1", indicator="参加人数", unit="人", city="shiroi", **extra):
    """One indicators row; source_line encodes the year so provenance can be asserted."""
    row = {
        "city": city,
        "measure_id": measure_id,
        "measure": f"取組 {measure_id}",
        "indicator": indicator,
        "fiscal_year": year,
        "value_kind": kind,
        "value": value,
        "unit": unit,
        "count_basis": "",
        "note": "",
        "series_break": False,
        "value_raw": "" if value is None else f"{value}{unit}",
        "source_file": "sheet.txt",
        "source_line": year - 2000 + (100 if kind != "actual" else 0),
    }
    row.update(extra)
    return row


def event(year, effect, *, kind="actual", measure_id="m1", city="shiroi", line=50, evidence=None):
    return {
        "city": city,
        "measure_id": measure_id,
        "fiscal_year": year,
        "value_kind": kind,
        "effect": effect,
        "evidence": evidence or f"新型コロナウイルス感染症の影響により{effect}",
        "source_file": "sheet.txt",
        "source_line": line,
    }


def grade(year, letter, *, measure_id="m1", city="shiroi"):
    return {
        "city": city,
        "measure_id": measure_id,
        "fiscal_year": year,
        "indicator": "参加人数",
        "grade": letter,
        "progress": "",
        "source_file": "sheet.txt",
        "source_line": 300 + year - 2000,
    }


EMPTY_ACTIVITIES = pd.DataFrame(
    columns=["city", "measure_id", "fiscal_year", "value_kind", "section", "text", "source_file", "source_line"]
)


def activity(year, text, *, kind="plan", measure_id="m1", city="shiroi", line=90):
    """One activities row (a plan sentence by default)."""
    return {
        "city": city,
        "measure_id": measure_id,
        "fiscal_year": year,
        "value_kind": kind,
        "section": "令和4年度実施予定",
        "text": text,
        "source_file": "sheet.txt",
        "source_line": line,
    }


def classify(indicators=(), events=(), grades=(), params=None, activities=()):
    frame = classify_trajectories(
        pd.DataFrame(list(indicators), columns=INDICATOR_COLUMNS),
        pd.DataFrame(list(activities), columns=list(EMPTY_ACTIVITIES.columns)),
        pd.DataFrame(list(grades), columns=list(grade(2020, "A"))),
        pd.DataFrame(list(events), columns=list(EVENT_COLUMNS)),
        params,
    )
    check_trajectories(frame)
    return frame


def one(frame):
    assert len(frame) == 1, frame
    return frame.iloc[0]


# --- numeric rules ---------------------------------------------------------------------------------------------


def test_drop_below_pre_pandemic_level_then_recovery():
    row = one(classify([obs(2019, 100), obs(2020, 50), obs(2021, 60), obs(2022, 85)]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"]) == (2020, 2022)
    assert (row["reference_value"], row["reference_year"], row["reference_basis"]) == (100, 2019, "pre_pandemic")
    assert (row["latest_value"], row["latest_year"]) == (85, 2022)
    assert row["evidence"] == "numeric"
    assert (row["source_file"], row["source_line"]) == ("sheet.txt", 20)
    assert row["quote"] == ""


def test_drop_without_recovery():
    row = one(classify([obs(2019, 100), obs(2020, 50), obs(2022, 79)]))
    assert row["status"] == "stalled_not_recovered"
    assert pd.isna(row["recovery_year"])


def test_relapse_is_not_a_recovery():
    row = one(classify([obs(2019, 100), obs(2020, 40), obs(2021, 90), obs(2022, 30)]))
    assert row["status"] == "stalled_not_recovered"


def test_recovery_year_starts_the_final_run_above_threshold():
    row = one(classify([obs(2019, 100), obs(2020, 40), obs(2021, 50), obs(2022, 90), obs(2023, 95)]))
    assert (row["status"], row["stall_year"], row["recovery_year"]) == ("stalled_recovered", 2020, 2022)
    assert "numeric:drop 2021" in row["rules"]


def test_small_dip_is_not_a_stall():
    row = one(classify([obs(2019, 100), obs(2020, 70), obs(2021, 95)]))
    assert row["status"] == "not_stalled"
    assert row["evidence"] == "numeric"
    assert pd.isna(row["stall_year"])


def test_zero_in_window_between_non_zero_years():
    row = one(classify([obs(2020, 12), obs(2021, 0), obs(2022, 31)]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"], row["reference_basis"]) == (2021, 2022, "first_year")
    assert "numeric:zero 2021" in row["rules"]


def test_zero_in_the_first_year_may_be_a_launch():
    row = one(classify([obs(2020, 0, city="yamagata"), obs(2022, 1, city="yamagata")]))
    assert row["status"] == "insufficient_data"
    row = one(classify([obs(2020, 0), obs(2021, 6), obs(2022, 1)]))
    assert row["status"] == "not_stalled"


def test_zero_first_year_with_a_stall_sentence_recovers_with_any_positive_value():
    rows = [obs(2020, 0, source_line=181), obs(2021, 6, source_line=182), obs(2022, 1, source_line=183)]
    row = one(classify(rows, [event(2020, "postponed", line=181)]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"]) == (2020, 2021)
    assert "numeric:zero 2020" in row["rules"]


def test_empty_cell_saying_cancelled_is_read_as_zero():
    cancelled = obs(2020, None, value_raw="ー（新型コロナウイルス感染症拡大防止のため中止）")
    text = event(2020, "cancelled", line=20, evidence="ー（新型コロナウイルス感染症拡大防止のため中止）")
    row = one(classify([cancelled, obs(2022, 9)], [text]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"]) == (2020, 2022)
    assert row["evidence"] == "numeric+text"
    assert "empty cell says 中止" in row["rules"]
    assert row["quote"] == "ー（新型コロナウイルス感染症拡大防止のため中止）"


def test_target_is_the_reference_when_no_pre_pandemic_value():
    rows = [obs(2020, 10, kind="target"), obs(2021, 3), obs(2022, 10, kind="plan")]
    row = one(classify(rows))
    assert (row["reference_basis"], row["reference_value"], row["reference_year"]) == ("target", 10, 2020)
    assert row["status"] == "stalled_planned"
    assert row["stall_year"] == 2021
    assert "planned:numeric 2022" in row["rules"]


def test_target_met_in_the_window_is_not_a_stall():
    row = one(classify([obs(2020, 8, kind="target"), obs(2021, 9)]))
    assert (row["status"], row["reference_basis"]) == ("not_stalled", "target")


def test_target_in_another_unit_is_not_a_reference():
    rows = [obs(2020, 10, kind="target", unit="回"), obs(2021, 3), obs(2022, 4)]
    row = one(classify(rows))
    assert row["reference_basis"] == "first_year"


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([obs(2019, 100, count_basis="累計"), obs(2020, 120, count_basis="累計")], "cumulative"),
        ([obs(2019, 7_396_704, unit="円"), obs(2020, 1_000_000, unit="円")], "money"),
        ([obs(2019, 100), obs(2020, 20, series_break=True)], "series_break"),
        ([obs(2019, 100, unit="%"), obs(2020, 20, unit="%")], "percentage"),
        ([obs(2021, 5)], "single_year"),
    ],
    ids=["cumulative", "money", "series-break", "percentage", "single-year"],
)
def test_series_not_read_numerically(rows, reason):
    row = one(classify(rows))
    assert row["status"] == "insufficient_data"
    assert row["indicator"] == MEASURE_LEVEL_INDICATOR == "(取組全体)"
    assert row["excluded_reason"] == f"参加人数: {reason}"


def test_percentages_can_be_read_when_asked():
    rows = [obs(2019, 100, unit="%"), obs(2020, 20, unit="%")]
    row = one(classify(rows, params=TrajectoryParams(exclude_percentages=False)))
    assert row["status"] == "stalled_not_recovered"


def test_excluded_series_still_get_text_evidence():
    rows = [obs(2019, 100, unit="円"), obs(2020, 10, unit="円")]
    row = one(classify(rows, [event(2020, "cancelled")]))
    assert (row["status"], row["evidence"], row["excluded_reason"]) == (
        "stalled_not_recovered",
        "text",
        "参加人数: money",
    )


def test_series_exclusions_lists_every_series():
    rows = [
        obs(2019, 100),
        obs(2020, 90),
        obs(2019, 5, indicator="補助金の額", unit="円"),
        obs(2020, 5, indicator="補助金の額", unit="円"),
    ]
    table = series_exclusions(pd.DataFrame(rows, columns=INDICATOR_COLUMNS))
    assert table[["indicator", "excluded_reason"]].values.tolist() == [["参加人数", ""], ["補助金の額", "money"]]


# --- Yamagata: the baseline year is itself a pandemic year -------------------------------------------------------


def test_stalled_baseline_with_higher_later_value_is_a_recovery():
    note = "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした"
    rows = [obs(2020, 9, city="yamagata", source_line=59), obs(2022, 37, city="yamagata", source_line=59)]
    row = one(classify(rows, [event(2020, "cancelled", city="yamagata", line=59, evidence=note)]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"], row["reference_basis"]) == (2020, 2022, "first_year")
    assert row["evidence"] == "numeric+text"
    assert "numeric:stalled_baseline 2020" in row["rules"]
    assert (row["quote"], row["source_line"]) == (note, 59)


def test_stalled_baseline_needs_a_clear_gain():
    rows = [obs(2020, 23, city="yamagata", source_line=46), obs(2022, 24, city="yamagata", source_line=46)]
    row = one(classify(rows, [event(2020, "reduced", city="yamagata", line=46)]))
    assert row["status"] == "stalled_not_recovered"
    assert "numeric:stalled_baseline 2020" in row["rules"]
    assert "not_recovered:numeric" in row["rules"]


def test_baseline_sentence_on_another_line_is_text_evidence_only():
    rows = [obs(2020, 23, city="yamagata"), obs(2022, 24, city="yamagata"), obs(2023, 26, city="yamagata")]
    row = one(classify(rows, [event(2020, "reduced", city="yamagata", line=99)]))
    assert "numeric:stalled_baseline" not in row["rules"]
    assert (row["status"], row["recovery_year"]) == ("stalled_recovered", 2023)
    assert (row["evidence"], row["source_line"]) == ("numeric+text", 99)


def test_pandemic_baseline_without_text_cannot_show_a_stall():
    row = one(classify([obs(2020, 9, city="yamagata"), obs(2022, 37, city="yamagata")]))
    assert row["status"] == "insufficient_data"
    assert row["evidence"] == ""


# --- grades (Shiroi) ----------------------------------------------------------------------------------------------


def test_grade_d_turning_to_b_is_a_recovery():
    row = one(classify(grades=[grade(2020, "D"), grade(2021, "B"), grade(2022, "A")]))
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"], row["evidence"]) == (2020, 2021, "grade")
    assert row["source_line"] == 320


def test_grade_c_persisting_is_not_recovered():
    row = one(classify(grades=[grade(2020, "B"), grade(2021, "C"), grade(2022, "C")]))
    assert (row["status"], row["stall_year"]) == ("stalled_not_recovered", 2021)


def test_grade_recovery_after_two_bad_years():
    row = one(classify(grades=[grade(2020, "D"), grade(2021, "C"), grade(2022, "B")]))
    assert (row["status"], row["stall_year"], row["recovery_year"]) == ("stalled_recovered", 2020, 2022)


def test_a_reference_later_than_the_stall_cannot_judge_recovery():
    rows = [obs(2021, 18), obs(2022, 5)]
    row = one(classify(rows, grades=[grade(2020, "D"), grade(2021, "A"), grade(2022, "A")]))
    assert (row["status"], row["recovery_year"], row["evidence"]) == ("stalled_recovered", 2021, "grade")


def test_good_grades_are_not_a_stall():
    row = one(classify(grades=[grade(2020, "A"), grade(2021, "B"), grade(2022, "A")]))
    assert (row["status"], row["evidence"]) == ("not_stalled", "grade")


def test_grade_c_after_the_window_is_not_a_covid_stall():
    row = one(classify(grades=[grade(2020, "A"), grade(2021, "A"), grade(2022, "C")]))
    assert row["status"] == "not_stalled"


# --- text ---------------------------------------------------------------------------------------------------------


def test_text_stall_then_resumed():
    row = one(classify(events=[event(2021, "reduced", line=110), event(2022, "resumed", line=110)]))
    assert (row["status"], row["stall_year"], row["recovery_year"]) == ("stalled_recovered", 2021, 2022)
    assert row["evidence"] == "text"


def test_resume_only_in_a_plan_is_a_planned_recovery():
    events = [event(2021, "cancelled", line=183), event(2022, "moved_format", kind="plan", line=190)]
    row = one(classify(events=events))
    assert row["status"] == "stalled_planned"
    assert pd.isna(row["recovery_year"])
    assert "planned:text 2022" in row["rules"]
    assert row["source_line"] == 183


def test_cancellation_repeated_in_a_plan_column_is_not_recovered():
    events = [event(2021, "cancelled", line=520), event(2022, "cancelled", kind="plan", line=526)]
    row = one(classify(events=events))
    assert (row["status"], row["stall_year"]) == ("stalled_not_recovered", 2021)


def test_resume_alone_implies_a_stall_of_unknown_year():
    row = one(classify(events=[event(2022, "resumed", line=222)]))
    assert row["status"] == "stalled_recovered"
    assert pd.isna(row["stall_year"])
    assert (row["recovery_year"], row["source_line"]) == (2022, 222)


def test_text_without_numbers_or_grades_is_insufficient_when_silent():
    activities = EMPTY_ACTIVITIES.copy()
    activities.loc[0] = ["ichinoseki", "i-1", 2022, "actual", "令和4年度実績", "講座を開催した", "p.txt", 9]
    frame = classify_trajectories(
        pd.DataFrame(columns=INDICATOR_COLUMNS),
        activities,
        pd.DataFrame(columns=list(grade(2020, "A"))),
        pd.DataFrame(columns=list(EVENT_COLUMNS)),
    )
    assert one(frame)["status"] == "insufficient_data"


def test_a_stall_sentence_after_the_window_can_be_required_to_have_company():
    events = [event(2022, "cancelled", line=282)]
    assert one(classify(events=events))["status"] == "stalled_not_recovered"
    strict = TrajectoryParams(text_after_window=False)
    assert one(classify(events=events, params=strict))["status"] == "insufficient_data"
    rows = [obs(2019, 100), obs(2020, 40), obs(2021, 90), obs(2022, 95)]
    row = one(classify(rows, events, params=strict))
    assert (row["status"], row["stall_year"]) == ("stalled_not_recovered", 2020)
    assert "text:after window only 2022" in row["rules"]


def test_nothing_observed_after_the_stall_is_labelled():
    row = one(classify([obs(2020, 10, kind="target"), obs(2021, 3)]))
    assert row["status"] == "stalled_not_recovered"
    assert row["rules"].endswith("recovery:unobserved")


# --- precedence when kinds disagree -------------------------------------------------------------------------------


def test_numbers_outrank_a_resume_sentence():
    rows = [obs(2019, 100), obs(2020, 40), obs(2022, 50)]
    row = one(classify(rows, [event(2020, "cancelled"), event(2022, "resumed")]))
    assert row["status"] == "stalled_not_recovered"
    assert row["evidence"] == "numeric+text"


def test_grades_outrank_a_resume_sentence_when_no_numbers():
    grades = [grade(2020, "D"), grade(2021, "C"), grade(2022, "C")]
    row = one(classify(events=[event(2020, "cancelled"), event(2022, "resumed")], grades=grades))
    assert row["status"] == "stalled_not_recovered"


def test_text_stall_when_numbers_show_no_drop_is_still_a_stall():
    rows = [obs(2019, 100), obs(2020, 95), obs(2021, 98), obs(2022, 99)]
    row = one(classify(rows, [event(2020, "moved_format")]))
    assert (row["status"], row["stall_year"], row["recovery_year"]) == ("stalled_recovered", 2020, 2021)
    assert row["evidence"] == "numeric+text"


def test_a_later_stall_sentence_moves_the_recovery_check():
    rows = [obs(2019, 100), obs(2020, 0), obs(2021, 90), obs(2022, 95)]
    row = one(classify(rows, [event(2022, "reduced")]))
    assert row["status"] == "stalled_not_recovered"
    assert row["stall_year"] == 2020


def test_sentences_on_a_sibling_series_line_stay_with_that_series():
    rows = [
        obs(2020, 145, indicator="登録ボランティア数", source_line=58),
        obs(2022, 82, indicator="登録ボランティア数", source_line=58),
        obs(2020, 9, indicator="担い手養成研修会参加者数", source_line=59),
        obs(2022, 37, indicator="担い手養成研修会参加者数", source_line=59),
    ]
    events = [event(2020, "cancelled", line=59), event(2022, "reduced", line=58), event(2021, "reduced", line=70)]
    frame = classify(rows, events)
    got = frame.set_index("indicator")[["status", "stall_year", "recovery_year"]].to_dict("index")
    assert got["担い手養成研修会参加者数"] == {"status": "stalled_recovered", "stall_year": 2020, "recovery_year": 2022}
    assert got["登録ボランティア数"]["status"] == "stalled_not_recovered"
    assert "text:reduced 2021" in frame.set_index("indicator").loc["担い手養成研修会参加者数", "rules"]


# --- the table ----------------------------------------------------------------------------------------------------


def test_one_row_per_readable_series_of_a_measure():
    rows = [
        obs(2019, 100),
        obs(2020, 20),
        obs(2019, 10, indicator="回数", unit="回"),
        obs(2020, 10, indicator="回数", unit="回"),
    ]
    frame = classify(rows)
    assert frame[["indicator", "status"]].values.tolist() == [
        ["参加人数", "stalled_not_recovered"],
        ["回数", "not_stalled"],
    ]


def test_table_columns_and_deterministic_order():
    rows = [
        obs(2019, 1, city="shiroi", measure_id="no10"),
        obs(2020, 1, city="shiroi", measure_id="no10"),
        obs(2019, 1, city="shiroi", measure_id="no2"),
        obs(2020, 1, city="shiroi", measure_id="no2"),
        obs(2019, 1, city="yamagata", measure_id="z"),
        obs(2020, 1, city="yamagata", measure_id="z"),
    ]
    frame = classify(rows)
    assert list(frame.columns) == list(TRAJECTORY_COLUMNS)
    assert frame[["city", "measure_id"]].values.tolist() == [["yamagata", "z"], ["shiroi", "no2"], ["shiroi", "no10"]]
    pd.testing.assert_frame_equal(classify(reversed(rows)), frame)


def test_every_stalled_row_points_to_a_source_line():
    frame = classify(
        [obs(2019, 100), obs(2020, 10), obs(2019, 5, measure_id="m2"), obs(2020, 5, measure_id="m2")],
        [event(2021, "cancelled", measure_id="m3")],
        [grade(2020, "D", measure_id="m4")],
    )
    stalled = frame[frame["status"].str.startswith("stalled")]
    assert stalled["measure_id"].tolist() == ["m1", "m3", "m4"]
    assert stalled["source_line"].notna().all()
    broken = frame.copy()
    broken.loc[broken["measure_id"] == "m3", "source_line"] = pd.NA
    with pytest.raises(ValueError, match="without a source line"):
        check_trajectories(broken)


def test_window_and_thresholds_are_parameters():
    rows = [obs(2019, 100), obs(2020, 65), obs(2021, 100)]
    assert one(classify(rows))["status"] == "stalled_recovered"
    assert one(classify(rows, params=TrajectoryParams(drop_threshold=0.4)))["status"] == "not_stalled"
    assert one(classify(rows, params=TrajectoryParams(window_start=2021, window_end=2021)))["reference_year"] == 2020


def test_sensitivity_counts_every_status_for_each_setting():
    rows = [obs(2019, 100), obs(2020, 65), obs(2022, 75)]
    frame = sensitivity_table(
        pd.DataFrame(rows, columns=INDICATOR_COLUMNS),
        EMPTY_ACTIVITIES,
        pd.DataFrame(columns=list(grade(2020, "A"))),
        pd.DataFrame(columns=list(EVENT_COLUMNS)),
        drop_thresholds=[0.4, 0.3],
        recovery_shares=[0.7, 0.8],
    )
    assert list(frame.columns) == ["drop_threshold", "recovery_share", "status", "n_rows"]
    assert len(frame) == 4 * len(STATUSES)
    assert (frame.groupby(["drop_threshold", "recovery_share"])["n_rows"].sum() == 1).all()
    found = frame[frame["n_rows"] == 1].set_index(["drop_threshold", "recovery_share"])["status"].to_dict()
    assert found == {
        (0.3, 0.7): "stalled_recovered",
        (0.3, 0.8): "stalled_not_recovered",
        (0.4, 0.7): "not_stalled",
        (0.4, 0.8): "not_stalled",
    }


def test_missing_input_columns_stop_early():
    with pytest.raises(ValueError, match=r"covid_events: missing columns \['effect'\]"):
        classify_trajectories(
            pd.DataFrame(columns=INDICATOR_COLUMNS),
            EMPTY_ACTIVITIES,
            pd.DataFrame(columns=list(grade(2020, "A"))),
            pd.DataFrame(columns=[c for c in EVENT_COLUMNS if c != "effect"]),
        )


# --- planned resumes that name the cancelled activity (follow-ups) ------------------------------------------------

STALL_885 = (
    "新任研修会は新型コロナウイルス感染症拡大防止対策のため各地区で開催、福祉の輪づくり運動関係者及び福祉員研修会は中止"
)
PLAN_891 = "新任研修会はハイブリッド式で開催、福祉の輪づくり運動関係者及び福祉員研修会の開催方法を検討"


def test_a_later_plan_naming_the_cancelled_activity_is_a_planned_resume():
    events = [event(2021, "cancelled", line=885, evidence=STALL_885)]
    row = one(classify(events=events, activities=[activity(2022, f"④{PLAN_891}", line=891)]))
    assert row["status"] == "stalled_planned"
    assert "planned:followup 2022" in row["rules"]
    assert row["quote"] == f"{STALL_885} ／ {PLAN_891}"
    assert (row["evidence"], row["source_line"]) == ("text", 885)


def test_a_plan_that_cancels_again_is_no_follow_up():
    stall = "市ふれあいレク大会(山口市障害者団体連合会主催)等、交流事業は新型コロナウイルス感染症拡大防止対策のため中止"
    plan = "市ふれあいレク大会を開催予定であったが新型コロナウイルス感染症拡大防止のため中止"
    row = one(classify(events=[event(2021, "cancelled", line=520, evidence=stall)], activities=[activity(2022, plan)]))
    assert row["status"] == "stalled_not_recovered"


def test_a_follow_up_must_come_after_the_stall():
    stall = "新型コロナウイルス感染症蔓延防止の観点から、福祉まつりが中止となったため実績なし"
    events = [event(2022, "cancelled", line=229, evidence=stall)]
    same_year = [activity(2022, "一関市福祉まつり", line=296)]
    assert one(classify(events=events, activities=same_year))["status"] == "stalled_not_recovered"
    next_year = [activity(2023, "一関市福祉まつり", line=229)]
    row = one(classify(events=events, activities=next_year))
    assert (row["status"], row["quote"]) == ("stalled_planned", f"{stall} ／ 一関市福祉まつり")


def test_results_are_not_follow_ups():
    events = [event(2021, "cancelled", line=885, evidence=STALL_885)]
    row = one(classify(events=events, activities=[activity(2022, PLAN_891, kind="actual")]))
    assert row["status"] == "stalled_not_recovered"


# --- which sentence speaks for which series ------------------------------------------------------------------------


def test_a_sentence_in_a_sibling_cell_does_not_speak_for_the_series():
    cell = "ー（新型コロナウイルス感染症拡大防止のため中止）"
    rows = [
        obs(2020, None, indicator="運動普及推進員の養成", city="yamagata", source_line=38, value_raw=cell),
        obs(2022, 9, indicator="運動普及推進員の養成", city="yamagata", source_line=38),
        obs(2020, 428, indicator="協議会の支援", city="yamagata", source_line=38),
        obs(2022, 846, indicator="協議会の支援", city="yamagata", source_line=38),
    ]
    frame = classify(rows, [event(2020, "cancelled", city="yamagata", line=38, evidence=cell)])
    got = frame.set_index("indicator")["status"].to_dict()
    assert got == {"運動普及推進員の養成": "stalled_recovered", "協議会の支援": "insufficient_data"}


def test_sentences_on_an_unread_series_line_are_shared():
    rows = [
        obs(2021, None, indicator="情報交換会", source_line=183, value_raw="※アンケートで実施"),
        obs(2021, 8, kind="target", indicator="協力校", unit="校", source_line=178),
        obs(2021, 9, indicator="協力校", unit="校", source_line=184),
    ]
    row = one(classify(rows, [event(2021, "cancelled", line=183)]))
    assert (row["indicator"], row["status"], row["source_line"]) == ("協力校", "stalled_not_recovered", 183)


def test_the_quote_is_the_strongest_effect_of_the_first_year():
    events = [
        event(2021, "moved_format", line=183, evidence="A はアンケートの実施"),
        event(2021, "cancelled", line=185, evidence="B は中止"),
    ]
    assert one(classify(events=events))["quote"] == "B は中止"


# --- as of the report year -----------------------------------------------------------------------------------------


def test_as_of_keeps_results_to_the_year_and_plans_to_the_next():
    frame = pd.DataFrame(
        {
            "fiscal_year": [2021, 2022, 2022, 2023, 2023, 2025],
            "value_kind": ["actual", "actual", "plan", "plan", "actual", "target"],
        }
    )
    assert as_of(frame, 2021).index.tolist() == [0, 2, 5]
    assert as_of(frame, None) is frame
    grades = pd.DataFrame({"fiscal_year": [2020, 2021, 2022]})
    assert as_of(grades, 2021)["fiscal_year"].tolist() == [2020, 2021]


def test_latest_year_cuts_later_results():
    rows = [obs(2019, 100), obs(2020, 40), obs(2021, 50), obs(2022, 90)]
    assert one(classify(rows))["status"] == "stalled_recovered"
    row = one(classify(rows, params=TrajectoryParams(latest_year=2021)))
    assert (row["status"], row["latest_year"]) == ("stalled_not_recovered", 2021)


# --- labels and summaries ------------------------------------------------------------------------------------------


def test_measure_level_rows_are_labelled():
    frame = pd.DataFrame({"indicator": ["", "参加人数", ""], "status": ["insufficient_data"] * 3})
    assert label_measure_level_rows(frame)["indicator"].tolist() == ["(取組全体)", "参加人数", "(取組全体)"]
    assert frame["indicator"].tolist() == ["", "参加人数", ""]


def test_every_status_has_a_japanese_label():
    assert list(STATUS_LABELS_JA) == list(STATUSES)
    assert STATUS_LABELS_JA["stalled_planned"] == "停滞→再開予定"


def _table(rows):
    return pd.DataFrame(rows, columns=["city", "measure_id", "measure", "indicator", "status"])


def test_a_measure_takes_its_most_stalled_row():
    table = _table(
        [
            ("shiroi", "no10", "B", "x", "not_stalled"),
            ("shiroi", "no2", "A", "x", "stalled_recovered"),
            ("shiroi", "no2", "A", "y", "stalled_not_recovered"),
            ("yamagata", "z", "C", "(取組全体)", "insufficient_data"),
            ("shiroi", "no10", "B", "y", "insufficient_data"),
        ]
    )
    got = measure_statuses(table)
    assert got[["city", "measure_id", "status", "n_rows"]].values.tolist() == [
        ["yamagata", "z", "insufficient_data", 1],
        ["shiroi", "no2", "stalled_not_recovered", 2],
        ["shiroi", "no10", "not_stalled", 2],
    ]


def test_status_counts_have_every_status_and_totals():
    table = _table([("shiroi", "a", "", "", "not_stalled"), ("yamagata", "b", "", "", "not_stalled")])
    counts = status_counts(table)
    assert counts.index.tolist() == ["yamagata", "shiroi", "total"]
    assert counts.columns.tolist() == [*STATUSES, "total"]
    assert counts.loc["total", "not_stalled"] == 2
    assert counts.loc["shiroi", "total"] == 1


def test_sensitivity_pivot_has_one_row_per_setting():
    long = pd.DataFrame(
        [(d, r, s, 1) for d in (0.2, 0.3) for r in (0.8,) for s in STATUSES],
        columns=["drop_threshold", "recovery_share", "status", "n_rows"],
    )
    pivot = sensitivity_pivot(long)
    assert pivot.index.tolist() == [(0.2, 0.8), (0.3, 0.8)]
    assert pivot.columns.tolist() == list(STATUSES)


# --- the sensitivity grid decides from evidence gathered once -------------------------------------------------------


def _grid_inputs():
    """Measures whose status moves with the drop threshold and the recovery share (drops, partial recoveries,
    a target reference with a plan value, a stalled baseline, a follow-up plan, grades and sentences)."""
    indicators = [
        *(obs(y, v) for y, v in [(2019, 100), (2020, 65), (2021, 75), (2022, 85)]),
        *(obs(y, v, indicator="回数", unit="回", source_line=60) for y, v in [(2019, 40), (2020, 30), (2022, 36)]),
        obs(2020, 10, kind="target", measure_id="m2"),
        obs(2021, 6, measure_id="m2"),
        obs(2022, 9, kind="plan", measure_id="m2"),
        obs(2020, 9, city="yamagata", measure_id="y1", source_line=59),
        obs(2022, 10, city="yamagata", measure_id="y1", source_line=59),
        *(obs(y, v, measure_id="m3") for y, v in [(2019, 20), (2020, 17), (2021, 12), (2022, 15)]),
    ]
    events = [
        event(2020, "reduced", line=60),
        event(2020, "cancelled", city="yamagata", measure_id="y1", line=59),
        event(2020, "cancelled", measure_id="m3", line=885, evidence=STALL_885),
        event(2022, "resumed", measure_id="m4", line=400),
    ]
    grades = [grade(2020, "C", measure_id="m4"), grade(2021, "B", measure_id="m4"), grade(2022, "A", measure_id="m4")]
    activities = [activity(2022, PLAN_891, measure_id="m3", line=891)]
    return (
        pd.DataFrame(indicators, columns=INDICATOR_COLUMNS),
        pd.DataFrame(activities, columns=list(EMPTY_ACTIVITIES.columns)),
        pd.DataFrame(grades, columns=list(grade(2020, "A"))),
        pd.DataFrame(events, columns=list(EVENT_COLUMNS)),
    )


@pytest.mark.parametrize("base", [TrajectoryParams(), TrajectoryParams(latest_year=2021, text_after_window=False)])
def test_sensitivity_grid_counts_equal_separate_classifications(base):
    inputs = _grid_inputs()
    drops, shares = (0.1, 0.3, 0.45), (0.5, 0.8, 0.95, 1.2)
    grid = sensitivity_table(*inputs, drop_thresholds=drops, recovery_shares=shares, params=base)
    got = grid.set_index(["drop_threshold", "recovery_share", "status"])["n_rows"]
    seen = set()
    for drop in drops:
        for share in shares:
            params = dataclasses.replace(base, drop_threshold=drop, recovery_share=share)
            counts = classify_trajectories(*inputs, params)["status"].value_counts()
            expected = {st: int(counts.get(st, 0)) for st in STATUSES}
            assert {st: int(got[(drop, share, st)]) for st in STATUSES} == expected, (drop, share)
            seen.add(tuple(expected.values()))
    assert len(seen) > 2, "the grid should move the counts"

"""COVID stall/recovery end to end: the four cities' raw sheets cleaned in memory, events detected, rows classified.

Each case is an activity read in the sheets (data/raw, file:line in each test); the assertions name what a reader of
the sheet concludes.
"""

from pathlib import Path

import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.covid_text import check_events, detect_covid_events
from helpers.analysis.covid_trajectories import (
    STALLED_STATUSES,
    STATUSES,
    TrajectoryParams,
    check_trajectories,
    classify_trajectories,
    quotes_missing_from_tables,
    sensitivity_table,
)
from helpers.tables.cleaning import clean_city
from helpers.tables.schema import COVID_EVENTS, COVID_SENSITIVITY, COVID_TRAJECTORIES
from helpers.tables.store import read_table, same_fact_links, write_analysis_tables
from helpers.views.covid_figures import indexed_series_frame, stall_line_checks

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PARAMS = TrajectoryParams(latest_year=2022)


@pytest.fixture(scope="module")
def frames():
    """The cleaning tables of all four cities, concatenated (what data/processed/*.csv holds)."""
    cleaned = [clean_city(RAW, city).frames for city in CITIES]
    names = ("indicators", "activities", "evaluations", "measures")
    return {name: pd.concat([f[name] for f in cleaned], ignore_index=True) for name in names}


@pytest.fixture(scope="module")
def events(frames):
    return detect_covid_events(frames["activities"], frames["indicators"])


@pytest.fixture(scope="module")
def table(frames, events):
    result = classify_trajectories(
        frames["indicators"],
        frames["activities"],
        frames["evaluations"],
        events,
        PARAMS,
        frames["measures"],
        same_facts=same_fact_links(frames["indicators"]),
    )
    check_trajectories(result)
    return result


def find(table, city, activity, measure_id=None):
    """The one row of a city's activity (in one measure, where several measures list it)."""
    rows = table[(table["city"] == city) & (table["activity"] == activity)]
    if measure_id is not None:
        rows = rows[rows["measure_id"] == measure_id]
    assert len(rows) == 1, table.loc[table["city"] == city, ["measure_id", "activity", "status"]]
    return rows.iloc[0]


# --- activities read in the sheets ------------------------------------------------------------------------------


def test_yamagata_course_cut_in_r2_by_the_pandemic_recovered(table):
    """yamagata:59: 担い手養成研修会参加者数 9名 → 37名, note: R2は2回中止し、1回のみ開催."""
    r = find(table, "yamagata", "担い手養成研修会参加者数")
    assert (r["status"], r["attribution"], r["stall_year"], r["recovery_year"]) == (
        "stalled_recovered",
        "sheet",
        2020,
        2022,
    )
    assert r["quote"] == "R2は2回中止し" and r["source_line"] == 59
    assert r["recovery_quote"] == "2022年度 37名"


def test_yamagata_cancelled_cell_speaks_only_for_its_own_figure(table):
    """yamagata:38: one cell lists four figures; only 運動普及推進員の養成 says 中止."""
    assert find(table, "yamagata", "運動普及推進員の養成")["status"] == "stalled_recovered"
    assert find(table, "yamagata", "食生活改善推進員の養成")["status"] not in STALLED_STATUSES


def test_yamagata_volunteers_restrained_but_the_roster_is_no_stall(table):
    """yamagata:58: 登録ボランティア数 145 → 82 is a roster (reported, never read as a stall); the sheet says volunteers
    restrained their activity."""
    assert find(table, "yamagata", "登録ボランティアの活動")["status"] == "stalled_recovery_not_observed"
    roster = find(table, "yamagata", "登録ボランティア数(各年度末)")
    assert (roster["indicator_kind"], roster["status"]) == ("stock", "not_stalled")
    assert roster["rule"].startswith("kind:stock")


def test_yamagata_training_held_despite_the_pandemic_is_not_stalled(table):
    """yamagata:37: コロナ禍においても…机上研修を全職員に実施した."""
    assert find(table, "yamagata", "職員向けこころ支えるサポーター講座(机上研修)")["status"] == "not_stalled"


def test_yamaguchi_training_cancelled_in_2021_planned_for_2022(table):
    """yamaguchi:885 → :891: 福祉員研修会 cancelled, the FY2022 plan looks for a way to hold it; 新任研修会 was held
    in each district (another format)."""
    r = find(table, "yamaguchi", "福祉の輪づくり運動関係者及び福祉員研修会")
    assert (r["status"], r["recovery_line"]) == ("stalled_planned", 891)
    assert find(table, "yamaguchi", "新任研修会")["status"] == "not_stalled"


def test_yamaguchi_event_cancelled_again_in_the_fy2022_column_is_not_recovered(table):
    """yamaguchi:520 and :526: 市ふれあいレク大会 cancelled in FY2021 and again in the FY2022 column."""
    r = find(table, "yamaguchi", "市ふれあいレク大会")
    assert (r["status"], r["recovery_line"]) == ("stalled_not_recovered", 526)


def test_yamaguchi_hybrid_training_is_not_stalled(table):
    """yamaguchi:42: 災害ボランティア研修会 held on site and online."""
    assert find(table, "yamaguchi", "災害ボランティア研修会の開催", "yamaguchi-1-1-1")["status"] == "not_stalled"


def test_yamaguchi_stalls_rest_on_sentences_never_on_targets(table):
    """山口市 reports one actual year: a shortfall against a target is its own column, never a stall."""
    rows = table[(table["city"] == "yamaguchi") & table["status"].isin(STALLED_STATUSES)]
    assert len(rows) > 0
    assert rows["rule"].str.startswith("stall:text").all()
    uncaused = rows["rule"].str.contains("no cause stated")
    assert (rows.loc[~uncaused, "attribution"] == "sheet").all()
    assert (rows.loc[uncaused, "attribution"] == "timing").all()
    assert rows.loc[uncaused, "activity"].tolist() == ["地域福祉権利擁護事業支援員研修会"]
    assert table["plan_ratio"].notna().any()


def test_ichinoseki_drill_cancelled_without_a_plan_marks_no_other_series(table):
    """ichinoseki:282: the 設置訓練 was cancelled in FY2022; the measure's rosters and evacuation drill were not."""
    assert find(table, "ichinoseki", "岩手県災害ボランティアセンター設置訓練")["status"] == (
        "stalled_recovery_not_observed"
    )
    others = table[(table["measure_id"] == "ichinoseki-3-5") & (table["row_basis"] == "series")]
    assert not others["status"].isin(STALLED_STATUSES).any()


def test_ichinoseki_festival_cancelled_in_2022_is_in_the_2023_plan(table):
    """ichinoseki:229: 福祉まつりが中止 (FY2022); the FY2023 programme lists 一関市福祉まつり."""
    r = find(table, "ichinoseki", "福祉まつり")
    assert (r["status"], r["recovery_quote"]) == ("stalled_planned", "一関市福祉まつり")


def test_ichinoseki_school_visits_held_back_two_years_are_planned(table):
    """ichinoseki:292 (FY2021) and :228 (FY2022): school visits held back; the FY2023 plan schedules them. The same
    sentence under 施策 1-3 and 2-3 (lines 230, 300, 318) is the same activity, counted once."""
    rows = table[(table["city"] == "ichinoseki") & table["activity"].str.contains("訪問")]
    rows = rows[rows["status"].isin(STALLED_STATUSES)]
    assert rows["measure_id"].tolist() == ["ichinoseki-1-1"]
    assert set(rows["status"]) == {"stalled_planned"} and set(rows["stall_year"]) == {2021}


def test_shiroi_course_at_zero_then_hundreds_is_a_stall_by_pattern(table):
    """shiroi:412–414: 市内の参加者数 0 (D), 2 (B), 232 (A)."""
    r = find(table, "shiroi", "市内の参加者数")
    assert (r["status"], r["attribution"], r["reference_basis"]) == ("stalled_recovered", "timing", "latest_year")


def test_shiroi_roll_out_and_demand_are_no_stalls(table):
    """shiroi:373 情報の提供者数 4 → 26 → 85 (a roll-out); shiroi:476 相談受付件数 95 → 46 → 11 (relief wound down)."""
    assert find(table, "shiroi", "情報の提供者数")["status"] not in STALLED_STATUSES
    demand = find(table, "shiroi", "相談受付件数")
    assert (demand["status"], demand["demand_change"]) == ("not_stalled", "fell")


def test_shiroi_grade_c_every_year_is_delayed_without_a_stated_cause(table):
    """shiroi:164: 創出したサービス数 graded C in FY2020, FY2021 and FY2022."""
    assert find(table, "shiroi", "創出したサービス数")["status"] == "delayed_cause_not_stated"


def test_shiroi_look_back_sentence_dates_the_stall_before_the_recovery(table):
    """shiroi:110: 3年度は…休止…4年度はコロナ前と同程度."""
    r = find(table, "shiroi", "地域における支え合い活動")
    assert (r["status"], r["stall_year"], r["recovery_year"]) == ("stalled_recovered", 2021, 2022)


# --- properties of the whole table ------------------------------------------------------------------------------


def test_no_stall_rests_on_a_target_or_on_a_series_that_never_fell(table):
    stalled = table[table["status"].isin(STALLED_STATUSES)]
    assert set(stalled["reference_basis"]) <= {"", "pre_pandemic", "latest_year"}
    numeric = stalled[stalled["rule"].str.startswith("stall:numeric")]
    assert (numeric["indicator_kind"] == "activity").all()
    values = numeric["quote"].str.extract(r"年度\s*\D*([\d,.]+)")[0].str.replace(",", "").astype(float)
    assert (values < numeric["reference_value"]).all()


def test_every_stalled_row_carries_both_kinds_of_evidence(table):
    stalled = table[table["status"].isin(STALLED_STATUSES)]
    assert (stalled["quote"] != "").all() and stalled["source_line"].notna().all()
    assert stalled["attribution"].isin(["sheet", "timing"]).all()
    recovered = stalled[stalled["status"].isin(["stalled_recovered", "stalled_planned", "stalled_not_recovered"])]
    assert (recovered["recovery_quote"] != "").all() and recovered["recovery_line"].notna().all()
    assert stalled.loc[stalled["status"] == "stalled_recovered", "recovery_year"].notna().all()


def test_every_quote_is_found_in_the_cleaned_tables(frames, table):
    assert quotes_missing_from_tables(table, frames["activities"], frames["indicators"]).empty
    changed = table[table["quote"] != ""].head(1).assign(quote="新型コロナのため中止(資料にない文)")
    assert len(quotes_missing_from_tables(changed, frames["activities"], frames["indicators"])) == 1


def test_every_indexed_panel_goes_below_its_stall_line(frames, table):
    indexed = indexed_series_frame(table, frames["indicators"], PARAMS)
    checks = stall_line_checks(indexed, PARAMS)
    assert len(checks) > 0
    assert checks["below_stall_line"].all(), checks[~checks["below_stall_line"]]
    assert indexed.groupby("label")["indicator"].nunique().eq(1).all()


def test_tables_validate_and_write(tmp_path, frames, events, table):
    check_events(events)
    grid = {"drop_threshold": (PARAMS.drop_threshold,), "window_end": (2021.0, 2022.0)}
    sensitivity = sensitivity_table(frames["indicators"], frames["activities"], frames["evaluations"], events,
                                    PARAMS, frames["measures"], grid,
                                    same_facts=same_fact_links(frames["indicators"]))  # fmt: skip
    at_run = sensitivity[(sensitivity["parameter"] == "drop_threshold")].set_index("status")["n_rows"]
    assert at_run.to_dict() == table["status"].value_counts().reindex(list(STATUSES), fill_value=0).to_dict()
    write_analysis_tables(
        tmp_path, {"covid_events": events, "covid_trajectories": table, "covid_sensitivity": sensitivity}
    )
    back = read_table(tmp_path, COVID_TRAJECTORIES)
    assert len(back) == len(table) and len(read_table(tmp_path, COVID_EVENTS)) == len(events)
    assert len(read_table(tmp_path, COVID_SENSITIVITY)) == len(sensitivity)


def test_a_part_of_a_printed_total_is_not_read_as_an_activity(table):
    """ichinoseki:358 and :283: 避難支援訓練 participants 28 (FY2021) and 30 (FY2022) with their parts; デイサービス職員
    going from 3 to 6 is a change in who came, not a stall of the drill."""
    part = find(table, "ichinoseki", "避難支援訓練参加者数 デイサービス職員")
    assert part["status"] not in STALLED_STATUSES
    assert "part of a total" in part["rules"]


def test_shiroi_meeting_held_in_smaller_units_is_no_stall_though_it_rises_like_a_roll_out(table):
    """shiroi:148-150: ふれあい会議 1 (C) → 7 (B) → 15 (B); the row's sentence says the meetings were held in smaller
    units (another form), and No.6 prints 19 for FY2020 of the same meeting (shiroi:89)."""
    r = find(table, "shiroi", "ふれあい会議開催数", "shiroi-no12")
    assert (r["status"], r["rule"]) == ("not_stalled", "held:another format")


def test_shiroi_course_back_only_when_near_its_own_level(table):
    """shiroi:412-414: 市内の参加者数 0 → 2 → 232 (救命救急講習): 2 is no recovery; FY2022 is."""
    r = find(table, "shiroi", "市内の参加者数")
    assert (r["status"], r["stall_year"], r["recovery_year"]) == ("stalled_recovered", 2020, 2022)


def test_yamaguchi_salons_restricted_while_visits_went_on_are_not_stalled(table):
    """yamaguchi:586: サロン活動が制限されたが、…安否確認につながる活動を継続的に実施 (restricted, still held)."""
    r = find(table, "yamaguchi", "ふれあい・いきいきサロン活動")
    assert (r["status"], r["rule"]) == ("not_stalled", "held:smaller scale")


def test_shiroi_fall_in_a_year_graded_b_held_in_smaller_units_is_no_stall(table):
    """shiroi:89-91: ふれあい会議 19 → 7 → 15, graded B every year, held at 小学校区・自治会 level."""
    r = find(table, "shiroi", "ふれあい会議開催数", "shiroi-no06")
    assert (r["status"], r["rule"]) == ("not_stalled", "held:another format")


def test_shiroi_small_count_graded_a_in_its_low_year_is_no_stall(table):
    """shiroi:37-39: 研修会 3 → 1 → 5 with an A in FY2021: the department judged the year on track."""
    r = find(table, "shiroi", "研修等の実施回数(研修会)")
    assert r["status"] == "not_stalled"
    assert "fall 2021 graded A" in r["rules"]


def test_yamaguchi_training_held_on_a_smaller_scale_is_not_stalled(table):
    """yamaguchi:620: 事例集を活用した研修会…縮小して実施 (held, smaller)."""
    r = find(table, "yamaguchi", "地域見守り支え合い事例集を活用した研修会")
    assert (r["status"], r["rule"]) == ("not_stalled", "held:smaller scale")


def test_shiroi_cancelled_events_are_their_own_activity_not_the_centres_user_count(table):
    """shiroi:242-244: events cancelled in FY2020 and resumed; the centre's users 5,121 → 7,188 → 8,791 rose."""
    events = find(table, "shiroi", "市民活動団体のイベント等")
    assert (events["status"], events["stall_year"], events["attribution"]) == ("stalled_recovered", 2020, "sheet")
    assert find(table, "shiroi", "しろい市民まちづくりサポートセンター利用者数")["status"] == "not_stalled"


def test_yamagata_training_not_held_marks_its_participation_count_too(table):
    """yamagata:305: 研修会 未実施 in FY2020; FY2022 1回(オンライン研修) 100施設参加: both counts are the training."""
    for label in ("回数", "参加施設数"):
        r = find(table, "yamagata", f"高齢者福祉施設や障がい者福祉施設職員に対する研修会 {label}")
        assert (r["status"], r["stall_year"]) == ("stalled_recovered", 2020)


def test_ichinoseki_training_not_held_with_no_cause_is_a_stall_by_timing(table):
    """ichinoseki:346: 研修会等は実施していない (FY2021, no cause); the FY2022 results (line 266) hold フォーラム1回."""
    r = find(table, "ichinoseki", "医療と介護の連携連絡会 フォーラム開催回数")
    assert (r["status"], r["attribution"], r["stall_year"]) == ("stalled_recovered", "timing", 2021)


def test_shiroi_plan_not_made_with_d_grades_is_a_delay_and_a_roll_out_is_none(table):
    """shiroi:428-429: 全体計画の策定 0 (D), 0 (D): not done, no cause stated. shiroi:373-375: 情報の提供者数
    4 (C) → 26 (B) → 85 (A) is a roster rolled out, not read as a stall."""
    plan = find(table, "shiroi", "全体計画の策定", "shiroi-no35")
    assert plan["status"] == "delayed_cause_not_stated"
    assert find(table, "shiroi", "情報の提供者数")["status"] == "not_stalled"


def test_a_series_listed_under_two_measures_is_one_activity(table):
    """shiroi:453 and :500: 会議の開催回数 0/1/1 under No.38 and No.42 (same department, same figures): one row."""
    rows = table[(table["city"] == "shiroi") & (table["activity"] == "会議の開催回数")]
    assert rows["measure_id"].tolist() == ["shiroi-no38"]
    assert "also listed under shiroi-no42" in rows["rules"].iloc[0]

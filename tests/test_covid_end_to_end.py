"""COVID stall/recovery end to end: the four cities' raw sheets cleaned in memory, events detected, rows classified.

Each case is a measure read in the sheets (data/raw); the assertions name what a reader of the sheet would conclude.
"""

from pathlib import Path

import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.covid_text import check_events, detect_covid_events
from helpers.analysis.covid_trajectories import (
    QUOTE_JOINER,
    STALLED_STATUSES,
    TrajectoryParams,
    check_trajectories,
    classify_trajectories,
    quotes_missing_from_sources,
    sensitivity_table,
)
from helpers.tables.cleaning import clean_city
from helpers.tables.schema import COVID_EVENTS, COVID_SENSITIVITY, COVID_TRAJECTORIES
from helpers.tables.store import read_table, write_analysis_tables

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
        frames["indicators"], frames["activities"], frames["evaluations"], events, PARAMS, frames["measures"]
    )
    check_trajectories(result)
    return result


def find(table, city, *, indicator=None, quote=None):
    """The one row of a city with this indicator, or whose quote holds this text."""
    rows = table[table["city"] == city]
    if indicator is not None:
        rows = rows[rows["indicator"] == indicator]
    if quote is not None:
        rows = rows[rows["quote"].str.contains(quote, regex=False)]
    assert len(rows) == 1, rows[["measure_id", "indicator", "status"]]
    return rows.iloc[0]


# --- 白井市 ---------------------------------------------------------------------------------------------------------


def test_shiroi_life_saving_course_recovered(table):
    """No.34 救命救急講習: 0 participants and grade D in FY2020, 2 (B) in FY2021, 232 (A) in FY2022."""
    row = find(table, "shiroi", indicator="市内の参加者数")
    assert "救命" in row["measure"]
    assert row["status"] == "stalled_recovered"
    assert row["stall_year"] == 2020
    assert (row["latest_value"], row["latest_year"]) == (232, 2022)
    assert row["evidence"] == "grade+numeric"
    assert (row["source_file"], row["source_line"]) == ("shiroi_fy2022_progress_sheet.txt", 412)


def test_shiroi_postponed_life_saving_course_for_care_staff_was_held(table):
    """No.15: 延期していた介護施設スタッフ向けの救命講習会を開催することができた (FY2022), grade D in FY2020."""
    row = find(table, "shiroi", quote="救命講習会")
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"]) == (2020, 2022)
    assert row["evidence"] == "grade+text"
    assert row["source_line"] == 181


def test_shiroi_steady_measure_without_covid_text_is_not_stalled(table, events):
    """No.2 連絡調整会議の開催: 12 meetings every year, grades B/B/A, no COVID sentence."""
    row = find(table, "shiroi", indicator="連絡調整会議の開催")
    assert (row["status"], row["evidence"]) == ("not_stalled", "grade+numeric")
    assert pd.isna(row["stall_year"]) and row["quote"] == ""
    assert events[(events["city"] == "shiroi") & (events["measure_id"] == row["measure_id"])].empty


# --- 山口市 ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", ["各地区福祉員協議会開催支援", "市福祉員連絡協議会開催支援"])
def test_yamaguchi_training_cancelled_in_2021_planned_for_2022(table, indicator):
    """④ 福祉員研修会は中止 (令和3年度実施状況, line 885) → ④ …福祉員研修会の開催方法を検討 (令和4年度実施予定, 891)."""
    row = find(table, "yamaguchi", indicator=indicator)
    assert row["status"] == "stalled_planned"
    assert row["stall_year"] == 2021 and pd.isna(row["recovery_year"])
    assert "planned:followup 2022" in row["rules"]
    stall, plan = row["quote"].split(QUOTE_JOINER)
    assert stall.endswith("福祉の輪づくり運動関係者及び福祉員研修会は中止")
    assert plan.endswith("福祉の輪づくり運動関係者及び福祉員研修会の開催方法を検討")
    assert (row["source_file"], row["source_line"]) == ("yamaguchi_fy2021_implementation_report.txt", 885)


def test_yamaguchi_exchange_meeting_cancelled_in_2021_planned_for_2022(table):
    """② 福祉教育情報交換会〔高等学校・大学対象〕は…中止 (line 183) → ②…の開催について…推進 (令和4年度, line 190)."""
    row = find(table, "yamaguchi", indicator="福祉教育推進協力校")
    assert row["status"] == "stalled_planned"
    assert row["quote"] == (
        "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止"
        f"{QUOTE_JOINER}福祉教育情報交換会〔高等学校・大学対象〕の開催について、関係者の意見を踏まえ推進"
    )
    assert row["source_line"] == 183


def test_yamaguchi_event_cancelled_again_in_the_plan_column_is_not_recovered(table):
    """市ふれあいレク大会: 中止 in FY2021 and 開催予定であったが…中止 in the FY2022 column."""
    row = find(table, "yamaguchi", indicator="活動支援団体数")
    assert row["status"] == "stalled_not_recovered"
    assert "text:cancelled 2022" in row["rules"]
    assert row["quote"].startswith("市ふれあいレク大会")


# --- 山形市 ---------------------------------------------------------------------------------------------------------


def test_yamagata_pandemic_baseline_with_covid_note_and_higher_later_value(table):
    """担い手養成研修会参加者数 9名 (R2) → 37名 (R4), note 新型コロナウイルス感染症の影響で、R2は2回中止し…."""
    row = find(table, "yamagata", indicator="担い手養成研修会参加者数")
    assert row["status"] == "stalled_recovered"
    assert (row["stall_year"], row["recovery_year"]) == (2020, 2022)
    assert (row["reference_value"], row["reference_basis"], row["latest_value"]) == (9, "first_year", 37)
    assert row["evidence"] == "numeric+text"
    assert "numeric:stalled_baseline 2020" in row["rules"]
    assert row["quote"] == "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした"
    assert row["source_line"] == 59


def test_yamagata_cancelled_cell_speaks_only_for_its_own_figure(table):
    """Line 38 lists four figures; only 運動普及推進員の養成 says ー（…中止） for R2."""
    row = find(table, "yamagata", indicator="運動普及推進員の養成")
    assert (row["status"], row["recovery_year"]) == ("stalled_recovered", 2022)
    assert "numeric:zero 2020" in row["rules"]  # ー（…中止） under a count of people trained is the value 0
    sibling = find(table, "yamagata", indicator="山形市健康づくり運動普及推進協議会の支援")
    assert sibling["status"] == "insufficient_data"


# --- 一関市 ---------------------------------------------------------------------------------------------------------


def test_ichinoseki_festival_cancelled_in_2022_is_in_the_2023_plan(table):
    """福祉まつりが中止となったため実績なし (令和4年度実績) → 一関市福祉まつり (令和5年度事業)."""
    row = find(table, "ichinoseki", quote="福祉まつりが中止")
    assert row["indicator"] == "(取組全体)"
    assert row["status"] == "stalled_planned"
    assert "planned:followup 2023" in row["rules"]
    assert row["quote"].endswith(f"{QUOTE_JOINER}一関市福祉まつり")
    assert (row["source_file"], row["source_line"]) == ("ichinoseki_fy2023_council_papers.txt", 229)


def test_ichinoseki_disaster_volunteer_drill_cancelled_without_a_plan(table):
    """岩手県災害ボランティアセンター設置訓練…中止 (FY2022); the FY2023 plan does not name the drill."""
    rows = table[(table["city"] == "ichinoseki") & table["quote"].str.contains("設置訓練", regex=False)]
    assert not rows.empty
    assert set(rows["status"]) == {"stalled_not_recovered"}
    assert set(rows["stall_year"]) == {2022}
    assert set(rows["source_line"]) == {282}


# --- the tables as written -----------------------------------------------------------------------------------------


def test_every_stalled_row_points_to_a_line_and_quotes_the_sheet_verbatim(table):
    stalled = table[table["status"].isin(STALLED_STATUSES)]
    assert stalled["source_line"].notna().all()
    assert (stalled["quote"] != "").any()
    assert quotes_missing_from_sources(table, RAW).empty


def test_a_changed_quote_is_reported_missing(table):
    changed = table[table["quote"] != ""].head(1).assign(quote="新型コロナのため中止(資料にない文)")
    assert len(quotes_missing_from_sources(changed, RAW)) == 1


def test_tables_validate_and_write(tmp_path, frames, events, table):
    check_events(events)
    sensitivity = sensitivity_table(
        frames["indicators"],
        frames["activities"],
        frames["evaluations"],
        events,
        drop_thresholds=[0.3],
        recovery_shares=[0.8],
        params=PARAMS,
        measures=frames["measures"],
    )
    counts = sensitivity.set_index("status")["n_rows"]
    assert counts.to_dict() == table["status"].value_counts().reindex(counts.index, fill_value=0).to_dict()
    write_analysis_tables(
        tmp_path, {"covid_events": events, "covid_trajectories": table, "covid_sensitivity": sensitivity}
    )
    back = read_table(tmp_path, COVID_TRAJECTORIES)
    assert (back["indicator"] != "").all()
    assert len(back) == len(table) and len(read_table(tmp_path, COVID_EVENTS)) == len(events)
    assert len(read_table(tmp_path, COVID_SENSITIVITY)) == len(sensitivity)

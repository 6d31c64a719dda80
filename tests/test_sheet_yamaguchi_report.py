"""山口市 実施状況報告 parser: one test per quirk on real lines, then the whole raw file end to end."""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from helpers.core.markers import NOT_HELD_NOTE
from helpers.sheets import parse_file
from helpers.sheets.records import Observation, ParsedSheet
from helpers.sheets.yamaguchi_report import parse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yamaguchi_report"
RAW = ROOT / "data" / "raw" / "yamaguchi_fy2021_implementation_report.txt"
LEXICON = ROOT / "src" / "helpers" / "lexicons" / "yamaguchi_report_departments.csv"
DIGIT_RUN = re.compile(r"[0-9０-９]+(?:[,，.．][0-9０-９]+)*")


@cache
def _parse(path: Path) -> ParsedSheet:
    return parse(path, city="yamaguchi", source_file=path.name)


def _fixture(name: str) -> ParsedSheet:
    return _parse(FIXTURES / name)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _obs(sheet: ParsedSheet, indicator: str, kind: str, year: int | None = None) -> Observation:
    found = [
        o
        for o in sheet.observations
        if o.indicator == indicator and o.value_kind == kind and (year is None or o.fiscal_year == year)
    ]
    assert len(found) == 1, (indicator, kind, year, found)
    return found[0]


def _reasons(sheet: ParsedSheet, line: int) -> list[tuple[str, str]]:
    return [(c.token, c.reason or c.outcome) for c in sheet.coverage if c.source_line == line]


def _line_of(path: Path, fragment: str) -> int:
    hits = [n for n, line in enumerate(_lines(path), start=1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def _check_invariants(sheet: ParsedSheet, path: Path) -> None:
    """Provenance, unique keys, and one coverage item per digit run of every line."""
    lines = _lines(path)
    for o in sheet.observations:
        assert o.value_raw and o.value_raw in lines[o.source_line - 1], o
        assert o.indicator and o.value_kind in ("actual", "target", "plan"), o
        assert o.count_basis in ("", "延べ", "実", "累計"), o
    keys = Counter((o.city, o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in sheet.observations)
    assert [k for k, n in keys.items() if n > 1] == []
    by_line: dict[int, list[str]] = {}
    for c in sheet.coverage:
        assert c.outcome in ("observation", "skipped") and (c.outcome == "observation" or c.reason), c
        by_line.setdefault(c.source_line, []).append(c.token)
    for number, line in enumerate(lines, start=1):
        assert by_line.get(number, []) == DIGIT_RUN.findall(line), number
    numeric = sum(o.value is not None and NOT_HELD_NOTE not in o.note for o in sheet.observations)  # 開催なし → 0
    assert sum(c.outcome == "observation" for c in sheet.coverage) == numeric
    for a in sheet.activities:
        assert a.text and a.fiscal_year > 2000 and a.value_kind in ("actual", "target", "plan"), a


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_every_fixture_keeps_the_invariants(name: str) -> None:
    _check_invariants(_fixture(name), FIXTURES / name)


# ------------------------------------------------------------------ headings and contents


def test_contents_page_numbers_are_skipped_never_observed() -> None:
    sheet = _fixture("toc_and_headings.txt")
    line = _line_of(FIXTURES / "toc_and_headings.txt", "① 担い手の確保と育成の支援")
    assert sheet.observations == []
    assert _reasons(sheet, line)[-3:] == [(p, "table of contents page number") for p in ("1", "3", "5")]


def test_direction_before_goal_still_gives_goal_direction_and_id() -> None:
    sheet = _fixture("toc_and_headings.txt")
    (measure,) = sheet.measures
    assert measure.measure_id == "yamaguchi-2-6-2"
    assert measure.measure == "福祉員活動の強化と住民への周知・啓発"
    assert measure.goal == "基本目標2 安全に安心して生活できる地域の輪づくり"
    assert measure.direction == "活動目標6 民生委員・児童委員及び福祉員活動の推進"
    quirks = " ".join(sheet.quirks)
    assert "活動目標 heading before its 基本目標" in quirks
    assert "named differently in the table of contents" in quirks


def test_chapter_heading_with_a_dot() -> None:
    sheet = _fixture("dotted_chapter.txt")
    assert [m.measure_id for m in sheet.measures] == ["yamaguchi-2-1-2"]
    assert any("2. 施策" in q for q in sheet.quirks)


def test_block_header_with_spaces_gives_the_year() -> None:
    sheet = _fixture("spaced_block_header.txt")
    actual = _obs(sheet, "福祉教育協働事業件数", "actual")
    assert (actual.fiscal_year, actual.value, actual.unit) == (2021, 1.0, "件")
    target = _obs(sheet, "福祉教育協働事業件数", "target")  # written 福祉教育協働事業 件数 年 7 件
    assert (target.fiscal_year, target.value, target.value_raw) == (2021, 7.0, "年 7 件")
    assert "per year" in target.note and "report year" in target.year_basis
    assert {a.fiscal_year for a in sheet.activities if a.value_kind == "plan"} == {2022}


# ------------------------------------------------------------------ targets


def test_target_from_a_start_year_onward_is_an_annual_target_of_the_report_year() -> None:
    sheet = _fixture("first_measure.txt")
    target = _obs(sheet, "地域ニーズに対するボランティア養成講座", "target")
    assert (target.fiscal_year, target.value, target.unit, target.actor) == (2021, 2.0, "地区", "市社協")
    assert "H30(2018)～" in target.note and "report year" in target.year_basis
    line = _line_of(FIXTURES / "first_measure.txt", "H30(2018)～")
    assert ("2018", "start year of an annual target (～)") in _reasons(sheet, line)


def test_target_year_in_brackets_with_or_without_a_space() -> None:
    first = _obs(_fixture("first_measure.txt"), "介護予防・生活支援サポーター登録者数", "target")
    assert (first.fiscal_year, first.value, first.unit, first.actor) == (2020, 250.0, "人", "市")
    spaced = _obs(_fixture("breakdown.txt"), "やまぐち路傍塾年間活動件数", "target")  # H32 (2020) 2,000 件
    assert (spaced.fiscal_year, spaced.value, spaced.unit) == (2020, 2000.0, "件")


def test_recurring_targets_take_the_report_year_with_a_note() -> None:
    sheet = _fixture("spill_after_table.txt")
    biennial = _obs(sheet, "活動資金を調達するための講座", "target")
    assert (biennial.fiscal_year, biennial.value, biennial.value_raw) == (2021, 1.0, "隔年1回")
    assert "every other year" in biennial.note
    every_year = _obs(_fixture("breakdown.txt"), "指定高等学校", "target")  # 指定高等学校年1校
    assert (every_year.value, every_year.unit, every_year.value_raw) == (1.0, "校", "年1校")


def test_departments_in_brackets_of_the_plan_cells() -> None:
    target = _obs(_fixture("spaced_block_header.txt"), "地域の力を活用している学校の割合", "target")
    assert (target.department, target.fiscal_year, target.value) == ("地域福祉課、学校教育課", 2020, 100.0)
    sheet = _fixture("department_in_actor_column.txt")
    assert _obs(sheet, "緊急時の避難場所を知っている市民の割合", "target").department == "防災危機管理課、地域福祉課"


def test_target_and_actual_are_linked_only_under_the_same_label() -> None:
    sheet = _fixture("spaced_block_header.txt")  # 地域の力を活用して いる (target) / している (actual)
    assert _obs(sheet, "地域の力を活用している学校の割合", "actual").value == 100.0
    sheet = _fixture("dotted_chapter.txt")  # 地域ケア会議等への出席 vs 地域ケア会議(民協関連)等への出席
    assert _obs(sheet, "地域ケア会議等への出席", "target").value == 10.0
    assert _obs(sheet, "地域ケア会議(民協関連)等への出席", "actual").value == 9.0


def test_compound_counts_are_refused_not_reduced() -> None:
    sheet = _fixture("compound_targets.txt")
    target = _obs(sheet, "介護予防・生活支援サポーター養成講座", "target")
    assert (target.value, target.value_raw) == (None, "年1回×2会場")
    actual = _obs(sheet, "介護予防・生活支援サポーター養成講座(基礎編)(応用編)", "actual")
    assert (actual.value, actual.value_raw) == (None, "各1回×1会場")
    assert "compound" in actual.note
    line = _line_of(FIXTURES / "compound_targets.txt", "年1回×2会場")
    assert ("2", "compound count refused") in _reasons(sheet, line)


def test_lists_without_units() -> None:
    sheet = _fixture("unitless_list.txt")
    hall = _obs(sheet, "児童館及び放課後児童クラブの運営の充実 児童館", "target")
    club = _obs(sheet, "児童館及び放課後児童クラブの運営の充実 放課後児童クラブ", "target")
    assert (hall.value, hall.unit, club.value, club.unit) == (2.0, "", 16.0, "")
    assert _obs(sheet, "児童館及び放課後児童クラブの運営の充実 放課後児童クラブ", "actual").value == 15.0


def test_qualitative_targets_stay_as_empty_observations() -> None:
    sheet = _fixture("circle_heading.txt")
    target = _obs(sheet, "民生委員・児童委員、福祉員対象の研修会の充実", "target")
    assert (target.value, target.note) == (None, "indicator without a number")


# ------------------------------------------------------------------ actual values


def test_labelled_values_in_one_bullet_with_a_sub_count_in_the_note() -> None:
    sheet = _fixture("first_measure.txt")
    basic = _obs(sheet, "介護予防・生活支援サポーター養成講座 受講者(基礎編)", "actual")
    applied = _obs(sheet, "介護予防・生活支援サポーター養成講座 受講者(応用編)", "actual")
    assert (basic.value, basic.unit, applied.value, applied.unit) == (12.0, "人", 10.0, "人")
    assert "うち登録5人" in applied.note and basic.department == "地域福祉課"
    line = _line_of(FIXTURES / "first_measure.txt", "【基礎編】")
    assert ("5", "sub-count in brackets kept in note") in _reasons(sheet, line)


def test_running_total_sets_the_count_basis() -> None:
    total = _obs(_fixture("first_measure.txt"), "登録者", "actual")
    assert (total.value, total.unit, total.count_basis, total.value_raw) == (111.0, "人", "累計", "累計111人")


def test_values_spilled_below_the_table_recover_their_actor() -> None:
    path = FIXTURES / "spill_after_table.txt"
    sheet = _fixture("spill_after_table.txt")
    spilled = _obs(sheet, "多様な寄付の在り方についての検討会議を開催", "actual")
    assert (spilled.value, spilled.value_raw, spilled.actor) == (0.0, "開催なし", "市")
    assert NOT_HELD_NOTE in spilled.note
    assert spilled.source_line == _line_of(path, "開催なし") and "actor from the ■計画 row" in spilled.note
    assert _obs(sheet, "活動資金を調達するための講座", "actual").value == 0.0


def test_value_on_the_line_after_its_label() -> None:
    path = FIXTURES / "spill_next_line.txt"
    sheet = _fixture("spill_next_line.txt")
    six = _obs(sheet, "福祉体験学習等によるユニバーサルデザインの周知", "actual")
    assert (six.value, six.unit, six.actor, six.source_line) == (6.0, "件", "市社協", _line_of(path, "6 件"))
    braille = _obs(sheet, "点字・声の広報等発行の延べ利用人数 点訳", "actual")
    assert (braille.value, braille.unit, braille.count_basis, braille.actor) == (468.0, "件", "延べ", "市")
    assert braille.source_line == _line_of(path, "点訳 468 件")


def test_units_that_contradict_the_label_are_kept_as_written() -> None:
    braille = _obs(_fixture("spill_next_line.txt"), "点字・声の広報等発行の延べ利用人数 音訳", "target")
    assert (braille.value, braille.unit) == (321.0, "件") and "does not match the label" in braille.note
    sheet = _fixture("dotted_chapter.txt")
    assert _obs(sheet, "地域課題解決実践事業", "target").unit == "回"
    assert _obs(sheet, "地域課題解決実践事業", "actual").unit == "件"


def test_digits_inside_labels_are_not_values() -> None:
    path = FIXTURES / "label_digits.txt"
    sheet = _fixture("label_digits.txt")
    registered = _obs(sheet, "子ども110番の家への登録", "actual")
    assert (registered.value, registered.unit, registered.value_raw) == (2.0, "カ所", "計2カ所")
    assert "total" in registered.note
    days = _obs(sheet, "委員 1 人あたりの年間活動日数", "actual")
    assert (days.value, days.unit) == (141.0, "日")
    assert _obs(sheet, "委員 1 人あたりの年間活動日数", "target").value == 152.0
    line = _line_of(path, "・子ども110番の家への登録 計2カ所")
    assert ("110", "digits inside the indicator label") in _reasons(sheet, line)
    layer = _obs(_fixture("compound_targets.txt"), "地域包括支援センターに第2層コーディネーターを配置", "actual")
    assert (layer.value, layer.unit) == (7.0, "人")


def test_breakdown_bullets_carry_the_total_label() -> None:
    sheet = _fixture("breakdown.txt")
    assert _obs(sheet, "福祉体験学習器材貸出件数", "actual").value == 77.0
    parts = [o for o in sheet.observations if o.indicator.startswith("福祉体験学習器材貸出件数 ")]
    assert sum(o.value or 0 for o in parts) == 77.0 and len(parts) == 5
    assert _obs(sheet, "福祉体験学習器材貸出件数 車いす", "actual").value == 35.0


def test_bracketed_group_count_after_a_value_goes_to_the_note() -> None:
    sheet = _fixture("department_in_actor_column.txt")
    update = _obs(sheet, "災害時等地域支え合いマップ更新 取組地区", "actual")
    assert (update.value, update.unit) == (1.0, "回") and "(8地区社協)" in update.note


def test_circle_heading_and_a_count_only_in_brackets() -> None:
    sheet = _fixture("circle_heading.txt")
    block = _obs(sheet, "各種研修会等の開催支援 民生委員・児童委員 ブロック別研修会開催", "actual")
    section = _obs(sheet, "各種研修会等の開催支援 民生委員・児童委員 部会等研修開催", "actual")
    assert (block.value, section.value) == (2.0, 13.0)
    vague = [o for o in sheet.observations if "各定例会(20地区)" in o.indicator]
    assert len(vague) == 1 and vague[0].value is None and "not aligned" in vague[0].note


def test_not_held_phrases_give_0_under_an_event_count_and_no_value_elsewhere() -> None:
    """市民講座 実施なし (line 521) and 検討会議を開催 / 開催なし (line 108): nothing was held, the count is 0, as the
    山形市 parser reads 中止; 協賛企業数 / 実績なし (line 293) counts no event and stays without a value."""
    sheet = _fixture("no_value_phrase.txt")
    lecture = _obs(sheet, "市民講座", "actual")
    assert (lecture.value, lecture.value_raw) == (0.0, "実施なし") and "新型コロナ" in lecture.note
    assert NOT_HELD_NOTE in lecture.note
    none = _obs(_fixture("several_departments.txt"), "新規募金百貨店プロジェクト協賛企業数", "actual")
    assert (none.value, none.value_raw, none.note) == (None, "実績なし", "実績なし")


def test_counter_words_of_this_sheet() -> None:
    sheet = _fixture("several_departments.txt")
    assert _obs(sheet, "新規募金百貨店プロジェクト協賛企業数", "target").unit == "企業"
    label = "小地域福祉活動計画策定委員会及び実行委員会の開催支援地区社協数"
    assert _obs(_fixture("dotted_chapter.txt"), label, "actual").unit == "地区社協"


# ------------------------------------------------------------------ actors, departments, activities


def test_funding_tag_inside_the_text_cell_or_in_its_own_column() -> None:
    inside = [a for a in _fixture("first_measure.txt").activities if a.section.endswith("【受託】")]
    assert inside and {a.actor for a in inside} == {"市社協"}
    column = [a for a in _fixture("label_digits.txt").activities if a.section == "令和3年度実施状況【受託】"]
    assert column and column[0].text.startswith("①民生委員・児童委員の日活動強化週間")


def test_department_at_the_start_of_the_text_cell() -> None:
    sheet = _fixture("first_measure.txt")
    elderly = [a for a in sheet.activities if a.department == "高齢福祉課" and a.value_kind == "actual"]
    assert [a.text for a in elderly] == [
        "・介護予防・生活支援サポーター養成講座を1カ所で開催",
        "・ボランティア登録者及び活動への参加者の増加に向け、市ウェブサイトや集会等の場を活用し、すこやかボランティアのPRを実施",
    ]


def test_one_cell_naming_several_departments() -> None:
    path = FIXTURES / "several_departments.txt"
    sheet = _fixture("several_departments.txt")
    line = _line_of(path, "ふるさと産業振興課 ・社会貢献活動")
    assert [a.department for a in sheet.activities if a.source_line == line] == ["ふるさと産業振興課", "地域福祉課"]
    assert _obs(sheet, "市ウェブサイト等による情報提供", "actual").department == "ふるさと産業振興課、地域福祉課"


def test_department_standing_in_the_actor_column() -> None:
    path = FIXTURES / "department_in_actor_column.txt"
    sheet = _fixture("department_in_actor_column.txt")
    line = _line_of(path, "地域福祉課\t・災害時要援護者支援者名簿")
    items = [a for a in sheet.activities if a.source_line == line]
    assert {(a.actor, a.department, a.fiscal_year) for a in items} == {("市", "地域福祉課", 2021)}
    assert len(items) == 2


def test_one_activity_per_item_with_marker_runs_kept_together() -> None:
    sheet = _fixture("label_digits.txt")
    line = _line_of(FIXTURES / "label_digits.txt", "①民生委員・児童委員の日活動強化週間")
    items = [a.text[:2] for a in sheet.activities if a.source_line == line]
    assert items == ["①民", "②市", "②地", "②各", "③市"]


def test_plans_are_plan_activities_and_cancelled_events_are_kept() -> None:
    sheet = _fixture("no_value_phrase.txt")
    plans = [a for a in sheet.activities if a.value_kind == "plan"]
    assert plans and {a.fiscal_year for a in plans} == {2022}
    cancelled = [a for a in plans if "中止" in a.text]
    assert cancelled[0].actor == "市社協" and cancelled[0].section == "令和4年度実施予定【独自】"


def test_only_a_clearly_labelled_plan_count_becomes_a_plan_value() -> None:
    path = FIXTURES / "first_measure.txt"
    sheet = _fixture("first_measure.txt")
    plan = _obs(sheet, "災害ボランティア研修会の開催", "plan")
    assert (plan.fiscal_year, plan.value, plan.unit, plan.value_raw) == (2022, 1.0, "回", "1回")
    assert plan.value_origin == "narrative"
    line = _line_of(path, "(年6回発行)")
    assert ("6", "frequency in narrative text") in _reasons(sheet, line)


def test_dates_and_years_in_text_are_not_values() -> None:
    path = FIXTURES / "label_digits.txt"
    sheet = _fixture("label_digits.txt")
    line = _line_of(path, "5月12日～5月18日")
    reasons = dict(_reasons(sheet, line)[:2])
    assert reasons == {"5": "date in narrative text", "12": "date in narrative text"}
    breakdown = _fixture("breakdown.txt")
    line = _line_of(FIXTURES / "breakdown.txt", "令和2・3年度指定")
    assert ("2", "year in narrative text") in _reasons(breakdown, line)
    caption = _fixture("no_value_phrase.txt")
    line = _line_of(FIXTURES / "no_value_phrase.txt", "LIGHT IT UP BLUE")
    assert _reasons(caption, line) == [("2021", "caption or figure text")]


# ------------------------------------------------------------------ the whole raw file

EXPECTED = [
    # measure, indicator, fiscal year, kind, value, unit, actor
    ("1-1-1", "介護予防・生活支援サポーター登録者数", 2020, "target", 250.0, "人", "市"),
    ("1-1-1", "地域ニーズに対するボランティア養成講座", 2021, "actual", 1.0, "地区", "市社協"),
    ("1-1-1", "介護予防・生活支援サポーター養成講座 受講者(応用編)", 2021, "actual", 10.0, "人", "市"),
    ("1-1-2", "団体間の情報交換会支援", 2021, "actual", 4.0, "回", "市"),
    ("1-1-2", "地区社協連研修会", 2021, "target", 2.0, "回", "市社協"),
    ("1-1-3", "活動資金を調達するための講座", 2021, "actual", 0.0, "回", "市社協"),
    ("1-1-3", "多様な寄付の在り方についての検討会議を開催", 2021, "actual", 0.0, "", "市"),
    ("1-2-1", "やまぐち路傍塾年間活動件数", 2021, "actual", 1970.0, "件", "市"),
    ("1-2-1", "指定小学校", 2021, "actual", 6.0, "校", "市社協"),
    ("1-2-2", "福祉教育推進協力校", 2021, "actual", 9.0, "校", "市"),
    ("1-2-2", "福祉教育推進協力校", 2021, "target", 8.0, "校", "市"),
    ("1-2-3", "地域の力を活用している学校の割合", 2020, "target", 100.0, "%", "市"),
    ("1-2-4", "点字・声の広報等発行の延べ利用人数 音訳", 2021, "actual", 504.0, "件", "市"),
    ("1-2-4", "点字・声の広報等発行の延べ利用人数 音訳", 2020, "target", 321.0, "件", "市"),
    ("1-3-1", "推薦モデル事業所数", 2021, "actual", 1.0, "事業所", "市社協"),
    ("1-3-2", "推進協議会への社会福祉法人の加入率", 2022, "target", 70.0, "%", "市社協"),
    ("1-3-2", "推進協議会への社会福祉法人の加入率", 2021, "actual", 57.5, "%", "市社協"),
    ("2-1-1", "住んでいる地域の課題を認識している市民の割合", 2021, "actual", 42.1, "%", "市"),
    ("2-1-1", "小地区見守り訪問活動研修会開催支援地区社協数", 2021, "actual", 19.0, "地区社協", "市社協"),
    ("2-1-2", "個別課題や地域課題の解決を図る地域ケア会議の開催数", 2021, "actual", 797.0, "件", "市"),
    ("2-1-2", "個別課題や地域課題の解決を図る地域ケア会議の開催数", 2020, "target", 930.0, "件", "市"),
    ("2-2-1", "介護予防の自主活動を継続しているグループ数", 2021, "actual", 136.0, "グループ", "市"),
    ("2-2-1", "地区サロン連絡会の開催", 2021, "actual", 8.0, "地区社協", "市社協"),
    ("2-2-2", "地域子育て支援施設利用者数", 2021, "actual", 54604.0, "人", "市"),
    ("2-2-2", "地域子育て支援施設利用者数", 2020, "target", 8500.0, "人", "市"),
    ("2-2-3", "活動支援団体数", 2021, "actual", 1.0, "団体", "市社協"),
    ("2-2-4", "介護予防の自主活動グループの立ち上げ支援回数", 2021, "actual", 172.0, "回", "市"),
    ("2-2-4", "介護予防の自主活動グループの立ち上げ支援回数", 2020, "target", 380.0, "回", "市"),
    ("2-3-1", "見守り訪問グループ数の維持", 2021, "actual", 924.0, "グループ", "市"),
    ("2-3-1", "総配食数", 2021, "actual", 9839.0, "食", "市社協"),
    ("2-3-2", "認知症サポーター養成実施率", 2021, "actual", 88.0, "%", "市"),
    ("2-3-3", "有償在宅福祉サービス研修会等", 2021, "actual", 5.0, "回", "市社協"),
    ("2-3-3", "生活支援コーディネーターを配置", 2021, "target", 7.0, "人", "市"),
    ("2-4-1", "緊急時の避難場所を知っている市民の割合", 2021, "actual", 66.5, "%", "市"),
    ("2-4-1", "緊急時の避難場所を知っている市民の割合", 2020, "target", 70.0, "%", "市"),
    ("2-4-2", "防災研修会等の参加者数", 2021, "actual", 645.0, "人", "市"),
    ("2-4-2", "災害ボランティアセンター運営シミュレーション", 2021, "actual", 3.0, "回", "市社協"),
    ("2-4-2", "災害ボランティア研修会の開催", 2022, "plan", 1.0, "回", "市社協"),
    ("2-5-1", "危険箇所看板作成数", 2021, "actual", 11.0, "カ所", "市"),
    ("2-5-1", "危険箇所看板作成数", 2020, "target", 21.0, "カ所", "市"),
    ("2-5-2", "防犯灯設置充足率", 2021, "actual", 100.0, "%", "市"),
    ("2-5-3", "出前講座内容理解度", 2020, "target", 100.0, "%", "市"),
    ("2-6-1", "委員 1 人あたりの年間活動日数", 2021, "actual", 141.0, "日", "市"),
    ("2-6-1", "各種研修会の開催支援", 2021, "actual", 15.0, "回", "市社協"),
    ("2-6-2", "各地区福祉員協議会開催支援", 2021, "actual", 20.0, "地区", "市社協"),
    ("2-6-2", "市ウェブサイトによる活動の周知回数", 2021, "actual", 0.0, "回", "市"),
    ("2-6-3", "合同研修会の開催支援", 2021, "actual", 19.0, "地区", "市社協"),
    ("3-1-1", "関係機関のネットワーク構築に向けた会議の開催", 2021, "actual", 5.0, "回", "市"),
    ("3-1-2", "成年後見制度の利用者数(相談時における成年後見制度説明件数)", 2021, "actual", 191.0, "人", "市"),
    ("3-1-2", "成年後見制度の利用者数", 2020, "target", 100.0, "人", "市"),
    ("3-1-2", "相談関係機関等との情報交換会の定期的な開催", 2021, "actual", 19.0, "回", "市社協"),
    ("3-1-3", "検討会議の開催", 2021, "actual", 2.0, "回", "市"),
    ("3-1-3", "制度の狭間の問題等に対応する事業の充実", 2021, "actual", 12.0, "回", "市社協"),
    ("3-1-4", "検討会議の開催", 2021, "actual", 5.0, "回", "市"),
    ("3-1-4", "検討会議の開催支援", 2021, "actual", 2.0, "回", "市社協"),
]


def _real() -> ParsedSheet:
    return _parse(RAW)


def test_real_file_invariants() -> None:
    _check_invariants(_real(), RAW)


@pytest.mark.parametrize(("measure", "indicator", "year", "kind", "value", "unit", "actor"), EXPECTED)
def test_real_file_values(
    measure: str, indicator: str, year: int, kind: str, value: float | None, unit: str, actor: str
) -> None:
    found = [o for o in _real().observations if o.measure_id == f"yamaguchi-{measure}" and o.indicator == indicator]
    found = [o for o in found if (o.fiscal_year, o.value_kind) == (year, kind)]
    assert len(found) == 1, found
    o = found[0]
    assert (o.city, o.value, o.unit, o.actor) == ("yamaguchi", value, unit, actor)


def test_real_file_values_cover_every_measure() -> None:
    assert {m for m, *_ in EXPECTED} == {m.measure_id.removeprefix("yamaguchi-") for m in _real().measures}


def test_real_file_measures_follow_the_contents() -> None:
    sheet = _real()
    ids = [m.measure_id for m in sheet.measures]
    per_direction = Counter(i.rsplit("-", 1)[0] for i in ids)
    assert len(ids) == len(set(ids)) == 30
    assert per_direction == {
        "yamaguchi-1-1": 3,
        "yamaguchi-1-2": 4,
        "yamaguchi-1-3": 2,
        "yamaguchi-2-1": 2,
        "yamaguchi-2-2": 4,
        "yamaguchi-2-3": 3,
        "yamaguchi-2-4": 2,
        "yamaguchi-2-5": 3,
        "yamaguchi-2-6": 3,
        "yamaguchi-3-1": 4,
    }
    assert all(m.goal and m.direction and m.actor for m in sheet.measures)
    assert {o.measure_id for o in sheet.observations} == set(ids)


def test_real_file_years_and_kinds() -> None:
    sheet = _real()
    actual_years = {o.fiscal_year for o in sheet.observations if o.value_kind == "actual"}
    target_years = {o.fiscal_year for o in sheet.observations if o.value_kind == "target"}
    assert actual_years == {2021} and target_years == {2018, 2020, 2021, 2022}
    assert {(a.value_kind, a.fiscal_year) for a in sheet.activities} == {
        ("target", 2021),
        ("actual", 2021),
        ("plan", 2022),
    }
    for o in sheet.observations:
        if o.value_kind == "target":
            assert o.year_basis, o


def test_real_file_every_report_row_keeps_its_text() -> None:
    sheet = _real()
    with_items = {a.source_line for a in sheet.activities}
    block, rows = "", []
    for number, line in enumerate(_lines(RAW), start=1):
        text = line.strip()
        if text.startswith("■"):
            block = text
        elif text.startswith("用語") or re.match(r"^(基本目標|活動目標\s*[0-9]|[0-9]\.?\s*施策)", text):
            block = ""
        elif block and "\t" in line and not re.search(r"年度(実施状況|実績値|実施予定)|活動目標の実現", line):
            rows.append(number)
    assert len(rows) > 250
    assert [n for n in rows if n not in with_items] == []
    covid = [a for a in sheet.activities if "新型コロナ" in a.text or "コロナ禍" in a.text]
    assert len(covid) >= 10 and {a.value_kind for a in covid} == {"actual", "plan"}


def test_real_file_quirks_are_listed() -> None:
    quirks = " ".join(_real().quirks)
    for phrase in (
        "table of contents",
        "2. 施策",
        "活動目標 heading before its 基本目標",
        "■令和 3 年度実績",
        "支えあい",
        "below the table",
        "line after its label",
        "funding tag",
        "several departments",
        "actor column",
        "unit contradicts",
    ):
        assert phrase in quirks, phrase


def test_registry_and_department_lexicon() -> None:
    sheet = parse_file(RAW, parser="yamaguchi_report", city="yamaguchi")
    assert sheet.source_file == RAW.name and len(sheet.observations) == len(_real().observations)
    lines = _lines(RAW)
    with LEXICON.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first = next(n for n, line in enumerate(lines, start=1) if n > 18 and row["department"] in line)
            assert first == int(row["first_line"]), row


def test_fixtures_are_real_lines_of_the_raw_file() -> None:
    raw = set(_lines(RAW))
    for path in FIXTURES.glob("*.txt"):
        assert all(line in raw for line in _lines(path)), path.name


# ------------------------------------------------------------------ labelled counts in the 実施状況 / 予定 text

NARRATIVE = [
    # measure, indicator, fiscal year, kind, value, unit, value_raw, line
    ("2-2-1", "運営費支援", 2021, "actual", 33.0, "サロン", "33サロン", 439),
    ("2-2-1", "遊具等器材の貸出", 2021, "actual", 135.0, "件", "135件", 439),
    ("2-2-1", "お元気コールの実施 利用者", 2021, "actual", 13.0, "世帯", "13 世帯", 439),
    ("1-1-3", "チャリティーゴルフ大会の開催 参加者", 2021, "actual", 58.0, "名", "58名", 102),
    ("1-2-4", "手話通訳者等派遣", 2021, "actual", 7.0, "件", "7 件", 252),
    ("1-3-2", "部会で会議を開催", 2021, "actual", 7.0, "回", "計 7 回", 327),
    ("2-4-1", "防災講座開催数", 2021, "actual", 10.0, "件", "10件", 698),
    ("3-1-2", "法人成年後見事業受任", 2021, "actual", 8.0, "件", "延べ8件", 969),
    ("1-1-2", "連絡会を開催", 2022, "plan", 2.0, "回", "2回", 81),
    ("1-3-2", "全体研修会", 2022, "plan", 3.0, "回", "3 回程度", 333),
]


@pytest.mark.parametrize("measure,indicator,year,kind,value,unit,raw,line", NARRATIVE)
def test_real_file_narrative_counts(
    measure: str, indicator: str, year: int, kind: str, value: float, unit: str, raw: str, line: int
) -> None:
    o = _obs(_real(), indicator, kind, year)
    assert (o.measure_id, o.value, o.unit, o.value_raw, o.source_line) == (
        f"yamaguchi-{measure}",
        value,
        unit,
        raw,
        line,
    )
    assert o.value_origin == "narrative" and "rule" in o.note
    assert (raw, "observation") in [(c.token, c.outcome) for c in _real().coverage if c.source_line == line] or any(
        c.outcome == "observation" and c.token in raw for c in _real().coverage if c.source_line == line
    )


def test_real_file_narrative_negatives() -> None:
    sheet = _real()
    narrative = [o for o in sheet.observations if o.value_origin == "narrative"]
    taken = {(o.source_line, o.value) for o in narrative}
    assert (214, 4.0) not in taken and (214, 1.0) not in taken  # 社協だより 4 月 1 日号: a date
    assert (40, 6.0) not in taken  # 年6回発行: a frequency rule
    assert (103, 25.0) not in taken  # 第25回: an ordinal
    line_253 = [(o.value, o.unit) for o in narrative if o.source_line == 253]
    assert (13.0, "円") not in line_253 and (3.0, "団体") not in line_253  # 計約 13万円 / 民間事業者3団体に
    assert (74, 1.0) not in [(o.source_line, o.value) for o in narrative]  # 各1回: shared by two labels
    # 開設支援 3 サロン restates the 実績値 column (ふれあい・いきいきサロン新規開設 3カ所) on the same row
    assert ("3", "repeat of line 439: the narrative restates the 実績値 column") in _reasons(sheet, 439)
    table = [o for o in sheet.observations if o.value_origin == "table"]
    assert _obs(sheet, "福祉体験学習器材貸出件数", "actual").value_origin == "table" and len(table) > 150


def test_real_file_coverage_regions() -> None:
    sheet = _real()
    regions = {c.region for c in sheet.coverage}
    assert regions == {"value_column", "narrative", "outside_values"}
    by_line = {(c.source_line, c.token): c.region for c in sheet.coverage}
    assert by_line[(439, "33")] == "narrative" and by_line[(439, "3")] in ("narrative", "value_column")
    assert by_line[(147, "77")] == "value_column"

"""山形市 施策の実施状況 parser: one test per sheet quirk on real lines, then the whole raw file end to end."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers.core.text import split_cells
from helpers.sheets.records import VALUE_KINDS, Observation, ParsedSheet
from helpers.sheets.yamagata_progress import (
    TEXT_REASON,
    _sub_label_groups,
    layout,
    load_departments,
    parse,
    tokenize_value_cell,
    value_texts,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yamagata_progress"
RAW = ROOT / "data" / "raw" / "yamagata_fy2022_progress_sheet.txt"
ATOM = re.compile(r"[①-⑳]|[0-9][0-9,]*(?:\.[0-9]+)?")
STAFF = "福祉まるごと相談員配置数(多機関コーディネーターも含む)"
MARUGOTO = "我が事・丸ごと地域づくり推進事業 (現"
TRAINING = "高齢者福祉施設や障がい者福祉施設職員に対する研修会"


def _parse(path: Path) -> ParsedSheet:
    return parse(path, city="yamagata", source_file=path.name)


def fixture(name: str) -> ParsedSheet:
    return _parse(FIXTURES / f"{name}.txt")


def find(sheet: ParsedSheet, measure: str, indicator: str, year: int, kind: str = "actual") -> Observation:
    """The one observation of a measure (name prefix) and indicator in a year."""
    found = [
        o
        for o in sheet.observations
        if o.measure.startswith(measure) and o.indicator == indicator and o.fiscal_year == year and o.value_kind == kind
    ]
    assert len(found) == 1, (measure, indicator, year, kind, found)
    return found[0]


def at_line(sheet: ParsedSheet, line: int) -> list[Observation]:
    return [o for o in sheet.observations if o.source_line == line]


@pytest.fixture(scope="module")
def sheet() -> ParsedSheet:
    return _parse(RAW)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return RAW.read_text(encoding="utf-8").split("\n")


# ---------------------------------------------------------------- quirks, on fixtures cut from the raw sheet


def test_continuation_rows_inherit_measure_and_take_department_from_brackets() -> None:
    s = fixture("continuation_rows")
    assert [m.source_line for m in s.measures] == [5, 8, 9]
    first = s.measures[0].measure_id
    obs = find(s, "市公式ホームページ", "ホームページ、LINE、フェイスブック、広報やまがた等への掲載", 2020)
    assert obs.measure_id == first and obs.value is None and obs.note == "—"
    assert obs.source_line == 6 and obs.department.startswith("生活福祉課、障がい福祉課")
    texts = {a.source_line: a.department for a in s.activities}
    assert texts[6].startswith("生活福祉課") and texts[7] == "長寿支援課"


def test_verb_suffixes_split_one_label_into_held_and_attended() -> None:
    s = fixture("continuation_rows")
    label = "心のバリアフリー推進員養成研修の開催"
    held, came = find(s, "理解促進研修", f"{label} 開催回数", 2020), find(s, "理解促進研修", f"{label} 参加人数", 2022)
    assert (held.value, held.unit, held.value_raw) == (1.0, "回", "1回開催")
    assert (came.value, came.unit, came.value_raw) == (30.0, "人", "30人参加")


def test_row_shifted_left_keeps_measure_and_department_and_dash_rows_give_no_observation() -> None:
    s = fixture("continuation_rows")
    listing = s.measures[2]
    assert (listing.measure, listing.department) == ("啓発事業(地域生活支援事業のうち)", "障がい福祉課")
    assert at_line(s, 9) == []
    assert [a.department for a in s.activities if a.source_line == 9] == ["障がい福祉課"]


def test_multi_indicator_cells_split_by_crosswalk_units_and_lists() -> None:
    s = fixture("multi_indicator_cells")
    assert find(s, "SUKSK", "健康ポイント事業SUKSK(スクスク) 登録者数", 2020).value == 5028.0
    menus = find(s, "SUKSK", "SUKSK(スクスク)メニュー認定事業 認定メニュー数", 2022)
    assert (menus.value, menus.unit, menus.count_basis) == (87.0, "メニュー", "累計")
    stores = find(s, "SUKSK", "SUKSK(スクスク)メニュー認定事業 協力店舗数", 2022)
    assert (stores.value, stores.unit) == (18.0, "店舗")
    total = find(s, "いきいき地域づくり支援事業", "補助金交付総額", 2020)
    assert (total.value, total.unit, total.value_raw) == (5174000.0, "円", "5,174,000円")


def test_one_token_with_two_counts_is_split_by_unit() -> None:
    s = fixture("multi_indicator_cells")
    cases = find(s, "各種出前講座", "管理職による出前講座の実施 件数", 2020)
    people = find(s, "各種出前講座", "管理職による出前講座の実施 人数", 2020)
    assert (cases.value, cases.value_raw, people.value, people.value_raw) == (30.0, "30件", 1249.0, "1,249人")
    assert people.department == "企画調整課"


def test_row_starting_at_column_zero_inherits_policy() -> None:
    s = fixture("multi_indicator_cells")
    listing = next(m for m in s.measures if m.measure == "・いきいき地域づくり支援事業".lstrip("・"))
    assert listing.policy == "③住民参加の促進" and listing.department == "広報課"


def test_list_label_with_single_dash_gives_one_empty_observation_per_item() -> None:
    s = fixture("multi_indicator_cells")
    items = {o.indicator for o in at_line(s, 4) if o.fiscal_year == 2020}
    assert items == {
        "普及啓発用リーフレットの配布等",
        "普及啓発用動画の配信",
        "新聞、テレビ、ラジオ、山形市ホームページ、SNS等による情報発信",
    }
    assert all(o.value is None for o in at_line(s, 4))


def test_seven_measures_in_one_row_are_split_with_their_departments() -> None:
    s = fixture("seven_measures_one_row")
    assert len(s.measures) == 7 and {m.source_line for m in s.measures} == {4}
    assert find(s, "障がい者差別解消推進事業", "障がい者相談員の相談件数", 2022).value == 291.0
    bus = find(s, "障がい者虐待防止", "ラッピングバス運行台数", 2020)
    assert (bus.value, bus.unit, bus.department) == (2.0, "台", "障がい福祉課")
    sessions = find(s, "認知症サポーター等養成事業", "開催回数", 2020)
    assert (sessions.value, sessions.department) == (57.0, "長寿支援課")
    share = find(s, "性の多様性", "性の多様性に関する研修会の参加者アンケートにおける「理解できた」の割合", 2020)
    assert (share.value, share.unit, share.value_raw) == (85.7, "%", "85.70%")
    assert find(s, "男女共同参画推進事業", "社会全体で男女平等と思う人の割合", 2022).value is None
    without = {m.measure_id for m in s.measures if m.measure in ("山形市第4次障がい者基本計画", "高齢者虐待防止法")}
    assert not [o for o in s.observations if o.measure_id in without]
    per_measure = Counter(a.measure_id for a in s.activities if a.section == "実施状況")
    assert set(per_measure) == {m.measure_id for m in s.measures}


def test_repeated_listing_shares_the_id_and_keeps_observations_once() -> None:
    s = fixture("repeat_listing")
    listings = [m for m in s.measures if m.measure == "一般介護予防事業"]
    assert [m.is_repeat for m in listings] == [False, True] and len({m.measure_id for m in listings}) == 1
    places = find(s, "一般介護予防事業", "通いの場の箇所数", 2020)
    assert (places.value, places.source_line) == (95.0, 6)
    assert any(c.source_line == 12 and c.token == "95箇所" and c.reason == "repeat of line 6" for c in s.coverage)
    new = find(s, "一般介護予防事業", "講座の開催回数", 2022)
    assert (new.value, new.source_line, new.policy) == (3.0, 12, "②福祉活動の場の整備・提供")
    assert find(s, "一般介護予防事業", "参加人数(通いの場の支援)", 2022).value == 315.0


def test_item_markers_and_their_names_are_notes_not_values() -> None:
    s = fixture("item_marker")
    one = find(s, "小規模法人", "支援団体", 2020)
    assert (one.value, one.unit) == (1.0, "団体") and "①山形市内特別養護老人ホーム施設長連絡会" in one.note
    markers = [c for c in s.coverage if c.source_line == 8 and c.reason == "item marker"]
    assert [c.token for c in markers] == ["①", "①", "②"]


def test_cell_of_sub_labelled_groups_is_split_by_its_sub_labels() -> None:
    s = fixture("item_marker")
    base = "こころ支えるサポーター養成講座の実施"
    got = {
        o.indicator.removeprefix(base + " "): (o.value, o.unit, o.value_raw)
        for o in s.observations
        if o.source_line == 6 and o.fiscal_year == 2022
    }
    assert got == {
        "一般向け 回数": (2.0, "回", "2回"),
        "一般向け 人数": (54.0, "人", "54人受講"),
        "市職員向け参集講座 回数": (4.0, "回", "4回"),
        "市職員向け参集講座 人数": (233.0, "人", "233人受講"),
        "机上研修 人数": (1735.0, "人", "1,735人"),
    }
    # 2020: 一般向け2回 市職員向け参集講座を4回実施 — the same groups, the verb kept in the note
    staff = find(s, "こころ支えるサポーター", f"{base} 市職員向け参集講座 回数", 2020)
    assert (staff.value, staff.value_raw, staff.note) == (4.0, "4回実施", "実施")
    assert not [c for c in s.coverage if c.source_line == 6 and c.outcome == "skipped"]


def test_sub_label_groups_need_a_label_for_each_group() -> None:
    # line 131 alone: 市職員向け4回に 参集講座を実施 leaves words after the last value, so the cell stays whole
    s = fixture("no_text_and_frequency")
    whole = find(s, "こころ支えるサポーター", "こころ支えるサポーター養成講座の実施", 2020)
    assert whole.value is None and "cannot align" in whole.note
    # line 26 (15団体 48回 1256人 …) and line 21 (30件1,249人): no value opens with a sub-label, so no groups
    for raw in ("15団体 48回 1256人 95箇所 1779人 7回 126人", "30件1,249人"):
        cell = tokenize_value_cell(raw)
        assert _sub_label_groups([t.prefix for t in cell.tokens], cell.tokens) is None


def test_repeated_listing_with_the_same_figures_in_other_words_is_a_repeat() -> None:
    s = fixture("sub_label_groups")
    repeated = [c for c in s.coverage if c.source_line == 18]
    assert len(repeated) == 7 and {c.reason for c in repeated} == {"repeat of line 6"}
    assert not at_line(s, 18)


def test_bracket_notes_give_count_basis_and_dash_with_reason_is_empty() -> None:
    s = fixture("item_marker")
    stopped = find(s, "健康づくり市民ボランティア", "運動普及推進員の養成", 2020)
    assert stopped.value == 0.0 and "中止" in stopped.note and "did not take place" in stopped.note
    visits = find(s, "健康づくり市民ボランティア", "山形市食生活改善推進協議会の支援", 2022)
    assert (visits.value, visits.count_basis, visits.note) == (1374.0, "延べ", "（参加延人数）")
    assert find(s, "民生委員・児童委員研修事業", "研修会延べ参加人数", 2020).count_basis == "延べ"


def test_policy_restart_infers_the_next_direction() -> None:
    s = fixture("policy_restart")
    by_line = {m.source_line: m for m in s.measures}
    assert by_line[5].measure_id.startswith("yamagata-1-2-3-")
    assert by_line[8].measure_id == "yamagata-1-3-2-1" and by_line[8].direction == ""
    assert by_line[12].measure_id == "yamagata-1-3-2-4" and by_line[12].policy == "②世代間交流の促進"
    assert any("方向性" in q and "line 8" in q for q in s.quirks)


def test_split_header_years_come_from_the_label_line() -> None:
    s = fixture("split_header")
    post = find(s, "市公式ホームページ", "広報やまがたへの掲載", 2020)
    assert (post.value, post.unit, post.note) == (24.0, "回", "(毎月2回)")
    assert [c.reason for c in s.coverage if c.source_line == 9 and c.token == "2"] == ["parenthesised note"] * 2
    assert find(s, "市公式ホームページ", "公式ホームページ", 2022).value == 14.0
    assert find(s, "市公式ホームページ", "フェイスブック", 2020).value == 0.0
    assert {o.fiscal_year for o in s.observations} == {2020, 2022}


def test_header_one_column_off_and_partial_cells_aligned_by_unit() -> None:
    s = fixture("header_one_column_off")
    assert find(s, "地域包括支援センター運営事業", "担当地区内で開催された会議等への参加回数", 2022).value == 590.0
    staff = find(s, MARUGOTO, "福祉まるごと相談員配置数(多機関コーディネーターも含む)", 2022)
    assert (staff.value, staff.series_break) == (5.0, True)
    assert [o.value_kind for o in s.observations if o.indicator == "新規相談件数"] == ["target"]
    people = find(s, "生活困窮者自立相談支援事業", "問い合わせ・相談実人数", 2020)
    assert (people.value, people.count_basis) == (1362.0, "実")
    stray = [c for c in s.coverage if c.source_line == 8 and c.token == "7881件"]
    assert [c.reason for c in stray] == ["stray value in the 備考 column: year and indicator unknown"]


def test_values_spilled_past_the_notes_column_are_the_second_indicator() -> None:
    s = fixture("spill_past_notes")
    late = find(s, "生活困窮者自立相談支援事業", "問い合わせ・相談延べ件数", 2022)
    assert (late.value, late.value_raw, late.count_basis) == (7881.0, "7881件", "延べ")
    assert "備考" in late.note
    assert find(s, "生活困窮者自立相談支援事業", "問い合わせ・相談延べ件数", 2020).value == 8915.0
    notes = [a for a in s.activities if a.source_line == 7 and a.section == "備考"]
    assert notes and notes[0].text.startswith("専門職が専門性を十分に発揮")


def test_thousand_yen_is_applied_and_policy_inherited_after_header() -> None:
    s = fixture("no_text_and_frequency")
    money = find(s, "就労移行支援サービス事業", "実績額", 2020)
    assert (money.value, money.unit, money.value_raw, money.note) == (62438000.0, "円", "62,438千円", "千円→円")
    continued = next(m for m in s.measures if m.measure == "就労継続支援サービス事業")
    assert continued.policy == "① 就労支援等の促進"


def test_yearly_frequency_is_not_a_count() -> None:
    s = fixture("no_text_and_frequency")
    meeting = find(s, "いのち支える山形市自殺対策計画", "庁内会議", 2020)
    assert meeting.value is None and "年2回" in meeting.note
    assert [c.reason for c in s.coverage if c.source_line == 10] == ["frequency wording (年N回)"] * 4


def test_row_without_text_keeps_label_and_values_in_order() -> None:
    s = fixture("no_text_and_frequency")
    whole = find(s, "こころ支えるサポーター", "こころ支えるサポーター養成講座の実施", 2020)
    assert whole.value is None and whole.value_raw == "一般向け2回 市職員向け4回に 参集講座を実施"
    plan = [a for a in s.activities if a.source_line == 11]
    assert [(a.section, a.value_kind) for a in plan] == [("備考", "plan")]
    counselors = find(s, "青少年悩み事相談事業", "少年相談員", 2022)
    assert (counselors.value, counselors.unit) == (8.0, "件")


def test_target_in_text_and_series_break_of_staff_count() -> None:
    s = fixture("target_and_series_break")
    target = find(s, MARUGOTO, "新規相談件数", 2022, "target")
    assert (target.value, target.source_line, target.value_raw) == (240.0, 5, "240件")
    assert "目標値240件" in target.year_basis
    staff = find(s, MARUGOTO, "福祉まるごと相談員配置数(多機関コーディネーターも含む)", 2020)
    assert (staff.value, staff.source_line, staff.series_break) == (2.0, 5, False)
    new = find(s, MARUGOTO, "新規相談件数", 2020)
    assert (new.value, new.source_line, new.note) == (281.0, 8, "(相談員2名体制)")


def test_year_list_in_text_gives_the_year_between_the_columns() -> None:
    s = fixture("year_list_in_text")
    middle = find(s, "福祉まるごと会議", "会議の開催回数", 2021)
    assert (middle.value, middle.unit, middle.source_line) == (1.0, "回", 5) and "令和3年度" in middle.year_basis
    assert find(s, "山形市支援会議", "会議の開催回数", 2021).value == 1.0
    assert find(s, "山形市支援会議", "会議の開催回数", 2022).value == 0.0


def test_reference_figures_in_text_and_ten_percent_units() -> None:
    s = fixture("reference_in_text")
    rate = find(s, "自主防災組織育成事業", "自主防災組織の組織化率", 2020)
    assert (rate.value, rate.unit) == (84.5, "%") and "R2:84.5%" in rate.year_basis
    grants = find(s, "自主防災組織育成事業", "自主防災組織活動支援報償金 交付団体", 2022)
    assert (grants.value, grants.unit) == (113.0, "団体")
    share = find(s, "福祉の地域づくり推進", "福祉マップ作成自治会・町内会割合", 2022)
    assert (share.value, share.unit, share.value_raw, share.note) == (80.0, "%", "8割", "割→%")


def test_parenthesised_subcounts_and_year_labels_are_notes() -> None:
    s = fixture("notes_and_markers")
    base = find(s, "山形市高齢者保健福祉計画", "福祉避難所数連絡責任者等の確認および協定施設数", 2020)
    assert (base.value, base.note) == (57.0, "(うちホテル協会6施設)")
    mid = find(s, "山形市高齢者保健福祉計画", "福祉避難所数連絡責任者等の確認および協定施設数", 2022)
    assert (mid.value, mid.note) == (60.0, "②(R4新規・3施設)")
    reasons = sorted(c.reason for c in s.coverage if c.source_line == 7 and c.outcome == "skipped")
    assert reasons == ["fiscal-year label", "item marker"]  # the bracketed parts are observations of their own
    depts = [a.department for a in s.activities if a.source_line == 5]
    assert depts == ["生活福祉課", "防災対策課"]


def test_department_in_label_brackets_and_text_anchored_far_right() -> None:
    s = fixture("label_department")
    stay = find(s, "第二期山形市子ども・子育て支援事業計画", "子育て短期支援事業(ショートステイ)利用者数", 2020)
    assert (stay.value, stay.unit, stay.department) == (29.0, "", "こども未来課")
    talk = find(s, "第二期山形市子ども・子育て支援事業計画", "入所選考時の調整・関係機関との相談", 2022)
    assert (talk.value, talk.department, talk.source_line) == (None, "保育育成課", 5)
    staff = find(s, "（仮称）子ども家庭総合支援拠点", "専任職員配置", 2022)
    assert (staff.value, staff.unit, staff.note) == (6.0, "名", "常時")


def test_misprinted_delivery_basis_and_truncated_department() -> None:
    s = fixture("typo_and_multiplier")
    rides = find(s, "移動支援事業", "述べ利用人数", 2022)
    assert (rides.value, rides.count_basis, rides.department) == (783.0, "延べ", "障がい福祉課")
    assert find(s, "高齢者外出支援事業", "年間実人数", 2020).count_basis == "実"
    assert find(s, "高齢者外出支援事業", "定期券発行人数(延べ数)", 2020).count_basis == "延べ"


def test_bracketed_measure_cell_continues_the_measure_above() -> None:
    s = fixture("bracketed_measure")
    assert 6 not in [m.source_line for m in s.measures]
    above = next(m for m in s.measures if m.source_line == 5).measure_id
    assert [(a.measure_id, a.department) for a in s.activities if a.source_line == 6] == [(above, "広報課")]
    lift = find(s, "北山形駅バリアフリー化整備補助事業", "バリアフリー化の整備 エレベーター", 2022)
    assert (lift.value, lift.unit) == (4.0, "基")
    assert find(s, "北山形駅バリアフリー化整備補助事業", "バリアフリー化の整備 多機能トイレ", 2022).value == 1.0
    assert find(s, "山形市住宅リフォーム総合支援事業", "利用件数", 2022).value == 21.0


def test_first_year_values_inside_the_label_cell() -> None:
    s = fixture("merged_label")
    label = "改修費補助(専用住宅のみ)・入居者への入居支援"
    assert find(s, "地域大学との連携", f"{label} 改修戸数", 2020).value == 25.0
    built = find(s, "地域大学との連携", f"{label} 改修戸数", 2022)
    assert (built.value, built.count_basis) == (58.0, "累計")
    rent = find(s, "地域大学との連携", f"{label} 家賃補助戸数", 2022)
    assert (rent.value, rent.note) == (23.0, "令和4年度; printed in the first value column")
    assert [c.token for c in s.coverage if c.reason == "fiscal-year label"] == ["4"]


def test_label_before_text_and_not_held_text_value() -> None:
    s = fixture("label_before_text")
    label = "高齢者福祉施設や障がい者福祉施設職員に対する研修会"
    stopped = find(s, "山形市インフルエンザ", label, 2020)
    assert stopped.value == 0.0 and stopped.value_raw == "新型コロナウイルス感染症の感染拡大により未実施。"
    assert find(s, "山形市インフルエンザ", f"{label} 回数", 2022).value == 1.0
    facilities = find(s, "山形市インフルエンザ", f"{label} 参加施設数", 2022)
    assert (facilities.value, facilities.unit, facilities.department) == (100.0, "施設", "健康増進課")
    assert [a.department for a in s.activities if a.source_line == 8] == ["保健総務課"]


def test_tokenizer_keeps_dates_rules_and_markers_out_of_values() -> None:
    cell = tokenize_value_cell('<ul style="list-style-type: none"> 交付団体 13団体 交付団体 97団体 110件 ')
    assert [(t.raw, t.prefix) for t in cell.tokens] == [("13団体", "交付団体"), ("97団体", "交付団体"), ("110件", "")]
    rule = tokenize_value_cell("庁内会議年2回 協議会年1回")
    assert [t.frequency for t in rule.tokens] == [True, True]
    year = tokenize_value_cell("・(改修戸数)累計58戸 ・(家賃補助戸数)令和4年度23戸")
    assert [t.raw for t in year.tokens] == ["58戸", "23戸"] and year.side == [("4", "fiscal-year label")]
    assert tokenize_value_cell("—").tokens[0].no_value


def test_layout_shapes_on_real_lines(lines: list[str]) -> None:
    departments = load_departments()
    shapes = {n: layout(split_cells(lines[n - 1]), departments).shape for n in (9, 10, 13, 59, 131, 244, 305)}
    assert shapes == {
        9: "standard",
        10: "text-anchored",
        13: "standard",
        59: "text-anchored",
        131: "no-text",
        244: "text-anchored",
        305: "label-before-text",
    }


# ---------------------------------------------------------------- the whole raw file


def test_parse_is_fast() -> None:
    start = time.perf_counter()
    _parse(RAW)
    assert time.perf_counter() - start < 5


def test_provenance_every_value_raw_stands_on_its_line(sheet: ParsedSheet, lines: list[str]) -> None:
    assert len(sheet.observations) > 250
    for o in sheet.observations:
        assert o.value_raw and o.value_raw in lines[o.source_line - 1], o
        assert o.city == "yamagata" and o.source_file == RAW.name and o.value_kind in VALUE_KINDS


def test_observation_keys_are_unique(sheet: ParsedSheet) -> None:
    keys = Counter((o.city, o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in sheet.observations)
    assert [k for k, n in keys.items() if n > 1] == []


def test_years_and_kinds(sheet: ParsedSheet) -> None:
    assert Counter((o.fiscal_year, o.value_kind) for o in sheet.observations).keys() == {
        (2020, "actual"),
        (2021, "actual"),
        (2022, "actual"),
        (2022, "target"),
    }
    assert {a.fiscal_year for a in sheet.activities} == {2022}
    assert not [a for a in sheet.activities if "<" in a.text]


SPOT_CHECKS: list[tuple[str, str, int, str, float | None, str]] = [
    # 基本目標1 (1) 市民意識の向上と社会参加の促進
    ("理解促進研修", "心のバリアフリー推進員養成研修の開催 参加人数", 2022, "actual", 30.0, "人"),
    ("いきいき地域づくり支援事業", "補助金交付総額", 2020, "actual", 5174000.0, "円"),
    ("各種出前講座の実施", "管理職による出前講座の実施 人数", 2022, "actual", 2276.0, "人"),
    ("障がい者差別解消推進事業", "障がい者相談員の相談件数", 2022, "actual", 291.0, "件"),
    ("SUKSK（スクスク）生活推進事業", "健康ポイント事業SUKSK(スクスク) 登録者数", 2022, "actual", 9859.0, "人"),
    ("一般介護予防事業", "参加人数(通いの場)", 2020, "actual", 1779.0, "人"),
    # 基本目標1 (2) 福祉の人材づくりと活用の場づくり
    ("健康づくり市民ボランティア活動活性化事業", "山形市食生活改善推進協議会の支援", 2022, "actual", 1374.0, "人"),
    ("我が事・丸ごと地域づくり推進事業", "実施拠点数", 2020, "actual", 23.0, "拠点"),
    ("福祉ボランティア活動育成支援事業", "担い手養成研修会参加者数", 2022, "actual", 37.0, "名"),
    ("福祉ボランティア活動育成支援事業", "登録ボランティア数(各年度末)", 2022, "actual", 82.0, ""),
    # 基本目標1 (3), title not printed
    ("学校運営協議会（コミュニティスクール）設置事業", "学校運営協議会設置校数", 2022, "actual", 51.0, "校"),
    ("市公式ホームページ", "公式ホームページ", 2022, "actual", 14.0, "件"),
    # 基本目標2 (1)
    ("コミュニティ支援事業", "賃借補助金総額", 2022, "actual", 6296000.0, "円"),
    ("子どもの居場所づくり支援事業", "子ども食堂・地域食堂", 2022, "actual", 16.0, "か所"),
    # 基本目標2 (2)
    ("就労継続支援サービス事業", "実績額", 2020, "actual", 755726000.0, "円"),
    ("青少年指導センター街頭指導", "延べ日数", 2022, "actual", 451.0, "日間"),
    # 基本目標2 (3)
    (MARUGOTO, "新規相談件数", 2022, "actual", 358.0, "件"),
    ("生活サポート相談窓口", "生活サポート相談数(継続)", 2020, "actual", 8915.0, "件"),
    # 基本目標3 (1)
    ("生活困窮者自立相談支援事業", "問い合わせ・相談延べ件数", 2022, "actual", 7881.0, "件"),
    ("障がい者相談支援事業", "相談支援センターにおける相談件数", 2022, "actual", 33717.0, "件"),
    ("在宅医療・介護連携推進事業", "人生会議や在宅療養についての講座等の開催回数", 2020, "actual", None, ""),
    ("利用者支援事業", "相談件数", 2022, "actual", 3610.0, "件"),
    # 基本目標3 (2)
    ("福祉まるごと会議", "会議の開催回数", 2021, "actual", 1.0, "回"),
    ("地域包括支援センター運営事業", "担当地区内で開催された会議等への参加回数", 2022, "actual", 590.0, "回"),
    # 基本目標4 (1)
    ("自主防災組織育成事業", "自主防災組織活動支援報償金 交付団体", 2022, "actual", 113.0, "団体"),
    ("山形市第4次障がい者基本計画", "福祉避難所数", 2022, "actual", 9.0, "か所"),
    # 基本目標4 (2)
    ("成年後見制度利用支援事業", "報酬助成件数(障がい者)", 2022, "actual", 6.0, "件"),
    ("成年後見制度利用支援事業", "市長申立件数", 2020, "actual", 32.0, "件"),
    ("要保護児童対策地域協議会", "個別ケース検討会開催", 2022, "actual", 91.0, ""),
    # 基本目標4 (3)
    ("福祉タクシー", "リフト付タクシー券利用枚数", 2022, "actual", 1031.0, "枚"),
    ("北山形駅バリアフリー化整備補助事業", "バリアフリー化の整備 エレベーター", 2022, "actual", 4.0, "基"),
    ("地域大学との連携", "改修費補助(専用住宅のみ)・入居者への入居支援 改修戸数", 2022, "actual", 58.0, "戸"),
    (
        "山形市インフルエンザ",
        "高齢者福祉施設や障がい者福祉施設職員に対する研修会 参加施設数",
        2022,
        "actual",
        100.0,
        "施設",
    ),
]


@pytest.mark.parametrize(("measure", "indicator", "year", "kind", "value", "unit"), SPOT_CHECKS)
def test_spot_values_read_from_the_sheet(
    sheet: ParsedSheet, measure: str, indicator: str, year: int, kind: str, value: float | None, unit: str
) -> None:
    obs = find(sheet, measure, indicator, year, kind)
    assert (obs.city, obs.value, obs.unit) == ("yamagata", value, unit)


def test_spot_provenance_of_tricky_values(sheet: ParsedSheet) -> None:
    assert find(sheet, "生活困窮者自立相談支援事業", "問い合わせ・相談延べ件数", 2022).source_line == 163
    assert find(sheet, "我が事・丸ごと地域づくり推進事業", "実施拠点数", 2022).source_line == 46
    assert find(sheet, "一般介護予防事業", "通いの場の箇所数", 2022).source_line == 26
    target = find(sheet, MARUGOTO, "新規相談件数", 2022, "target")
    assert (target.value, target.source_line) == (240.0, 143)
    staff = find(sheet, MARUGOTO, "福祉まるごと相談員配置数(多機関コーディネーターも含む)", 2022)
    assert (staff.value, staff.source_line, staff.series_break) == (5.0, 143, True)


def test_measure_ids_are_stable_and_shared_by_repeats(sheet: ParsedSheet) -> None:
    ids = {
        m.measure_id for m in sheet.measures if m.measure.lstrip("・ ").startswith("我が事・丸ごと地域づくり推進事業")
    }
    assert ids == {"yamagata-1-2-2-1", "yamagata-2-3-1-1"}
    again = _parse(RAW)
    assert [m.measure_id for m in again.measures] == [m.measure_id for m in sheet.measures]
    first = {}
    for m in sheet.measures:
        first.setdefault(m.measure_id, m)
        assert m.is_repeat == (first[m.measure_id] is not m)
    canonical = {m.measure_id: m for m in sheet.measures if not m.is_repeat}
    assert canonical["yamagata-1-1-3-4"].measure == "福祉の地域づくり推進費補助事業"
    assert find(sheet, "福祉の地域づくり推進事業費補助事業", "福祉協力員数", 2022).value == 1435.0


def test_coverage_accounts_for_every_number_in_value_cells(sheet: ParsedSheet, lines: list[str]) -> None:
    departments = load_departments()
    covered: Counter[int] = Counter()
    for c in sheet.coverage:
        assert c.outcome in ("observation", "skipped") and (c.outcome == "observation" or c.reason), c
        if not c.reason.startswith(TEXT_REASON):
            covered[c.source_line] += len(ATOM.findall(c.token))
    expected: Counter[int] = Counter()
    for number, line in enumerate(lines, start=1):
        if "\t" in line and split_cells(line)[0].strip() != "施策":
            expected[number] = sum(len(ATOM.findall(text)) for text in value_texts(line, departments))
    assert +expected == +covered
    assert sum(expected.values()) > 350


def test_coverage_observations_match_observations(sheet: ParsedSheet) -> None:
    raws = {(o.source_line, o.value_raw) for o in sheet.observations}
    for c in sheet.coverage:
        if c.outcome == "observation":
            assert (c.source_line, c.token) in raws, c


def test_quirks_name_an_example_line(sheet: ParsedSheet) -> None:
    assert len(sheet.quirks) >= 15
    assert all(re.search(r"line \d+", q) for q in sheet.quirks[:-1])


def test_marker_for_a_value_not_known_stays_empty() -> None:
    s = fixture("unknown_marker")
    unknown = find(s, "在宅医療・介護連携推進事業", "人生会議や在宅療養についての講座等の開催回数", 2020)
    assert unknown.value is None and unknown.note == "未集計"
    dash = find(fixture("continuation_rows"), "", "ホームページ、LINE、フェイスブック、広報やまがた等への掲載", 2020)
    assert dash.value is None and dash.note == "—"


def test_labelled_part_in_brackets_is_its_own_observation() -> None:
    s = fixture("notes_and_markers")
    base = "福祉避難所数連絡責任者等の確認および協定施設数"
    hotels = find(s, "山形市高齢者保健福祉計画", f"{base}(うちホテル協会)", 2020)
    assert (hotels.value, hotels.unit, hotels.value_raw, hotels.note) == (
        6.0,
        "施設",
        "6施設",
        "part of 57施設",
    )
    new = find(s, "山形市高齢者保健福祉計画", f"{base}(R4新規)", 2022)
    assert (new.value, new.unit, new.value_raw) == (3.0, "施設", "3施設")
    assert find(s, "山形市高齢者保健福祉計画", base, 2020).value == 57.0


def test_brackets_that_are_not_parts_of_the_value_stay_notes() -> None:
    # line 154: 281件 (相談員2名体制) counts staff, not consultations; line 76: 24回 (毎月2回) is a frequency
    s = fixture("target_and_series_break")
    assert not [o for o in s.observations if "相談員" in o.indicator and o.unit == "名" and o.source_line == 8]
    assert [c.reason for c in s.coverage if c.source_line == 8 and c.token in ("2", "5")] == ["parenthesised note"] * 2
    monthly = fixture("split_header")
    assert not [o for o in monthly.observations if "毎月" in o.indicator]

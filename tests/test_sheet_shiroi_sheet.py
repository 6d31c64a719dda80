"""白井市 進行管理シート parser: one test per quirk on real lines, then the whole raw file end to end."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers.sheets import parse_file
from helpers.sheets.records import Observation, ParsedSheet
from helpers.sheets.shiroi_sheet import parse, parse_labels, split_items

FIXTURES = Path(__file__).parent / "fixtures" / "shiroi_sheet"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "shiroi_fy2022_progress_sheet.txt"


def _parse(name: str) -> ParsedSheet:
    path = FIXTURES / name
    return parse(path, city="shiroi", source_file=path.name)


def _line_no(path: Path, fragment: str) -> int:
    """1-based number of the first line of ``path`` holding ``fragment``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path.name}")


def _obs(sheet: ParsedSheet, no: int, indicator: str, year: int) -> Observation:
    found = [
        o
        for o in sheet.observations
        if o.measure_id == f"shiroi-no{no:02d}" and o.indicator == indicator and o.fiscal_year == year
    ]
    assert len(found) == 1, (no, indicator, year, found)
    return found[0]


def _of(sheet: ParsedSheet, no: int) -> list[Observation]:
    return [o for o in sheet.observations if o.measure_id == f"shiroi-no{no:02d}"]


@pytest.fixture(scope="module")
def sheet() -> ParsedSheet:
    return parse_file(RAW, parser="shiroi_sheet", city="shiroi")


@pytest.fixture(scope="module")
def raw_lines() -> list[str]:
    return RAW.read_text(encoding="utf-8").split("\n")


# ---------------------------------------------------------------- quirks on fixtures


def test_upper_lower_pair_splits_by_order_with_two_units():
    sheet = _parse("pairs_checkbox_markers.txt")
    first = _obs(sheet, 1, "発行部数", 2020)
    assert (first.value, first.unit, first.value_raw) == (2300.0, "部", "2,300")
    assert _obs(sheet, 1, "配布部数", 2022).value == 1880.0
    assert {o.fiscal_year for o in sheet.observations} == {2020, 2021, 2022}  # bare 2/3/4 under 令和 of the title


def test_checkbox_progress_only_on_the_report_year_row():
    sheet = _parse("pairs_checkbox_markers.txt")
    by_year = {e.fiscal_year: e for e in sheet.evaluations}
    assert [(by_year[y].grade, by_year[y].progress) for y in (2020, 2021, 2022)] == [
        ("A", ""),
        ("A", ""),
        ("A", "順調に進んだ"),
    ]


def test_context_headers_legend_and_review_marker_lines():
    sheet = _parse("pairs_checkbox_markers.txt")
    listing = sheet.measures[0]
    assert listing.goal == "(1) 地域における福祉サービスの適切な利用の促進"
    assert (listing.direction, listing.policy) == ("①相談支援体制の整備", "既存窓口の周知・利用促進")
    assert listing.department == "社会福祉課"
    path = FIXTURES / "pairs_checkbox_markers.txt"
    skipped = {_line_no(path, "評価の凡例"), _line_no(path, "R4以降見直しあり")}
    assert not {o.source_line for o in sheet.observations} & skipped
    assert any("評価の凡例" in q for q in sheet.quirks) and any("R4以降見直しあり" in q for q in sheet.quirks)


def test_text_valued_cell_keeps_the_word_in_note():
    sheet = _parse("text_valued.txt")
    obs = _obs(sheet, 2, "連絡調整会議の開催", 2020)
    assert (obs.value, obs.unit, obs.value_raw, obs.note) == (12.0, "回", "12 書面会議", "書面会議")


def test_total_followed_by_labelled_parts():
    sheet = _parse("text_valued.txt")
    total = _obs(sheet, 2, "連絡調整会議の開催", 2022)
    assert total.value == 12.0 and "parts add up to the total" in total.note
    assert _obs(sheet, 2, "連絡調整会議の開催(集合同議)", 2022).value == 4.0
    assert _obs(sheet, 2, "連絡調整会議の開催(書面会議)", 2022).value == 8.0
    assert not [o for o in sheet.observations if o.fiscal_year < 2022 and "(" in o.indicator]


def test_labelled_values_give_one_observation_per_label():
    sheet = _parse("labelled_values.txt")
    got = {(o.indicator, o.value, o.unit, o.value_raw) for o in _of(sheet, 3) if o.fiscal_year == 2021}
    assert got == {
        ("理事会・定例会開催回数(理事会)", 11.0, "回", "理事会 11"),
        ("理事会・定例会開催回数(定例会)", 9.0, "回", "定例会 9"),
        ("研修等の実施回数(研修会)", 1.0, "回", "研修会 1"),
    }
    assert _obs(sheet, 10, "各学部の講座回数(単発講座)", 2020).value == 2.0
    assert _obs(sheet, 10, "各学部の講座回数(ささえあい発見)", 2022).value == 6.0
    assert len([e for e in sheet.evaluations if e.measure_id == "shiroi-no10"]) == 3  # no 未実施 row in this block


def test_slash_pair_split_by_the_labels_a_over_b():
    sheet = _parse("slash_pairs_break.txt")
    assert (_obs(sheet, 5, "ケース会議件数", 2020).value, _obs(sheet, 5, "延べ相談件数", 2020).value) == (15.0, 664.0)
    assert _obs(sheet, 5, "延べ相談件数", 2020).count_basis == "延べ"
    real = _obs(sheet, 37, "相談実件数", 2021)
    assert (real.value, real.count_basis) == (373.0, "実")
    assert _obs(sheet, 37, "庁内からの相談件数", 2021).count_basis == ""


def test_comment_saying_the_definition_changed_marks_a_series_break():
    sheet = _parse("slash_pairs_break.txt")
    before, after = _obs(sheet, 5, "延べ相談件数", 2021), _obs(sheet, 5, "延べ相談件数", 2022)
    assert before.series_break and after.series_break
    assert "counted as 相談人数" in before.note and "counted as 相談件数" in after.note
    assert not _obs(sheet, 5, "ケース会議件数", 2022).series_break


def test_period_labels_keep_each_years_label_and_mark_the_break():
    sheet = _parse("period_labels.txt")
    old = _obs(sheet, 9, "担当職員配置数", 2021)
    assert (old.value, old.series_break) == (1.0, True)
    training = _obs(sheet, 9, "コミュニティソーシャルワーカー研修への参加者数", 2020)
    assert (training.value, training.series_break) == (0.0, False)
    assert {o.indicator for o in _of(sheet, 24) if o.fiscal_year == 2020} == {
        "庁内関係課検討会の実施",
        "県の派遣事業を活用した研修会の実施",
    }
    new = _obs(sheet, 24, "市民周知の強化", 2022)
    assert (new.value, new.unit, new.series_break) == (2.0, "機能", True)
    assert not [o for o in _of(sheet, 24) if o.fiscal_year == 2021]  # empty 実績値 cell with only 回 printed
    assert _obs(sheet, 30, "ホームページの見直し実施", 2020).series_break
    assert _obs(sheet, 30, "幅広い周知啓発の実施", 2022).value == 1.0


def test_label_parser_scopes_period_markers():
    upper_lower = "～R3 上段:庁内関係課検討会の実施 下段:県の派遣事業を活用した研修会の実施 R4～:市民周知の強化"
    labels = parse_labels(upper_lower)
    assert [(label.text, label.period.covers(2021), label.period.covers(2022)) for label in labels] == [
        ("庁内関係課検討会の実施", True, False),
        ("県の派遣事業を活用した研修会の実施", True, False),
        ("市民周知の強化", False, True),
    ]
    inside = parse_labels("上段:~R3 担当職員配置数 R4~ 専門職配置数 下段:研修への参加者数")
    assert [(label.text, label.period.covers(2020), label.period.covers(2022)) for label in inside] == [
        ("担当職員配置数", True, False),
        ("専門職配置数", False, True),
        ("研修への参加者数", True, True),
    ]
    exact = parse_labels("(H31.R2) 全体計画の策定 (R3) (上段)全体計画の策定 (下段)要支援者の個別避難計画の策定")
    covered = [sorted(y for y in (2020, 2021, 2022) if label.period.covers(y)) for label in exact]
    assert covered == [[2020], [2021], [2021]]


def test_confirmed_alignment_needs_the_comment_evidence(tmp_path: Path):
    sheet = _parse("period_labels.txt")
    staff_label = "福祉事務所内専門職等(社会福祉士、社会福祉士主事、コミュニティソーシャルワーカー)配置数"
    staff = _obs(sheet, 9, staff_label, 2022)
    assert (staff.value, staff.value_raw, staff.series_break) == (19.0, "19", True)
    assert "R4:19人" in staff.note
    altered = tmp_path / "period_labels.txt"  # the same lines with the comment's R4 figure removed
    altered.write_bytes((FIXTURES / "period_labels.txt").read_bytes().replace("、R4:19人".encode(), b""))
    unconfirmed = [o for o in parse(altered, city="shiroi", source_file="x.txt").observations if o.fiscal_year == 2022]
    no9 = [o for o in unconfirmed if o.measure_id == "shiroi-no09"]
    assert [(o.value, o.value_raw) for o in no9] == [(None, "19 0")]


def test_repeat_is_folded_into_the_original_measure():
    sheet = _parse("repeat.txt")
    path = FIXTURES / "repeat.txt"
    assert [(m.measure_id, m.is_repeat) for m in sheet.measures] == [("shiroi-no11", False), ("shiroi-no11", True)]
    assert sheet.measures[1].policy == "人材育成のための講座の充実"
    original = _line_no(path, "各種ボランティア養成講座の開催\t")
    obs = _obs(sheet, 11, "講座開催回数", 2022)
    assert obs.value == 28.0 and obs.source_line == original + 2
    assert "prints 29" in obs.note  # the ※再掲 block prints 29 for 4年度
    repeat_lines = set(range(_line_no(path, "※再掲"), _line_no(path, "※再掲") + 4))
    assert not {o.source_line for o in sheet.observations} & repeat_lines
    skipped = [c for c in sheet.coverage if c.source_line in repeat_lines]
    assert len(skipped) == 3 and all(c.outcome == "skipped" and "※再掲" in c.reason for c in skipped)
    # the ※再掲 listing prints its own 評価 column: its grades stay, at its own lines
    repeated = [(e.fiscal_year, e.grade, e.source_line) for e in sheet.evaluations if e.source_line in repeat_lines]
    assert [(y, g) for y, g, _ in repeated] == [(2020, "C"), (2021, "B"), (2022, "A")]
    assert len(sheet.evaluations) == 6 and {e.measure_id for e in sheet.evaluations} == {"shiroi-no11"}


def test_extra_text_cell_shifts_unit_and_grade():
    sheet = _parse("shifted_columns.txt")
    small = _obs(sheet, 15, "研修会の実施回数", 2021)
    assert (small.value, small.unit, small.note) == (6.0, "回", "beside the value: 小規模複数開催")
    assert {e.fiscal_year: e.grade for e in sheet.evaluations} == {2020: "D", 2021: "A", 2022: "A"}


def test_brackets_never_join_the_main_value():
    sheet = _parse("brackets.txt")
    applied = _obs(sheet, 21, "申請団体数", 2020)
    assert (applied.value, applied.note) == (10.0, "(5)")
    line = _line_no(FIXTURES / "brackets.txt", "10(5)")
    assert [(c.token, c.outcome) for c in sheet.coverage if c.source_line == line] == [
        ("10", "observation"),
        ("5", "skipped"),
    ]
    assert _obs(sheet, 33, "配布数", 2020).value == 760.0
    disabled = _obs(sheet, 33, "配布数(うち障がい者)", 2020)
    assert (disabled.value, disabled.unit, disabled.value_raw) == (15.0, "本", "うち障がい者15")


def test_new_in_r4_value_on_the_first_row_takes_its_year_from_the_comment():
    sheet = _parse("new_in_r4.txt")
    assert {o.fiscal_year for o in sheet.observations} == {2022}
    six = _obs(sheet, 47, "生活困窮者自立相談支援機関支援者のうち、支援後に社会参加機会の増加につながった件数", 2022)
    assert six.value == 6.0 and "2年度2件" in six.year_basis
    four = _obs(sheet, 48, "社会資源の開拓(新規等前年度からの増加数)(くらサポ)", 2022)
    assert (four.value, four.unit) == (4.0, "機関") and "4年度は" in four.year_basis
    assert [(e.measure_id, e.fiscal_year, e.grade, e.progress) for e in sheet.evaluations] == [
        ("shiroi-no46", 2022, "A", "順調に進んだ"),
        ("shiroi-no47", 2022, "B", "概ね進んだ"),
        ("shiroi-no48", 2022, "B", "概ね進んだ"),
    ]


def test_three_labels_three_values_and_one_unit_align_by_order():
    sheet = _parse("new_in_r4.txt")
    got = [(o.indicator, o.value, o.unit, o.value_raw, o.fiscal_year) for o in _of(sheet, 46)]
    assert got == [
        ("他機関から經由してくらしと仕事のサポートセンターの相談につながった件数", 187.0, "件", "187", 2022),
        ("くらサポ相談件数", 339.0, "件", "339", 2022),  # 中段 on a later row
        ("社協心配ごと相談件数", 966.0, "件", "966", 2022),  # 下段 on a later row
    ]


def test_one_unit_is_not_spread_over_labels_that_do_not_count_in_it():
    # line 390: (上段)全体計画の策定 (下段)要支援者の個別避難計画の策定, 1 0 with 回 once: neither label counts 回
    from helpers.sheets.shiroi_sheet import label_counts_in

    assert not label_counts_in("要支援者の個別避難計画の策定", "回")
    assert label_counts_in("社協心配ごと相談件数", "件") and not label_counts_in("社協心配ごと相談件数", "人")


def test_counts_that_disagree_or_a_year_without_label_give_none():
    sheet = _parse("uncovered_year.txt")
    (mixed,) = [o for o in _of(sheet, 32) if o.fiscal_year == 2021]
    assert (mixed.value, mixed.value_raw, mixed.unit) == (None, "1 0", "回")
    assert _obs(sheet, 32, "要支援者の個別避難計画の策定", 2022).value == 1.0  # confirmed by the comment
    (gap,) = [o for o in _of(sheet, 36) if o.fiscal_year == 2022]
    assert gap.value is None and "no indicator label covers 2022" in gap.note
    reasons = Counter(c.reason for c in sheet.coverage if c.outcome == "skipped")
    assert reasons["cannot align labels and values"] == 2 and reasons["no indicator label for this fiscal year"] == 1


def test_same_figure_under_another_measure_is_kept_and_linked():
    # No.12 is not marked ※再掲: it is a measure of its own, even where its figure equals No.6's
    sheet = _parse("shared_figure.txt")
    six = _obs(sheet, 6, "ふれあい会議開催数", 2021)
    twelve = _obs(sheet, 12, "ふれあい会議開催数", 2021)
    assert six.value == twelve.value == 7.0
    assert f"also listed under No.12 (line {twelve.source_line})" in six.note
    assert f"also listed under No.6 (line {six.source_line})" in twelve.note
    assert [o.fiscal_year for o in _of(sheet, 12)] == [2020, 2021, 2022]
    differs = _obs(sheet, 12, "ふれあい会議開催数", 2020)  # 1 here, 19 under No.6
    assert "No.6" in differs.note and "prints 19" in differs.note and "also listed" not in differs.note
    line = _line_no(FIXTURES / "shared_figure.txt", "\t3\t7\t回")
    assert [c.outcome for c in sheet.coverage if c.source_line == line] == ["observation"]


def test_count_basis_from_the_comment_for_the_report_year():
    sheet = _parse("comment_basis.txt")
    assert _obs(sheet, 41, "就労支援対象者数", 2022).count_basis == "延べ"
    assert _obs(sheet, 41, "就職者数", 2022).count_basis == "延べ"
    assert _obs(sheet, 41, "就労支援対象者数", 2021).count_basis == ""


def test_zero_is_a_value_not_a_marker():
    sheet = _parse("life_saving_course.txt")
    assert [(o.fiscal_year, o.value, o.unit) for o in sheet.observations] == [
        (2020, 0.0, "人"),
        (2021, 2.0, "人"),
        (2022, 232.0, "人"),
    ]


def test_no_value_marker_and_item_marker(tmp_path: Path):
    # the sheet prints no marker in 実績値; the same real lines with two cells replaced exercise the branch
    text = (FIXTURES / "life_saving_course.txt").read_text(encoding="utf-8")
    text = text.replace("\t2\t0\t人\t", "\t2\t中止\t人\t").replace("\t4\t232\t人\t", "\t4\t④ 232\t人\t")
    altered = tmp_path / "markers.txt"
    altered.write_text(text, encoding="utf-8")
    sheet = parse(altered, city="shiroi", source_file=altered.name)
    stopped = _obs(sheet, 34, "市内の参加者数", 2020)
    assert (stopped.value, stopped.note, stopped.value_raw) == (None, "中止", "中止")
    assert _obs(sheet, 34, "市内の参加者数", 2022).value == 232.0
    assert ("④", "skipped", "item marker") in {(c.token, c.outcome, c.reason) for c in sheet.coverage}


def test_comment_items_split_and_classified():
    assert split_items("案内ができた。 今後も作成していく。") == ["案内ができた。", "今後も作成していく。"]
    sheet = _parse("pairs_checkbox_markers.txt")
    kinds = [(a.value_kind, a.section) for a in sheet.activities]
    assert kinds[0] == ("plan", "取組内容")
    comment = "取組による成果、今後の課題や方針"
    assert ("actual", comment) in kinds and ("plan", comment) in kinds
    assert all(a.fiscal_year == 2022 for a in sheet.activities)


# ---------------------------------------------------------------- the whole raw file


def test_provenance_every_value_raw_stands_on_its_line(sheet: ParsedSheet, raw_lines: list[str]):
    assert sheet.observations
    for obs in sheet.observations:
        assert obs.value_raw and obs.value_raw in raw_lines[obs.source_line - 1], obs
    for item in sheet.coverage:
        assert item.token in raw_lines[item.source_line - 1], item


def test_observation_keys_are_unique(sheet: ParsedSheet):
    keys = Counter((o.city, o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in sheet.observations)
    assert [k for k, n in keys.items() if n > 1] == []


EXPECTED: list[tuple[int, str, int, float | None, str]] = [
    # (1) 地域における福祉サービスの適切な利用の促進
    (1, "発行部数", 2021, 2300, "部"),
    (1, "配布部数", 2022, 1880, "部"),
    (2, "連絡調整会議の開催", 2021, 12, "回"),
    (3, "理事会・定例会開催回数(定例会)", 2022, 11, "回"),
    (3, "研修等の実施回数(研修会)", 2020, 3, "回"),
    (4, "相談窓口設置数", 2022, 9, "地区"),
    (5, "延べ相談件数", 2022, 100, "件"),
    (6, "ふれあい会議開催数", 2020, 19, "回"),
    (6, "第1層協議体開催数", 2022, 2, "回"),
    (7, "会議の実施回数", 2022, 26, "回"),
    (8, "補助金の額", 2022, 7988783, "円"),
    (9, "担当職員配置数", 2021, 1, "人"),
    (10, "各学部の講座回数(いきいきシニア)", 2021, 18, "回"),
    (11, "講座開催回数", 2022, 28, "回"),
    # (2) 社会福祉事業の健全な発達の促進
    (12, "ふれあい会議開催数", 2020, 1, "回"),
    (13, "みまもりネットワーク協定・協力数", 2022, 279, "箇所"),
    (14, "創出したサービス数", 2021, 1, "サービス"),
    (15, "研修会の実施回数", 2022, 1, "回"),
    (16, "補助金交付額", 2020, 41975430, "円"),
    (16, "ヒアリング回数", 2022, 2, "回"),
    (17, "取り組みの創出数", 2022, 0, "サービス"),
    (18, "補助金の額", 2021, 1226591, "円"),
    # (3) 地域福祉活動への市民参加の促進
    (19, "サロン代表者交流会議参加団体数", 2022, 31, "団体"),
    (20, "しろい市民まちづくりサポートセンター利用者数", 2020, 5121, "人"),
    (22, "配置人数", 2022, 4, "人"),
    (23, "受講者数", 2021, 8, "人"),
    (24, "県の派遣事業を活用した研修会の実施", 2020, 0, "回"),
    (25, "小学校区ごとの意見交換会等の開催数", 2022, 42, "回"),
    (26, "設立推進小学校区の設定数", 2022, 2, "小学校区"),
    (27, "会議回数", 2022, 9, "回"),
    # (4) 避難行動要支援者に対する支援
    (28, "点検の実施", 2021, 1, "回"),
    (29, "ハザードマップの修正・周知", 2022, 2, "回"),
    (31, "情報の提供者数", 2022, 85, "箇所"),
    (32, "全体計画の策定", 2020, 1, "回"),
    (33, "配布数", 2022, 817, "本"),
    (33, "配布数(うち障がい者)", 2021, 39, "本"),
    (34, "市内の参加者数", 2020, 0, "人"),
    (34, "市内の参加者数", 2022, 232, "人"),
    (35, "地域の防災訓練の支援", 2022, 1, "回"),
    # (5) 生活困窮者に対する支援
    (37, "庁内からの相談件数", 2022, 124, "件"),
    (38, "会議の開催回数", 2021, 1, "回"),
    (39, "相談受付件数のうち、複合的な課題を抱える世帯からの相談件数", 2021, 215, "件"),
    (40, "給付金申請者数", 2022, 2, "件"),
    (41, "就職者数", 2021, 31, "件"),
    (43, "相談件数", 2020, 1972, "件"),
    (44, "入所児童数", 2021, 596, "人"),
    (45, "放課後子ども教室実施箇所数", 2020, 2, "教室"),
    # (6) 包括的な支援体制づくり
    (47, "生活困窮者自立相談支援機関支援者のうち、支援後に社会参加機会の増加につながった件数", 2022, 6, "件"),
    (48, "社会資源の開拓(新規等前年度からの増加数)(くらサポ)", 2022, 4, "機関"),
]


@pytest.mark.parametrize(("no", "indicator", "year", "value", "unit"), EXPECTED)
def test_values_read_by_hand(sheet: ParsedSheet, no: int, indicator: str, year: int, value: float, unit: str):
    obs = _obs(sheet, no, indicator, year)
    assert (obs.city, obs.value_kind, obs.value, obs.unit) == ("shiroi", "actual", value, unit)


def test_cells_left_without_a_value(sheet: ParsedSheet):
    empty = {(o.measure_id, o.fiscal_year, o.value_raw) for o in sheet.observations if o.value is None}
    assert empty == {
        ("shiroi-no32", 2021, "1 0"),
        ("shiroi-no36", 2022, "2"),
    }
    assert all(o.note for o in sheet.observations if o.value is None)


def test_series_breaks_in_the_whole_file(sheet: ParsedSheet):
    broken = {(int(o.measure_id[-2:]), o.fiscal_year) for o in sheet.observations if o.series_break}
    assert {n for n, _ in broken} == {5, 9, 24, 30, 35}
    assert (9, 2022) in broken and (5, 2020) in broken


def _value_tokens(raw_lines: list[str]) -> Counter[tuple[int, str]]:
    """Every number in the 実績値 column of a 年度 row, found independently of the parser."""
    tokens: Counter[tuple[int, str]] = Counter()
    year_col = value_col = None
    for number, line in enumerate(raw_lines, start=1):
        cells = line.split("\t")
        if cells[0] == "No.":
            year_col, value_col = cells.index("年度"), cells.index("実績値")
        elif year_col is not None and len(cells) > value_col and re.fullmatch(r"\d", cells[year_col].strip()):
            for token in re.findall(r"\d[\d,]*", cells[value_col]):
                tokens[(number, token)] += 1
    return tokens


def test_coverage_accounts_for_every_number_in_value_columns(sheet: ParsedSheet, raw_lines: list[str]):
    covered = Counter((c.source_line, c.token) for c in sheet.coverage)
    assert covered == _value_tokens(raw_lines)
    assert all(c.outcome in ("observation", "skipped") for c in sheet.coverage)
    assert all(c.reason for c in sheet.coverage if c.outcome == "skipped")
    used = sum(1 for c in sheet.coverage if c.outcome == "observation")
    assert used == sum(1 for o in sheet.observations if o.value is not None)


def test_numbers_in_prose_are_not_observations(sheet: ParsedSheet, raw_lines: list[str]):
    # line 321: 4年8月から9月…説明会を12回開催…合計30回; line 19: 年1回内容の見直し; line 504: 月2回の勤務
    for obs in sheet.observations:
        value_cell = raw_lines[obs.source_line - 1].split("\t")[7]
        assert obs.value_raw in value_cell, obs
    assert {o.value for o in _of(sheet, 25)} == {15.0, 21.0, 42.0}


def test_measures_listings_and_evaluations(sheet: ParsedSheet):
    ids = {m.measure_id for m in sheet.measures}
    assert len(ids) == 48 and len(sheet.measures) == 58
    assert sorted({int(m.measure_id[-2:]) for m in sheet.measures if m.is_repeat}) == [1, 2, 6, 7, 8, 9, 10, 11, 42]
    keys = Counter((e.measure_id, e.fiscal_year, e.source_line) for e in sheet.evaluations)
    assert max(keys.values()) == 1 and len({k[:2] for k in keys}) == 138
    repeats = {m.source_line for m in sheet.measures if m.is_repeat}
    from_repeats = [e for e in sheet.evaluations if e.source_line - 2 in repeats or e.source_line in repeats]
    assert len(sheet.evaluations) == 168 and from_repeats  # 138 from the originals, 30 printed by ※再掲 listings
    progress = [e for e in sheet.evaluations if e.progress]
    assert {e.fiscal_year for e in progress} == {2022} and len(progress) == 58
    assert {e.grade for e in sheet.evaluations} <= {"A", "B", "C", "D", ""}


def test_activities_and_quirks(sheet: ParsedSheet):
    assert {a.fiscal_year for a in sheet.activities} == {2022}
    assert len({a.measure_id for a in sheet.activities}) == 48
    assert any("新型コロナウイルス" in a.text for a in sheet.activities)
    assert len(sheet.quirks) >= 15 and all("line" in q for q in sheet.quirks)


def test_parse_is_fast_and_deterministic():
    start = time.perf_counter()
    first = parse(RAW, city="shiroi", source_file=RAW.name)
    second = parse(RAW, city="shiroi", source_file=RAW.name)
    assert time.perf_counter() - start < 5
    assert first == second

"""一関市 council papers: one test per quirk on real lines, and the whole raw file end to end."""

from __future__ import annotations

import re
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from helpers.sheets import get_parser
from helpers.sheets.ichinoseki_council import parse
from helpers.sheets.records import Observation, ParsedSheet

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw" / "ichinoseki_fy2023_council_papers.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "ichinoseki_council"
CITY = "ichinoseki"
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[①-⑳]")


@cache
def sheet(name: str) -> ParsedSheet:
    path = RAW if name == "raw" else FIXTURES / name
    return parse(path, city=CITY, source_file=path.name)


def lines_of(name: str) -> list[str]:
    path = RAW if name == "raw" else FIXTURES / name
    return path.read_text(encoding="utf-8").split("\n")


def obs(parsed: ParsedSheet, measure_id: str, indicator: str, year: int, kind: str) -> Observation:
    found = [
        o
        for o in parsed.observations
        if (o.measure_id, o.indicator, o.fiscal_year, o.value_kind) == (measure_id, indicator, year, kind)
    ]
    assert len(found) == 1, (measure_id, indicator, year, kind, found)
    return found[0]


def skipped(parsed: ParsedSheet, line: int) -> list[tuple[str, str]]:
    return [(c.token, c.reason) for c in parsed.coverage if c.source_line == line and c.outcome == "skipped"]


def indicators(parsed: ParsedSheet) -> set[str]:
    return {o.indicator for o in parsed.observations}


# ---------------------------------------------------------------- structure quirks


def test_years_come_from_the_most_recent_header_not_the_page_title() -> None:
    parsed = sheet("disaster_two_tables.txt")  # page title 計画期間:令和3年度～7年度, then two tables
    assert obs(parsed, "ichinoseki-3-5", "避難行動要支援者名簿掲載者数", 2022, "actual").value == 5321
    assert obs(parsed, "ichinoseki-3-5", "避難行動要支援者名簿掲載者数", 2021, "actual").value == 5165
    assert {o.fiscal_year for o in parsed.observations} <= {2021, 2022, 2023}
    assert {r.split(":")[0] for _, r in skipped(parsed, 1)} == {"page title (計画期間)"}
    assert parsed.measures[1].is_repeat and not parsed.measures[0].is_repeat


def test_repeated_page_header_continues_the_table() -> None:
    parsed = sheet("repeated_header.txt")
    assert [m.measure_id for m in parsed.measures] == ["ichinoseki-1-1", "ichinoseki-2-2"]
    assert obs(parsed, "ichinoseki-2-2", "こども食堂新規開設数", 2022, "actual").source_line == 6
    assert any("header repeated" in q for q in parsed.quirks)


def test_ocr_junk_before_the_policy_number() -> None:
    parsed = sheet("goal1_fy2022.txt")  # 進(3), ワ(1)
    assert [m.measure_id for m in parsed.measures] == [
        "ichinoseki-1-1",
        "ichinoseki-1-2",
        "ichinoseki-1-3",
        "ichinoseki-2-1",
    ]
    assert parsed.measures[2].direction == "(3) 地域福祉を担う人材の育成と次世代の参加促進"
    assert any("OCR junk" in q for q in parsed.quirks)


def test_circled_number_and_policy_name_in_the_first_column() -> None:
    parsed = sheet("workforce_fy2022.txt")  # ⑥ in 基本目標 column, name in 方向性 column
    assert [m.measure_id for m in parsed.measures] == ["ichinoseki-3-6"]
    assert parsed.measures[0].goal == "3 充実した福祉サービスを提供する仕組みづくり"
    assert any("circled digit" in q for q in parsed.quirks)


def test_goal_name_in_the_direction_column_and_kubun_shifted_left() -> None:
    goal1 = sheet("goal1_fy2021.txt")  # "1" + 地域福祉を担う人づくり, then "2" + 共に参加する意識の向上
    assert [m.measure_id for m in goal1.measures] == ["ichinoseki-1-1", "ichinoseki-1-2"]
    shifted = sheet("shifted_kubun_fy2021.txt")  # 市民 / 社協 in the 方向性 column
    assert [(m.measure_id, m.source_line) for m in shifted.measures] == [("ichinoseki-3-1", 2), ("ichinoseki-3-2", 4)]
    assert {a.measure_id for a in shifted.activities if a.source_line == 4} == {"ichinoseki-3-2"}
    assert shifted.measures[1].policy.startswith("① 一人ひとりに寄り添いながら")
    assert any("区分" in q for q in shifted.quirks)


def test_page_header_between_rows_of_a_policy_keeps_its_rows() -> None:
    parsed = sheet("consultation_fy2022.txt")  # (5) ボランティア… and (1) 相談体制の充実 after a repeated header
    assert [m.measure_id for m in parsed.measures] == ["ichinoseki-2-5", "ichinoseki-3-1"]
    assert parsed.measures[1].goal.startswith("3 ")


# ---------------------------------------------------------------- departments


def test_bullet_without_department_inherits_the_cell_above() -> None:
    parsed = sheet("needy_fy2021.txt")  # rows 2-4 start with ■ and no 【課】
    o = obs(parsed, "ichinoseki-3-4", "家計相談支援者数", 2021, "actual")
    assert (o.value, o.department, o.source_line) == (20, "福祉課", 3)
    assert "inherited from line 2" in o.note
    assert {a.department for a in parsed.activities} == {"福祉課"}


def test_department_spelling_variants_are_unified() -> None:
    parsed = sheet("goal1_fy2022.txt")  # 【いきがいがづくり課】
    departments = {a.department for a in parsed.activities if a.source_line == 4}
    assert "いきがいづくり課" in departments and "いきがいがづくり課" not in departments


def test_doubtful_department_label_gets_a_note_not_a_guess() -> None:
    parsed = sheet("goal1_fy2022.txt")  # 【長寿社会課】 ■ 各児童保育施設において…(実施予定件数:21件)
    o = obs(parsed, "ichinoseki-1-1", "高齢者や障がい者との交流件数", 2023, "plan")
    assert o.department == "長寿社会課"
    assert "label doubtful" in o.note and "児童保育課" in o.note
    assert "label doubtful" not in obs(parsed, "ichinoseki-1-1", "高齢者や障がい者との交流件数", 2022, "actual").note


# ---------------------------------------------------------------- columns decide year and kind


def test_column_decides_kind_for_a_past_tense_result_in_a_plan_column() -> None:
    parsed = sheet("needy_fy2021.txt")  # 令和4年度計画 column: …支援を行った。 就労者数 21人
    o = obs(parsed, "ichinoseki-3-4", "就労者数", 2022, "plan")
    assert o.value == 21 and "past-tense" in o.note


def test_plan_sentences_in_a_project_column_stay_in_their_column() -> None:
    parsed = sheet("consultation_fy2022.txt")  # 令和4年度事業 holds plan text, 令和5年度計画 holds project names
    project = [a for a in parsed.activities if a.section == "令和4年度事業" and a.source_line == 3]
    assert project and {(a.fiscal_year, a.value_kind) for a in project} == {(2022, "actual")}
    names = [a.text for a in parsed.activities if a.section == "令和5年度計画" and a.source_line == 3]
    assert names == ["家庭児童相談室運営費", "発達支援相談事業", "幼児期特別支援教育推進事業"]


def test_a_count_in_the_project_column_is_taken_once() -> None:
    parsed = sheet("needy_fy2021.txt")  # 相談者数 延べ436人 in 事業 (row 3) and 実績 (row 4); 年12回 twice in 事業
    o = obs(parsed, "ichinoseki-3-4", "相談者数", 2021, "actual")
    assert (o.value, o.source_line, o.count_basis) == (436, 4, "延べ")
    meeting = obs(parsed, "ichinoseki-3-4", "支援調整会議開催回数", 2021, "actual")
    assert (meeting.value, meeting.source_line) == (12, 4) and "令和3年度事業" in meeting.note
    assert ("436", "same figure already recorded at line 4 (令和3年度実績)") in skipped(parsed, 3)
    assert ("12", "same figure already recorded at line 4 (令和3年度事業)") in skipped(parsed, 5)


def test_label_year_that_contradicts_the_column_is_not_assigned() -> None:
    parsed = sheet("workforce_fy2022.txt")  # 令和5年度計画 column: ○ 令和4年度月額貸付者 1人(0人)
    o = obs(parsed, "ichinoseki-3-6", "医師修学資金月額貸付者数", 2023, "plan")
    assert o.value is None and o.value_raw == "1人" and "value not assigned" in o.note
    assert obs(parsed, "ichinoseki-3-6", "医師修学資金月額貸付者数", 2022, "actual").value == 1


# ---------------------------------------------------------------- numbers inside sentences


def test_labelled_count_with_count_basis() -> None:
    parsed = sheet("needy_fy2022.txt")  # (相談者数 延べ451人)
    o = obs(parsed, "ichinoseki-3-4", "相談者数", 2022, "actual")
    assert (o.value, o.unit, o.count_basis, o.value_raw) == (451, "人", "延べ", "延べ451人")


def test_frequency_rule_is_not_a_count_but_a_yearly_total_is() -> None:
    parsed = sheet("needy_fy2022.txt")  # 「支援調整会議」を月1回開催し … (支援調整会議 年12回開催)
    assert obs(parsed, "ichinoseki-3-4", "支援調整会議開催回数", 2022, "actual").value == 12
    assert ("1", "frequency rule (月1回 / 年1回), not a count") in skipped(parsed, 2)
    assert all(o.value != 1 or o.indicator == "生活保護制度説明開催回数" for o in parsed.observations)


def test_dates_are_not_counts() -> None:
    parsed = sheet("disaster_two_tables.txt")  # R4.11.30現在, 令和4年6月7日
    assert {("4", "date"), ("6", "date"), ("7", "date")} <= set(skipped(parsed, 4))
    assert ("4.11.30", "as-of date of 5,321人, kept in note") in skipped(parsed, 3)
    o = obs(parsed, "ichinoseki-3-5", "避難行動要支援者名簿掲載者数", 2022, "actual")
    assert "R4.11.30現在" in o.note and "R4.11.30" in o.year_basis
    kubun = sheet("shifted_kubun_fy2021.txt")  # (1/19 69人参加), 5/12の「民生委員・児童委員の日」
    assert obs(kubun, "ichinoseki-3-1", "重層的支援体制研修会参加者数", 2021, "actual").value == 69
    assert {r for t, r in skipped(kubun, 2) if t in ("1", "19", "5", "12")} == {"date (month/day)"}
    goal1 = sheet("goal1_fy2022.txt")  # (12月頃を予定)
    assert ("12", "date (month)") in skipped(goal1, 2)


def test_shares_and_breakdowns_go_to_the_note() -> None:
    parsed = sheet("disaster_two_tables.txt")
    agreed = obs(parsed, "ichinoseki-3-5", "個人情報提供同意者数", 2022, "actual")
    assert (agreed.value, agreed.value_raw, agreed.note) == (1598, "1,598人", "(30.0%)")
    assert obs(parsed, "ichinoseki-3-5", "個別計画作成済み者数", 2022, "actual").value == 675
    assert ("1,598", "repeats 個人情報提供同意者数 as the base of the next figure") in skipped(parsed, 3)
    drill = obs(parsed, "ichinoseki-3-5", "避難支援訓練参加者数", 2022, "actual")  # (参加者30名:自主防災組織19名、…)
    assert (drill.value, drill.unit) == (30, "名") and "自主防災組織19名" in drill.note
    workforce = sheet("workforce_fy2022.txt")  # 月額貸付者 38人 内訳:助産師・看護師31人(11人)…
    loans = obs(workforce, "ichinoseki-3-6", "医療介護従事者修学資金月額貸付者数", 2022, "actual")
    assert loans.value == 38 and "助産師・看護師31人(11人)" in loans.note and "新規貸付者" in loans.note
    # the labelled parts of a breakdown are observations named under their total; bracketed new-borrower
    # figures and unlabelled parts stay in the note
    part = obs(workforce, "ichinoseki-3-6", "医療介護従事者修学資金月額貸付者数 助産師・看護師", 2022, "actual")
    assert (part.value, part.unit, part.value_raw, part.value_origin) == (31, "人", "31人", "narrative")
    assert "breakdown of 38人" in part.note and "(11人)" in part.note
    assert not any(o.value == 11 for o in workforce.observations)
    staff = obs(parsed, "ichinoseki-3-5", "避難支援訓練参加者数 自主防災組織", 2022, "actual")
    assert (staff.value, staff.unit) == (19, "名")


def test_one_token_with_two_counts() -> None:
    parsed = sheet("disaster_two_tables.txt")  # 16法人30施設と協定 / 16法人と協定を締結し30施設を指定
    for year in (2021, 2022):
        assert obs(parsed, "ichinoseki-3-5", "福祉避難所協定法人数", year, "actual").value == 16
        assert obs(parsed, "ichinoseki-3-5", "福祉避難所協定施設数", year, "actual").unit == "施設"


def test_labelled_values_in_one_sentence() -> None:
    parsed = sheet("liaison_both_years.txt")  # 事業計画 連絡会1回、幹事会3回、研修会3回、ケアカフェ2回、フォーラム1回
    plan = {o.indicator: o.value for o in parsed.observations if o.fiscal_year == 2023}
    assert plan == {
        "医療と介護の連携連絡会 連絡会開催回数": 1,
        "医療と介護の連携連絡会 幹事会開催回数": 3,
        "医療と介護の連携連絡会 研修会開催回数": 3,
        "医療と介護の連携連絡会 ケアカフェ開催回数": 2,
        "医療と介護の連携連絡会 フォーラム開催回数": 1,
    }
    written = obs(parsed, "ichinoseki-3-3", "医療と介護の連携連絡会 連絡会開催回数", 2021, "actual")
    assert written.note.endswith("(書面開催)")


def test_generic_label_needs_its_subject() -> None:
    parsed = sheet("goal1_fy2022.txt")  # (件数:延べ21件) after 高齢者や障がい者との交流を実施した
    o = obs(parsed, "ichinoseki-1-1", "高齢者や障がい者との交流件数", 2022, "actual")
    assert (o.value, o.count_basis, o.department) == (21, "延べ", "児童保育課")
    assert "件数" not in indicators(parsed)


def test_unlabelled_number_is_skipped() -> None:
    parsed = sheet("goal1_fy2021.txt")  # 保健福祉部で策定した4計画及び第8期介護保険事業計画
    reasons = skipped(parsed, 3)
    assert ("4", "no label naming what is counted; not taken") in reasons
    assert ("8", "ordinal (第N)") in reasons
    assert not [o for o in parsed.observations if o.source_line == 3]


def test_labels_that_change_between_years_are_separate_series() -> None:
    fy2022, fy2021 = sheet("consultation_fy2022.txt"), sheet("shifted_kubun_fy2021.txt")
    assert obs(fy2022, "ichinoseki-3-1", "巡回相談回数", 2022, "actual").value == 61
    assert obs(fy2021, "ichinoseki-3-1", "巡回相談園数", 2021, "actual").unit == "園"
    pairs = ((fy2022, 2022), (fy2021, 2021))
    assert [obs(s, "ichinoseki-3-1", "発達支援相談者数", y, "actual").value for s, y in pairs] == [127, 137]


def test_council_rules_and_roster_are_not_observations() -> None:
    parsed = sheet("council_rules.txt")  # 第3 会議は、委員20人以内をもって組織する。
    assert parsed.observations == [] and parsed.measures == []
    assert ("20", "council rules (設置要綱): range in a rule (委員20人以内); not a value column") in skipped(parsed, 7)
    assert all(c.outcome == "skipped" for c in parsed.coverage)
    assert {c.source_line for c in parsed.coverage} == {3, 4, 7, 8, 9}


def test_one_activity_per_bullet_with_department_and_section() -> None:
    parsed = sheet("goal1_fy2022.txt")
    row = [a for a in parsed.activities if a.source_line == 2]
    sections = Counter(a.section for a in row)
    assert sections == {"令和4年度実績": 4, "令和4年度事業": 4, "令和5年度計画": 5, "令和5年度事業": 1}
    first = row[0]
    assert (first.department, first.fiscal_year, first.value_kind) == ("児童保育課", 2022, "actual")
    assert first.text.startswith("新型コロナウイルス感染症の流行下でありながらも")
    fy2021 = sheet("goal1_fy2021.txt")  # 【福祉課】 ・ハートフルショップの開催(…) ・一関市福祉まつり
    dots = [a.text for a in fy2021.activities if a.section == "令和3年度事業" and a.source_line == 3]
    assert dots == ["ハートフルショップの開催(毎週火曜木曜に市役所ロビーにて)", "一関市福祉まつり"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.txt")))
def test_fixture_invariants(name: str) -> None:
    parsed, lines = sheet(name), lines_of(name)
    for o in parsed.observations:
        assert o.value_raw in lines[o.source_line - 1]
    keys = [(o.city, o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in parsed.observations]
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- the whole file


def value_tokens(lines: list[str]) -> Counter[tuple[int, str]]:
    """Every number the coverage must account for: value cells of table rows, whole lines outside the tables."""
    tokens: Counter[tuple[int, str]] = Counter()
    for n, line in enumerate(lines, start=1):
        cells = line.split("\t")
        if len(cells) == 9 and cells[0] == "基本目標":
            continue
        texts = cells[5:9] if len(cells) == 9 else [line]
        tokens.update((n, t) for text in texts for t in TOKEN.findall(text))
    return tokens


def test_raw_file_provenance_and_unique_keys() -> None:
    parsed, lines = sheet("raw"), lines_of("raw")
    assert len(parsed.observations) >= 80
    for o in parsed.observations:
        assert o.city == CITY and o.source_file == RAW.name
        assert o.value_raw in lines[o.source_line - 1], o
        assert o.value_kind in ("actual", "plan")
        assert o.value is not None or o.note
    keys = [(o.city, o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in parsed.observations]
    assert len(keys) == len(set(keys))
    assert {(o.fiscal_year, o.value_kind) for o in parsed.observations} == {
        (2021, "actual"),
        (2022, "actual"),
        (2022, "plan"),
        (2023, "plan"),
    }


def test_raw_file_coverage_accounts_for_every_number() -> None:
    parsed, lines = sheet("raw"), lines_of("raw")
    covered: Counter[tuple[int, str]] = Counter()
    for c in parsed.coverage:
        found = TOKEN.findall(c.token)
        assert len(found) == 1, c
        covered[(c.source_line, found[0])] += 1
        assert c.outcome in ("observation", "skipped") and c.reason
    assert covered == value_tokens(lines)
    taken = Counter((c.source_line, c.token) for c in parsed.coverage if c.outcome == "observation")
    assert taken == Counter((o.source_line, o.value_raw) for o in parsed.observations)


def test_raw_file_measures_and_activities() -> None:
    parsed = sheet("raw")
    ids = [m.measure_id for m in parsed.measures if not m.is_repeat]
    assert len(ids) == 14 and len(set(ids)) == 14 and len(parsed.measures) == 28
    assert ids[:3] == ["ichinoseki-1-1", "ichinoseki-1-2", "ichinoseki-1-3"] and ids[-1] == "ichinoseki-3-6"
    assert {a.fiscal_year for a in parsed.activities} == {2021, 2022, 2023}
    assert all(a.text and "<" not in a.text and a.measure_id in ids for a in parsed.activities)
    covid = [a for a in parsed.activities if "新型コロナウイルス" in a.text]
    assert {(a.fiscal_year, a.value_kind) for a in covid} >= {(2021, "actual"), (2022, "actual")}
    assert len(parsed.quirks) >= 15


EXPECTED: list[tuple[str, str, int, str, float | None, str, int]] = [
    ("ichinoseki-1-1", "高齢者や障がい者との交流件数", 2022, "actual", 21, "件", 228),
    ("ichinoseki-1-1", "高齢者や障がい者との交流件数", 2023, "plan", 21, "件", 228),
    ("ichinoseki-1-1", "高校生ワークショップ参加校数", 2022, "actual", 3, "校", 228),
    ("ichinoseki-1-1", "高校生ワークショップ参加者数", 2022, "actual", 12, "人", 228),
    ("ichinoseki-1-1", "高校生ワークショップ参加者数", 2021, "actual", 14, "人", 292),
    ("ichinoseki-2-2", "こども食堂新規開設数", 2022, "actual", 1, "か所", 239),
    ("ichinoseki-2-3", "地域行事参加件数", 2022, "actual", 31, "件", 243),
    ("ichinoseki-2-3", "地域行事参加件数", 2023, "plan", 36, "件", 243),
    ("ichinoseki-2-3", "子育てサロン登録団体数", 2021, "actual", 5, "団体", 318),
    ("ichinoseki-2-3", "生活支援コーディネーター配置人数", 2022, "plan", 5, "名", 318),
    ("ichinoseki-3-1", "発達支援相談者数", 2022, "actual", 127, "人", 255),
    ("ichinoseki-3-1", "就学相談者数", 2021, "actual", 94, "人", 337),
    ("ichinoseki-3-1", "巡回相談園数", 2021, "actual", 62, "園", 337),
    ("ichinoseki-3-1", "重層的支援体制研修会参加者数", 2021, "actual", 69, "人", 336),
    ("ichinoseki-3-3", "医療と介護の連携連絡会 幹事会開催回数", 2023, "plan", 3, "回", 266),
    ("ichinoseki-3-3", "医療と介護の連携連絡会 研修会開催回数", 2022, "plan", 1, "回", 346),
    ("ichinoseki-3-4", "相談者数", 2022, "actual", 451, "人", 270),
    ("ichinoseki-3-4", "支援調整会議開催回数", 2022, "actual", 12, "回", 270),
    ("ichinoseki-3-4", "支援調整会議開催回数", 2021, "actual", 12, "回", 352),
    ("ichinoseki-3-4", "家計相談支援者数", 2021, "actual", 20, "人", 351),
    ("ichinoseki-3-4", "就労者数", 2022, "plan", 21, "人", 353),
    ("ichinoseki-3-4", "生活保護制度説明開催回数", 2021, "actual", 2, "回", 353),
    ("ichinoseki-3-5", "避難行動要支援者名簿掲載者数", 2021, "actual", 5165, "人", 358),
    ("ichinoseki-3-5", "個別計画作成済み者数", 2022, "actual", 675, "人", 282),
    ("ichinoseki-3-5", "福祉避難所協定施設数", 2022, "actual", 30, "施設", 282),
    ("ichinoseki-3-5", "避難支援訓練参加者数", 2022, "actual", 30, "名", 283),
    ("ichinoseki-3-5", "避難支援訓練参加者数", 2022, "plan", 30, "人", 358),
    ("ichinoseki-3-6", "医療介護従事者修学資金月額貸付者数", 2023, "plan", 39, "人", 284),
    ("ichinoseki-3-6", "医療介護従事者修学資金貸付者数", 2021, "actual", 39, "人", 365),
    ("ichinoseki-3-6", "医師修学資金月額貸付者数", 2023, "plan", None, "人", 285),
    ("ichinoseki-3-6", "介護職員研修奨励金交付件数(実務者研修)", 2022, "actual", 17, "件", 286),
    ("ichinoseki-3-6", "介護職員就職奨励金交付者数", 2021, "actual", 41, "人", 365),
]


@pytest.mark.parametrize(("measure_id", "indicator", "year", "kind", "value", "unit", "line"), EXPECTED)
def test_raw_file_values(
    measure_id: str, indicator: str, year: int, kind: str, value: float | None, unit: str, line: int
) -> None:
    o = obs(sheet("raw"), measure_id, indicator, year, kind)
    assert (o.city, o.value, o.unit, o.source_line) == (CITY, value, unit, line)


def test_series_link_only_where_the_label_is_the_same() -> None:
    parsed = sheet("raw")
    series = Counter(o.indicator for o in parsed.observations if o.value_kind == "actual")
    assert series["発達支援相談者数"] == 2 and series["相談者数"] == 2
    assert series["巡回相談回数"] == 1 and series["巡回相談園数"] == 1
    assert series["医療介護従事者修学資金月額貸付者数"] == 1 and series["医療介護従事者修学資金貸付者数"] == 1


def test_registry_and_speed() -> None:
    start = time.perf_counter()
    parsed = get_parser("ichinoseki_council")(RAW, city=CITY, source_file=RAW.name)
    assert time.perf_counter() - start < 5
    assert len(parsed.observations) == len(sheet("raw").observations)

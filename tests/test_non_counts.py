"""Shared non-count rules: the reviewed CSV, each kind on real lines, real counts beside them, and parser wiring."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from helpers.core.fiscal_years import ERA_PATTERN, ERA_YEAR_PATTERN, parse_fiscal_years
from helpers.core.non_counts import (
    KINDS,
    RULES_CSV,
    load_non_count_rules,
    make_rule,
    non_count_at,
    non_count_reason,
    non_count_rule,
    non_count_rules,
    non_count_spans,
)
from helpers.core.numbers import NUMBER_PATTERN, WIDE_NUMBER_PATTERN, find_quantities, to_number
from helpers.sheets.ichinoseki_council import parse as parse_ichinoseki
from helpers.sheets.yamagata_progress import parse as parse_yamagata_progress

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = re.compile(r"「(?P<text>.+?)」 (?P<file>\S+\.txt):(?P<line>\d+)")
COUNTER_EXAMPLE = re.compile(r"『(?P<text>.+?)』 (?P<file>\S+\.txt):(?P<line>\d+)")


def raw_line(file: str, line: int) -> str:
    return (RAW / file).read_text(encoding="utf-8").split("\n")[line - 1]


def reason_at(text: str, number: str, *rule_ids: str, nth: int = 0) -> str | None:
    """The reason the shared rules give the ``nth`` occurrence of ``number`` in ``text``."""
    starts = [m.start() for m in re.finditer(re.escape(number), text)]
    return non_count_reason(text, starts[nth], non_count_rules(*rule_ids) if rule_ids else None)


# ---------------------------------------------------------------- the reviewed list


def test_rule_list_is_well_formed() -> None:
    rules = load_non_count_rules()
    assert len(rules) >= 10 and list(rules) == [r["rule_id"] for r in _rows()]
    for rule in rules.values():
        assert rule.kind in KINDS and rule.reason and rule.comment, rule.rule_id
        assert "{ERA}" not in rule.pattern.pattern, rule.rule_id
    assert {r.kind for r in rules.values()} >= {
        "date",
        "frequency",
        "ordinal",
        "item_marker",
        "year_reference",
        "fee",
        "range",
    }


def _rows() -> list[dict[str, str]]:
    with RULES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("rule_id", list(load_non_count_rules()))
def test_every_example_stands_on_its_line_and_is_recognised(rule_id: str) -> None:
    rule = non_count_rule(rule_id)
    examples = list(EXAMPLE.finditer(rule.comment))
    assert examples, f"{rule_id}: no 「example」 file:line in the comment"
    for ex in examples:
        assert ex["text"] in raw_line(ex["file"], int(ex["line"])), ex.group()
        assert rule.pattern.search(ex["text"]), ex.group()
    for ex in COUNTER_EXAMPLE.finditer(rule.comment):
        assert ex["text"] in raw_line(ex["file"], int(ex["line"])), ex.group()
        assert not rule.pattern.search(ex["text"]), ex.group()


def test_unknown_rule_or_kind_is_refused() -> None:
    with pytest.raises(KeyError, match="no_such_rule"):
        non_count_rules("date", "no_such_rule")
    with pytest.raises(ValueError, match="unknown kind"):
        make_rule("x", "weather", r"\d+", "x")


# ---------------------------------------------------------------- each kind on real lines


def test_dates_written_out_and_dotted() -> None:
    line = "全国防災訓練に合わせ、令和4年6月7日に東山地域で訓練を実施した。"  # ichinoseki_fy2023_council_papers.txt:283
    assert [s.text for s in non_count_spans(line, non_count_rules("date"))] == ["令和4年6月7日"]
    assert reason_at("名簿の掲載者は、5,321人(R4.11.30現在)", "4.11", "date") == "date"  # :282
    assert reason_at("社会福祉法改正（R2.6）", "2", "date") == "date"  # yamagata_fy2023_jusoteki_overview.txt:39
    assert reason_at("(1/19 69人参加)", "1", "date_month_day") == "date (month/day)"  # ichinoseki:336
    assert reason_at("ワークショップ」を開催する。(12月頃を予定)", "12", "date_month") == "date (month)"  # :228
    assert reason_at("(5月12日～5月18日)", "12", "date_day") == "date (day)"  # yamaguchi:859


def test_date_groups_give_the_fiscal_year() -> None:
    match = non_count_rule("date").pattern.search("人口（令和5年4月1日現在）")  # overview:13
    assert match and (match["era"], match["year"], match["month"], match["day"]) == ("令和", "5", "4", "1")
    match = non_count_rule("date").pattern.search("国：重層事業実施（R3.4.1）")  # overview:44
    assert match and (match["era"], match["year"], match["month2"], match["day2"]) == ("R", "3", "4", "1")


@pytest.mark.parametrize(
    ("text", "number", "rule_id", "reason"),
    [
        ("「支援調整会議」を月1回開催し", "1", "frequency", "frequency rule (月N回)"),  # ichinoseki:352
        ("*事業は月8回以上開催、うち1回は", "8", "frequency", "frequency rule (月N回以上)"),  # overview:105
        ("- ・週3回まで", "3", "frequency", "frequency rule (週N回まで)"),  # overview:180
        ("庁内会議年2回 協議会年1回", "1", "frequency", "frequency rule (年N回)"),  # progress:130
        ("- ・3か月ごとにモニタリングを行う。", "3", "interval", "interval rule (Nか月ごと)"),  # overview:181
    ],
)
def test_frequency_rules(text: str, number: str, rule_id: str, reason: str) -> None:
    assert reason_at(text, number, rule_id) == reason


def test_ordinals_item_markers_and_year_references() -> None:
    assert reason_at("(2) 第2期一関市地域福祉計画", "2", "ordinal", nth=1) == "ordinal (第N)"  # ichinoseki:19
    assert reason_at("第3次山形市地域福祉計画（R3～R7）", "3", "ordinal") == "ordinal (第N次)"  # overview:48
    assert reason_at("第3次山形市地域福祉計画（R3～R7）", "3", "period", nth=1) == "plan period"
    assert reason_at("1団体 ①山形市内特別養護老人ホーム", "①", "item_marker") == "item marker"  # progress:44
    assert reason_at("■ 令和6年度中の一関市", "6", "era_year") == "year reference (令和N年/年度), not a count"
    assert reason_at("60施設 ②(R4新規・3施設)", "4", "era_year") is not None  # progress:235
    assert reason_at("(計画期間:令和3年度～7年度)", "7", "year_number") == "year reference (N年度), not a count"
    assert reason_at("平成 29 年(2017 年)3 月 21 日発足", "2017", "gregorian_year") is not None  # yamaguchi:317


def test_fees_ranges_and_names() -> None:
    fee = "参加者には、活動費として1回当たり500円を支給"  # overview:179
    assert reason_at(fee, "500", "fee") == "fee (N円 per session)"
    assert reason_at(fee, "1", "frequency") is None  # 1回当たり is the unit of the fee, not a frequency rule
    assert reason_at("第3 会議は、委員20人以内をもって組織する。", "20", "range") == "range in a rule (委員20人以内)"
    assert reason_at("いきいきサロンや100歳体操、などの事業", "100", "name") == "part of a name (百歳体操)"


# ---------------------------------------------------------------- real counts beside them


def test_counts_next_to_dates_and_rules_stay_counts() -> None:
    assert reason_at("1回開催 24人参加", "1") is None  # yamagata_fy2022_progress_sheet.txt:12
    assert reason_at("1回開催 24人参加", "24") is None
    assert reason_at("(1/19 69人参加)", "69") is None  # ichinoseki:336, the count after the date
    assert reason_at("名簿の掲載者は、5,321人(R4.11.30現在)", "5,321") is None  # ichinoseki:282
    assert reason_at("(市内3校から12人が参加)", "12") is None  # ichinoseki:228, 12人 is not a month
    assert reason_at("15/664", "15") is None  # shiroi:53 under (ケース会議件数/延べ相談件数): two counts


def test_a_yearly_total_in_a_results_column_is_still_an_observation() -> None:
    path = FIXTURES / "ichinoseki_council" / "needy_fy2022.txt"  # 「支援調整会議」を月1回開催し … 年12回開催
    line = path.read_text(encoding="utf-8").split("\n")[1]
    assert reason_at(line, "12", "frequency") == "frequency rule (年N回)"  # the shared rule alone says rule …
    sheet = parse_ichinoseki(path, city="ichinoseki", source_file=path.name)
    held = [o for o in sheet.observations if o.indicator == "支援調整会議開催回数"]
    assert [(o.value, o.value_raw) for o in held] == [(12.0, "12回")]  # … the parser's crosswalk reads it first
    skipped = {(c.token, c.reason) for c in sheet.coverage if c.source_line == 2 and c.outcome == "skipped"}
    assert ("1", "frequency rule (月1回 / 年1回), not a count") in skipped  # the papers' wording is kept


def test_held_and_attended_are_counts_not_rules() -> None:
    path = FIXTURES / "yamagata_progress" / "continuation_rows.txt"  # raw line 12: 1回開催 24人参加
    sheet = parse_yamagata_progress(path, city="yamagata", source_file=path.name)
    label = "心のバリアフリー推進員養成研修の開催"
    found = {(o.indicator, o.value) for o in sheet.observations if o.fiscal_year == 2020}
    assert {(f"{label} 開催回数", 1.0), (f"{label} 参加人数", 24.0)} <= found


# ---------------------------------------------------------------- how the rules are applied


def test_rule_order_decides_between_overlapping_rules() -> None:
    text = "令和4年6月7日"
    assert reason_at(text, "6", "date", "date_month") == "date"
    assert reason_at(text, "6", "date_month", "date") == "date (month)"
    assert reason_at(text, "4") == "date"  # all rules in file order: the whole date before its parts


def test_spans_keep_overlaps_for_the_caller() -> None:
    spans = non_count_spans("令和4年6月7日", non_count_rules("date", "era_year", "date_month"))
    assert [(s.rule.rule_id, s.text) for s in spans] == [
        ("date", "令和4年6月7日"),
        ("era_year", "令和4年"),
        ("date_month", "6月"),
    ]
    assert non_count_at("令和4年6月7日", 6, non_count_rules("era_year")) is None


def test_worded_rule_keeps_its_pattern() -> None:
    rule = non_count_rule("era_year")
    label = rule.worded("fiscal-year label")
    assert label.pattern is rule.pattern and label.reason == "fiscal-year label"
    assert non_count_reason("②(R4新規・3施設)", 3, (label,)) == "fiscal-year label"
    assert non_count_rule("era_year").reason == "year reference (令和N年/年度), not a count"


def test_form_in_a_reason_drops_spaces_and_numbers() -> None:
    assert reason_at("年 20 回", "20", "frequency") == "frequency rule (年N回)"  # yamaguchi:849
    assert reason_at("毎月1回(8月を除く)", "1", "frequency") == "frequency rule (毎月N回)"  # shiroi:37


# ---------------------------------------------------------------- shared number and era patterns


def test_number_patterns() -> None:
    assert re.findall(NUMBER_PATTERN, "- 面積 381.58km²") == ["381.58"]  # overview:12
    assert re.findall(NUMBER_PATTERN, "人口（令和5年4月1日現在）：238,862人")[-1] == "238,862"  # overview:13
    assert re.fullmatch(WIDE_NUMBER_PATTERN, "１，２３４．５") and not re.fullmatch(NUMBER_PATTERN, "１，２３４．５")
    assert to_number("1,249") == 1249 and [s for s, _ in find_quantities("30件1,249人")] == ["30件", "1,249人"]


def test_era_patterns() -> None:
    found = [
        re.search(ERA_YEAR_PATTERN, text).group()  # type: ignore[union-attr]
        for text in ("⇒ 令和元年度 19地区19拠点", "■令和 3 年度実績", "H32(2020) 250人", "（昭和26年法律第45号")
    ]
    assert found == ["令和元", "令和 3", "H32", "昭和26"]  # overview:112, yamaguchi:211, yamaguchi:31, ichinoseki:71
    assert not re.search(ERA_PATTERN + r"\d", "PR4") and re.search(ERA_PATTERN, "②(R4新規")
    assert parse_fiscal_years("令和2年度・令和3年度 21地区23拠点") == [2020, 2021]

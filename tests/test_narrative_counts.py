"""The shared extractor of labelled counts in narrative text: every reviewed rule on its real line, then the
shapes of issue 13 one by one, each with what must not be taken."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from helpers.core.text import blank_out
from helpers.sheets.narrative_counts import (
    NARRATIVE_REASONS,
    REASON_NOT_COUNT_UNIT,
    REASON_PARTICLE,
    REASON_SHARED,
    REASON_SUB_COUNT,
    RULES_CSV,
    extract_counts,
    load_rules,
)
from helpers.tables.schema import coverage_reason_kind

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"
SOURCE = re.compile(r"(?P<file>[\w.]+\.txt):(?P<line>\d+)$")


def _line(file: str, number: int) -> str:
    return (RAW / file).read_text(encoding="utf-8").split("\n")[number - 1]


def _counts(text: str) -> list[tuple[str, float, str]]:
    return [(c.indicator, c.value, c.unit) for c in extract_counts(text).counts]


def _skips(text: str) -> dict[str, str]:
    return {s.token: s.reason for s in extract_counts(text).skips}


def _rows() -> list[dict[str, str]]:
    with RULES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["rule_id"])
def test_every_rule_example_stands_on_its_line_and_reads_as_stated(row: dict[str, str]) -> None:
    where = SOURCE.match(row["source"])
    assert where, row["source"]
    assert row["example"] in _line(where["file"], int(where["line"])), row
    assert row["description"]
    counts = _counts(row["example"])
    if row["expected"]:
        indicator, value = row["expected"].split("=")
        number = re.match(r"[\d.]+", value)
        assert number
        expected = (indicator, float(number.group()), value[number.end() :])
        assert expected in counts, (row["rule_id"], counts)
    if row["kind"] in ("shape", "example"):
        shape = [c.rule_id for c in extract_counts(row["example"]).counts if c.indicator == indicator]
        assert shape[-1] == (row["rule_id"] if row["kind"] == "shape" else row["words"])
    elif not row["expected"]:
        assert counts == [], (row["rule_id"], counts)


def test_the_rules_file_holds_every_shape_and_word_list() -> None:
    rules = load_rules()
    assert {"label_before", "bracket_label", "object_verb", "verb_after", "breakdown_colon"} <= set(rules.shapes)
    assert "開催" in rules.verbs and "利用者" in rules.words["generic_labels"]


def test_every_reason_of_the_extractor_is_in_the_closed_list() -> None:
    for reason in NARRATIVE_REASONS:
        assert coverage_reason_kind(reason), reason


# ------------------------------------------------------------------ the shapes of issue 13, on real lines


def test_label_before_the_number_in_a_list_of_bullets() -> None:
    line = blank_out(_line(YAMAGUCHI, 439))
    counts = _counts(line)
    assert ("運営費支援", 33.0, "サロン") in counts
    assert ("遊具等器材の貸出", 135.0, "件") in counts
    # negative: 年6回 is a frequency rule, and 1部39名・2部68名 gives no label to its counts
    assert not [c for c in counts if c[1] in (6.0, 39.0, 68.0)]


def test_a_generic_label_in_a_bullet_takes_the_item_heading_and_its_bracket_is_a_note() -> None:
    found = extract_counts(blank_out(_line(YAMAGUCHI, 439)))
    users = [c for c in found.counts if c.value == 13.0]
    assert [(c.indicator, c.unit, c.value_raw) for c in users] == [("お元気コールの実施 利用者", "世帯", "13 世帯")]
    assert users[0].notes == ["(新規2件、休止3件、廃止1件)"]
    assert {s.token: s.reason for s in found.skips if s.token in ("2", "3", "1")} == {
        "2": REASON_SUB_COUNT,
        "3": REASON_SUB_COUNT,
        "1": REASON_SUB_COUNT,
    }


def test_colon_breakdown_after_its_total() -> None:
    cell = _line(YAMAGUCHI, 147).split("\t")[-1]
    counts = _counts(cell)
    assert ("福祉体験学習器材貸出件数", 77.0, "件") in counts
    assert ("福祉体験学習器材貸出件数 高齢者疑似体験", 14.0, "件") in counts


def test_labelled_count_in_brackets_after_its_activity() -> None:
    counts = _counts(blank_out(_line(YAMAGUCHI, 102)))
    assert ("チャリティーゴルフ大会の開催 参加者", 58.0, "名") in counts
    assert ("民間助成の情報を提供", 4.0, "回") in counts
    # negative: 「第25回」 on the next line is an ordinal, 「1回/年」 a rate
    assert _counts("・「第25回赤い羽根共同募金チャリティーゴルフ大会」の後援") == []
    assert not [c for c in counts if c[0].endswith("情報提供")]


def test_label_and_counter_written_apart() -> None:
    counts = _counts(_line(YAMAGUCHI, 252))
    assert ("手話通訳者等派遣", 7.0, "件") in counts and ("要約筆記者派遣", 11.0, "件") in counts


def test_object_before_the_number_and_verb_after_it() -> None:
    found = extract_counts(_line(YAMAGUCHI, 327))
    counts = [(c.indicator, c.value, c.value_raw, c.notes) for c in found.counts]
    assert ("部会で会議を開催", 7.0, "計 7 回", ["total (計)"]) in counts
    # negative: the 3 of 「3 部会」 is part of a word, and 57.5% is a share
    assert not [c for c in counts if c[1] in (3.0, 57.5)]


def test_plan_counts_in_the_plan_text() -> None:
    counts = _counts(_line(YAMAGUCHI, 81))
    assert ("地区社協連絡会 研修会", 1.0, "回") in counts and ("連絡会を開催", 2.0, "回") in counts
    assert _skips(_line(YAMAGUCHI, 81))["1"] == REASON_SHARED  # 研修会、交流会を各1回


def test_dates_rules_money_and_sentence_parts_are_not_counts() -> None:
    assert _counts(_line(YAMAGUCHI, 859).split("\t")[2][:40]) == []  # (5月12日～5月18日)
    assert _counts("「支援調整会議」を月1回開催") == []
    skips = _skips(_line(YAMAGUCHI, 253))
    assert skips["13"] == REASON_NOT_COUNT_UNIT  # 計約 13万円を助成
    assert skips["3"] == REASON_PARTICLE  # 民間事業者3団体に
    assert _counts("・介護予防・生活支援サポーター養成講座を1カ所で開催") == []
    assert _counts("・令和2・3年度指定 小学校3校(宮野小・陶小・徳佐小)") == []
    assert _counts("○福祉員 各定例会(20地区)にて相談機関等の周知(随時)") == []


def test_value_raw_is_the_exact_text_and_digits_point_at_the_number() -> None:
    line = _line(YAMAGUCHI, 969)
    for count in extract_counts(line).counts:
        assert line[count.start : count.end] == count.value_raw
        start, end = count.digits
        assert float(line[start:end].replace(",", "")) == count.value
    basis = [c for c in extract_counts(line).counts if c.indicator == "法人成年後見事業受任"]
    assert basis[0].count_basis == "延べ" and basis[0].value_raw == "延べ8件"

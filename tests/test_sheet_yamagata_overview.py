"""山形市 重層的支援体制整備事業 overview parser: profile dates, the ⇒ hub series, rules and dates skipped."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers.sheets.records import Observation, ParsedSheet
from helpers.sheets.yamagata_overview import parse

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yamagata_overview"
RAW = ROOT / "data" / "raw" / "yamagata_fy2023_jusoteki_overview.txt"
PROGRESS = ROOT / "data" / "raw" / "yamagata_fy2022_progress_sheet.txt"
ATOM = re.compile(r"[①-⑳]|[0-9][0-9,]*(?:\.[0-9]+)?")
HUBS = "yamagata-overview-wagakoto-marugoto"


def _parse(path: Path) -> ParsedSheet:
    return parse(path, city="yamagata", source_file=path.name)


def find(sheet: ParsedSheet, indicator: str, year: int) -> Observation:
    found = [o for o in sheet.observations if o.indicator == indicator and o.fiscal_year == year]
    assert len(found) == 1, (indicator, year, found)
    return found[0]


def reasons(sheet: ParsedSheet) -> dict[str, str]:
    return {c.token: c.reason for c in sheet.coverage if c.outcome == "skipped"}


@pytest.fixture(scope="module")
def sheet() -> ParsedSheet:
    return _parse(RAW)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return RAW.read_text(encoding="utf-8").split("\n")


# ---------------------------------------------------------------- quirks, on fixtures cut from the raw slides


def test_dated_population_and_its_indented_items_are_observations() -> None:
    s = _parse(FIXTURES / "profile.txt")
    people = find(s, "人口", 2023)
    assert (people.value, people.unit, people.value_raw, people.source_line) == (238862.0, "人", "238,862人", 4)
    assert "令和5年4月1日" in people.year_basis
    elderly, rate = find(s, "高齢者人口", 2023), find(s, "高齢化率", 2023)
    assert (elderly.value, rate.value, rate.unit) == (73257.0, 30.7, "%")
    assert "parent item" in rate.year_basis
    assert len(s.observations) == 3


def test_undated_profile_figures_are_skipped_not_observed() -> None:
    s = _parse(FIXTURES / "profile.txt")
    why = reasons(s)
    for token in ("381.58km²", "490人", "58人", "37校", "14 場所", "30", "547"):
        assert why[token] == "undated profile figure", token
    assert why["〈市社協3〉"].startswith("undated profile figure")
    assert why["令和5年4月1日"] == "date"


def test_hub_series_over_several_lines_with_one_label_for_two_years() -> None:
    s = _parse(FIXTURES / "hub_series.txt")
    raw = (FIXTURES / "hub_series.txt").read_text(encoding="utf-8").split("\n")
    hubs = {(o.indicator, o.fiscal_year): o for o in s.observations}
    assert {y for _, y in hubs} == {2017, 2018, 2019, 2020, 2021, 2022}
    assert hubs[("拠点数", 2019)].value == 19.0  # 令和元年度 has no digit
    for year in (2020, 2021):
        districts, hubs_ = hubs[("実施地区数", year)], hubs[("拠点数", year)]
        assert (districts.value, districts.unit, hubs_.value, hubs_.unit) == (21.0, "地区", 23.0, "拠点")
        assert "令和2年度・令和3年度" in districts.year_basis
        assert districts.value_raw in raw[districts.source_line - 1] and raw[districts.source_line - 1].startswith("⇒")
    last = hubs[("拠点数", 2022)]
    assert (last.value, last.measure, last.measure_id) == (24.0, "我が事・丸ごと地域づくり推進事業", HUBS)
    why = reasons(s)
    assert why["平成29年度"] == why["令和元年度"] == "fiscal-year label"
    assert why["月8回以上"].startswith("frequency rule") and why["100歳体操"].startswith("part of a name")


def test_dates_rules_and_fees_are_not_observations() -> None:
    s = _parse(FIXTURES / "dates_and_rules.txt")
    why = reasons(s)
    assert [o.indicator for o in s.observations] == ["人口"]
    for token in ("平成28年9月", "平成29年10月", "R2.6", "R3.4.1", "R4.4.1"):
        assert why[token] == "date", token
    assert why["R3～R7"] == "plan period" and why["第3次"].startswith("ordinal")
    assert why["1回当たり500円"].startswith("fee") and why["週3回まで"].startswith("frequency rule")
    assert why["3か月ごと"].startswith("interval rule") and why["52施設"] == "undated figure"
    assert why["1"] == "list numbering"


def test_dated_events_give_their_own_fiscal_year() -> None:
    s = _parse(FIXTURES / "dates_and_rules.txt")
    years = {a.text: a.fiscal_year for a in s.activities}
    started = "多機関の協働による包括的支援体制構築事業（地域福祉相談支援体制構築モデル事業） ⇒ 平成28年9月事業開始"
    assert years[started] == 2016
    assert years["社会福祉法改正（R2.6）"] == 2020 and years["山形市：重層事業実施（R4.4.1）"] == 2022
    assert years["参加者には、活動費として1回当たり500円を支給（山形市社会福祉施設等連絡協議会から）。"] == 2023
    assert all(a.value_kind in ("actual", "plan") for a in s.activities)


# ---------------------------------------------------------------- the whole raw file


def test_parse_is_fast() -> None:
    start = time.perf_counter()
    _parse(RAW)
    assert time.perf_counter() - start < 2


def test_provenance_and_unique_keys(sheet: ParsedSheet, lines: list[str]) -> None:
    for o in sheet.observations:
        assert o.value_raw in lines[o.source_line - 1], o
        assert (o.city, o.value_kind, o.source_file) == ("yamagata", "actual", RAW.name)
    keys = Counter((o.measure_id, o.indicator, o.fiscal_year, o.value_kind) for o in sheet.observations)
    assert max(keys.values()) == 1


EXPECTED: list[tuple[str, int, float, str, int]] = [
    ("人口", 2023, 238862.0, "人", 13),
    ("高齢者人口", 2023, 73257.0, "人", 14),
    ("高齢化率", 2023, 30.7, "%", 15),
    ("実施地区数", 2017, 3.0, "地区", 110),
    ("拠点数", 2017, 3.0, "拠点", 110),
    ("実施地区数", 2018, 11.0, "地区", 110),
    ("拠点数", 2018, 11.0, "拠点", 110),
    ("実施地区数", 2019, 19.0, "地区", 112),
    ("拠点数", 2019, 19.0, "拠点", 112),
    ("実施地区数", 2020, 21.0, "地区", 112),
    ("拠点数", 2020, 23.0, "拠点", 112),
    ("実施地区数", 2021, 21.0, "地区", 112),
    ("拠点数", 2021, 23.0, "拠点", 112),
    ("実施地区数", 2022, 22.0, "地区", 114),
    ("拠点数", 2022, 24.0, "拠点", 114),
]


def test_every_observation_read_from_the_slides(sheet: ParsedSheet) -> None:
    got = sorted((o.indicator, o.fiscal_year, o.value, o.unit, o.source_line) for o in sheet.observations)
    assert got == sorted(EXPECTED)
    profile = {o.measure_id for o in sheet.observations if o.indicator in ("人口", "高齢者人口", "高齢化率")}
    assert profile == {"yamagata-overview-profile"}


def test_coverage_gives_every_number_exactly_one_item(sheet: ParsedSheet, lines: list[str]) -> None:
    covered: Counter[int] = Counter()
    for c in sheet.coverage:
        assert c.token in lines[c.source_line - 1] and (c.outcome == "observation" or c.reason), c
        covered[c.source_line] += len(ATOM.findall(c.token))
    expected = Counter({n: len(ATOM.findall(line)) for n, line in enumerate(lines, start=1) if ATOM.search(line)})
    assert covered == expected
    assert Counter(c.outcome for c in sheet.coverage)["observation"] == 13  # 21地区 and 23拠点 serve two years


def test_measure_names_link_to_the_progress_sheet(sheet: ParsedSheet) -> None:
    from helpers.sheets.yamagata_progress import parse as parse_progress

    progress = parse_progress(PROGRESS, city="yamagata", source_file=PROGRESS.name)
    hub_name = next(m.measure for m in sheet.measures if m.measure_id == HUBS)
    assert hub_name in {o.measure for o in progress.observations}
    assert hub_name in {m.measure_id for m in sheet.measures} | {m.measure for m in sheet.measures}
    assert not {m.measure_id for m in sheet.measures} & {m.measure_id for m in progress.measures}


def test_quirks_state_the_date_decision(sheet: ParsedSheet) -> None:
    assert any("undated profile figure" in q for q in sheet.quirks)
    assert any("two fiscal years" in q for q in sheet.quirks)
    assert all(re.search(r"line \d+", q) for q in sheet.quirks)

"""Linking pandemic sentences to the activities and series they name, on real sentences and the labels beside them.

A sentence naming one event links to that event only: never to every series of its measure.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analysis.covid_links import DROP, LinkRule, label_core, link_mentions, load_links, names_series
from helpers.analysis.covid_series import Series, load_kind_rules
from helpers.analysis.covid_text import EVENT_COLUMNS, load_lexicon
from helpers.core.text import nfkc

ICHINOSEKI = "ichinoseki_fy2023_council_papers.txt"
YAMAGATA = "yamagata_fy2022_progress_sheet.txt"
YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"
SHIROI = "shiroi_fy2022_progress_sheet.txt"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def series(city: str, measure_id: str, label: str, file: str, line: int, cells: str = "") -> Series:
    """A series of a measure standing on one line, with its raw cells."""
    lines = frozenset({(file, line)})
    return Series(city, measure_id, "", label, "", "activity", (), (), (), False, False, lines, nfkc(cells))


def events(*rows: tuple[str, str, int, str, str, str, int]) -> pd.DataFrame:
    """Events dated to one year each (``period_start`` = ``fiscal_year``)."""
    return pd.DataFrame([(*r[:3], r[2], *r[3:]) for r in rows], columns=list(EVENT_COLUMNS))


def test_a_cancelled_drill_links_to_no_roster_or_other_drill(lexicon):
    """ichinoseki:282: the 設置訓練 was cancelled; the measure's rosters and the evacuation drill are other things."""
    sentence = "岩手県災害ボランティアセンター設置訓練を予定していたが、新型コロナウイルス感染拡大の影響で中止となった"
    measure = [
        series("ichinoseki", "ichinoseki-3-5", label, ICHINOSEKI, 283)
        for label in ("避難支援訓練参加者数", "個人情報提供同意者数", "個別計画作成済み者数")
    ]
    table = events(("ichinoseki", "ichinoseki-3-5", 2022, "actual", "cancelled", sentence, ICHINOSEKI, 282))
    (mention,) = link_mentions(table, measure, lexicon, rules=())
    assert mention.indicators == ()
    assert mention.activity == "岩手県災害ボランティアセンター設置訓練"
    assert mention.effects == ((2022, "cancelled"),)


def test_a_cell_note_links_to_its_own_series_only(lexicon):
    """yamagata:38 lists four figures in one cell; the cancellation stands in the first figure's cell only."""
    sentence = "ー（新型コロナウイルス感染症拡大防止のため中止）"
    own = series("yamagata", "yamagata-1-2-1-3", "運動普及推進員の養成", YAMAGATA, 38, sentence)
    other = series("yamagata", "yamagata-1-2-1-3", "食生活改善推進員の養成", YAMAGATA, 38, "20人(養成数)")
    table = events(("yamagata", "yamagata-1-2-1-3", 2020, "actual", "cancelled", sentence, YAMAGATA, 38))
    (mention,) = link_mentions(table, [own, other], lexicon, rules=())
    assert (mention.indicators, mention.linked_by) == (("運動普及推進員の養成",), "cell")


def test_a_sentence_naming_a_series_links_to_it_and_not_its_sibling(lexicon):
    """yamaguchi:183: the exchange meeting was cancelled; the measure's count of partner schools is another thing."""
    sentence = "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止"
    exchange = series("yamaguchi", "yamaguchi-1-2-2", "福祉教育情報交換会", YAMAGUCHI, 183)
    schools = series("yamaguchi", "yamaguchi-1-2-2", "福祉教育推進協力校", YAMAGUCHI, 184)
    table = events(("yamaguchi", "yamaguchi-1-2-2", 2021, "actual", "cancelled", sentence, YAMAGUCHI, 183))
    (mention,) = link_mentions(table, [exchange, schools], lexicon, rules=())
    assert mention.indicators == ("福祉教育情報交換会",)
    assert names_series(sentence, exchange, lexicon) and not names_series(sentence, schools, lexicon)


def test_a_sentence_about_activity_links_to_no_stock_or_money_series(lexicon):
    """shiroi:110 speaks of the 支え合い活動; 活動拠点数 and 補助金の額 count hubs and money."""
    sentence = (
        "3年度は新型コロナウイルス感染症の影響により休止せざるを得ない活動もあったが、"
        "4年度はコロナ前と同程度の地域における支え合い活動を継続することができた"
    )
    measure = [series("shiroi", "shiroi-no08", label, SHIROI, 110) for label in ("活動拠点数", "補助金の額")]
    table = events(("shiroi", "shiroi-no08", 2022, "actual", "resumed", sentence, SHIROI, 110))
    (mention,) = link_mentions(table, measure, lexicon, rules=())
    assert mention.indicators == ()
    assert mention.effects == ((2021, "reduced"), (2022, "resumed"))


def test_one_sentence_naming_two_activities_splits_by_the_link_file(lexicon):
    """yamaguchi:885: 新任研修会 held in each district, 福祉員研修会 cancelled: two activities, two effects."""
    sentence = (
        "新任研修会は新型コロナウイルス感染症拡大防止対策のため各地区で開催、"
        "福祉の輪づくり運動関係者及び福祉員研修会は中止"
    )
    table = events(("yamaguchi", "yamaguchi-2-6-2", 2021, "actual", "cancelled", sentence, YAMAGUCHI, 885))
    mentions = {m.activity: m for m in link_mentions(table, [], lexicon)}
    assert mentions["新任研修会"].effects == ((2021, "moved_format"),)
    assert mentions["福祉の輪づくり運動関係者及び福祉員研修会"].effects == ((2021, "cancelled"),)
    assert mentions["福祉の輪づくり運動関係者及び福祉員研修会"].plan_key == "福祉員研修会"


def test_a_fragment_without_pandemic_words_keeps_the_sentence_context(lexicon):
    """yamagata:59: the fragment R2は2回中止し takes its pandemic context from the whole note."""
    sentence = "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした"
    own = series("yamagata", "yamagata-1-2-3-2", "担い手養成研修会参加者数", YAMAGATA, 59)
    table = events(("yamagata", "yamagata-1-2-3-2", 2020, "actual", "cancelled", sentence, YAMAGATA, 59))
    (mention,) = link_mentions(table, [own], lexicon)
    assert (mention.effects, mention.indicators) == (((2020, "cancelled"),), ("担い手養成研修会参加者数",))


def test_a_drop_row_removes_the_sentence(lexicon):
    sentence = "新型コロナ対応の検証を経て、その見直しを中断している"
    rule = LinkRule("yamagata", YAMAGATA, 304, "見直しを中断", DROP, (), "", "not an activity")
    table = events(("yamagata", "yamagata-4-3-4-1", 2022, "actual", "reduced", sentence, YAMAGATA, 304))
    assert link_mentions(table, [], lexicon, rules=(rule,)) == []


def test_label_core_removes_generic_endings():
    assert label_core("研修会の実施回数") == "研修会"
    assert label_core("ふれあい会議開催数") == "ふれあい会議"


def test_link_file_rows_point_at_real_lines_and_known_kinds():
    """Every reviewed link names a line that holds its fragment (the raw sheet, as a reader sees it)."""
    from pathlib import Path

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    lines = {f.name: f.read_text(encoding="utf-8").splitlines() for f in raw.glob("*.txt")}
    for rule in load_links():
        line = nfkc(lines[rule.source_file][rule.source_line - 1])
        assert nfkc(rule.fragment) in line, (rule.source_file, rule.source_line, rule.fragment)
        assert rule.comment


def test_kind_rules_load_in_order():
    rules = load_kind_rules()
    assert [r.order for r in rules] == sorted(r.order for r in rules)

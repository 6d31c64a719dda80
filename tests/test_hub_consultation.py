"""Hub/consultation taxonomy on real labels of the four sheets; tagging, coverage, per-1,000 figures, summaries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.hub_consultation import (
    POPULATION_PATH,
    SUBTYPE_LABELS_JA,
    SUBTYPES,
    TAGGED_COLUMNS,
    TAXONOMY_COLUMNS,
    TAXONOMY_PATH,
    city_sentences_ja,
    city_summaries,
    classify_indicator,
    count_basis_of,
    count_scope,
    coverage_matrix,
    cross_check_lines,
    flow_lines,
    hub_expansion_frame,
    hub_flows,
    level_of,
    load_population,
    load_taxonomy,
    match_rule,
    matrix_table_ja,
    overview_cross_check,
    overview_growth_lines,
    summary_sentence,
    tag_indicators,
    unit_family,
    year_span,
)
from helpers.analysis.hub_services import build_hub_table, compare_services, load_denominators, same_fact_links
from helpers.core.errors import PipelineError
from helpers.core.text import key
from helpers.tables.schema import HUB_CONSULTATION, HUB_MATRIX, INDICATORS, PER_THOUSAND

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"

YAMAGATA = "yamagata_fy2022_progress_sheet.txt"
YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"
ICHINOSEKI = "ichinoseki_fy2023_council_papers.txt"
SHIROI = "shiroi_fy2022_progress_sheet.txt"


def _raw_line(source: str, line: int) -> str:
    return (RAW / source).read_text(encoding="utf-8").splitlines()[line - 1]


# --- the taxonomy file ------------------------------------------------------------------------------------------


def test_taxonomy_loads_in_priority_order_with_closed_vocabularies():
    rules = load_taxonomy()
    assert [r.priority for r in rules] == sorted(r.priority for r in rules)
    assert len({r.rule_id for r in rules}) == len(rules)
    for rule in rules:
        if rule.exclude:
            assert (rule.domain, rule.subtype) == ("", "")
        else:
            assert rule.subtype in SUBTYPES and rule.domain in ("hub", "consultation", "community")
    assert {r.subtype for r in rules if not r.exclude} == set(SUBTYPES)


def test_exclusions_for_money_and_training_stand_before_every_hub_and_consultation_rule():
    rules = load_taxonomy()
    first_positive = min(r.priority for r in rules if not r.exclude and r.rule_id != "hub_jidokan")
    for rule_id in ("x_money_unit", "x_money_label", "x_training", "x_publicity"):
        assert next(r for r in rules if r.rule_id == rule_id).priority < first_positive


@pytest.mark.parametrize("rule", load_taxonomy(), ids=lambda r: r.rule_id)
def test_every_rule_example_is_a_real_label_on_its_source_line_and_hits_its_rule(rule):
    source, line = rule.example_source.rsplit(":", 1)
    assert key(rule.example_label) in key(_raw_line(source, int(line)))
    if rule.example_measure:
        assert key(rule.example_measure) in key((RAW / source).read_text(encoding="utf-8"))
    assert match_rule(rule.example_label, rule.example_measure, rule.example_unit).rule_id == rule.rule_id


def test_a_taxonomy_with_an_unknown_subtype_is_refused_naming_the_line(tmp_path):
    text = TAXONOMY_PATH.read_text(encoding="utf-8").replace(",hub_places,", ",hub_count,", 1)
    bad = tmp_path / "taxonomy.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError, match=r"taxonomy.csv:\d+: rule .*unknown subtype 'hub_count'"):
        load_taxonomy(bad)


def test_the_taxonomy_header_is_the_documented_one():
    header = TAXONOMY_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == TAXONOMY_COLUMNS


# --- real labels, city by city (label, measure and unit copied from the raw files) --------------------------------

REAL_LABELS = [
    # 山形市 progress sheet
    ("yamagata", 53, "子育て支援センター数", "地域子育て支援拠点事業", "", "hub_places"),
    ("yamagata", 47, "通いの場の箇所数", "一般介護予防事業", "箇所", "hub_places"),
    ("yamagata", 47, "通いの場の箇所数 参加人数", "一般介護予防事業", "人", "hub_participation"),
    ("yamagata", 47, "通いの場の支援", "一般介護予防事業", "回", None),
    ("yamagata", 47, "参加人数", "一般介護予防事業", "人", None),
    ("yamagata", 46, "実施拠点数", "我が事・丸ごと地域づくり推進事業", "拠点", "hub_places"),
    ("yamagata", 55, "子育てサロン開催地区数", "子育てサロン運営支援事業", "地区", "hub_places"),
    ("yamagata", 105, "子ども食堂・地域食堂", "子どもの居場所づくり支援事業", "か所", "hub_places"),
    ("yamagata", 105, "山形市子どもの居場所づくり支援センター", "子どもの居場所づくり支援事業", "か所", None),
    ("yamagata", 49, "実利用者数", "地域活動支援センター事業", "人", "hub_participation"),
    ("yamagata", 89, "委託数", "地域活動支援センター事業", "か所", "hub_places"),
    ("yamagata", 91, "賃借補助金総額", "コミュニティ支援事業", "円", None),
    ("yamagata", 54, "補助実施団体数", "地域支え合いボランティア活動支援事業費補助金", "団体", None),
    ("yamagata", 164, "相談件数", "地域包括支援センター運営事業", "件", "consultation_volume"),
    ("yamagata", 165, "相談支援センターにおける相談件数", "障がい者相談支援事業", "件", "consultation_volume"),
    ("yamagata", 152, "新規相談件数", "ひきこもり生活者支援事業", "件", "consultation_volume"),
    ("yamagata", 183, "問い合わせ・相談実人数 延べ件数", "生活困窮者自立相談支援事業", "人", "consultation_volume"),
    ("yamagata", 170, "利用者支援の窓口 の箇所数", "利用者支援事業", "か所", "consultation_capacity"),
    ("yamagata", 48, "生活支援コーディネーター数", "生活支援体制整備事業", "名", "community_development"),
    ("yamagata", 148, "少年相談員 ・年間相談件数", "青少年悩み事相談事業", "名", "consultation_capacity"),
    ("yamagata", 148, "少年相談員 ・年間相談件数", "青少年悩み事相談事業", "件", "consultation_volume"),
    ("yamagata", 246, "専任職員配置", "(仮称)子ども家庭総合支援拠点の設置・運営事業", "名", "consultation_capacity"),
    ("yamagata", 247, "個別ケース検討会開催", "要保護児童対策地域協議会", "", "coordination"),
    ("yamagata", 199, "会議の開催回数", "福祉まるごと会議", "回", "coordination"),
    ("yamagata", 208, "担当地区内で開催された会議等への参加回数", "地域包括支援センター運営事業", "回", "coordination"),
    ("yamagata", 260, "相談件数 市民後見人養成基礎講習受講者", "山形市成年後見センター事業", "名", None),
    ("yamagata", 191, "人生会議や在宅療養についての講座等の開催回数", "在宅医療・介護連携推進事業", "回", None),
    ("yamagata", 130, "庁内会議 いのち支える山形市自殺対策協議会の開催", "いのち支える山形市自殺対策計画", "回", None),
    # 山口市 report
    ("yamaguchi", 938, "関係機関のネットワーク構築に向けた会議の開催", "相談支援体制の充実", "回", "coordination"),
    ("yamaguchi", 1052, "検討会議の開催", "新たな包括的支援体制の構築", "回", "policy_design"),
    (
        "yamaguchi",
        969,
        "相談関係機関等との情報交換会の定期的な開催",
        "福祉関係機関・団体の連携強化",
        "回",
        "coordination",
    ),
    ("yamaguchi", 403, "個別課題や地域課題の解決を図る地域ケア会議の開催数", "", "件", "coordination"),
    ("yamaguchi", 429, "地区サロン連絡会の開催", "高齢者の交流の推進", "地区社協", "coordination"),
    ("yamaguchi", 429, "ふれあい・いきいきサロン新規開設", "高齢者の交流の推進", "カ所", "hub_places"),
    ("yamaguchi", 441, "介護予防の自主活動を継続しているグループ数", "高齢者の交流の推進", "グループ", "hub_places"),
    ("yamaguchi", 551, "介護予防の自主活動グループの立ち上げ支援回数", "地域住民の交流の推進", "回", None),
    ("yamaguchi", 482, "地域子育て支援施設利用者数", "子育て家庭の交流の推進", "人", "hub_participation"),
    ("yamaguchi", 480, "児童館", "子育て家庭の交流の推進", "か所", "hub_places"),
    ("yamaguchi", 480, "放課後児童クラブ", "子育て家庭の交流の推進", "か所", None),
    (
        "yamaguchi",
        645,
        "生活支援コーディネーターを配置",
        "地域の支えあい活動の仕組みづくり",
        "人",
        "community_development",
    ),
    ("yamaguchi", 97, "多様な寄付の在り方についての検討 会議を開催", "新たな財源の確保", "回", None),
    ("yamaguchi", 177, "福祉教育情報交換会", "関係機関・団体の連携強化", "回", None),
    ("yamaguchi", 931, "民生委員・児童委員、福祉員に対し相談窓口の周知と連携強化", "相談支援体制の充実", "地区", None),
    # 一関市 council papers (counts inside the narrative cells)
    ("ichinoseki", 350, "新規相談者数", "生活困窮者への自立支援", "人", "consultation_volume"),
    ("ichinoseki", 270, "相談者数", "生活困窮者への自立支援", "人", "consultation_volume"),
    ("ichinoseki", 255, "発達支援相談者数", "相談体制の充実", "人", "consultation_volume"),
    ("ichinoseki", 255, "巡回相談回数", "相談体制の充実", "回", "consultation_volume"),
    ("ichinoseki", 337, "巡回相談園数", "相談体制の充実", "園", "consultation_volume"),
    ("ichinoseki", 270, "支援調整会議", "生活困窮者への自立支援", "回", "coordination"),
    ("ichinoseki", 239, "こども食堂", "地域とつながり続ける関係づくり", "か所", "hub_places"),
    ("ichinoseki", 244, "生活支援コーディネーター", "協働による身近な地域の支え合い", "名", "community_development"),
    ("ichinoseki", 270, "就労支援者数", "生活困窮者への自立支援", "人", None),
    ("ichinoseki", 351, "支援者数", "生活困窮者への自立支援", "人", "consultation_volume"),
    ("ichinoseki", 266, "フォーラム", "保健・医療・福祉・介護など各分野の連携推進", "回", None),
    # 白井市 進行管理シート
    ("shiroi", 41, "相談窓口設置数", "地区社会福祉協議会での相談窓口設置の推進", "地区", "consultation_capacity"),
    ("shiroi", 110, "活動拠点数", "地域ぐるみ福祉ネットワーク事業補助金の交付", "箇所", "hub_places"),
    ("shiroi", 110, "補助金の額", "地域ぐるみ福祉ネットワーク事業補助金の交付", "円", None),
    ("shiroi", 53, "ケース会議件数", "庁内の横断的な連携体制の推進", "件", "coordination"),
    ("shiroi", 53, "延べ相談件数", "庁内の横断的な連携体制の推進", "件", "consultation_volume"),
    ("shiroi", 89, "第1層協議体開催数", "地域ぐるみネットワーク会議等の開催", "回", "community_development"),
    ("shiroi", 93, "会議の実施回数", "高齢者の地域ケア会議の運営", "回", "coordination"),
    ("shiroi", 239, "サロン代表者交流会議参加団体数", "サロンの代表者会議の開催", "団体", "coordination"),
    ("shiroi", 267, "配置人数", "生活支援コーディネーターの配置", "人", "community_development"),
    ("shiroi", 504, "相談件数", "教育相談の実施", "件", "consultation_volume"),
    ("shiroi", 476, "相談受付件数", "住居確保給付金による支援", "件", "consultation_volume"),
    (
        "shiroi",
        546,
        "他機関から經由してくらしと仕事のサポートセンターの相談につながった件数",
        "包括的な相談支援",
        "件",
        "coordination",
    ),
    ("shiroi", 548, "くらサポ相談件数", "包括的な相談支援", "件", "consultation_volume"),
    (
        "shiroi",
        564,
        "生活困窮者自立相談支援機関支援者のうち、支援後に社会参加機会の増加につながった件数",
        "参加支援",
        "件",
        None,
    ),
    ("shiroi", 522, "実施箇所数", "学童保育施設の適切なサービスの提供", "箇所", None),
    ("shiroi", 526, "放課後子ども教室実施箇所数", "放課後子ども教室の運営", "教室", "hub_places"),
    (
        "shiroi",
        242,
        "しろい市民まちづくりサポートセンター利用者数",
        "しろい市民まちづくりサポートセンターの機能強化",
        "人",
        None,
    ),
    ("shiroi", 23, "連絡調整会議の開催", "周知方法の検討", "回", None),
]
FILES = {"yamagata": YAMAGATA, "yamaguchi": YAMAGUCHI, "ichinoseki": ICHINOSEKI, "shiroi": SHIROI}


@pytest.mark.parametrize(("city", "line", "label", "measure", "unit", "expected"), REAL_LABELS)
def test_real_labels_of_each_sheet(city, line, label, measure, unit, expected):
    assert key(label.split(" ")[0]) in key(_raw_line(FILES[city], line)), "label must be copied from the sheet"
    found = classify_indicator(label, measure, unit)
    assert (found.subtype if found else None) == expected


PARSER_LABELS = [
    # labels as the cleaning parsers compose them from a narrative count or a shared cell
    ("ichinoseki", "家計相談支援者数", "生活困窮世帯への自立支援", "人", "consultation_volume"),
    ("ichinoseki", "支援調整会議開催回数", "生活困窮世帯への自立支援", "回", "coordination"),
    (
        "ichinoseki",
        "医療と介護の連携連絡会 幹事会開催回数",
        "保健・医療・福祉・介護など各分野の連携推進",
        "回",
        "coordination",
    ),
    (
        "ichinoseki",
        "医療と介護の連携連絡会 フォーラム開催回数",
        "保健・医療・福祉・介護など各分野の連携推進",
        "回",
        None,
    ),
    ("ichinoseki", "医療と介護の連携連絡会 研修会開催回数", "保健・医療・福祉・介護など各分野の連携推進", "回", None),
    ("ichinoseki", "子育てサロン登録団体数", "協働による身近な地域の支え合い", "団体", "hub_places"),
    ("ichinoseki", "こども食堂新規開設数", "地域とつながり続ける関係づくり", "か所", "hub_places"),
    (
        "ichinoseki",
        "生活支援コーディネーター配置人数",
        "協働による身近な地域の支え合い",
        "名",
        "community_development",
    ),
    ("yamagata", "参加人数(通いの場)", "一般介護予防事業", "人", "hub_participation"),
    ("yamagata", "参加人数(通いの場の支援)", "一般介護予防事業", "人", None),
    ("yamagata", "参加人数(講座)", "一般介護予防事業", "人", None),
    (
        "yamagata",
        "福祉まるごと相談員配置数(多機関コーディネーターも含む) / 新規相談件数",
        "我が事・丸ごと地域づくり推進事業",
        "",
        None,
    ),
    ("yamagata", "問い合わせ・相談延べ件数", "生活困窮者自立相談支援事業", "件", "consultation_volume"),
    ("yamagata", "障がい者相談員の人数", "障がい者差別解消推進事業", "人", "consultation_capacity"),
    ("yamagata", "障がい者相談員の相談件数", "障がい者差別解消推進事業", "件", "consultation_volume"),
    ("yamagata", "生活サポート相談数(新規)", "生活サポート相談窓口", "件", "consultation_volume"),
    ("yamaguchi", "児童館及び放課後児童クラブの運営の充実 児童館", "子育て家庭の交流の推進", "か所", "hub_places"),
    ("yamaguchi", "児童館及び放課後児童クラブの運営の充実 放課後児童クラブ", "子育て家庭の交流の推進", "か所", None),
    (
        "yamaguchi",
        "地域包括支援センターに第2層コーディネーターを配置",
        "地域の支えあい活動の仕組みづくり",
        "人",
        "community_development",
    ),
    ("shiroi", "庁内からの相談件数", "庁内連携体制の推進", "件", "coordination"),
    ("shiroi", "相談実件数", "庁内連携体制の推進", "件", "consultation_volume"),
    (
        "shiroi",
        "他機関から經由してくらしと仕事のサポートセンターの相談につながった件数 / くらサポ相談件数"
        " / 社協心配ごと相談件数",
        "包括的な相談支援",
        "件",
        None,
    ),
]


@pytest.mark.parametrize(("city", "label", "measure", "unit", "expected"), PARSER_LABELS)
def test_labels_as_the_parsers_build_them(city, label, measure, unit, expected):
    found = classify_indicator(label, measure, unit)
    assert (found.subtype if found else None) == expected


def test_every_city_has_real_labels_under_test():
    assert {row[0] for row in REAL_LABELS} == set(CITIES)


def test_consultation_system_meetings_are_coordination_not_volume():
    found = classify_indicator("関係機関のネットワーク構築に向けた会議の開催", "相談支援体制の充実", "回")
    assert (found.domain, found.subtype) == ("consultation", "coordination")
    assert classify_indicator("相談支援体制会議の開催回数", "", "件").subtype == "coordination"


def test_money_for_running_hubs_is_neither_hub_nor_consultation():
    assert classify_indicator("拠点運営の補助金額") is None
    assert classify_indicator("拠点運営の補助金額", "", "円") is None
    assert match_rule("拠点運営の補助金額").rule_id == "x_money_label"


def test_the_brief_s_canonical_labels():
    assert classify_indicator("子育て支援センター数").subtype == "hub_places"
    assert classify_indicator("通いの場 参加人数", "", "人").subtype == "hub_participation"
    assert classify_indicator("相談件数", "", "件").subtype == "consultation_volume"
    assert classify_indicator("相談者数", "", "人").subtype == "consultation_volume"
    assert classify_indicator("相談窓口設置数").subtype == "consultation_capacity"


def test_labels_are_matched_after_nfkc():
    assert classify_indicator("ｻﾛﾝ開催地区数", "", "地区").subtype == "hub_places"
    assert classify_indicator("第１層協議体開催数").subtype == "community_development"


# --- count basis, level, unit family -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"count_basis": "延べ", "indicator": "相談者数", "value_raw": "451人"}, "延べ"),
        ({"count_basis": "", "indicator": "研修会延べ参加人数", "value_raw": "1,345人"}, "延べ"),
        ({"count_basis": "", "indicator": "述べ利用人数", "value_raw": "783人"}, "延べ"),
        ({"count_basis": "", "indicator": "実利用者数", "value_raw": "159人"}, "実"),
        ({"count_basis": "", "indicator": "相談者数", "value_raw": "延べ451人"}, "延べ"),
        ({"count_basis": "", "indicator": "SUKSK 累計登録者数", "value_raw": "9,859人"}, "累計"),
        ({"count_basis": "", "indicator": "問い合わせ・相談実人数 延べ件数", "value_raw": "962人"}, "unstated"),
        ({"count_basis": "", "indicator": "放課後子ども教室実施箇所数", "value_raw": "3"}, "unstated"),
        ({"count_basis": None, "indicator": "相談件数"}, "unstated"),
    ],
)
def test_count_basis_of(row, expected):
    assert count_basis_of(row) == expected


@pytest.mark.parametrize(
    ("label", "measure", "unit", "expected"),
    [
        ("相談窓口設置数", "地区社会福祉協議会での相談窓口設置の推進", "地区", "district"),
        ("子育てサロン開催地区数", "子育てサロン運営支援事業", "地区", "district"),
        ("実施地区", "我が事・丸ごと地域づくり推進事業", "", "district"),
        ("相談支援センターにおける相談件数", "障がい者相談支援事業", "件", "facility"),
        ("1拠点あたりの参加者数", "", "人", "facility"),
        ("センターごとの相談件数", "", "件", "facility"),
        ("実施拠点数", "我が事・丸ごと地域づくり推進事業", "拠点", "city"),
        ("相談件数", "児童家庭相談事業", "件", "city"),
    ],
)
def test_level_of(label, measure, unit, expected):
    assert level_of(label, measure, unit) == expected


def test_unit_families_keep_cases_and_persons_apart_and_trust_the_written_unit():
    assert unit_family("件") == "cases" and unit_family("人") == unit_family("名") == "persons"
    assert unit_family("件", "相談者数") == "cases"
    assert unit_family("", "相談者数") == "persons"
    assert unit_family("か所") == unit_family("箇所") == "places"
    assert unit_family("地区") == "districts" and unit_family("円") == "money"
    assert count_scope("ふれあい・いきいきサロン新規開設") == count_scope("新規相談件数") == "new"
    assert count_scope("生活サポート相談数(継続)") == "continuing"
    assert count_scope("生活サポート相談数 新規継続") == count_scope("相談件数") == "all"


# --- tagging a small indicators table ------------------------------------------------------------------------------


def _indicators(rows: list[dict[str, object]]) -> pd.DataFrame:
    defaults: dict[str, object] = {c: "" for c in INDICATORS.columns}
    defaults.update(
        value=float("nan"),
        series_break=False,
        source_line=1,
        fiscal_year=2021,
        value_kind="actual",
        value_origin="table",
    )
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=INDICATORS.columns)
    frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    return frame


def _row(city: str, mid: str, measure: str, label: str, year: int, kind: str, value: float, unit: str, **kw: object):
    return dict(
        city=city,
        measure_id=mid,
        measure=measure,
        indicator=label,
        fiscal_year=year,
        value_kind=kind,
        value=value,
        unit=unit,
        value_raw=f"{value:g}{unit}",
        source_file=FILES[city],
        **kw,
    )


@pytest.fixture
def indicators() -> pd.DataFrame:
    return _indicators(
        [
            _row(
                "yamagata",
                "Y1",
                "地域包括支援センター運営事業",
                "相談件数",
                2022,
                "actual",
                5105,
                "件",
                source_line=164,
            ),
            _row(
                "yamagata",
                "Y2",
                "地域子育て支援拠点事業",
                "子育て支援センター数",
                2022,
                "actual",
                27,
                "",
                source_line=53,
            ),
            _row("yamagata", "Y3", "福祉まるごと会議", "会議の開催回数", 2022, "actual", 1, "回", source_line=199),
            _row("yamaguchi", "G1", "子育て家庭の交流の推進", "地域子育て支援施設利用者数", 2020, "target", 8500, "人"),
            _row(
                "yamaguchi", "G1", "子育て家庭の交流の推進", "地域子育て支援施設利用者数", 2021, "actual", 54604, "人"
            ),
            _row(
                "yamaguchi",
                "G2",
                "相談支援体制の充実",
                "関係機関のネットワーク構築に向けた会議の開催",
                2021,
                "actual",
                5,
                "回",
            ),
            _row(
                "ichinoseki", "I1", "生活困窮者への自立支援", "相談者数", 2022, "actual", 451, "人", count_basis="延べ"
            ),
            _row("shiroi", "S8", "地域ぐるみ福祉ネットワーク事業補助金の交付", "活動拠点数", 2022, "actual", 9, "箇所"),
            _row(
                "shiroi",
                "S8",
                "地域ぐるみ福祉ネットワーク事業補助金の交付",
                "補助金の額",
                2022,
                "actual",
                7988783,
                "円",
            ),
            _row("shiroi", "S43", "教育相談の実施", "相談件数", 2022, "actual", 2099, "件", source_line=506),
            _row(
                "shiroi", "S41", "地区社会福祉協議会での相談窓口設置の推進", "相談窓口設置数", 2022, "actual", 9, "地区"
            ),
        ]
    )


def test_tagging_keeps_provenance_and_drops_what_the_taxonomy_excludes(indicators):
    tagged = tag_indicators(indicators)
    assert list(tagged.columns) == [*INDICATORS.columns, *TAGGED_COLUMNS]
    assert "補助金の額" not in set(tagged["indicator"])
    assert len(tagged) == len(indicators) - 1
    row = tagged[(tagged["city"] == "yamagata") & (tagged["indicator"] == "相談件数")].iloc[0]
    assert (row["source_file"], row["source_line"], row["value_raw"]) == (YAMAGATA, 164, "5105件")
    assert list(tagged["city"].drop_duplicates()) == list(CITIES)


def test_an_indicators_table_without_hub_or_consultation_rows_gives_empty_but_shaped_outputs():
    tagged = tag_indicators(_indicators([_row("shiroi", "S", "防災", "点検の実施", 2022, "actual", 1, "回")]))
    assert tagged.empty and list(tagged.columns) == [*INDICATORS.columns, *TAGGED_COLUMNS]
    matrix = coverage_matrix(tagged)
    assert len(matrix) == len(CITIES) * len(SUBTYPES) and matrix["n_series"].eq(0).all()
    assert city_summaries(tagged, matrix)["n_series"].eq(0).all()
    compared = compare_services(build_hub_table(tagged), load_denominators())
    assert compared.empty and set(PER_THOUSAND.columns) <= set(compared.columns)


def test_has_target_marks_every_row_of_a_series_with_a_target(indicators):
    tagged = tag_indicators(indicators).set_index(["city", "indicator", "value_kind"])
    assert tagged.loc[("yamaguchi", "地域子育て支援施設利用者数", "actual"), "has_target"]
    assert tagged.loc[("yamaguchi", "地域子育て支援施設利用者数", "target"), "has_target"]
    assert not tagged.loc[("yamagata", "相談件数", "actual"), "has_target"]


def test_a_measure_listed_twice_is_one_series():
    frame = _indicators(
        [
            _row("yamagata", "Y2a", "地域子育て支援拠点事業", "子育て支援センター数", 2022, "actual", 27, ""),
            _row("yamagata", "Y2b", "地域子育て支援拠点事業", "子育て支援センター数", 2022, "actual", 27, ""),
        ]
    )
    matrix = coverage_matrix(tag_indicators(frame))
    cell = matrix[(matrix["city"] == "yamagata") & (matrix["subtype"] == "hub_places")].iloc[0]
    assert (cell["n_series"], cell["n_observations"]) == (1, 2)


# --- coverage matrix -----------------------------------------------------------------------------------------------


def test_coverage_matrix_lists_every_city_and_subtype_with_zeros(indicators):
    matrix = coverage_matrix(tag_indicators(indicators))
    assert len(matrix) == len(CITIES) * len(SUBTYPES)
    cell = matrix.set_index(["city", "subtype"])
    assert cell.loc[("yamagata", "consultation_volume"), "n_series"] == 1
    assert cell.loc[("yamagata", "consultation_volume"), "units"] == "件"
    assert cell.loc[("ichinoseki", "consultation_volume"), "count_bases"] == "延べ"
    assert cell.loc[("ichinoseki", "hub_places"), "n_series"] == 0
    assert cell.loc[("yamaguchi", "hub_participation"), "fiscal_years"] == "2020, 2021"
    assert cell.loc[("yamaguchi", "hub_participation"), "n_series_with_target"] == 1
    assert cell.loc[("shiroi", "consultation_capacity"), "levels"] == "district"


# --- city summaries ------------------------------------------------------------------------------------------------


def test_city_summaries_from_the_tables(indicators):
    tagged = tag_indicators(indicators)
    activities = pd.DataFrame(
        {
            "city": ["yamaguchi", "yamaguchi", "shiroi"],
            "text": ["福祉総合相談窓口の機能強化", "企業からの相談:4件", "サロンの情報提供"],
        }
    )
    summary = city_summaries(tagged, coverage_matrix(tagged), activities).set_index("city")
    assert list(summary.index) == list(CITIES)
    assert summary.loc["yamaguchi", "consultation_meetings_only"]
    assert not summary.loc["yamaguchi", "tracks_consultation_volume"]
    assert summary.loc["yamaguchi", "prose_consultation_items"] == 2
    assert summary.loc["yamaguchi", "prose_consultation_items_with_numbers"] == 1
    assert summary.loc["yamaguchi", "consultation_only_in_prose"]
    assert summary.loc["shiroi", "windows_per_district"]
    assert not summary.loc["shiroi", "consultation_only_in_prose"]
    assert summary.loc["yamagata", "volume_units"] == "件"
    assert summary.loc["yamaguchi", "n_series_with_target"] == 1
    assert summary.loc["yamaguchi", "n_series_target_only"] == 0


def test_a_target_without_any_reported_value_is_counted_apart():
    frame = _indicators(
        [
            _row(
                "yamaguchi",
                "G",
                "地域の支えあい活動の仕組みづくり",
                "生活支援コーディネーターを配置",
                2020,
                "target",
                7,
                "人",
            ),
            _row(
                "yamaguchi",
                "G",
                "地域の支えあい活動の仕組みづくり",
                "第2層コーディネーターを配置",
                2021,
                "actual",
                7,
                "人",
            ),
        ]
    )
    tagged = tag_indicators(frame)
    matrix = coverage_matrix(tagged)
    cell = matrix.set_index(["city", "subtype"]).loc[("yamaguchi", "community_development")]
    assert (cell["n_series"], cell["n_series_with_target"], cell["n_series_with_actual"]) == (2, 1, 1)
    summary = city_summaries(tagged, matrix).set_index("city")
    assert summary.loc["yamaguchi", "n_series_target_only"] == 1
    sentence = summary_sentence(summary.loc["yamaguchi"].to_dict() | {"city": "yamaguchi"})
    assert "1 series carry a target (1 with a target but no reported value)" in sentence


def test_summary_sentences_use_only_table_values(indicators):
    tagged = tag_indicators(indicators)
    summary = city_summaries(tagged, coverage_matrix(tagged))
    assert summary["prose_consultation_items"].isna().all()
    for row in summary.to_dict("records"):
        sentence = summary_sentence(row)
        assert sentence.startswith(f"{row['city']}: {row['n_series']} ")
        assert str(row["n_hub_places"]) in sentence
    yamaguchi = summary.set_index("city").loc["yamaguchi"].to_dict() | {"city": "yamaguchi"}
    assert "only through meetings" in summary_sentence(yamaguchi)


# --- the population reference --------------------------------------------------------------------------------------


def test_population_file_names_its_source_and_has_the_four_cities():
    population = load_population()
    assert list(population.columns) == ["city", "city_ja", "population", "reference_date", "source"]
    assert set(population["city"]) == set(CITIES)
    assert population["population"].dtype == "int64" and (population["population"] > 0).all()
    assert set(population["reference_date"]) == {"2020-10-01"}
    assert population["source"].str.contains("令和2年国勢調査").all()
    assert "国勢調査" in POPULATION_PATH.read_text(encoding="utf-8").splitlines()[0]
    yamagata = population.set_index("city").loc["yamagata"]
    assert yamagata["city_ja"] == "山形市" and yamagata["population"] != 238862


def test_a_population_file_without_source_is_refused(tmp_path):
    bad = tmp_path / "population.csv"
    bad.write_text("city,city_ja,population,reference_date,source\nshiroi,白井市,62441,2020-10-01,\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="source"):
        load_population(bad)


# --- the committed processed tables ---------------------------------------------------------------------------------


def test_every_city_has_both_hub_and_consultation_rows():
    """Each of the four sheets reports hubs (拠点, サロン, 子育て支援センター …) and consultation (相談, 窓口, 会議),
    so the tagged table must hold both domains for every city."""
    from helpers.tables.store import read_table

    tagged = tag_indicators(read_table(PROCESSED, INDICATORS))
    assert set(tagged["subtype"]) <= set(SUBTYPES)
    assert not tagged["rule_id"].str.startswith("x_").any()
    assert tagged["source_line"].ge(1).all()
    domains = tagged.groupby("city")["domain"].agg(set).to_dict()
    assert all({"hub", "consultation"} <= domains[city] for city in CITIES)


# --- the views the notebook shows ----------------------------------------------------------------------------------

OVERVIEW = "yamagata_fy2023_jusoteki_overview.txt"


def test_the_three_analysis_tables_fit_their_schemas(tmp_path, indicators):
    from helpers.tables.store import read_table, write_analysis_tables

    tagged = build_hub_table(tag_indicators(indicators))
    frames = {
        HUB_CONSULTATION.name: tagged,
        HUB_MATRIX.name: coverage_matrix(tagged),
        PER_THOUSAND.name: compare_services(tagged, load_denominators()),
    }
    for table in (HUB_CONSULTATION, HUB_MATRIX, PER_THOUSAND):
        assert set(table.columns) <= set(frames[table.name].columns), table.name
    paths = write_analysis_tables(tmp_path, frames)
    assert sorted(p.name for p in paths) == sorted(t.path for t in (HUB_CONSULTATION, HUB_MATRIX, PER_THOUSAND))
    back = read_table(tmp_path, PER_THOUSAND)
    assert list(back.columns) == PER_THOUSAND.columns and len(back) == len(tagged)
    assert "hub_consultation" in (tmp_path / "datapackage.json").read_text(encoding="utf-8")


def test_year_spans_in_japanese():
    assert year_span("2020, 2021, 2022, 2023") == "2020〜2023"
    assert year_span("2020, 2022") == "2020・2022"


def test_matrix_table_in_japanese(indicators):
    table = matrix_table_ja(coverage_matrix(tag_indicators(indicators)))
    assert table.index.names == ["市", "区分"]
    assert len(table) == len(CITIES) * len(SUBTYPES)
    assert table.loc[("一関市", "相談の量"), "集計の基準"] == "延べ"
    assert table.loc[("山形市", "相談の量"), "集計の基準"] == "記載なし"
    assert table.loc[("白井市", "相談の体制"), "集計の単位"] == "地区ごと"
    assert table.loc[("山口市", "拠点の利用"), "年度"] == "2020〜2021"
    assert set(table.index.get_level_values("区分")) == set(SUBTYPE_LABELS_JA.values())


def test_hub_expansion_takes_the_overview_and_the_other_cities_whole_counts():
    frame = _indicators(
        [
            *[
                _row("yamagata", "O", "我が事・丸ごと地域づくり推進事業", "拠点数", y, "actual", v, "拠点")
                | {"source_file": OVERVIEW}
                for y, v in ((2017, 3), (2022, 24), (2023, 25))
            ],
            _row("yamagata", "Y", "我が事・丸ごと地域づくり推進事業", "実施拠点数", 2022, "actual", 24, "拠点"),
            _row("shiroi", "S8", "地域ぐるみ福祉ネットワーク事業補助金の交付", "活動拠点数", 2022, "actual", 9, "箇所"),
            _row(
                "ichinoseki", "I", "地域とつながり続ける関係づくり", "こども食堂新規開設数", 2022, "actual", 1, "か所"
            ),
            _row("yamaguchi", "G", "高齢者の交流の推進", "ふれあい・いきいきサロン", 2021, "target", 10, "カ所"),
        ]
    )
    out = hub_expansion_frame(tag_indicators(frame), [OVERVIEW], 2022)
    assert list(zip(out["city"], out["indicator"], out["fiscal_year"], strict=True)) == [
        ("yamagata", "拠点数", 2017),
        ("yamagata", "拠点数", 2022),
        ("shiroi", "活動拠点数", 2022),
    ]
    assert list(out["from_overview"]) == [True, True, False]


def _overview_and_sheet() -> pd.DataFrame:
    """Yamagata's overview hub counts, its progress sheet's counts of the same measure (one year differs), and two
    other cities' hub rows: a whole count and a count of new openings."""
    measure = "我が事・丸ごと地域づくり推進事業"
    return _indicators(
        [
            *[
                _row("yamagata", "O", measure, "拠点数", y, "actual", v, "拠点") | {"source_file": OVERVIEW}
                for y, v in ((2017, 3), (2020, 23), (2022, 24))
            ],
            _row("yamagata", "Y", measure, "実施拠点数", 2020, "actual", 22, "拠点"),
            _row("yamagata", "Y", measure, "実施拠点数", 2022, "actual", 24, "拠点"),
            _row("yamagata", "Y", measure, "実施拠点数", 2022, "target", 30, "拠点"),
            _row("shiroi", "S8", "地域ぐるみ福祉ネットワーク事業補助金の交付", "活動拠点数", 2022, "actual", 9, "箇所"),
            *[
                _row(
                    "ichinoseki", "I", "地域とつながり続ける関係づくり", "こども食堂新規開設数", y, "actual", 1, "か所"
                )
                for y in (2021, 2022)
            ],
        ]
    )


def test_overview_growth_lines_give_years_values_and_growth():
    tagged = tag_indicators(_overview_and_sheet())
    expansion = hub_expansion_frame(tagged, [OVERVIEW], 2022)
    lines = overview_growth_lines(expansion[expansion["from_overview"]])
    assert lines == ["山形市 拠点数 (拠点), 2017–2022: 3, 23, 24  (×8.0)"]


def test_overview_cross_check_pairs_the_overview_with_the_sheet_by_year():
    tagged = tag_indicators(_overview_and_sheet())
    expansion = hub_expansion_frame(tagged, [OVERVIEW], 2022)
    check = overview_cross_check(tagged, expansion[expansion["from_overview"]], [OVERVIEW])
    assert check["fiscal_year"].tolist() == [2020, 2022]
    assert check["value_overview"].tolist() == [23, 24]
    assert check["value_sheet"].tolist() == [22, 24]
    assert check["agree"].tolist() == [False, True]
    assert cross_check_lines(check) == [
        "cross-check 2020: overview 拠点数 23 vs progress sheet 実施拠点数 22 → DIFFER",
        "cross-check 2022: overview 拠点数 24 vs progress sheet 実施拠点数 24 → agree",
    ]


def test_without_an_overview_there_is_nothing_to_cross_check():
    tagged = tag_indicators(_overview_and_sheet())
    expansion = hub_expansion_frame(tagged, [], 2022)
    overview = expansion[expansion["from_overview"]]
    assert overview_growth_lines(overview) == []
    assert cross_check_lines(overview_cross_check(tagged, overview, [])) == []


def test_hub_flows_list_each_series_of_new_openings_once():
    flows = hub_flows(tag_indicators(_overview_and_sheet()))
    assert flows[["city", "indicator", "scope"]].values.tolist() == [["ichinoseki", "こども食堂新規開設数", "new"]]
    assert flow_lines(flows) == ["left out of the figure (new): 一関市 こども食堂新規開設数"]


# --- Japanese sentences from city_summaries -----------------------------------------------------------------------


def _summary_rows(frame: pd.DataFrame, activities: pd.DataFrame | None = None) -> dict[str, dict[str, object]]:
    tagged = tag_indicators(frame)
    summary = city_summaries(tagged, coverage_matrix(tagged), activities)
    return {r["city"]: r for r in summary.to_dict("records")}


def test_city_sentences_ja_describe_volumes_units_and_bases(indicators):
    rows = _summary_rows(indicators)
    yamagata = city_sentences_ja(rows["yamagata"])
    assert yamagata[0] == "山形市は拠点・相談に関する指標を3系列で把握している(2022年度)。"
    assert "相談の量を1系列で把握しており、単位は件、集計の基準(延べ・実)は記載されていない。" in yamagata
    ichinoseki = city_sentences_ja(rows["ichinoseki"])
    assert "相談の量を1系列で把握しており、単位は人、集計の基準は延べ。" in ichinoseki
    shiroi = city_sentences_ja(rows["shiroi"])
    assert any("地区ごとに数える系列" in s for s in shiroi)
    assert "拠点の数を1系列(単位は箇所)で把握しているが、拠点の利用者数の系列はない。" in shiroi


def test_city_sentences_ja_for_meetings_only_targets_and_prose_only(indicators):
    activities = pd.DataFrame({"city": ["yamaguchi", "yamaguchi"], "text": ["相談窓口の充実", "企業からの相談:4件"]})
    yamaguchi = city_sentences_ja(_summary_rows(indicators, activities)["yamaguchi"])
    assert "相談は会議の回数でのみ把握しており(連携・会議1系列)、相談件数・相談者数の系列はない。" in yamaguchi
    assert "目標値のある系列は1。" in yamaguchi
    assert (
        yamaguchi[-1]
        == "相談件数は表の指標ではなく文章の中でのみ報告している(相談に触れる記述2件、うち数字を含むもの1件)。"
    )
    assert not any("連携・会議(" in s for s in yamaguchi), "the meetings are already named in the volume sentence"


def test_city_sentences_ja_say_how_many_volume_series_have_an_actual_value():
    frame = _indicators(
        [
            _row("yamaguchi", "G", "福祉関係機関・団体の連携強化", "成年後見制度の利用者数", 2020, "target", 100, "人"),
            _row("yamaguchi", "G", "福祉関係機関・団体の連携強化", "相談者数", 2021, "actual", 191, "人"),
        ]
    )
    sentences = city_sentences_ja(_summary_rows(frame)["yamaguchi"])
    assert "相談の量を2系列(うち実績の値があるもの1系列)で把握しており" in sentences[1]
    assert sentences[-1] == "目標値のある系列は1(うち実績の記載がないもの1)。"


def test_city_sentences_ja_carry_only_numbers_from_the_row(indicators):
    import re

    activities = pd.DataFrame({"city": ["shiroi"] * 3, "text": ["相談会 12回", "相談支援", "サロン"]})
    for row in _summary_rows(indicators, activities).values():
        allowed = {str(v) for v in row.values() if isinstance(v, (int, str)) and not isinstance(v, bool)}
        allowed |= set(re.findall(r"\d+", str(row["fiscal_years"])))
        for sentence in city_sentences_ja(row):
            for number in re.findall(r"\d+", sentence):
                assert number in allowed, (row["city"], sentence)


def test_city_sentences_ja_for_a_city_without_series():
    tagged = tag_indicators(_indicators([_row("shiroi", "S", "防災", "点検の実施", 2022, "actual", 1, "回")]))
    row = city_summaries(tagged, coverage_matrix(tagged)).to_dict("records")[3]
    assert city_sentences_ja(row) == ["白井市の資料には、拠点・相談に関する数値の指標がない。"]


def test_hub_expansion_draws_a_repeated_fact_once():
    """山口市's 市社協 prints 活動支援 266サロン under 高齢者の交流の推進 (line 439) and again under the 見守り measure
    (line 586): the hub table marks one as repeating the other, and the figure draws the fact once."""
    frame = _indicators(
        [
            _row("yamaguchi", "Y1", "高齢者の交流の推進", "活動支援", 2021, "actual", 266, "サロン"),
            _row(
                "yamaguchi", "Y2", "一人暮らし高齢者等の見守り訪問活動の推進", "活動支援", 2021, "actual", 266, "サロン"
            ),
        ]
    )
    tagged = tag_indicators(frame)
    kept, repeat = sorted(set(tagged["series_id"]))
    tagged = tagged.assign(same_fact_as=[kept if sid == repeat else "" for sid in tagged["series_id"]])
    assert set(tagged["subtype"]) == {"hub_places"}
    assert hub_expansion_frame(tagged, [], 2022)["series_id"].tolist() == [kept]
    assert hub_expansion_frame(tagged.assign(same_fact_as=""), [], 2022)["series_id"].nunique() == 2


def test_a_series_joined_only_through_a_third_is_marked_a_repeat_too():
    """The cleaning step lists X as a repeat of Y; X's figures also repeat Z's, which has more years and is kept.
    Y is then joined to Z only through X, and must be marked as well, or the fact would count twice."""
    frame = _indicators(
        [
            _row("yamaguchi", "X", "高齢者の交流の推進", "サロン登録数", 2021, "actual", 50, "サロン", source_line=10),
            _row("yamaguchi", "Y", "地域の支え合い", "サロン活動 登録", 2021, "actual", 50, "カ所", source_line=20),
            *[
                _row("yamaguchi", "Z", "見守り", "サロン登録数", y, "actual", v, "サロン", source_line=30)
                for y, v in ((2020, 48), (2021, 50))
            ],
        ]
    )
    tagged = tag_indicators(frame)
    listed = pd.DataFrame(
        [{"city": "yamaguchi", "measure_id": "X", "indicator": "サロン登録数", "same_as_measure_id": "Y",
          "same_as_indicator": "サロン活動 登録", "relation": "also_listed", "basis": "reviewed pair"}]
    )  # fmt: skip
    ids = {mid: sid for mid, sid in zip(tagged["measure_id"], tagged["series_id"], strict=True)}
    links = same_fact_links(tagged, listed).set_index("series_id")
    assert sorted(links.index) == sorted([ids["X"], ids["Y"]])
    assert set(links["same_as"]) == {ids["Z"]}

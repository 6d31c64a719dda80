"""The service crosswalk, comparison groups and counting each fact once, on the real series of the four sheets."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.hub_consultation import coverage_matrix, distinct_facts, series_id, tag_indicators
from helpers.analysis.hub_services import (
    CROSSWALK_PATH,
    HOLDOUT_FIELDS,
    NO_DENOMINATOR,
    POPULATION_GROUPS,
    SERVICES_PATH,
    UNREVIEWED,
    build_hub_table,
    checked_unit,
    compare_services,
    finding_lines,
    holdout_agreement,
    load_crosswalk,
    load_denominators,
    load_services,
    not_compared_lines,
    read_holdout,
    same_fact_links,
    service_findings,
    supplementary_files,
    trend_word,
)
from helpers.core.errors import PipelineError
from helpers.core.text import key
from helpers.tables.schema import INDICATORS, SAME_FACTS
from helpers.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
HOLDOUT = ROOT / "data" / "validation" / "hub_holdout.csv"
YAMAGATA = "yamagata_fy2022_progress_sheet.txt"
OVERVIEW = "yamagata_fy2023_jusoteki_overview.txt"


def _raw_line(source: str) -> str:
    file, line = source.rsplit(":", 1)
    return (RAW / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]


def _on_line(label: str, source: str) -> bool:
    """Some word of a label (as the parsers compose it) stands on its sheet line or the row's header two lines above
    (a 白井市 row continues below its label, shiroi_fy2022_progress_sheet.txt:114-116)."""
    file, line = source.rsplit(":", 1)
    window = "".join(_raw_line(f"{file}:{n}") for n in range(max(1, int(line) - 2), int(line) + 1))
    words = [w for w in re.split(r"[\s/()・]+", key(label)) if len(w) >= 2]
    return any(w[: min(4, len(w) - 1)] in key(window) for w in words)


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read_table(PROCESSED, INDICATORS)


@pytest.fixture(scope="module")
def tagged(indicators) -> pd.DataFrame:
    return build_hub_table(tag_indicators(indicators), read_table(PROCESSED, SAME_FACTS))


@pytest.fixture(scope="module")
def compared(tagged) -> pd.DataFrame:
    return compare_services(tagged, load_denominators())


def _latest(compared: pd.DataFrame, city: str, measure: str, indicator: str) -> pd.Series:
    rows = compared[compared["series_id"].eq(series_id(city, measure, indicator)) & compared["value_kind"].eq("actual")]
    return rows.sort_values("fiscal_year").iloc[-1]


# --- the crosswalk ------------------------------------------------------------------------------------------------


def test_every_tagged_series_maps_to_a_known_service_or_a_named_local_one(tagged):
    services = load_services()
    assert not tagged["service"].eq(UNREVIEWED).any(), sorted(tagged.loc[tagged["service"].eq(UNREVIEWED), "series_id"])
    assert set(tagged["service"]) <= set(services)
    assert set(tagged["population_group"]) <= set(POPULATION_GROUPS)
    local = tagged[tagged["scheme"].eq("local")]
    assert not local.empty and local["service_ja"].ne("").all()


def test_every_crosswalk_row_is_a_tagged_series_read_on_its_sheet_line(tagged):
    crosswalk = load_crosswalk()
    assert set(crosswalk["series_id"]) == set(tagged["series_id"])
    for row in crosswalk.itertuples():
        assert _on_line(row.indicator, row.example_source), row.example_source


def test_a_series_the_crosswalk_does_not_list_is_unreviewed_and_never_compared():
    frame = pd.DataFrame(
        [
            {
                **dict.fromkeys(INDICATORS.columns, ""),
                "city": "shiroi",
                "measure_id": "S99",
                "measure": "新しい相談事業",
                "indicator": "相談件数",
                "fiscal_year": 2023,
                "value_kind": "actual",
                "value": 10.0,
                "unit": "件",
                "series_break": False,
                "source_file": "shiroi_fy2023_progress_sheet.txt",
                "source_line": 1,
            }
        ]
    )
    tagged = build_hub_table(tag_indicators(frame))
    assert tagged["service"].tolist() == [UNREVIEWED]
    out = compare_services(tagged, load_denominators())
    assert not out["comparable"].any() and "crosswalk" in out["reason_left_out"].iloc[0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",jukyo_kakuho,", ",jukyo,", r"unknown service 'jukyo'"),
        (f"{YAMAGATA}:296", f"{YAMAGATA}", r"example_source must be file.txt:line"),
    ],
)
def test_a_crosswalk_with_an_unknown_service_or_no_line_is_refused(tmp_path, old, new, message):
    bad = tmp_path / "crosswalk.csv"
    bad.write_text(CROSSWALK_PATH.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PipelineError, match=message):
        load_crosswalk(bad)


def test_a_series_listed_twice_in_the_crosswalk_is_refused(tmp_path):
    lines = CROSSWALK_PATH.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "crosswalk.csv"
    bad.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="listed twice"):
        load_crosswalk(bad)


def test_a_service_for_an_unknown_population_is_refused(tmp_path):
    bad = tmp_path / "services.csv"
    bad.write_text(
        SERVICES_PATH.read_text(encoding="utf-8").replace(",aged_65_plus,", ",elderly,", 1), encoding="utf-8"
    )
    with pytest.raises(PipelineError, match="unknown population 'elderly'"):
        load_services(bad)


# --- units checked against labels ------------------------------------------------------------------------------------


def test_a_count_of_counsellors_is_persons_even_where_the_cell_says_ken(tagged):
    # yamagata_fy2022_progress_sheet.txt:132 「・少年相談員 ・年間相談件数 | 8名 68件 | 8件 120件」
    row = tagged[tagged["indicator"].eq("少年相談員") & tagged["fiscal_year"].eq(2022)].iloc[0]
    assert (row["unit"], row["unit_checked"], row["unit_family"]) == ("件", "名", "persons")
    assert "persons" in row["unit_note"] and "8件" in _raw_line(f"{YAMAGATA}:132")


def test_meetings_written_as_ken_are_meetings_and_mixed_labels_keep_the_written_unit():
    assert checked_unit("会議の開催回数", "件")[0] == "回"  # yamagata_fy2022_progress_sheet.txt:171 「令和2年度 2件」
    assert checked_unit("障がい者相談員の相談件数", "件") == ("件", "")
    # yamaguchi_fy2021_implementation_report.txt:971: a 件数 label counted in 人; the label names both, so 人 stays
    assert checked_unit("成年後見制度の利用者数(相談時における成年後見制度説明件数)", "人") == ("人", "")
    assert checked_unit("ケース会議件数", "件") == ("件", "")


# --- comparison groups ---------------------------------------------------------------------------------------------


def test_two_different_services_never_share_a_comparison_group(compared):
    assert compared.groupby("comparable_group")["service"].nunique().eq(1).all()
    groups = compared[compared["comparable"]].groupby("comparable_group")
    assert groups["city"].nunique().ge(2).all()


def test_the_same_service_counted_the_same_way_in_two_cities_shares_a_group(compared):
    yamagata = _latest(compared, "yamagata", "住居確保給付金事業", "相談件数")
    shiroi = _latest(compared, "shiroi", "住居確保給付金による支援", "相談受付件数")
    assert yamagata["comparable_group"] == shiroi["comparable_group"] and yamagata["comparable"]
    coordinators = [
        _latest(compared, "yamagata", "生活支援体制整備事業", "生活支援コーディネーター数"),
        _latest(compared, "ichinoseki", "協働による身近な地域の支え合い", "生活支援コーディネーター配置人数"),
        _latest(compared, "shiroi", "生活支援コーディネーターの配置", "配置人数"),
    ]
    assert len({r["comparable_group"] for r in coordinators}) == 1 and all(r["comparable"] for r in coordinators)


def test_like_services_counted_differently_stay_apart(compared):
    # 第2層 coordinators only (yamaguchi_fy2021_implementation_report.txt:659) are counted per daily-life area
    layer2 = _latest(
        compared, "yamaguchi", "地域の支えあい活動の仕組みづくり", "地域包括支援センターに第2層コーディネーターを配置"
    )
    assert layer2["level"] == "district" and not layer2["comparable"]
    # 実人数 (yamagata:163) and 延べ persons (ichinoseki:270) of the same window are never one group
    jitsu = _latest(compared, "yamagata", "生活困窮者自立相談支援事業", "問い合わせ・相談実人数")
    nobe = _latest(compared, "ichinoseki", "生活困窮世帯への自立支援", "相談者数")
    assert jitsu["service"] == nobe["service"] == "konkyu_jiritsu"
    assert jitsu["comparable_group"] != nobe["comparable_group"]


def test_an_unstated_basis_never_equals_a_stated_one(compared):
    bases = compared.groupby("comparable_group")["count_basis_resolved"].nunique()
    assert bases.eq(1).all()
    unstated = compared[compared["count_basis_resolved"].eq("unstated")]
    stated = compared[compared["count_basis_resolved"].ne("unstated")]
    assert not set(unstated["comparable_group"]) & set(stated["comparable_group"])


def test_per_1000_only_where_comparable_and_the_service_population_is_known(compared):
    scaled = compared[compared["per_1000"].notna()]
    assert not scaled.empty and scaled["comparable"].all()
    assert set(scaled["population_group"]) == {"all_residents"}
    row = _latest(compared, "shiroi", "住居確保給付金による支援", "相談受付件数")
    assert row["per_1000"] == pytest.approx(row["value"] / 62441 * 1000, abs=1e-6)
    coordinators = _latest(compared, "shiroi", "生活支援コーディネーターの配置", "配置人数")
    assert pd.isna(coordinators["per_1000"]) and coordinators["per_1000_note"] == NO_DENOMINATOR


def test_a_population_by_age_file_without_a_source_or_missing_is_refused(tmp_path):
    bad = tmp_path / "population_by_age.csv"
    bad.write_text("city,population_group,population,reference_date,source\nshiroi,aged_65_plus,1000,2020-10-01,\n")
    with pytest.raises(PipelineError, match="a source"):
        load_denominators(by_age_file=bad)
    with pytest.raises(PipelineError, match="not found"):
        load_denominators(by_age_file=tmp_path / "none.csv")


def test_an_age_specific_denominator_file_switches_the_per_1000_on(tmp_path, tagged):
    by_age = tmp_path / "population_by_age.csv"
    rows = [f"{c},aged_65_plus,1000,2020-10-01,test figure" for c in CITIES]
    by_age.write_text("city,population_group,population,reference_date,source\n" + "\n".join(rows) + "\n")
    out = compare_services(tagged, load_denominators(by_age_file=by_age))
    row = _latest(out, "shiroi", "生活支援コーディネーターの配置", "配置人数")
    assert row["per_1000"] == pytest.approx(row["value"])


# --- the held-out hand check ------------------------------------------------------------------------------------


def test_the_hand_checked_series_are_real_lines_and_agree_at_least_95_percent(tagged):
    holdout = read_holdout(HOLDOUT)
    for row in holdout.itertuples():
        assert _on_line(row.indicator, row.source), row.source
    check = holdout_agreement(holdout, tagged)
    assert len(check) >= 40 and check["agree"].mean() >= 0.95
    assert check[[f"{f}_analysis" for f in HOLDOUT_FIELDS]].ne("").all().all()


def test_held_out_pairs_group_by_service_and_count(compared):
    holdout = read_holdout(HOLDOUT)
    latest = compared.sort_values("fiscal_year").drop_duplicates("series_id", keep="last").set_index("series_id")
    group = {
        r.source + r.indicator: latest.loc[series_id(r.city, r.measure, r.indicator), "comparable_group"]
        for r in holdout.itertuples()
    }
    same_count = ["service", "subtype", "unit_family", "count_basis", "scope", "level"]
    like_pairs = 0
    for a, b in combinations(holdout.itertuples(), 2):
        ga, gb = group[a.source + a.indicator], group[b.source + b.indicator]
        if a.service != b.service:
            assert ga != gb, (a.source, b.source)
        elif a.city != b.city and all(getattr(a, f) == getattr(b, f) for f in same_count):
            assert ga == gb, (a.source, b.source)
            like_pairs += 1
    assert like_pairs >= 1


# --- each fact once ------------------------------------------------------------------------------------------------


def test_repeats_are_found_in_one_document_and_across_a_city_s_two(tagged):
    links = same_fact_links(tagged).set_index("series_id")
    expected = {
        series_id("yamagata", "一般介護予防事業", "相談件数"): series_id(
            "yamagata", "地域包括支援センター運営事業", "相談件数"
        ),
        series_id("yamagata", "生活サポート相談窓口", "生活サポート相談数(新規)"): series_id(
            "yamagata", "生活困窮者自立相談支援事業", "問い合わせ・相談実人数"
        ),
        series_id("yamagata", "我が事・丸ごと地域づくり推進事業", "実施拠点数"): series_id(
            "yamagata", "我が事・丸ごと地域づくり推進事業", "拠点数"
        ),
    }
    for repeat, kept in expected.items():
        assert links.loc[repeat, "same_as"] == kept
    assert (
        "other document" in links.loc[series_id("yamagata", "我が事・丸ごと地域づくり推進事業", "実施拠点数"), "reason"]
    )
    # 実施地区数 (3 ⇒ 22 地区) differs from 拠点数 in 2020 and 2022: two facts
    assert series_id("yamagata", "我が事・丸ごと地域づくり推進事業", "実施地区数") not in links.index
    assert set(links.index).isdisjoint(set(links["same_as"]))


def test_pairs_the_cleaning_step_lists_join_series_the_figures_alone_would_not(tagged):
    """山口市 市社協's サロン活動(登録266カ所) (line 362) is listed in same_facts.csv as its 活動支援 266サロン
    (line 439, repeated word for word on line 586): its label differs and there is one year, too little for the
    figures alone, so it joins the other two only through the listing."""
    salons = tagged[tagged["city"].eq("yamaguchi") & tagged["value"].eq(266)].drop_duplicates("series_id")
    assert len(salons) == 3
    assert salons["same_fact_as"].eq("").sum() == 1
    kept = salons.loc[salons["same_fact_as"].eq(""), "series_id"].item()
    assert set(salons["same_fact_as"]) == {"", kept}
    links = same_fact_links(tagged, read_table(PROCESSED, SAME_FACTS)).set_index("series_id")
    registered = salons.loc[salons["source_line"].eq(362), "series_id"].item()
    assert links.loc[registered, "reason"].startswith("listed by the cleaning step (also_listed): reviewed pair")
    # 白井市 くらサポ's FY2022 consultations, 339 under No.37 (line 451) and under No.46 (line 546): one fact
    kurasapo = tagged[tagged["city"].eq("shiroi") & tagged["indicator"].isin(["相談実件数", "くらサポ相談件数"])]
    by_label = kurasapo.drop_duplicates("series_id").set_index("indicator")
    assert by_label.loc["くらサポ相談件数", "same_fact_as"] == by_label.loc["相談実件数", "series_id"]


def test_a_pair_listed_for_some_years_only_stays_two_series(tagged):
    """白井市 No.6 and No.12 print ふれあい会議開催数 7 and 15 in FY2021–22 (lines 90–91, 149–150), and the cleaning
    step links those years; in FY2020 they print 19 and 1 (lines 89, 148), so the two series are not one fact."""
    meetings = tagged[tagged["city"].eq("shiroi") & tagged["indicator"].eq("ふれあい会議開催数")]
    assert meetings["series_id"].nunique() == 2
    assert meetings["same_fact_as"].eq("").all()


def test_yamagata_s_seventeen_consultation_volume_series_are_thirteen_facts(tagged):
    volume = tagged[tagged["city"].eq("yamagata") & tagged["subtype"].eq("consultation_volume")]
    assert volume["series_id"].nunique() == 17
    assert distinct_facts(volume)["series_id"].nunique() == 13
    cell = coverage_matrix(tagged).set_index(["city", "subtype"]).loc[("yamagata", "consultation_volume")]
    assert (cell["n_series"], cell["n_repeats"]) == (13, 4)


def test_equal_small_figures_of_different_series_are_not_one_fact(tagged):
    # 福祉まるごと会議 2, 1, 1 (yamagata:199) and 山形市支援会議 2, 1, 0 (yamagata:171): same service, different facts
    links = same_fact_links(tagged)
    assert series_id("yamagata", "福祉まるごと会議", "会議の開催回数") not in set(links["series_id"])
    two = tagged[tagged["city"].eq("shiroi") & tagged["service"].eq("shiroi_fukushi_staff")]
    assert not set(two["series_id"]) & set(links["series_id"])


def test_no_fact_is_compared_or_drawn_twice(compared):
    assert compared.loc[compared["comparable"], "same_fact_as"].eq("").all()
    shown = service_findings(compared, 2022)
    assert not shown["series_id"].duplicated().any()
    keyed = shown.assign(label=shown["indicator"].map(key))[["city", "label", "years", "first_value", "latest_value"]]
    assert not keyed.duplicated().any()


def test_findings_read_per_service_with_trend_and_reasons(compared):
    lines = finding_lines(service_findings(compared, 2022), min_cities=2)
    text = "\n".join(lines)
    assert any(line.startswith("住居確保給付金の相談 (for 全住民; reported by 山形市・白井市") for line in lines)
    assert "per 1,000: denominator not available" in text
    assert "[not compared:" in text
    assert trend_word(202, 72, 2) == "down"
    reasons = "\n".join(not_compared_lines(compared))
    assert "repeats another series" in reasons and "own scheme" in reasons


def test_the_overview_is_found_from_the_tables(indicators):
    assert supplementary_files(indicators) == [OVERVIEW]
    one_city = indicators[indicators["city"].eq("shiroi")]
    assert supplementary_files(one_city) == []

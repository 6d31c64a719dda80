"""COVID lexicon and event detection, on sentences copied from the four cities' sheets (data/raw)."""

import pandas as pd
import pytest

from helpers.analysis.covid_text import (
    DERIVED_EFFECTS,
    EFFECT_LABELS_JA,
    EFFECTS,
    EVENT_COLUMNS,
    activity_names,
    check_events,
    detect_covid_events,
    followed_name,
    follows_up,
    has_covid_context,
    load_lexicon,
    sentence_effects,
    split_sentences,
)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


# (sentence as it stands in the sheet, row fiscal year, expected (fiscal_year, effect) pairs)
POSITIVES = [
    pytest.param(
        "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止",
        2021,
        [(2021, "cancelled")],
        id="yamaguchi-183-cancelled",
    ),
    pytest.param(
        "福祉教育情報交換会〔小・中学校対象〕はコロナ禍に代わるアンケートの実施(41校送付 33校回答)",
        2021,
        [(2021, "cancelled")],
        id="yamaguchi-183-questionnaire-instead",
    ),
    pytest.param(
        "市民講座 実施なし ※新型コロナウイルス感染症拡大防止対策のため",
        2021,
        [(2021, "cancelled")],
        id="yamaguchi-521-value-cell-context-after-note-mark",
    ),
    pytest.param(
        "災害ボランティア研修会は、新型コロナウイルス感染症拡大防止のため会場とオンライン併用のハイブリッドで開催",
        2021,
        [(2021, "moved_format")],
        id="yamaguchi-42-hybrid-one-row-per-effect",
    ),
    pytest.param(
        "新任研修会は新型コロナウイルス感染症拡大防止対策のため各地区で開催、福祉の輪づくり運動関係者及び福祉員研修会は中止",
        2021,
        [(2021, "cancelled"), (2021, "moved_format")],
        id="yamaguchi-885-two-effects",
    ),
    pytest.param(
        "見守り活動の研修及び福祉員等での地域見守り支え合い事例集の活用、自治会福祉部活動については、"
        "新型コロナウイルス感染症拡大防止対策により縮小して実施",
        2021,
        [(2021, "scaled_down")],
        id="yamaguchi-401-held-on-a-smaller-scale",
    ),
    pytest.param(
        "高齢者等の定期的な見守り・安否確認につながる、ふれあい・いきいきサロン活動の推進 ※コロナ禍において、"
        "ふれあい・いきいきサロン活動が制限されたが、定期的な訪問や見守りなどの安否確認につながる活動を継続的に実施",
        2021,
        [(2021, "scaled_down")],
        id="yamaguchi-586-restricted-still-held",
    ),
    pytest.param(
        "※新型コロナウイルス感染症対策のため、高齢者施設や障がい者施設、保育施設等の訪問が制限されたため、"
        "多くの学校で実施を見送り",
        2022,
        [(2022, "reduced"), (2022, "scaled_down")],
        id="ichinoseki-228-restricted-and-skipped",
    ),
    pytest.param(
        "就労継続支援事業所による製品の販売や、各施設が開催するイベント等により、市民との交流を図る計画としていたが、"
        "新型コロナウイルス感染症蔓延防止の観点から、福祉まつりが中止となったため実績なし",
        2021,
        [(2021, "cancelled")],
        id="ichinoseki-229-cancelled-and-no-result-one-row",
    ),
    pytest.param(
        "岩手県災害ボランティアセンター設置訓練を予定していたが、新型コロナウイルス感染拡大の影響で中止となった",
        2022,
        [(2022, "cancelled")],
        id="ichinoseki-282-cancelled",
    ),
    pytest.param(
        "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした",
        2022,
        [(2020, "cancelled")],
        id="yamagata-59-note-names-R2",
    ),
    pytest.param(
        "ー（新型コロナウイルス感染症拡大防止のため中止）",
        2020,
        [(2020, "cancelled")],
        id="yamagata-38-R2-value-cell",
    ),
    pytest.param(
        "新型コロナウイルス感染症の感染拡大により未実施",
        2020,
        [(2020, "cancelled")],
        id="yamagata-305-not-held",
    ),
    pytest.param(
        "すでに活動中の拠点についても、コロナ禍において活動が停滞したこともあり、活発な活動を維持していくことが課題となっている",
        2022,
        [(2022, "reduced")],
        id="yamagata-46-stagnated",
    ),
    pytest.param(
        "登録者数が減少した理由は、高齢化や、新型コロナウイルスの影響により活動自粛をしたことなどによる",
        2022,
        [(2022, "reduced")],
        id="yamagata-58-self-restraint",
    ),
    pytest.param(
        "3年度は新型コロナウイルス感染症の影響により休止せざるを得ない活動もあったが、"
        "4年度はコロナ前と同程度の地域における支え合い活動を継続することができた",
        2022,
        [(2021, "reduced"), (2022, "resumed")],
        id="shiroi-8-bare-year-per-clause",
    ),
    pytest.param(
        "2年度は新型コロナウイルスの影響により、イベント等が中止となるなど、市民活動団体の活動が制限されていたが、"
        "近年はイベント等も再開し、施設利用者も増加傾向にある",
        2022,
        [(2020, "cancelled"), (2020, "scaled_down"), (2022, "resumed")],
        id="shiroi-20-year-stops-at-ga",
    ),
    pytest.param(
        "新型コロナウイルス感染拡大のため、延期していた介護施設スタッフ向けの救命講習会を開催することができた",
        2022,
        [(2021, "postponed"), (2022, "resumed")],
        id="shiroi-15-postponed-then-held",
    ),
    pytest.param(
        "新型コロナウイルス感染症感染状況が落ち着いてきたため、各地区社協の事業が再開されてきた",
        2022,
        [(2022, "resumed")],
        id="shiroi-18-resumed",
    ),
    pytest.param(
        "コロナ禍において、日常生活圏域単位で地域住民を集めての会議開催が困難であったため、"
        "小学校区単位や自治会単位など、地域での開催を行った",
        2022,
        [(2022, "reduced"), (2022, "moved_format")],
        id="shiroi-6-hard-to-hold-moved-local",
    ),
    pytest.param(
        "新型コロナウイルス感染症対策として、定例会は4地区に分かれて会議を行い、理事会を含めて予定通り実施することができた",
        2022,
        [(2022, "moved_format")],
        id="shiroi-3-split-but-as-scheduled",
    ),
]

NEGATIVES = [
    pytest.param(
        "市保健所と連携し、市内の福祉施設の職員を対象に感染症予防に関する研修動画を市公式YouTubeチャンネルで配信 "
        "R2「高齢者及び障がい者施設での新型コロナウイルス感染症の予防」",
        id="yamagata-309-infection-control-training-video",
    ),
    pytest.param(
        "高齢者福祉施設や障がい者福祉施設の職員に対し、新型コロナウイルス感染症やインフルエンザ等の予防研修を行い、"
        "感染予防対策を進めます",
        id="yamagata-302-infection-control-training-plan",
    ),
    pytest.param(
        "新型コロナ対応の検証を経て、今後、国及び県(以下「国等」という。)では計画の見直しを検討しているが、"
        "国等の計画との整合を考慮した上で本市の計画を見直す必要があり、国等の動向が明らかになるまでその見直しを中断している",
        id="yamagata-304-plan-revision-paused",
    ),
    pytest.param(
        "令和3年度より、感染症対策のために行う住宅改修工事を認定工事に加えた",
        id="yamagata-292-subsidy-scope",
    ),
    pytest.param(
        "（コロナ禍による相談件数の増により、令和2年7月以降相談支援員を2名増員し相談支援体制の強化を図っている",
        id="yamagata-163-more-demand",
    ),
    pytest.param(
        "9月の自殺予防週間に合わせて、コロナ禍においても講座受講率を高める工夫としてグループウェアでの机上研修を全職員に実施した",
        id="yamagata-37-continued-despite",
    ),
    pytest.param(
        "新型コロナウイルスの流行下でありながらも、各児童保育施設の創意工夫により、地域で開催される様々な行事に参加し、"
        "地域との交流を深めた",
        id="ichinoseki-243-continued-despite",
    ),
    pytest.param(
        "新型コロナウイルス感染症の影響を受けて休業等に追い込まれた方への支援が落ち着いたため、"
        "4年度の相談件数、申請件数は3年度と比較して減少した",
        id="shiroi-40-demand-fell",
    ),
    pytest.param(
        "介護職を希望する若者等の育成と地元への定着を図ったが、対象者の退職により実績なし",
        id="ichinoseki-286-no-result-without-covid",
    ),
    pytest.param(
        "福祉部、健康子ども部2部合同連絡調整会議を付議案件がある場合には集合会議、その他は書面会議により実施した",
        id="shiroi-1-written-meetings-without-covid",
    ),
]


@pytest.mark.parametrize(("sentence", "year", "expected"), POSITIVES)
def test_real_covid_sentences_give_their_effects(lexicon, sentence, year, expected):
    assert sentence_effects(sentence, year, lexicon) == expected


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_real_sentences_that_are_not_stalls(lexicon, sentence):
    """No effect: at most a mention of the pandemic where nothing stopped (a mention is kept, so it can be read
    as ``not_stalled`` rather than missed)."""
    assert sentence_effects(sentence, 2022, lexicon) in ([], [(2022, "mentioned")])


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "（コロナ禍による相談件数の増により、令和2年7月以降相談支援員を2名増員し相談支援体制の強化を図っている",
            [(2022, "mentioned")],
            id="yamagata-163-pandemic-named",
        ),
        pytest.param(
            "介護職を希望する若者等の育成と地元への定着を図ったが、対象者の退職により実績なし",
            [],
            id="ichinoseki-286-no-pandemic",
        ),
    ],
)
def test_a_pandemic_named_without_effect_is_a_mention(lexicon, sentence, expected):
    assert sentence_effects(sentence, 2022, lexicon) == expected


def test_topic_uses_of_infection_control_are_masked(lexicon):
    assert not has_covid_context(
        "「新型インフルエンザ等対策行動計画※」等に基づき、高齢者や障がい者などへの生活支援や、感染症対策に関する意識啓発を図ります",
        lexicon,
    )
    assert has_covid_context("福祉教育情報交換会は新型コロナ感染症拡大防止対策のため中止", lexicon)


@pytest.mark.parametrize(
    ("phrase", "effect"),
    [
        ("中止", "cancelled"),
        ("実績なし", "cancelled"),
        ("開催できず", "cancelled"),
        ("開催を見合わせ", "cancelled"),
        ("延期", "postponed"),
        ("縮小", "scaled_down"),
        ("見送り", "reduced"),
        ("制限", "scaled_down"),
        ("休止", "reduced"),
        ("自粛", "reduced"),
        ("人数を減らして", "scaled_down"),
        ("書面開催", "moved_format"),
        ("オンライン", "moved_format"),
        ("ハイブリッド", "moved_format"),
        ("動画配信", "moved_format"),
        ("再開", "resumed"),
        ("コロナ前と同程度", "resumed"),
        ("回復", "resumed"),
    ],
)
def test_listed_effect_phrases_are_covered(lexicon, phrase, effect):
    assert (2021, effect) in sentence_effects(f"新型コロナウイルス感染拡大のため{phrase}", 2021, lexicon)


@pytest.mark.parametrize(
    "term", ["新型コロナ", "コロナ禍", "コロナウイルス", "感染拡大", "感染症対策", "感染防止", "感染症の影響"]
)
def test_listed_context_terms_are_covered(lexicon, term):
    assert has_covid_context(f"{term}のため", lexicon)


def test_lexicon_vocabularies_are_closed(lexicon):
    assert {t.effect for t in lexicon.effects} == set(EFFECTS) - set(DERIVED_EFFECTS)
    assert all(t.effect == "" for t in (*lexicon.context, *lexicon.excludes, *lexicon.activities))
    assert list(EFFECT_LABELS_JA) == list(EFFECTS)


def test_a_bad_lexicon_stops_with_every_problem(tmp_path):
    bad = tmp_path / "lexicon.csv"
    bad.write_text(
        "kind,effect,term,match,self_sufficient,comment\n"
        "effect,vanished,中止,substring,false,\n"
        "context,,コロナ,substring,,\n"
        "effect,cancelled,(中止,regex,false,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"line 2: effect 'vanished'.*line 3: kind 'context'.*line 4: bad regex"):
        load_lexicon(bad)


def test_self_sufficient_terms_need_no_context(tmp_path):
    path = tmp_path / "lexicon.csv"
    path.write_text(
        "kind,effect,term,match,self_sufficient,comment\n"
        "covid_context,,コロナ禍,substring,,\n"
        "effect,cancelled,中止,substring,false,\n"
        "effect,reduced,3密回避のため縮小,substring,true,\n",
        encoding="utf-8",
    )
    custom = load_lexicon(path)
    assert sentence_effects("3密回避のため縮小して開催", 2021, custom) == [(2021, "reduced")]
    assert sentence_effects("研修会を中止", 2021, custom) == []


def test_split_keeps_word_dots_and_notes():
    cell = (
        "①福祉教育情報交換会〔小・中学校対象〕はコロナ禍に代わるアンケートの実施(41校送付 33校回答) "
        "②福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止"
    )
    assert split_sentences(cell) == [
        "福祉教育情報交換会〔小・中学校対象〕はコロナ禍に代わるアンケートの実施(41校送付 33校回答)",
        "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止",
    ]


def test_split_on_bullets_and_department_labels():
    cell = (
        "【学校教育課】 ■ 「総合的な学習の時間」及び「学級活動」等において、各校教育課程に「障がいのある者との交流」"
        "等の活動を位置付け、計画。 ※新型コロナウイルス感染症対策のため、高齢者施設や障がい者施設、保育施設等の訪問が"
        "制限されたため、多くの学校で実施を見送り。 【長寿社会課】 ■ 市社会福祉協議会に委託し、シニア活動プラザで"
        "人材育成に関する講座等を開催した。"
    )
    sentences = split_sentences(cell)
    assert sentences[0] == "【学校教育課】"
    assert (
        "※新型コロナウイルス感染症対策のため、高齢者施設や障がい者施設、保育施設等の訪問が制限されたため、多くの学校で実施を見送り"
        in sentences
    )
    assert sentences[-1] == "市社会福祉協議会に委託し、シニア活動プラザで人材育成に関する講座等を開催した"


def _activities(rows):
    columns = ["city", "measure_id", "fiscal_year", "value_kind", "section", "department", "actor", "text"]
    return pd.DataFrame(
        [dict(zip(columns, r[:-2], strict=True), source_file=r[-2], source_line=r[-1]) for r in rows],
        columns=[*columns, "source_file", "source_line"],
    )


def _indicators(rows):
    keys = ["city", "measure_id", "indicator", "fiscal_year", "value_kind", "value", "note", "value_raw"]
    frame = pd.DataFrame([dict(zip(keys, r[:-2], strict=True), source_file=r[-2], source_line=r[-1]) for r in rows])
    return frame.reindex(columns=[*keys, "source_file", "source_line"])


YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"
YAMAGATA = "yamagata_fy2022_progress_sheet.txt"
SHIROI = "shiroi_fy2022_progress_sheet.txt"

ACTIVITY_ROWS = [
    (
        "yamaguchi",
        "y-1-2-1",
        2021,
        "actual",
        "令和3年度実施状況",
        "",
        "市社協",
        "①福祉教育情報交換会〔小・中学校対象〕はコロナ禍に代わるアンケートの実施(41校送付 33校回答) "
        "②福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止",
        YAMAGUCHI,
        183,
    ),
    (
        "yamaguchi",
        "y-1-2-1",
        2022,
        "plan",
        "令和4年度実施予定",
        "",
        "市社協",
        "①福祉教育情報交換会〔小・中学校対象〕の開催 "
        "※新型コロナウイルス感染症拡大防止対策をしながら実施できる方法について、オンライン開催等を検討する。",
        YAMAGUCHI,
        190,
    ),
    (
        "shiroi",
        "no08",
        2022,
        "actual",
        "取組による成果、今後の課題や方針",
        "社会福祉課",
        "",
        "各小学校区の地区社会福祉協議会に対し、拠点運営に係る経費の補助を行った。3年度は新型コロナウイルス感染症の影響により"
        "休止せざるを得ない活動もあったが、4年度はコロナ前と同程度の地域における支え合い活動を継続することができた。",
        SHIROI,
        110,
    ),
    (
        "shiroi",
        "no08",
        2022,
        "actual",
        "取組による成果、今後の課題や方針",
        "社会福祉課",
        "",
        "各小学校区の地区社会福祉協議会に対し、拠点運営に係る経費の補助を行った。3年度は新型コロナウイルス感染症の影響により"
        "休止せざるを得ない活動もあったが、4年度はコロナ前と同程度の地域における支え合い活動を継続することができた。",
        SHIROI,
        110,
    ),
]

INDICATOR_ROWS = [
    (
        "yamagata",
        "yg-058",
        "担い手養成研修会参加者数",
        2020,
        "actual",
        9.0,
        "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした。(R3：2回、R4：3回)",
        "9名",
        YAMAGATA,
        59,
    ),
    (
        "yamagata",
        "yg-058",
        "担い手養成研修会参加者数",
        2022,
        "actual",
        37.0,
        "新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした。(R3：2回、R4：3回)",
        "37名",
        YAMAGATA,
        59,
    ),
    (
        "yamagata",
        "yg-038",
        "運動普及推進員の養成",
        2020,
        "actual",
        None,
        "",
        "ー（新型コロナウイルス感染症拡大防止のため中止）",
        YAMAGATA,
        38,
    ),
]


@pytest.fixture(scope="module")
def events():
    return detect_covid_events(_activities(ACTIVITY_ROWS), _indicators(INDICATOR_ROWS))


def test_events_table_rows(events):
    assert list(events.columns) == list(EVENT_COLUMNS)
    got = [
        tuple(r) for r in events[["city", "measure_id", "fiscal_year", "value_kind", "effect", "source_line"]].values
    ]
    assert got == [
        ("yamagata", "yg-038", 2020, "actual", "cancelled", 38),
        ("yamagata", "yg-058", 2020, "actual", "cancelled", 59),
        ("yamaguchi", "y-1-2-1", 2021, "actual", "cancelled", 183),
        ("yamaguchi", "y-1-2-1", 2021, "actual", "cancelled", 183),
        ("yamaguchi", "y-1-2-1", 2022, "plan", "moved_format", 190),
        ("shiroi", "no08", 2021, "actual", "reduced", 110),
        ("shiroi", "no08", 2022, "actual", "resumed", 110),
    ]
    check_events(events)


def test_events_quote_the_original_sentence(events):
    note = events[events["measure_id"] == "yg-058"]["evidence"].tolist()
    assert note == ["新型コロナウイルス感染症の影響で、R2は2回中止し、1回のみ開催とした"]
    assert (
        events.loc[events["measure_id"] == "yg-038", "evidence"].item()
        == "ー（新型コロナウイルス感染症拡大防止のため中止）"
    )


def test_events_are_deterministic(events):
    shuffled = detect_covid_events(
        _activities(ACTIVITY_ROWS).sample(frac=1, random_state=3), _indicators(INDICATOR_ROWS).iloc[::-1]
    )
    pd.testing.assert_frame_equal(shuffled, events)


def test_check_events_rejects_unsourced_rows(events):
    broken = events.copy()
    broken.loc[0, "source_line"] = 0
    with pytest.raises(ValueError, match="without a source line"):
        check_events(broken)


def test_a_cell_and_its_normalised_note_give_one_event():
    row = (
        "yamagata",
        "yg-038",
        "運動普及推進員の養成",
        2020,
        "actual",
        None,
        "ー(新型コロナウイルス感染症拡大防止のため中止)",
        "ー（新型コロナウイルス感染症拡大防止のため中止）",
        YAMAGATA,
        38,
    )
    events = detect_covid_events(_activities([]), _indicators([row]))
    assert events["evidence"].tolist() == ["ー（新型コロナウイルス感染症拡大防止のため中止）"]


def test_a_note_item_is_quoted_without_the_parser_s_remarks_beside_it():
    """山口市 line 521: 市民講座 実施なし ※新型コロナ… gives 0, and the parser's remark on that 0 joins the note; the
    event quotes the sheet's words only."""
    row = (
        "yamaguchi",
        "yamaguchi-2-2-3",
        "市民講座",
        2021,
        "actual",
        0.0,
        "実施なし ※新型コロナウイルス感染症拡大防止対策のため; the activity did not take place: counted as 0",
        "実施なし",
        YAMAGUCHI,
        521,
    )
    events = detect_covid_events(_activities([]), _indicators([row]))
    assert events["evidence"].tolist() == ["実施なし ※新型コロナウイルス感染症拡大防止対策のため"]


# --- activity names, followed from a cancellation into a later plan -------------------------------------------------

# (stall sentence as in the sheet, the activity names read from it)
NAMED = [
    pytest.param(
        "新任研修会は新型コロナウイルス感染症拡大防止対策のため各地区で開催、福祉の輪づくり運動関係者及び福祉員研修会は中止",
        ["新任研修会", "輪づくり運動関係者及び福祉員研修会"],
        id="yamaguchi-885-two-names-stop-at-particles",
    ),
    pytest.param(
        "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止",
        ["福祉教育情報交換会〔高等学校・大学対象〕"],
        id="yamaguchi-183-qualifier-kept",
    ),
    pytest.param(
        "市ふれあいレク大会(山口市障害者団体連合会主催)等、交流事業は新型コロナウイルス感染症拡大防止対策のため中止",
        ["市ふれあいレク大会(山口市障害者団体連合会主催)"],
        id="yamaguchi-520-nfkc-parentheses",
    ),
    pytest.param(
        "岩手県災害ボランティアセンター設置訓練を予定していたが、新型コロナウイルス感染拡大の影響で中止となった",
        ["岩手県災害ボランティアセンター設置訓練"],
        id="ichinoseki-282-training",
    ),
    pytest.param(
        "就労継続支援事業所による製品の販売や、各施設が開催するイベント等により、市民との交流を図る計画としていたが、"
        "新型コロナウイルス感染症蔓延防止の観点から、福祉まつりが中止となったため実績なし",
        ["福祉まつり"],
        id="ichinoseki-229-bare-event-noun-dropped",
    ),
    pytest.param("③新型コロナウイルス感染症拡大防止対策のため中止", [], id="yamaguchi-214-no-name"),
]


@pytest.mark.parametrize(("sentence", "names"), NAMED)
def test_activity_names_from_real_sentences(lexicon, sentence, names):
    assert activity_names(sentence, lexicon) == names


def test_follow_up_names_the_same_activity_without_stopping_it(lexicon):
    stall = "福祉教育情報交換会〔高等学校・大学対象〕は新型コロナウイルス感染拡大防止のため中止"
    plan_high = "福祉教育情報交換会〔高等学校・大学対象〕の開催について、関係者の意見を踏まえ推進"
    plan_other = (
        "福祉教育情報交換会〔小・中学校対象〕の開催 "
        "※新型コロナウイルス感染症拡大防止対策をしながら実施できる方法について、オンライン開催等を検討する"
    )
    assert follows_up(stall, plan_high, lexicon)
    assert not follows_up(stall, plan_other, lexicon)
    assert followed_name(stall, plan_high, lexicon) == "福祉教育情報交換会〔高等学校・大学対象〕"


def test_a_plan_that_reports_a_new_cancellation_is_no_follow_up(lexicon):
    stall = "市ふれあいレク大会(山口市障害者団体連合会主催)等、交流事業は新型コロナウイルス感染症拡大防止対策のため中止"
    plan = (
        "障がい者と健常者等が相互理解を深めるため、山口市障害者団体連合会と協力し、市ふれあいレク大会を開催予定であったが"
        "新型コロナウイルス感染症拡大防止のため中止"
    )
    assert not follows_up(stall, plan, lexicon)
    assert not follows_up("福祉まつりが中止", "地域福祉の取組について広く周知する", lexicon)


@pytest.mark.parametrize(
    ("sentence", "year", "expected"),
    [
        pytest.param("③地域福祉権利擁護事業支援員研修会を中止", 2021, [(2021, "stopped_no_cause")], id="yamaguchi-970"),
        pytest.param(
            "医療と介護の連携に関する協議の場を設けたが、研修会等は実施していない",
            2021,
            [(2021, "stopped_no_cause")],
            id="ichinoseki-346",
        ),
        pytest.param(
            "介護職を希望する若者等の育成と地元への定着を図ったが、対象者の退職により実績なし",
            2022,
            [],
            id="ichinoseki-286-cause-stated",
        ),
        pytest.param("該当する事業実施なし", 2022, [], id="yamagata-204-no-activity-named"),
        pytest.param("令和5年度から開始した事業であるため実績なし", 2022, [], id="yamagata-228-new-from-fy2023"),
    ],
)
def test_a_stop_without_pandemic_words_is_kept_only_for_a_named_activity_with_no_cause(
    lexicon, sentence, year, expected
):
    """A named activity not held, with no cause stated, is a stop only the timing ties to the pandemic; a stop with
    another cause, or with no activity named, is none."""
    assert sentence_effects(sentence, year, lexicon) == expected

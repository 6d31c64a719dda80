"""The hand-coded COVID validation set (quotes stand on their raw lines, vocabularies, groups) and the agreement
computation on crafted classifier tables built from real labels of the sheets."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from helpers import CITIES
from helpers.analysis.covid_validation import (
    HAND_CODING_PATH,
    STATUSES,
    UNMATCHED,
    agreement,
    cohen_kappa,
    count_tables,
    hand_units,
    labels_overlap,
    load_hand_coding,
    load_row_review,
    review_standing,
    review_summary,
    sample_series,
)
from helpers.sources.raw_text import read_sheet_lines

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SHIROI = "shiroi_fy2022_progress_sheet.txt"
YAMAGUCHI = "yamaguchi_fy2021_implementation_report.txt"


@pytest.fixture(scope="module")
def hand() -> pd.DataFrame:
    return load_hand_coding()


def test_every_quote_stands_on_its_source_line(hand: pd.DataFrame) -> None:
    lines = {name: read_sheet_lines(RAW / name, name) for name in sorted(set(hand["source_file"]))}
    missing = [
        f"{row.case_id} {row.source_file}:{row.source_line}"
        for row in hand.itertuples()
        if unicodedata.normalize("NFKC", row.quote)
        not in unicodedata.normalize("NFKC", lines[row.source_file][row.source_line - 1])
    ]
    assert not missing


def test_words_quoted_as_evidence_stand_on_the_cited_line(hand: pd.DataFrame) -> None:
    """Evidence cites ``file:line … 'words'``; every stretch of the quoted words (between …) is on that line."""
    lines = {name: read_sheet_lines(RAW / name, name) for name in sorted(set(hand["source_file"]))}
    checked, missing = 0, []
    for row in hand.itertuples():
        for cited in re.finditer(r"([\w.]+\.txt):(\d+)(?:-\d+)?([^;]*)", row.evidence_for_status):
            line = unicodedata.normalize("NFKC", lines[cited.group(1)][int(cited.group(2)) - 1])
            for words in re.findall(r"'([^']+)'", cited.group(3)):
                for piece in (p.strip() for p in words.split("…")):
                    checked += 1
                    if len(piece) > 1 and unicodedata.normalize("NFKC", piece) not in line:
                        missing.append(f"{row.case_id}: {cited.group(1)}:{cited.group(2)} {piece}")
    assert checked > 50
    assert not missing


def test_a_quote_on_the_wrong_line_is_caught() -> None:
    lines = read_sheet_lines(RAW / SHIROI, SHIROI)
    quote = "各地区社協の事業が再開されてきた。"
    assert quote in lines[222 - 1]
    assert quote not in lines[223 - 1]


def test_hand_coding_covers_every_city_and_kind(hand: pd.DataFrame) -> None:
    assert set(hand["city"]) == set(CITIES)
    for city, rows in hand.groupby("city"):
        assert (rows["kind"] == "mention").any(), city
        assert (rows["kind"] == "series_sample").sum() == 10, city
    assert set(hand["status"]) <= set(STATUSES)


def test_hand_coding_rows_of_one_activity_share_a_status(hand: pd.DataFrame) -> None:
    assert (hand.groupby("activity_group")["status"].nunique() == 1).all()
    # the 再掲 copies of Shiroi No.11 (lines 131, 281, 416) are one activity
    courses = hand[(hand["source_file"] == SHIROI) & hand["source_line"].isin([131, 281, 416])]
    assert courses["activity_group"].nunique() == 1
    assert set(courses["status"]) == {"stalled_recovered"}


def test_readme_counts_match_the_coding(hand: pd.DataFrame) -> None:
    readme = (HAND_CODING_PATH.parent / "README.md").read_text(encoding="utf-8")
    for table in count_tables(hand):
        assert table.to_markdown() in readme


def test_load_refuses_a_status_outside_the_vocabulary(tmp_path: Path) -> None:
    frame = pd.read_csv(HAND_CODING_PATH, dtype=str, keep_default_na=False)
    frame.loc[0, "status"] = "stalled"
    bad = tmp_path / "coding.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(ValueError, match="status outside"):
        load_hand_coding(bad)


def test_load_refuses_a_group_that_disagrees(tmp_path: Path) -> None:
    frame = pd.read_csv(HAND_CODING_PATH, dtype=str, keep_default_na=False)
    repeat = frame.index[frame["case_id"] == "shiroi-m08"][0]
    frame.loc[repeat, ["status", "stalled"]] = ["not_stalled", "no"]
    bad = tmp_path / "coding.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(ValueError, match="disagree"):
        load_hand_coding(bad)


def test_label_overlap_on_real_labels() -> None:
    # Yamaguchi line 885 names two trainings in one sentence: the shared 研修会 must not link them
    assert labels_overlap("福祉の輪づくり運動関係者及び福祉員研修会", "新任研修会") == 0
    assert labels_overlap("新任研修会", "新任研修会") == 5
    # Shiroi line 37: a three-character label links to the series that carries it
    assert labels_overlap("定例会", "理事会・定例会開催回数(定例会)") == 3
    # NFKC and spaces: full-width brackets and a space in the classifier's label
    assert labels_overlap("福祉教育情報交換会〔小・中学校対象〕", "福祉教育情報交換会 (小・中学校対象)") >= 9
    assert labels_overlap("ふれあい会議", "第1層協議体開催数") == 0


def test_kappa_by_hand() -> None:
    # observed 3/5; chance 3/5·3/5 + 2/5·2/5 = 13/25; kappa = (15/25 − 13/25) / (12/25) = 1/6
    hand_codes = ["s", "s", "s", "n", "n"]
    machine = ["s", "s", "n", "s", "n"]
    assert cohen_kappa(hand_codes, machine) == pytest.approx(1 / 6)
    with pytest.raises(ValueError):
        cohen_kappa(["s"], [])


def _hand(*rows: dict[str, object]) -> pd.DataFrame:
    base = {
        "kind": "mention",
        "cell_role": "result",
        "quote": "",
        "indicator_kind": "activity",
        "attribution": "none",
        "stall_years": "",
        "evidence_for_status": "",
        "match_lines": "",
        "confidence": "sure",
        "measure_id": "",
        "coder_note": "",
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["stalled"] = frame["status"].map(lambda s: "yes" if s.startswith("stalled_") else "no")
    frame["activity_group"] = frame.get("activity_group", frame["case_id"]).fillna(frame["case_id"])
    return frame


@pytest.fixture()
def crafted_hand() -> pd.DataFrame:
    """Four activities of Yamaguchi lines 520/526, 885 and 586, and a Shiroi series, coded as the sheets read."""
    return _hand(
        {"case_id": "g1", "city": "yamaguchi", "source_file": YAMAGUCHI, "source_line": 520,
         "activity": "市ふれあいレク大会等、交流事業", "status": "stalled_not_recovered"},
        {"case_id": "g2", "city": "yamaguchi", "source_file": YAMAGUCHI, "source_line": 526,
         "activity": "市ふれあいレク大会", "status": "stalled_not_recovered", "activity_group": "g1"},
        {"case_id": "g3", "city": "yamaguchi", "source_file": YAMAGUCHI, "source_line": 885,
         "activity": "新任研修会", "status": "not_stalled"},
        {"case_id": "g4", "city": "yamaguchi", "source_file": YAMAGUCHI, "source_line": 885,
         "activity": "福祉の輪づくり運動関係者及び福祉員研修会", "status": "stalled_planned"},
        {"case_id": "g5", "city": "yamaguchi", "source_file": YAMAGUCHI, "source_line": 586,
         "activity": "ふれあい型給食サービス事業", "status": "not_stalled"},
        {"case_id": "s1", "city": "shiroi", "source_file": SHIROI, "source_line": 110, "kind": "row_series",
         "activity": "活動拠点数", "status": "not_stalled", "match_lines": "111;112"},
    )  # fmt: skip


def test_agreement_on_a_crafted_classifier(crafted_hand: pd.DataFrame) -> None:
    classifier = pd.DataFrame(
        [
            # finds the festival through the repeat line 526, with the right status
            ("yamaguchi", "市ふれあいレク大会", "stalled_not_recovered", YAMAGUCHI, 526),
            # flags the training that was held in the districts (a false flag) and misses the cancelled one
            ("yamaguchi", "新任研修会", "stalled_planned", YAMAGUCHI, 885),
            # one sentence marking a stock series of the same measure: a false flag on a row series
            ("shiroi", "活動拠点数", "stalled_recovered", SHIROI, 111),
            # a stall the hand set does not hold
            ("shiroi", "講座開催回数", "stalled_recovered", SHIROI, 131),
        ],
        columns=["city", "label", "covid_status", "file", "line"],
    )
    result = agreement(
        crafted_hand,
        classifier,
        activity_column="label",
        status_column="covid_status",
        evidence_columns=(("file", "line"),),
    )
    figures = result.figures.set_index("figure")
    assert figures.loc["units", "count"] == 5
    assert (figures.loc["real stalls found (recall)", ["count", "of"]] == [1, 2]).all()
    # agree: the festival, and the meal service left alone; disagree: both trainings and the hubs
    assert (figures.loc["status agreement", ["count", "of"]] == [2, 5]).all()
    assert (figures.loc["not-stalled mentions flagged as stalled", ["count", "of"]] == [1, 2]).all()
    assert (figures.loc["not-stalled units flagged as stalled (all kinds)", ["count", "of"]] == [2, 3]).all()
    expected_kappa = cohen_kappa(
        ["stalled_not_recovered", "not_stalled", "stalled_planned", "not_stalled", "not_stalled"],
        ["stalled_not_recovered", "stalled_planned", "not_stalled", "not_stalled", "stalled_recovered"],
    )
    assert figures.loc["Cohen's kappa on status", "share"] == pytest.approx(expected_kappa, abs=1e-4)
    wrong = result.disagreements.set_index("unit")
    assert sorted(wrong.index) == ["g3", "g4", "s1"]
    assert wrong.loc["g3", "where"] == f"{YAMAGUCHI}:885"
    assert wrong.loc["g4", "classifier_status"] == "not_stalled"
    assert wrong.loc["s1", "classifier_where"] == f"{SHIROI}:111"
    assert result.classifier_stalls_not_in_hand_set["label"].tolist() == ["講座開催回数"]


def test_attribution_is_compared_on_stalls_found(crafted_hand: pd.DataFrame) -> None:
    crafted_hand.loc[crafted_hand["activity_group"] == "g1", "attribution"] = "sheet_says_pandemic"
    classifier = pd.DataFrame(
        {
            "city": ["yamaguchi"],
            "activity": ["市ふれあいレク大会等、交流事業"],
            "status": ["stalled_not_recovered"],
            "attribution": ["timing_only"],
            "stall_source_file": [YAMAGUCHI],
            "stall_source_line": [520],
        }
    )
    figures = agreement(crafted_hand, classifier, attribution_column="attribution").figures.set_index("figure")
    assert (figures.loc["stalls found with the same attribution", ["count", "of"]] == [0, 1]).all()
    assert (
        "stalls found with the same attribution" not in agreement(crafted_hand, classifier).figures["figure"].tolist()
    )


def test_a_row_of_another_city_or_label_is_not_a_match(crafted_hand: pd.DataFrame) -> None:
    classifier = pd.DataFrame(
        {
            "city": ["shiroi", "yamaguchi"],
            "activity": ["市ふれあいレク大会", "各地区福祉員協議会開催支援"],
            "status": ["stalled_not_recovered", "stalled_planned"],
            "stall_source_file": [YAMAGUCHI, YAMAGUCHI],
            "stall_source_line": [520, 885],
        }
    )
    units = agreement(crafted_hand, classifier).units.set_index("unit")
    assert units.loc["g1", "classifier_status"] == UNMATCHED
    assert units.loc["g4", "classifier_status"] == UNMATCHED


def test_the_hand_coding_agrees_with_itself(hand: pd.DataFrame) -> None:
    classifier = hand.rename(columns={"source_file": "stall_source_file", "source_line": "stall_source_line"})
    result = agreement(hand, classifier)
    figures = result.figures.set_index("figure")
    assert figures.loc["status agreement", "share"] == 1.0
    assert figures.loc["Cohen's kappa on status", "share"] == 1.0
    assert result.disagreements.empty
    assert len(result.units) == hand["activity_group"].nunique() == len(hand_units(hand))


def test_ambiguous_units_can_be_left_out(hand: pd.DataFrame) -> None:
    empty = pd.DataFrame(columns=["city", "activity", "status", "stall_source_file", "stall_source_line"])
    every = agreement(hand, empty).units
    sure = agreement(hand, empty, include_ambiguous=False).units
    assert len(sure) < len(every)
    assert (sure["confidence"] == "sure").all()
    assert (every["classifier_status"] == UNMATCHED).all()


def test_sample_series_is_deterministic_and_per_city() -> None:
    frame = pd.DataFrame(
        {
            "city": ["shiroi"] * 6 + ["yamagata"] * 2,
            "measure_id": [f"m{i}" for i in range(8)],
            "indicator": ["講座開催回数"] * 8,
            "value_kind": ["actual"] * 7 + ["target"],
            "value": [1.0] * 8,
        }
    )
    first = sample_series(frame, per_city=3, seed=14)
    assert first.equals(sample_series(frame, per_city=3, seed=14))
    assert first.groupby("city").size().to_dict() == {"shiroi": 3, "yamagata": 1}
    assert first.equals(first.sort_values(["city", "measure_id", "indicator"]).reset_index(drop=True))


def test_row_review_cites_real_lines_and_closed_verdicts() -> None:
    review = load_row_review()
    lines = {name: read_sheet_lines(RAW / name, name) for name in sorted(set(review["source_file"]))}
    for row in review.itertuples():
        assert 1 <= int(row.source_line) <= len(lines[row.source_file]), row
        assert row.reason.strip() and row.verdict, row


def _trajectory(activity: str, status: str, stall: object = pd.NA, recovery: object = pd.NA) -> dict[str, object]:
    return {
        "city": "shiroi",
        "measure_id": "shiroi-no01",
        "activity": activity,
        "status": status,
        "stall_year": stall,
        "recovery_year": recovery,
    }


def _review(activity: str, status: str, verdict: str, stall: str, recovery: str, round_: str = "1") -> dict[str, str]:
    return {
        "review_round": round_,
        "review_set": "stalled_or_delayed",
        "city": "shiroi",
        "measure_id": "shiroi-no01",
        "activity": activity,
        "classifier_status": status,
        "classifier_stall_year": stall,
        "classifier_recovery_year": recovery,
        "verdict": verdict,
        "reviewer_status": status,
        "source_file": SHIROI,
        "source_line": "19",
        "reason": "",
    }


def test_a_verdict_holds_only_while_the_row_makes_the_same_claim() -> None:
    table = pd.DataFrame(
        [
            _trajectory("a", "stalled_recovered", 2020, 2022),
            _trajectory("b", "stalled_recovered", 2020, 2022),
            _trajectory("c", "not_stalled"),
            _trajectory("d", "stalled_planned", 2021),
            _trajectory("e", "stalled_recovered", 2020, 2021),
        ]
    )
    review = pd.DataFrame(
        [
            _review("a", "stalled_recovered", "defensible", "2020", "2022"),
            _review("b", "stalled_recovered", "wrong", "2020", "2021"),
            _review("c", "stalled_recovered", "wrong", "2020", "2021"),
            _review("e", "stalled_recovered", "wrong", "2020", "2021"),
            _review("e", "stalled_recovered", "defensible", "2020", "2021", round_="2"),
        ]
    )
    standing = review_standing(review, table).set_index("activity")["standing"].to_dict()
    assert standing == {
        "a": "defensible",
        "b": "changed since review",
        "c": "no longer stalled or delayed",
        "d": "not reviewed",
        "e": "defensible",
    }
    summary = review_summary(review_standing(review, table)).set_index("rows").loc["stalled"]
    assert (summary["total"], summary["defensible"], summary["defensible share"]) == (4, 2, 1.0)

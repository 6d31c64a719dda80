"""The shared sheet builder: one coverage rule, quirks naming their lines, lexicons by name, one count basis."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.core.count_basis import BASIS_WORDS, COUNT_BASES, count_basis, find_count_basis
from helpers.core.lexicons import lexicon_rows
from helpers.sheets.builder import Draft, SheetBuilder
from helpers.tables.schema import INDICATORS

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _builder(**options: str) -> SheetBuilder:
    return SheetBuilder("kaku", "kaku.txt", ["12回 24人", "R4新規 3施設"], **options)


def test_an_observation_replaces_a_skip_of_the_same_occurrence() -> None:
    book = _builder()
    book.cover(1, 0, "12", "skipped", "parenthesised note")
    book.cover(1, 0, "12回", "observation")
    [item] = book.finish().coverage
    assert (item.token, item.outcome, item.reason) == ("12回", "observation", "")


def test_a_skip_never_replaces_an_observation() -> None:
    book = _builder()
    book.cover(1, 0, "12回", "observation")
    book.cover(1, 0, "12", "skipped", "repeat of line 3")
    [item] = book.finish().coverage
    assert (item.outcome, item.reason) == ("observation", "")


def test_a_second_skip_keeps_the_first_reason() -> None:
    book = _builder()
    book.cover(2, 1, "4", "skipped", "fiscal-year label")
    book.cover(2, 1, "4", "skipped", "no label naming what is counted; not taken")
    [item] = book.finish().coverage
    assert item.reason == "fiscal-year label"


def test_the_same_digits_at_two_positions_are_two_items() -> None:
    book = _builder()
    book.cover(1, 4, "24人", "observation")
    book.cover(1, 0, "12回", "observation")
    assert [i.token for i in book.finish().coverage] == ["12回", "24人"]


def test_recorded_order_keeps_the_reading_order_within_a_line() -> None:
    book = _builder(coverage_order="recorded")
    book.cover(2, 8, "3施設", "observation")
    book.cover(1, 4, "24人", "observation")
    book.cover(2, 1, "4", "skipped", "fiscal-year label")
    assert [(i.source_line, i.token) for i in book.finish().coverage] == [(1, "24人"), (2, "3施設"), (2, "4")]


def test_an_unknown_coverage_order_is_refused() -> None:
    with pytest.raises(ValueError, match="coverage_order"):
        _builder(coverage_order="random")


def test_quirks_name_their_first_line_once() -> None:
    book = _builder()
    book.quirk("a value in brackets is a note", 7)
    book.quirk("a header repeated on every page", 3)
    book.quirk("a value in brackets is a note", 2)
    assert book.finish().quirks == [
        "a value in brackets is a note (e.g. line 7)",
        "a header repeated on every page (e.g. line 3)",
    ]
    assert book.quirk_lines(order="line", counts=True) == [
        "a value in brackets is a note (e.g. line 2; 2×)",
        "a header repeated on every page (e.g. line 3; 1×)",
    ]


def test_a_quirk_kind_keeps_its_first_text_and_notes_follow_the_lines() -> None:
    book = _builder()
    book.quirk("OCR junk before the number ('進(3)')", 230, kind="ocr")
    book.quirk("OCR junk before the number ('ワ(1)')", 231, kind="ocr")
    assert book.finish(notes=("columns are fiscal years 2020, 2022",)).quirks == [
        "OCR junk before the number ('進(3)') (e.g. line 230)",
        "columns are fiscal years 2020, 2022",
    ]


def test_records_carry_the_city_and_the_file() -> None:
    book = _builder()
    book.listing("kaku-01", "見守り", 1, department="福祉課")
    book.activity("kaku-01", 2022, "actual", "見守りを行った。", 1, section="実施状況")
    obs = book.observation(
        measure_id="kaku-01",
        measure="見守り",
        indicator="訪問回数",
        fiscal_year=2022,
        value_kind="actual",
        value=12.0,
        unit="回",
        value_raw="12回",
        source_line=1,
        notes=["", "毎月", "毎月"],
    )
    sheet = book.finish()
    assert obs.note == "毎月" and sheet.observations == [obs]
    assert {sheet.measures[0].source_file, sheet.activities[0].city} == {"kaku.txt", "kaku"}


def test_a_draft_is_kept_as_an_observation_with_its_notes_joined() -> None:
    book = _builder()
    draft = Draft(measure_id="kaku-01", indicator="訪問回数", fiscal_year=2022, value=12.0, unit="回", source_line=1)
    draft.notes += ["毎月", "", "毎月", "書面会議"]
    draft.count_basis = "延べ"
    obs = book.observe(draft)
    assert (obs.city, obs.source_file, obs.note, obs.count_basis) == ("kaku", "kaku.txt", "毎月; 書面会議", "延べ")
    assert book.finish().observations == [obs]


def test_a_draft_whose_year_is_still_unknown_is_refused() -> None:
    with pytest.raises(ValueError, match="line 2: no fiscal year"):
        _builder().observe(Draft(value_kind="target", value=3.0, value_raw="3施設", source_line=2))


def test_lexicons_are_read_by_name_once() -> None:
    rows = lexicon_rows("yamagata_progress_departments.csv")
    assert rows and {"written", "department"} <= set(rows[0])
    assert lexicon_rows("yamagata_progress_departments.csv") is rows
    with pytest.raises(FileNotFoundError, match="no lexicon"):
        lexicon_rows("no_such_lexicon.csv")


def _line(name: str, number: int) -> str:
    return (RAW / name).read_text(encoding="utf-8").splitlines()[number - 1]


@pytest.mark.parametrize(
    ("name", "number", "phrase", "basis"),
    [
        ("yamagata_fy2022_progress_sheet.txt", 19, "累計登録者数", "累計"),
        ("yamagata_fy2022_progress_sheet.txt", 38, "参加延人数", "延べ"),
        ("yamagata_fy2022_progress_sheet.txt", 49, "実利用者数", "実"),
        ("yamagata_fy2022_progress_sheet.txt", 163, "問い合わせ・相談実人数", "実"),
        ("yamagata_fy2022_progress_sheet.txt", 279, "述べ利用人数", "延べ"),
        ("yamaguchi_fy2021_implementation_report.txt", 242, "点字・声の広報等発行の延べ利用人数", "延べ"),
        ("shiroi_fy2022_progress_sheet.txt", 53, "延べ相談件数", "延べ"),
        ("shiroi_fy2022_progress_sheet.txt", 449, "相談実件数", "実"),
        ("yamagata_fy2022_progress_sheet.txt", 49, "委託を行っている。", ""),
    ],
)
def test_count_basis_of_labels_as_printed(name: str, number: int, phrase: str, basis: str) -> None:
    assert phrase in _line(name, number)
    assert count_basis(phrase) == basis


@pytest.mark.parametrize(
    ("name", "number", "phrase", "at", "basis", "word"),
    [
        ("ichinoseki_fy2023_council_papers.txt", 270, "延べ451人", "start", "延べ", "延べ"),
        ("yamaguchi_fy2021_implementation_report.txt", 969, "延べ8件", "start", "延べ", "延べ"),
        ("yamaguchi_fy2021_implementation_report.txt", 43, "登録者累計", "end", "累計", "累計"),
        ("shiroi_fy2022_progress_sheet.txt", 480, "判断された人は延べ", "end", "延べ", "延べ"),
    ],
)
def test_count_basis_of_a_word_beside_a_number(
    name: str, number: int, phrase: str, at: str, basis: str, word: str
) -> None:
    assert phrase in _line(name, number)
    found = find_count_basis(phrase, at=at)
    assert (found.basis, phrase[found.start : found.end]) == (basis, word)


def test_a_label_naming_two_bases_states_none() -> None:
    assert count_basis("延べ人数と実人数") == ""


def test_the_vocabulary_is_the_table_schema_s() -> None:
    assert {word.basis for word in BASIS_WORDS} == set(COUNT_BASES)
    assert next(f for f in INDICATORS.fields if f.name == "count_basis").enum == COUNT_BASES

"""Sheets as city halls send them: every supported encoding and line ending reads to the same records, and every
unreadable file is refused with one line naming the file and the line. Variants are built from the committed
sheets in a temporary directory."""

from __future__ import annotations

import codecs
from dataclasses import astuple
from functools import cache
from pathlib import Path

import pytest

from helpers.core.errors import SheetError
from helpers.core.text import key
from helpers.sheets import PARSER_NAMES, load_landmarks, parse_file
from helpers.sheets.records import ParsedSheet
from helpers.sources.manifest import Source, read_manifest
from helpers.sources.raw_text import check_complete, decode_sheet, read_sheet_text

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SOURCES = {s.file: s for s in read_manifest(RAW)}
FILES = sorted(SOURCES)


def _text(file: str) -> str:
    return (RAW / file).read_text(encoding="utf-8")


def _encodable(file: str, encoding: str) -> bool:
    try:
        _text(file).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


CP932_FILES = [f for f in FILES if _encodable(f, "cp932")]
"""山形市's two documents hold characters CP932 has no code for (— U+2014, ² U+00B2), so no CP932 copy of them
can exist; the other three are tested in CP932 as well."""


def _records(sheet: ParsedSheet) -> tuple:
    tables = (sheet.observations, sheet.measures, sheet.evaluations, sheet.activities, sheet.coverage)
    return (*(tuple(astuple(r) for r in rows) for rows in tables), tuple(sheet.quirks))


@cache
def _reference(file: str) -> tuple:
    source = SOURCES[file]
    return _records(parse_file(RAW / file, parser=source.parser, city=source.city))


def _parse_bytes(tmp_path: Path, source: Source, data: bytes) -> ParsedSheet:
    path = tmp_path / source.file
    path.write_bytes(data)
    return parse_file(path, parser=source.parser, city=source.city)


def _refusal(tmp_path: Path, source: Source, data: bytes) -> SheetError:
    with pytest.raises(SheetError) as caught:
        _parse_bytes(tmp_path, source, data)
    message = str(caught.value)
    assert message.startswith(f"{source.file}:") and "\n" not in message, message
    return caught.value


# ---------------------------------------------------------------- the same records, however the file is stored


def _variants(file: str) -> dict[str, bytes]:
    text = _text(file)
    variants = {
        "utf-8 with BOM": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf-8, CRLF": text.replace("\n", "\r\n").encode("utf-8"),
        "utf-8 with BOM, CRLF": codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
        "utf-8, CR": text.replace("\n", "\r").encode("utf-8"),
    }
    if file in CP932_FILES:
        variants["cp932"] = text.encode("cp932")
        variants["cp932, CRLF"] = text.replace("\n", "\r\n").encode("cp932")
    return variants


@pytest.mark.parametrize("file", FILES)
def test_every_encoding_and_line_ending_reads_to_the_same_records(tmp_path, file):
    source = SOURCES[file]
    for name, data in _variants(file).items():
        assert _records(_parse_bytes(tmp_path, source, data)) == _reference(file), f"{file} as {name}"


def test_three_of_the_sheets_are_tested_in_cp932():
    assert {SOURCES[f].city for f in CP932_FILES} == {"yamaguchi", "ichinoseki", "shiroi"}


def test_shift_jis_bytes_read_as_cp932():
    text = "白井市 進行管理シート 令和4年度\n"
    assert decode_sheet(text.encode("shift_jis"), "a.txt").text == text


def test_line_numbers_survive_crlf():
    sheet = decode_sheet("一\r\n二\r\n\r\n三".encode(), "a.txt")
    assert sheet.lines == ["一", "二", "", "三"] and sheet.line_ending == "CRLF"


# ---------------------------------------------------------------- refused, with the file and the line


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-16", "UTF-16"), ("utf-16-le", "NUL"), ("euc_jp", "not UTF-8 or CP932"), ("utf-32", "UTF-16/UTF-32")],
)
def test_other_encodings_are_refused(tmp_path, encoding, expected):
    source = SOURCES["shiroi_fy2022_progress_sheet.txt"]
    error = _refusal(tmp_path, source, _text(source.file).encode(encoding, errors="replace"))
    assert expected in str(error)


def test_latin1_is_refused_at_its_line(tmp_path):
    source = SOURCES["shiroi_fy2022_progress_sheet.txt"]
    data = b"\n\nNo.\tcaf\xe9\n"
    error = _refusal(tmp_path, source, data)
    assert error.line == 3 and "0xe9" in str(error)


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n"])
def test_empty_files_are_refused(tmp_path, data):
    source = SOURCES["yamaguchi_fy2021_implementation_report.txt"]
    assert "empty" in str(_refusal(tmp_path, source, data))


def test_binary_content_is_refused_at_its_line(tmp_path):
    source = SOURCES["yamaguchi_fy2021_implementation_report.txt"]
    data = _text(source.file).encode("utf-8")
    lines = data.split(b"\n")
    lines[41] = lines[41] + b"\x1b[0m"
    error = _refusal(tmp_path, source, b"\n".join(lines))
    assert error.line == 42 and "U+001B" in str(error)


def _middle_table_line(file: str) -> int:
    """A 1-based line in the middle of the file that is a table row with at least four cells."""
    lines = read_sheet_text(RAW / file).split("\n")
    rows = [n for n, line in enumerate(lines, start=1) if line.count("\t") >= 3]
    return rows[len(rows) // 2]


TABULAR = [f for f in FILES if SOURCES[f].parser != "yamagata_overview"]
"""The overview is slides of prose; the other four documents are tables."""


@pytest.mark.parametrize("file", TABULAR)
def test_a_file_cut_inside_a_table_row_is_refused_at_that_line(tmp_path, file):
    lines = read_sheet_text(RAW / file).split("\n")
    cut = _middle_table_line(file)
    cells = lines[cut - 1].split("\t")
    truncated = "\n".join([*lines[: cut - 1], "\t".join(cells[: len(cells) // 2])])
    error = _refusal(tmp_path, SOURCES[file], truncated.encode("utf-8"))
    assert error.line == cut and "truncated" in str(error)


@pytest.mark.parametrize("file", FILES)
def test_a_file_cut_inside_a_character_is_refused(tmp_path, file):
    data = (RAW / file).read_bytes()
    middle = len(data) // 2
    while data[middle] < 0xC0:  # move to the lead byte of a multi-byte character
        middle += 1
    error = _refusal(tmp_path, SOURCES[file], data[: middle + 1])
    assert "inside a character" in str(error) and error.line == data[:middle].count(b"\n") + 1


def test_a_file_cut_inside_an_html_tag_is_refused(tmp_path):
    file = "yamagata_fy2022_progress_sheet.txt"
    text = _text(file)
    cut = text.index('<ul style="list-style-type', len(text) // 2) + 10
    error = _refusal(tmp_path, SOURCES[file], text[:cut].encode("utf-8"))
    assert "HTML tag" in str(error) and error.line == text[:cut].count("\n") + 1


def test_the_committed_sheets_are_complete():
    for file in FILES:
        check_complete(read_sheet_text(RAW / file).split("\n"), file)


@pytest.mark.parametrize("file", FILES)
def test_every_other_parser_refuses_the_sheet_at_line_one(file):
    for parser in PARSER_NAMES:
        if parser == SOURCES[file].parser:
            continue
        with pytest.raises(SheetError) as caught:
            parse_file(RAW / file, parser=parser, city=SOURCES[file].city)
        assert str(caught.value).startswith(f"{file}:1: the {parser} parser does not recognise this document")


def test_a_file_cut_before_its_tables_is_refused_as_unrecognised(tmp_path):
    file = "shiroi_fy2022_progress_sheet.txt"
    head = "\n".join(_text(file).split("\n")[:12])
    assert "does not recognise" in str(_refusal(tmp_path, SOURCES[file], head.encode("utf-8")))


def test_every_landmark_stands_on_its_example_line():
    for parser, landmarks in load_landmarks().items():
        assert landmarks, f"{parser} has no landmark"
        for landmark in landmarks:
            file, line = landmark.example.split(":")
            assert SOURCES[file].parser == parser
            assert landmark.pattern.search(key(read_sheet_text(RAW / file).split("\n")[int(line) - 1]))


def test_an_unreadable_path_is_one_line(tmp_path):
    source = SOURCES["shiroi_fy2022_progress_sheet.txt"]
    (tmp_path / source.file).mkdir()
    with pytest.raises(SheetError) as caught:
        parse_file(tmp_path / source.file, parser=source.parser, city=source.city)
    assert str(caught.value).startswith(f"{source.file}:1: cannot be read")


def test_a_cp932_file_whose_only_kanji_ends_it_is_not_taken_for_a_cut_utf8_file():
    assert decode_sheet("No.\t取組\n相".encode("cp932"), "a.txt").encoding == "cp932"


# ---------------------------------------------------------------- rows cut short inside a table


@pytest.mark.parametrize("file", FILES)
def test_every_committed_sheet_keeps_its_tables_widths(file):
    from helpers.sources.raw_text import check_rows

    check_rows(_text(file).split("\n"), file)


def _table_rows(lines: list[str], n: int) -> int:
    """How many rows the table around line index ``n`` has (consecutive lines holding tabs)."""
    first, last = n, n
    while first > 0 and "\t" in lines[first - 1]:
        first -= 1
    while last + 1 < len(lines) and "\t" in lines[last + 1]:
        last += 1
    return last - first + 1


@pytest.mark.parametrize("file", [f for f in FILES if "\t" in _text(f)])
def test_a_row_cut_short_anywhere_in_a_table_is_refused_naming_its_line(file):
    """Every fifth table row of every sheet, cut to half its cells, in turn (the rest of the sheet intact)."""
    from helpers.sources.raw_text import check_rows

    lines = _text(file).split("\n")
    rows = [n for n, line in enumerate(lines) if "\t" in line and line.count("\t") >= 3]
    for n in rows[::5]:
        cells = lines[n].split("\t")
        cut = [*lines[:n], "\t".join(cells[: len(cells) // 2]), *lines[n + 1 :]]
        if _table_rows(lines, n) < 3:
            continue  # two rows of a table have no width the others share, so neither can be held to it
        with pytest.raises(SheetError) as caught:
            check_rows(cut, file)
        assert caught.value.line == n + 1 and f"{len(cells) // 2} of the table's" in str(caught.value)


def test_a_header_with_one_trailing_empty_cell_is_not_a_cut_row():
    """yamaguchi_fy2021_implementation_report.txt:7: the table of contents' header has a sixth, empty cell."""
    from helpers.sources.raw_text import check_rows

    lines = _text("yamaguchi_fy2021_implementation_report.txt").split("\n")
    assert lines[6].count("\t") == 5 and lines[7].count("\t") == 4 and lines[6].endswith("\t")
    check_rows(lines[5:18], "yamaguchi_fy2021_implementation_report.txt")

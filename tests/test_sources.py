"""The manifest: columns, closed vocabularies, checksums, and one-line errors naming the file."""

import codecs
import shutil
from pathlib import Path

import pytest
from support.raw_copy import copy_raw

from helpers import CITIES
from helpers.core.errors import PipelineError
from helpers.sheets import PARSER_NAMES
from helpers.sources.manifest import COLUMNS, read_manifest, sha256_of, verify_checksums

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def test_manifest_lists_the_five_documents_with_valid_vocabularies():
    sources = read_manifest(RAW)
    assert len(sources) == 5
    assert {s.city for s in sources} == set(CITIES)
    assert {s.parser for s in sources} == set(PARSER_NAMES)
    assert COLUMNS == ("file", "city", "city_ja", "parser", "title", "fiscal_years", "sha256")


def test_committed_raw_files_match_their_checksums():
    verify_checksums(RAW, read_manifest(RAW))


def test_raw_files_are_the_seed_documents_byte_for_byte():
    seeds = RAW.parents[2] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared seeds not beside the checkout")
    seed_hashes = {sha256_of(p) for p in seeds.glob("*.txt")}
    assert {s.sha256 for s in read_manifest(RAW)} == seed_hashes


def test_checksum_mismatch_names_the_file(tmp_path):
    raw = copy_raw(tmp_path, with_reference=False)
    target = raw / "shiroi_fy2022_progress_sheet.txt"
    target.write_bytes(target.read_bytes() + b"\n")
    with pytest.raises(PipelineError) as err:
        verify_checksums(raw, read_manifest(raw))
    message = str(err.value)
    assert "shiroi_fy2022_progress_sheet.txt" in message and "sha256" in message and "\n" not in message


def test_unknown_parser_names_the_manifest_line(tmp_path):
    raw = copy_raw(tmp_path, with_reference=False)
    manifest = raw / "sources.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("shiroi_sheet", "shiroi_pdf"), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"sources.csv:3: unknown parser 'shiroi_pdf'"):
        read_manifest(raw)


def test_reference_files_match_their_checksums_and_a_change_is_caught(tmp_path):
    from helpers.sources.manifest import verify_reference

    assert verify_reference(RAW) == 1
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    population = raw / "reference" / "population.csv"
    population.chmod(0o644)
    population.write_text(population.read_text(encoding="utf-8").replace("62441", "62442"), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"population.csv: sha256 does not match"):
        verify_reference(raw)


# ---------------------------------------------------------------- whose document: the city it names itself by


def _lines(file: str) -> list[str]:
    from helpers.sources.raw_text import read_sheet_text

    return read_sheet_text(RAW / file).split("\n")


@pytest.mark.parametrize("source", read_manifest(RAW), ids=lambda s: s.file)
def test_every_document_names_its_own_city_and_no_other(source):
    from helpers.sources.document_city import check_document_city, document_cities

    lines = _lines(source.file)
    assert [e.city for e in document_cities(lines)] == [source.city]
    check_document_city(lines, source.city, source.file, "sources.csv:2")
    for other in set(CITIES) - {source.city}:
        with pytest.raises(PipelineError, match=rf"^{source.file}:\d+: this is .+'s document .* not .+'s as --city"):
            check_document_city(lines, other, source.file, "--city")


def test_the_city_evidence_is_the_first_line_that_names_it():
    from helpers.sources.document_city import document_cities

    (shiroi,) = document_cities(_lines("shiroi_fy2022_progress_sheet.txt"))
    assert (shiroi.line, shiroi.lines) == (3, 1) and "白井市第2次地域福祉計画" in shiroi.text
    (yamagata,) = document_cities(_lines("yamagata_fy2022_progress_sheet.txt"))
    assert yamagata.line == 76 and "山形市社協" in yamagata.text  # the sheet has no title line


def test_a_document_naming_no_city_is_refused_and_a_quoted_other_city_does_not_outvote():
    from helpers.sources.document_city import check_document_city

    with pytest.raises(PipelineError, match=r"^x.txt:1: no line names the document's city"):
        check_document_city(["年度\t実績値", "2\t15"], "shiroi", "x.txt", "--city")
    # one line quoting 山形市's council beside 白井市's one title line is a tie, refused; with two title lines it is not
    lines = _lines("shiroi_fy2022_progress_sheet.txt")
    quoted = "（参考）山形市社会福祉協議会の取組"
    with pytest.raises(PipelineError, match="names 白井市 and 山形市 equally often"):
        check_document_city([*lines, quoted], "shiroi", "s.txt", "--city")
    check_document_city([*lines, lines[2], quoted], "shiroi", "s.txt", "--city")


def test_the_document_title_is_its_first_title_line():
    from helpers.sources.document_city import document_title

    assert (
        document_title(_lines("ichinoseki_fy2023_council_papers.txt")) == "令和5年度 第1回 一関市地域福祉計画推進会議"
    )
    assert document_title(_lines("yamaguchi_fy2021_implementation_report.txt")).startswith("山口市地域福祉計画・")
    assert document_title(_lines("yamagata_fy2022_progress_sheet.txt")) == ""


# ---------------------------------------------------------------- the manifest as people save it


def _manifest_bytes() -> bytes:
    return (RAW / "sources.csv").read_bytes()


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("cp932"),
    ],
    ids=["utf-8 BOM", "CRLF", "BOM CRLF", "CP932 CRLF"],
)
def test_a_manifest_saved_by_a_spreadsheet_reads_the_same(tmp_path, encode):
    raw = copy_raw(tmp_path, with_reference=False)
    (raw / "sources.csv").write_bytes(encode(_manifest_bytes().decode("utf-8")))
    assert read_manifest(raw) == read_manifest(RAW)


def _manifest_error(tmp_path: Path, text: str) -> str:
    raw = copy_raw(tmp_path, with_reference=False)
    (raw / "sources.csv").write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        read_manifest(raw)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_row_missing_its_last_field_names_the_line_and_the_field(tmp_path):
    lines = _manifest_bytes().decode("utf-8").split("\n")
    lines[3] = lines[3].rsplit(",", 1)[0]
    message = _manifest_error(tmp_path, "\n".join(lines))
    assert "sources.csv:4: 6 fields where 7 are needed (missing: sha256)" in message


def test_a_duplicated_row_names_the_file_and_both_lines(tmp_path):
    lines = _manifest_bytes().decode("utf-8").rstrip("\n").split("\n")
    message = _manifest_error(tmp_path, "\n".join([*lines, lines[2]]) + "\n")
    assert message.endswith(
        "sources.csv:7: shiroi_fy2022_progress_sheet.txt is listed twice (lines 3 and 7); delete one of the rows"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (",2020-2022,b72a", ",23,b72a", "sources.csv:3: fiscal years must be YYYY or YYYY-YYYY"),
        (",2020-2022,b72a", ",2022-2020,b72a", "sources.csv:3: fiscal years must run forwards (2020-2022)"),
        (",2020-2022,b72a", ",,b72a", "sources.csv:3: the fiscal_years field is empty"),
        (",白井市,shiroi_sheet", ",山形市,shiroi_sheet", "sources.csv:3: city_ja of shiroi is 白井市"),
        (",b72a6943", ",b72a", "sources.csv:3: sha256 must be 64 hex digits"),
    ],
)
def test_a_bad_field_names_the_line_and_what_it_must_be(tmp_path, old, new, expected):
    text = _manifest_bytes().decode("utf-8")
    assert old in text
    assert expected in _manifest_error(tmp_path, text.replace(old, new))


def test_a_manifest_in_an_unreadable_encoding_is_one_line(tmp_path):
    raw = copy_raw(tmp_path, with_reference=False)
    (raw / "sources.csv").write_bytes(codecs.BOM_UTF16_LE + _manifest_bytes().decode("utf-8").encode("utf-16-le"))
    with pytest.raises(PipelineError, match=r"sources.csv:1: UTF-16/UTF-32 text is not read; save the file as UTF-8"):
        read_manifest(raw)


def test_year_spans():
    from helpers.sources.manifest import parse_fiscal_years

    assert parse_fiscal_years("2017-2023") == (2017, 2023)
    for bad in ("23", "2023-2021", "2021-2022-2023", "２０２３", "2021-", ""):
        with pytest.raises(ValueError):
            parse_fiscal_years(bad)

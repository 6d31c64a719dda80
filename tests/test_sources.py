"""The manifest: columns, closed vocabularies, checksums, and one-line errors naming the file."""

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

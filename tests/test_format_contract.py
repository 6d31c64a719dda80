"""A new city with a made-up sheet format, added only through the registries and the parser contract
(``src/helpers/sheets/CONTRACT.md``), runs from ``add-source`` through the tables, both analyses and the report.

The package is copied into a scratch folder and given, and only given: a row in ``cities.csv``, a row in
``sheet_formats.csv``, a landmark row, a row saying how its documents name the city, the parser module and the
city's population row. Nothing else is edited.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "made_up_format"
SHEET = "kaku_fy2022_progress_table.txt"

REGISTRY_ROWS = {
    "cities.csv": "kaku,架空市,架空県,99,架空市,population.csv\n",
    "sheet_formats.csv": "kaku_table,helpers.sheets.kaku_table,架空市 進捗表: one row per measure and year\n",
    "document_cities.csv": f"kaku,^架空市地域福祉計画,yes,the title 架空市地域福祉計画…,{SHEET}:1\n",
    "sheet_landmarks.csv": (
        "kaku_table,table_header,^取組指標年度実績値実施状況$,"
        f'"the table header 取組 / 指標 / 年度 / 実績値 / 実施状況",{SHEET}:3\n'
    ),
}
POPULATION_ROW = "kaku,架空市,10000,2020-10-01,made-up city for the format-contract test\n"


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _scratch_project(tmp: Path) -> Path:
    """The package and notebooks copied, with the new city and format registered as data."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", tmp / "src", ignore=ignore)
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks", ignore=ignore)
    shutil.copytree(ROOT / "data" / "validation", tmp / "data" / "validation")
    lexicons = tmp / "src" / "helpers" / "lexicons"
    for name, row in REGISTRY_ROWS.items():
        _append(lexicons / name, row)
    shutil.copy(FIXTURE / "kaku_table.py", tmp / "src" / "helpers" / "sheets" / "kaku_table.py")
    reference = tmp / "data" / "raw" / "reference"
    reference.mkdir(parents=True)
    population = (ROOT / "data" / "raw" / "reference" / "population.csv").read_text(encoding="utf-8")
    (reference / "population.csv").write_text(population + POPULATION_ROW, encoding="utf-8")
    digest = hashlib.sha256((reference / "population.csv").read_bytes()).hexdigest()
    (reference / "SHA256SUMS").write_text(f"{digest}  population.csv\n", encoding="utf-8")
    (tmp / "data" / "raw" / "sources.csv").write_text(
        (ROOT / "data" / "raw" / "sources.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8"
    )
    return tmp


def _pipeline(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    command = [sys.executable, "-m", "helpers.pipeline", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=project, env=env, check=False)


def test_a_made_up_format_runs_through_the_contract_end_to_end(tmp_path):
    project = _scratch_project(tmp_path)
    raw = project / "data" / "raw"
    added = _pipeline(
        project,
        "add-source",
        str(FIXTURE / SHEET),
        "--raw-dir",
        str(raw),
        "--city",
        "kaku",
        "--parser",
        "kaku_table",
        "--title",
        "架空市地域福祉計画 進捗表(令和4年度)",
    )
    assert added.returncode == 0, added.stderr
    processed, reports = project / "data" / "processed", project / "reports"
    result = _pipeline(
        project,
        "run",
        "--raw-dir",
        str(raw),
        "--processed-dir",
        str(processed),
        "--reports-dir",
        str(reports),
        "--jobs",
        "1",
    )
    assert result.returncode == 0, result.stderr

    indicators = pd.read_csv(processed / "indicators.csv", dtype=str)
    assert set(indicators["city"]) == {"kaku"}
    assert len(indicators) == 10
    visits = indicators[indicators["indicator"] == "訪問件数"].sort_values("fiscal_year")
    assert visits["value_raw"].tolist() == ["120件", "80件", "130件"]
    assert visits["source_line"].tolist() == ["4", "5", "6"]
    assert "架空市" in (reports / "index.html").read_text(encoding="utf-8")
    assert (reports / "tables.xlsx").is_file()

"""The report's grade sentence counts each 白井市 measure once, though a ※再掲 listing prints its grade again."""

from pathlib import Path

from helpers.tables.schema import EVALUATIONS
from helpers.tables.store import read_table
from helpers.views.report import grade_sentence

PROCESSED = Path(__file__).resolve().parents[1] / "data" / "processed"


def test_grades_are_counted_once_per_measure():
    evaluations = read_table(PROCESSED, EVALUATIONS)
    year = evaluations[(evaluations["fiscal_year"] == 2022) & (evaluations["grade"] != "")]
    assert len(year) > year["measure_id"].nunique()  # ※再掲 listings (e.g. No.1 at line 73) print their grade again
    sentence = grade_sentence(evaluations, "shiroi", 2022)
    counted = sum(
        int(part.split("が")[1].rstrip("件")) for part in sentence.split("は、")[1].removesuffix("です。").split("、")
    )
    assert counted == year["measure_id"].nunique() == 48

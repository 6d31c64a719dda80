"""What every part of the report is built from: the tables, the documents and what they state about themselves,
the report year, and the links from a value to the raw line it was read from."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from helpers import CITIES
from helpers.core.errors import PipelineError
from helpers.core.fiscal_years import era_label
from helpers.sources.manifest import CITY_JA, Source
from helpers.views.labels import crosswalk
from helpers.views.raw_pages import line_href
from helpers.views.report_html import (
    figure,
    join,
    link,
)

DOCUMENT_FACTS_CSV = Path(__file__).resolve().parents[1] / "lexicons" / "document_facts.csv"
"""What each raw document states about itself (date, author, pages), with the line it stands on."""


NOTEBOOKS = "notebooks"
"""Folder of the executed notebooks' pages inside the reports directory."""


REPORT_TITLE = "地域福祉計画の進行管理 4市の比較"


def year_label(fiscal_year: int) -> str:
    """``令和4年度(2022年度)`` — the era name staff use, with the Gregorian year.

    >>> year_label(2022)
    '令和4年度(2022年度)'
    """
    return f"{era_label(fiscal_year)}({fiscal_year}年度)"


def join_ja(items: Sequence[str]) -> str:
    """Join names the Japanese way (、) ; an empty list reads なし.

    >>> join_ja(["山形市", "白井市"]), join_ja([])
    ('山形市、白井市', 'なし')
    """
    return "、".join(items) if items else "なし"


def cities_phrase(cities: Sequence[str], every: Sequence[str]) -> str:
    """Name the cities, unless they are all of them (a list of every city distinguishes nothing).

    >>> cities_phrase(["shiroi"], ["yamagata", "shiroi"]), cities_phrase(["yamagata", "shiroi"], ["yamagata", "shiroi"])
    ('白井市', '2市すべて')
    """
    if len(every) > 1 and set(cities) == set(every):
        return f"{len(every)}市すべて"
    return join_ja([CITY_JA[c] for c in every if c in set(cities)])


def city_anchor(city: str, part: str = "") -> str:
    """The anchor of a city's section (and of a part of it).

    >>> city_anchor("shiroi"), city_anchor("shiroi", "covid")
    ('city-shiroi', 'city-shiroi-covid')
    """
    return f"city-{city}" + (f"-{part}" if part else "")


@dataclass(frozen=True)
class DocumentFact:
    """One thing a document states about itself (``date``, ``author`` or ``pages``), as written, with its line."""

    file: str
    fact: str
    label_ja: str
    text: str
    line: int


def read_document_facts(path: Path = DOCUMENT_FACTS_CSV) -> list[DocumentFact]:
    """The reviewed list of what the documents state about themselves."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            DocumentFact(r["file"], r["fact"], r["label_ja"], r["text"], int(r["line"])) for r in csv.DictReader(handle)
        ]


@dataclass
class ReportContext:
    """Everything the report is built from: the tables, the manifest, the report year, the COVID window and
    thresholds (the defaults of ``TrajectoryParams``, passed by the pipeline)."""

    tables: dict[str, pd.DataFrame]
    sources: list[Source]
    fiscal_year: int
    window: tuple[int, int]
    figures_dir: Path
    drop_threshold: float = 0.8
    recovery_share: float = 0.8
    min_change: float = 2.0
    facts: list[DocumentFact] = field(default_factory=read_document_facts)

    def __post_init__(self) -> None:
        order = sorted(self.sources, key=lambda s: (CITIES.index(s.city), s.file))
        self.sources = order
        self._numbers = {s.file: n for n, s in enumerate(order, start=1)}
        self._figures = 0
        self._lines = _value_lines(self.tables["indicators"])

    @property
    def cities(self) -> list[str]:
        """The cities the manifest lists, in the registry's order."""
        return [c for c in CITIES if any(s.city == c for s in self.sources)]

    def doc_label(self, source_file: str) -> str:
        """A document's short name in the report: 資料1, 資料2 … in the order of the sources table."""
        return f"資料{self._numbers[source_file]}" if source_file in self._numbers else source_file

    def cite(self, label: object, source_file: str, line: object, css: str = "v") -> Markup:
        """``label`` linked to its raw line; the printed page shows the document and line after it."""
        if not source_file or pd.isna(line):
            return join([label])
        return link(label, line_href(source_file, int(line)), css, f"{self.doc_label(source_file)}・{int(line)}行")

    def value_line(
        self, city: str, measure_id: str, indicator: str, year: object, kind: str = "actual"
    ) -> tuple[str, int, str, str] | None:
        """Where a value of the analysis tables was read: (file, line, unit, raw token) from indicators.csv."""
        if pd.isna(year):
            return None
        return self._lines.get((city, measure_id, indicator, int(year), kind))

    def figure(self, name: str, caption: str, reading: Sequence[object]) -> Markup:
        """A saved figure with its number, caption and reading; a missing figure stops the build."""
        path = self.figures_dir / f"{name}.png"
        if not path.is_file():
            raise PipelineError(f"{path}: figure missing (run the analysis notebooks first)")
        self._figures += 1
        return figure(path, self._figures, caption, reading)


def _value_lines(indicators: pd.DataFrame) -> dict[tuple[str, str, str, int, str], tuple[str, int, str, str]]:
    """(city, measure, indicator, year, kind) → (file, line, unit, raw token) of each value in indicators.csv."""
    rows = indicators[indicators["value"].notna()]
    return {
        (r.city, r.measure_id, r.indicator, int(r.fiscal_year), r.value_kind): (
            r.source_file,
            int(r.source_line),
            "" if pd.isna(r.unit) else str(r.unit),
            "" if pd.isna(r.value_raw) else str(r.value_raw),
        )
        for r in rows.itertuples(index=False)
    }


@dataclass(frozen=True)
class Section:
    """One numbered part of the page: its anchor, heading, body, and the sub-headings the contents list shows."""

    anchor: str
    title: str
    body: Markup
    children: tuple[tuple[str, str], ...] = ()
    css: str = ""


def label_order(field_name: str) -> list[str]:
    """The codes of one field in the crosswalk's order."""
    return list(crosswalk().get(field_name, {}))

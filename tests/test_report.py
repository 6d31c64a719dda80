"""The staff report and workbook, built from the committed tables: plain Japanese, every value and quote linked to
the raw line it was read from (and that line really holds it), sections and anchors that resolve, a workbook in
Japanese with filters, and the same bytes on every run."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from helpers.analysis.covid_trajectories import STALLED_STATUSES, TrajectoryParams
from helpers.sources.manifest import read_manifest
from helpers.sources.raw_text import read_sheet
from helpers.tables.schema import ANALYSIS_TABLES, CLEAN_TABLES, COVID_EFFECTS, COVID_STATUSES, HUB_SUBTYPES
from helpers.tables.store import read_table
from helpers.views import report, report_covid
from helpers.views.labels import crosswalk, frame_ja, label_ja
from helpers.views.raw_pages import RawDocument, line_href, render_raw_page

ROOT = Path(__file__).resolve().parents[1]
RAW, PROCESSED, REPORTS = ROOT / "data" / "raw", ROOT / "data" / "processed", ROOT / "reports"
SHIROI = "shiroi_fy2022_progress_sheet.txt"


@pytest.fixture(scope="module")
def context() -> report.ReportContext:
    tables = {t.name: read_table(PROCESSED, t) for t in (*CLEAN_TABLES, *ANALYSIS_TABLES)}
    params = TrajectoryParams()
    window = (params.window_start, params.window_end)
    return report.ReportContext(
        tables, read_manifest(RAW), 2022, window, REPORTS / "figures", params.drop_threshold, params.recovery_share
    )


@pytest.fixture(scope="module")
def page(context) -> str:
    return report.render_report(context)


@pytest.fixture(scope="module")
def raw_lines() -> dict[str, list[str]]:
    return {s.file: read_sheet(RAW / s.file).lines for s in read_manifest(RAW)}


class Links(HTMLParser):
    """Every link (class, href, text) and every id of a page; the text outside links and tables, per block."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.prose: list[str] = []
        self._link: list[str] | None = None
        self._attrs: dict[str, str] = {}
        self._depth = {"table": 0, "a": 0}
        self._block: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if "id" in named:
            self.ids.add(named["id"])
        if tag == "a":
            self._link, self._attrs = [], named
        if tag == "table":
            self._depth["table"] += 1
        if tag in ("p", "li", "dd"):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._attrs.get("class", ""), self._attrs.get("href", ""), "".join(self._link)))
            self._link = None
        if tag == "table":
            self._depth["table"] -= 1
        if tag in ("p", "li", "dd"):
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)
            if "q" in self._attrs.get("class", "").split():
                return
        if not self._depth["table"]:
            self._block.append(data)

    def _flush(self) -> None:
        text = "".join(self._block).strip()
        if text:
            self.prose.append(text)
        self._block = []


@pytest.fixture(scope="module")
def parsed(page) -> Links:
    links = Links()
    links.feed(page)
    return links


def _nfkc(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- the crosswalk and the schema's Japanese titles -----------------------------------------------------------------


def test_every_status_effect_and_category_has_a_japanese_label():
    for field, codes in (("status", COVID_STATUSES), ("effect", COVID_EFFECTS), ("subtype", HUB_SUBTYPES)):
        assert set(codes) <= set(crosswalk()[field]), field
        assert all(re.search(r"[぀-ヿ一-鿿]", label_ja(field, c)) for c in codes), field
    assert label_ja("value_kind", "actual") == "実績" and label_ja("city", "ichinoseki") == "一関市"
    assert label_ja("status", "an_unknown_code") == "an_unknown_code"  # shown as stored, never dropped


def test_sheet_names_and_headers_are_japanese_unique_and_fit_excel():
    tables = [*CLEAN_TABLES, *ANALYSIS_TABLES]
    names = [t.title_ja for t in tables]
    assert len(set(names)) == len(names)
    for table in tables:
        assert len(table.title_ja) <= 31 and not re.search(r"[\[\]:*?/\\]", table.title_ja), table.name
        headers = [f.title_ja for f in table.fields]
        assert len(set(headers)) == len(headers), table.name
        assert not [h for h in headers if re.fullmatch(r"[a-z_]+", h)], table.name


def test_frame_ja_translates_codes_and_headers_on_real_rows(context):
    table = next(t for t in ANALYSIS_TABLES if t.name == "covid_trajectories")
    shown = frame_ja(context.tables["covid_trajectories"], table)
    assert "判定" in shown.columns and "status" not in shown.columns
    assert set(shown["判定"]) <= {label_ja("status", s) for s in COVID_STATUSES}
    assert set(shown["市"]) <= {"山形市", "山口市", "一関市", "白井市"}


# --- what the documents state about themselves ----------------------------------------------------------------------


def test_document_facts_stand_on_the_lines_they_cite(raw_lines):
    facts = report.read_document_facts()
    assert facts, "the documents state at least a date or an author"
    for fact in facts:
        assert fact.fact in ("date", "author", "pages")
        assert _nfkc(fact.text) in _nfkc(raw_lines[fact.file][fact.line - 1]), fact


# --- raw-sheet pages ------------------------------------------------------------------------------------------------


def test_raw_page_has_one_anchor_per_line_and_shows_markup_as_text(raw_lines):
    lines = raw_lines[SHIROI]
    page = render_raw_page(RawDocument(SHIROI, "白井市", "進行管理シート", lines))
    assert len(re.findall(r'<div class="ln" id="L\d+"', page)) == len(lines)
    # 白井市's sheet holds the progress checkbox as HTML (<input type="checkbox" …>): shown, not rendered
    checkbox = next(n for n, line in enumerate(lines, start=1) if "<input" in line)
    row = re.search(rf'id="L{checkbox}".*?</div>', page).group(0)
    assert "&lt;input" in row and "<input" not in row


def test_raw_page_escapes_a_hostile_line():
    page = render_raw_page(RawDocument("x.txt", "白井市", "t", ["<script>alert(1)</script>\t<img src=x onerror=y>"]))
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


# --- the report: links to raw lines ---------------------------------------------------------------------------------


def _line_links(parsed: Links, css: str) -> list[tuple[str, int, str]]:
    found = []
    for cls, href, label in parsed.links:
        match = re.fullmatch(r"raw/(.+)\.html#L(\d+)", href)
        if match and css in cls.split():
            found.append((f"{match.group(1)}.txt", int(match.group(2)), label))
    return found


def test_every_linked_value_stands_on_its_raw_line(parsed, raw_lines, context):
    values = _line_links(parsed, "v")
    stalled = context.tables["covid_trajectories"]
    stalled = stalled[stalled["status"].isin(STALLED_STATUSES)]
    assert len(values) >= int(stalled["latest_value"].notna().sum()) > 10  # every latest value is linked
    for file, line, label in values:
        number = re.match(r"[\d,.]+", label)
        if number is None:  # a date or an author the document states
            assert _nfkc(label) in _nfkc(raw_lines[file][line - 1]), (file, line, label)
            continue
        digits = number.group(0).replace(",", "")
        assert digits in _nfkc(raw_lines[file][line - 1]).replace(",", ""), (file, line, label)


def test_every_linked_quote_stands_on_its_raw_line(parsed, raw_lines):
    quotes = _line_links(parsed, "q")
    assert len(quotes) > 30
    for file, line, label in quotes:
        first = label.split("／")[0]
        assert _nfkc(first)[:20] in _nfkc(raw_lines[file][line - 1]), (file, line, label)


def test_every_anchor_in_the_report_resolves(parsed, raw_lines):
    for _, href, label in parsed.links:
        if href.startswith("#"):
            assert href[1:] in parsed.ids, (href, label)
        elif href.startswith("raw/"):
            file, _, anchor = href.partition("#")
            source = Path(file).stem + ".txt"
            assert source in raw_lines, href
            if anchor:
                assert 1 <= int(anchor[1:]) <= len(raw_lines[source]), href


def test_line_href():
    assert line_href(SHIROI, 7) == "raw/shiroi_fy2022_progress_sheet.html#L7"


# --- the report: plain Japanese, numbers from the tables ------------------------------------------------------------


def test_prose_is_polite_form_and_free_of_jargon(parsed):
    prose = parsed.prose
    body = prose[: next(i for i, p in enumerate(prose) if p.startswith("研究などで使う方"))]
    for block in body:
        assert "系列" not in block and "SHA-256" not in block and "data/raw" not in block, block
        for sentence in filter(None, (s.strip() for s in re.split(r"(?<=。)", block))):
            if sentence.endswith("。"):
                assert re.search(r"(です|ます|でした|ました|ません|ください)[)」]?。$", sentence), sentence


def test_stall_counts_in_the_text_match_the_table(context, page):
    trajectories = context.tables["covid_trajectories"]
    for city in context.cities:
        rows = trajectories[(trajectories["city"] == city) & trajectories["status"].isin(STALLED_STATUSES)]
        recovered = int((rows["status"] == "stalled_recovered").sum())
        if len(rows):
            assert f"停滞した取組が{len(rows)}件で、" in page, city
            if recovered:
                assert f"そのうち回復が確認できたものが{recovered}件" in page, city
    listed = report_covid.stall_list_frame(context)
    assert len(listed) == int(trajectories["status"].isin(STALLED_STATUSES).sum())


def test_stall_table_shows_before_and_after_with_their_years(context):
    rows = report_covid.stalled_rows(context.tables["covid_trajectories"], "shiroi")
    row = rows[rows["reference_value"].notna() & rows["latest_value"].notna()].iloc[0]
    cell = str(report_covid.movement(context, row))
    assert f"({int(row['reference_year'])}年度)" in cell and f"({int(row['latest_year'])}年度)" in cell
    same = row["reference_year"] == row["latest_year"] and row["reference_value"] == row["latest_value"]
    assert cell.count('href="raw/') == (1 if same else 2)  # an activity's own latest level is its reference


def test_each_figure_is_numbered_once_with_a_reading(page):
    numbers = re.findall(r'<figure id="fig(\d+)"', page)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) >= 6
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page)
    assert len(set(captions)) == len(captions)
    assert page.count('<p class="reading">') == len(numbers)


def test_sources_name_city_title_and_only_what_documents_state(page, parsed):
    assert "令和5年8月29日(火)" in page and "山形市福祉推進部生活福祉課" in page
    assert "ページ数は、どの資料にも書かれていないため示していません。" in page
    appendix = page[page.index('id="appendix"') :]
    assert "SHA-256" in appendix and "SHA-256" not in page[: page.index('id="appendix"')].split("</nav>")[1]


def test_methods_link_to_the_executed_notebooks(parsed):
    notebooks = [href for _, href, _ in parsed.links if href.startswith("notebooks/")]
    assert "notebooks/02_covid_stall_recovery.html" in notebooks and len(notebooks) >= 6


# --- the workbook ---------------------------------------------------------------------------------------------------


def test_workbook_is_japanese_filterable_and_byte_stable(context, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    report.write_tables_workbook(first, context)
    report.write_tables_workbook(second, context)
    assert first.read_bytes() == second.read_bytes()
    book = load_workbook(first)
    assert book.sheetnames[:2] == ["はじめに", "停滞と回復の一覧"]
    assert not [n for n in book.sheetnames if re.fullmatch(r"[a-z_0-9]+", n)]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref, sheet.title
    listed = book["停滞と回復の一覧"]
    assert [c.value for c in listed[1]][:4] == ["市", "取組", "活動・指標", "判定"]
    assert {c.value for c in listed["D"][1:]} <= {label_ja("status", s) for s in STALLED_STATUSES}
    indicators = book["指標の値"]
    header = [c.value for c in indicators[1]]
    assert header[0] == "市" and "値の種類" in header and "value_kind" not in header
    kinds = {r[header.index("値の種類")] for r in indicators.iter_rows(min_row=2, values_only=True)}
    assert kinds <= {"実績", "目標", "計画"}
    assert indicators.column_dimensions["B"].width > 8


def test_workbook_keeps_a_leading_equals_sign_as_text(context, tmp_path):
    tables = dict(context.tables)
    activities = tables["activities"].copy()
    activities.loc[activities.index[0], "text"] = '=HYPERLINK("http://x")'
    tables["activities"] = activities
    ctx = report.ReportContext(tables, context.sources, 2022, (2020, 2021), context.figures_dir)
    report.write_tables_workbook(tmp_path / "t.xlsx", ctx)
    sheet = load_workbook(tmp_path / "t.xlsx")["記述"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"


def test_workbook_readme_lists_every_sheet(context, tmp_path):
    report.write_tables_workbook(tmp_path / "t.xlsx", context)
    readme = pd.read_excel(tmp_path / "t.xlsx", sheet_name="はじめに", dtype=str)
    sheets = set(load_workbook(tmp_path / "t.xlsx").sheetnames) - {"はじめに"}
    assert sheets <= set(readme["シート"])


# --- the PDF --------------------------------------------------------------------------------------------------------


def test_pdf_is_skipped_with_one_line_where_chromium_is_missing(tmp_path, monkeypatch, capsys):
    from helpers.views import report_pdf

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    (tmp_path / "index.html").write_text("<p>報告書</p>", encoding="utf-8")
    assert report_pdf.main(["--reports-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("report.pdf skipped:") and "apt-get install chromium" in out[0]
    assert not (tmp_path / "report.pdf").exists()


def test_pdf_without_a_report_is_refused(tmp_path, capsys):
    from helpers.views import report_pdf

    assert report_pdf.main(["--reports-dir", str(tmp_path)]) == 1
    assert "no report to print" in capsys.readouterr().err

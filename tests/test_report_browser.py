"""The committed report read in headless Chromium at a desktop width and a phone width: nothing overflows sideways,
every image loads, every in-report and raw-line link resolves, no table cell is squeezed to a sliver, and the page
prints. Skipped, with the reason, on a machine without Chromium (``make chromium`` installs it)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers.views.report_pdf import find_chromium, missing_reason

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "index.html"
WIDTHS = (1280, 390)
MIN_CELL_PX = 40
"""A table cell narrower than this holds two or three characters per line: it reads as a column of letters."""

pytestmark = pytest.mark.skipif(bool(missing_reason()), reason=f"browser test skipped: {missing_reason()}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(find_chromium()), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser, request):
    page = browser.new_page(viewport={"width": request.param, "height": 900})
    page.goto(REPORT.as_uri(), wait_until="load")
    yield page
    page.close()


def test_nothing_overflows_sideways(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_every_image_loads(page):
    images = page.evaluate("[...document.images].map(i => [i.alt, i.complete && i.naturalWidth > 0])")
    assert len(images) >= 6
    assert [alt for alt, ok in images if not ok] == []


def test_no_table_cell_is_squeezed(page):
    """Cells shown on the page (a phone shows each row as a card, without the header row)."""
    narrow = page.evaluate(
        """min => [...document.querySelectorAll('td, th')].filter(c => c.getClientRects().length > 0)
              .map(c => [c.textContent.trim().slice(0, 20), c.getBoundingClientRect().width])
              .filter(([t, w]) => t && w < min)""",
        MIN_CELL_PX,
    )
    assert narrow == []


def test_in_report_links_resolve(page):
    missing = page.evaluate(
        """[...document.querySelectorAll('a[href^="#"]')]
              .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""
    )
    assert missing == []


def test_raw_line_and_notebook_links_resolve(browser, page):
    if page.viewport_size["width"] != WIDTHS[0]:
        pytest.skip("links are the same at every width")
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    local = sorted({h for h in hrefs if h.startswith("file:") and urlsplit(h).path != urlsplit(REPORT.as_uri()).path})
    anchors: dict[str, set[str]] = {}
    for href in local:
        parts = urlsplit(href)
        anchors.setdefault(parts.path, set()).add(parts.fragment)
    assert any("/raw/" in p for p in anchors) and any("/notebooks/" in p for p in anchors)
    other = browser.new_page()
    try:
        for path, fragments in anchors.items():
            assert Path(path).is_file(), path
            if "/raw/" not in path:
                continue
            other.goto(f"file://{path}", wait_until="domcontentloaded")
            found = other.evaluate("ids => ids.filter(id => !document.getElementById(id))", sorted(fragments - {""}))
            assert found == [], path
    finally:
        other.close()


def test_a_value_link_opens_its_line_highlighted(browser):
    page = browser.new_page(viewport={"width": WIDTHS[-1], "height": 900})
    try:
        page.goto(REPORT.as_uri(), wait_until="load")
        target = page.get_attribute("a.v[href^='raw/']", "href")
        page.click("a.v[href^='raw/']")
        page.wait_for_load_state("load")
        line = target.split("#L")[1]
        colour = page.evaluate("id => getComputedStyle(document.getElementById(id)).backgroundColor", f"L{line}")
        assert page.url.endswith(f"#L{line}") and colour not in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        page.close()


def test_the_report_prints(browser, tmp_path):
    page = browser.new_page()
    try:
        page.goto(REPORT.as_uri(), wait_until="load")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
    finally:
        page.close()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 5

"""``reports/report.pdf`` printed from ``index.html`` by headless Chromium (the Debian package, driven by
playwright), so the PDF is the page with its print styles. Without Chromium the PDF is skipped with one line."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
"""Where the Debian/Ubuntu packages install the browser; ``CHROMIUM`` in the environment overrides them."""
INSTALL_HINT = "apt-get install chromium fonts-noto-cjk"


def find_chromium() -> Path | None:
    """The Chromium executable to print with, or None when the machine has none."""
    wanted = os.environ.get("CHROMIUM", "")
    for candidate in [wanted] if wanted else [*CHROMIUM_CANDIDATES, shutil.which("chromium") or ""]:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def missing_reason() -> str:
    """Why a PDF cannot be printed here (empty when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (make install)"
    if find_chromium() is None:
        return f"Chromium was not found at {' or '.join(CHROMIUM_CANDIDATES)} (install it: {INSTALL_HINT})"
    return ""


def write_pdf(html: Path, pdf: Path, chromium: Path) -> None:
    """Print ``html`` to an A4 PDF with its print styles (page breaks, links written out)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(html.resolve().as_uri(), wait_until="load")
            tmp = pdf.with_name(f".{pdf.name}.partial")
            page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True)
            tmp.replace(pdf)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.views.report_pdf [--reports-dir DIR]``: write DIR/report.pdf, or say why it is skipped."""
    parser = argparse.ArgumentParser(prog="python -m helpers.views.report_pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--reports-dir", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    html, pdf = args.reports_dir / "index.html", args.reports_dir / "report.pdf"
    if not html.is_file():
        print(f"error: {html}: no report to print (run make report)", file=sys.stderr)
        return 1
    reason = missing_reason()
    if reason:
        print(f"report.pdf skipped: {reason}")
        return 0
    write_pdf(html, pdf, find_chromium())  # type: ignore[arg-type]
    print(f"PDF written to {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

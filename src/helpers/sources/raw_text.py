"""Raw sheets as text: the encodings city halls publish in, any line ending, and a clear refusal of the rest.

Every reader of a raw file goes through here, so a sheet saved as UTF-8, UTF-8 with BOM or CP932 (Shift_JIS as
Windows writes it), with LF, CRLF or CR line ends, gives the same lines, the same line numbers and the same tokens.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from helpers.core.errors import SheetError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0d-\x1f\x7f-\x9f]")
"""Control characters other than tab, line feed and form feed: a text extraction has none, so the file is not
text (carriage returns are line ends and are gone by the time this is checked)."""

_UNCLOSED_TAG = re.compile(r"<[A-Za-z/][^<>]*$")


@dataclass(frozen=True)
class SheetText:
    """A raw sheet decoded: its text with LF line ends, and what it was stored as."""

    text: str
    encoding: str
    line_ending: str

    @property
    def lines(self) -> list[str]:
        """The text's lines, numbered from 1 by their position + 1 (the numbering provenance uses)."""
        return self.text.split("\n")


def _line_at(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode_sheet(data: bytes, source_file: str) -> SheetText:
    """Decode a raw sheet's bytes, or raise a SheetError naming the file and line and saying what to do.

    >>> decode_sheet("白井市\\r\\n年度\\r\\n".encode("cp932"), "a.txt")
    SheetText(text='白井市\\n年度\\n', encoding='cp932', line_ending='CRLF')
    >>> decode_sheet(b"", "a.txt")
    Traceback (most recent call last):
    ...
    helpers.core.errors.SheetError: a.txt:1: the file is empty; use the complete document
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise SheetError(source_file, 1, "UTF-16/UTF-32 text is not read; save the file as UTF-8")
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if not body.strip():
        raise SheetError(source_file, 1, "the file is empty; use the complete document")
    if b"\x00" in body:
        raise SheetError(
            source_file, _line_at(data, data.index(b"\x00")), "NUL bytes: binary or UTF-16 data, not a text sheet"
        )
    text, encoding = _decode(data, body, source_file)
    line_ending = "CRLF" if "\r\n" in text else ("CR" if "\r" in text else "LF")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_controls(text, source_file)
    return SheetText(text, encoding, line_ending)


def _decode(data: bytes, body: bytes, source_file: str) -> tuple[str, str]:
    """UTF-8, else CP932 (Japanese text in CP932 is never valid UTF-8, so the order decides nothing by accident;
    ``shift_jis`` files read as CP932, the superset Windows and most office software write)."""
    offset = len(data) - len(body)
    try:
        return body.decode("utf-8"), "utf-8-sig" if offset else "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if not offset:  # a BOM says UTF-8
        try:
            return body.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            pass
    line = _line_at(data, offset + utf8_error.start)
    if utf8_error.reason == "unexpected end of data" and utf8_error.start >= len(body) - 3:
        # valid UTF-8 up to a character cut in half at the very end: the download or copy stopped early
        raise SheetError(source_file, line, "the file ends inside a character: it looks truncated; use the whole file")
    raise SheetError(
        source_file,
        line,
        f"not UTF-8 or CP932/Shift_JIS text (byte 0x{body[utf8_error.start]:02x}); save the file as UTF-8",
    )


def _refuse_controls(text: str, source_file: str) -> None:
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise SheetError(source_file, line, f"control character U+{ord(found.group()):04X}: not a text sheet")


def read_sheet(path: Path, source_file: str = "") -> SheetText:
    """Read and decode a raw sheet; errors name ``source_file`` (default: the file's name)."""
    name = source_file or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(name, 1, f"cannot be read: {exc.strerror or exc}") from None
    return decode_sheet(data, name)


def read_sheet_text(path: Path) -> str:
    """A raw sheet's text as the parsers see it (LF line ends, no BOM), for quoting and display."""
    return read_sheet(path).text


def check_complete(lines: list[str], source_file: str) -> None:
    """Refuse a sheet whose last line stops inside an HTML tag or inside a table row.

    PDF extractions pad every row of a table to the same number of tab-separated cells, so a last row with fewer
    cells than the rows above it was cut short. A cut at a row boundary, or inside a row's last cell, leaves a
    sheet that looks complete; only the manifest's checksum guards a listed file against that.

    >>> try:
    ...     check_complete(["a\\tb\\tc", "d\\te\\tf", "g\\th"], "s.txt")
    ... except SheetError as exc:
    ...     print(exc.line, "table row" in str(exc))
    3 True
    """
    last = len(lines)
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    if last == 0:
        raise SheetError(source_file, 1, "the file is empty; use the complete document")
    final = lines[last - 1]
    if _UNCLOSED_TAG.search(final):
        raise SheetError(source_file, last, "the file ends inside an HTML tag: it looks truncated; use the whole file")
    if "\t" not in final:
        return
    width = final.count("\t") + 1
    above = last - 1
    widths = []
    while above > 0 and "\t" in lines[above - 1]:
        widths.append(lines[above - 1].count("\t") + 1)
        above -= 1
    if widths and width < min(widths):
        raise SheetError(
            source_file,
            last,
            f"the file ends inside a table row ({width} of {min(widths)} cells): it looks truncated; "
            "use the whole file",
        )


def _table_width(widths: list[int]) -> int:
    """The width of a table: the cell count most of its rows share (at least two), else 0 (no width to hold rows
    to). A header may have a trailing empty cell more than its rows (yamaguchi_fy2021_implementation_report.txt:7).

    >>> _table_width([6, 5, 5, 5]), _table_width([11, 11, 7]), _table_width([11, 7]), _table_width([4, 4, 6, 6])
    (5, 11, 0, 0)
    """
    counts = Counter(widths).most_common()
    if not counts or counts[0][1] < 2 or (len(counts) > 1 and counts[1][1] == counts[0][1]):
        return 0
    return counts[0][0]


def check_rows(lines: list[str], source_file: str) -> None:
    """Refuse a table row with fewer cells than the rows around it: PDF extraction pads every row of a table to
    the table's width, so a shorter row lost cells (cut or edited), and the values it had would vanish unseen.

    A table is a run of consecutive lines holding tabs; every table of the five committed sheets keeps its
    width on every row but one header (``_table_width``). Whole documents only: their headings stand apart from
    their tables, where the test excerpts of the parsers join them.

    >>> check_rows(["a\\tb\\tc", "d\\te\\tf", "g\\th\\ti", ""], "s.txt")
    >>> try:
    ...     check_rows(["a\\tb\\tc", "d\\te", "g\\th\\ti"], "s.txt")
    ... except SheetError as exc:
    ...     print(exc)
    s.txt:2: a table row with 2 of the table's 3 cells: cells were cut out of it; use the complete document
    """
    table: list[tuple[int, int]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if "\t" in line:
            table.append((number, line.count("\t") + 1))
            continue
        width = _table_width([w for _, w in table])
        short = [(n, w) for n, w in table if w < width]
        if short:
            row, cells = short[0]
            raise SheetError(
                source_file,
                row,
                f"a table row with {cells} of the table's {width} cells: cells were cut out of it; "
                "use the complete document",
            )
        table = []


def read_sheet_lines(path: Path, source_file: str) -> list[str]:
    """The lines a parser reads: decoded, LF-split, and checked not to stop mid-row."""
    lines = read_sheet(path, source_file).lines
    check_complete(lines, source_file)
    return lines

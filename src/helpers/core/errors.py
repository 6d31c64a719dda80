"""Errors that stop the pipeline with a one-line message naming the file (and line) at fault."""

from __future__ import annotations


class PipelineError(Exception):
    """Bad input or a broken invariant; the command line prints it as one line and exits non-zero."""


class SheetError(PipelineError):
    """A raw sheet that a parser cannot read, located by file and 1-based line.

    >>> str(SheetError("a.txt", 12, "header without 年度"))
    'a.txt:12: header without 年度'
    """

    def __init__(self, source_file: str, line: int, message: str) -> None:
        super().__init__(f"{source_file}:{line}: {message}")
        self.source_file = source_file
        self.line = line

"""Executed notebooks made byte-stable (no run timestamps) and rendered to HTML."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

INJECTED_CELL_ID = "injected-parameters"


def _coalesce_streams(outputs: list[dict]) -> list[dict]:
    """Join consecutive stdout/stderr chunks: how a print is split into messages depends on timing."""
    merged: list[dict] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def strip_run_metadata(path: Path) -> None:
    """Drop papermill/execution timings, fix the injected cell's random id and join split stream outputs, so
    re-runs give the same bytes."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_CELL_ID
    papermill_meta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": papermill_meta.get("parameters", {})}
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.write(nb, path)


def relocate_paths(path: Path, names: dict[str, str]) -> None:
    """Rename folders wherever an executed notebook mentions them (parameters, printed paths, figure links): a run
    into staging folders then reads as the run in place it is published as. Staging names are unique, so only
    paths match.

    >>> import tempfile
    >>> nb = Path(tempfile.mkdtemp()) / "nb.ipynb"
    >>> _ = nb.write_text('{"a": "../.reports.staging-x1/figures/f.png"}', encoding="utf-8")
    >>> relocate_paths(nb, {".reports.staging-x1": "reports"})
    >>> nb.read_text(encoding="utf-8")
    '{"a": "../reports/figures/f.png"}'
    """
    if not names:
        return
    text = path.read_text(encoding="utf-8")
    for old, new in names.items():
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@functools.cache
def _html_exporter(without_input: bool) -> HTMLExporter:
    """One exporter per process and option: its templates are loaded and compiled once, not for every page."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        exclude_input=without_input, exclude_input_prompt=without_input, exclude_output_prompt=without_input
    )


def render_html(notebook: Path, html_path: Path, without_input: bool = False) -> None:
    """Render an executed notebook to standalone HTML (figures embedded), optionally without code cells."""
    nb = nbformat.read(notebook, as_version=4)
    body, _ = _html_exporter(without_input).from_notebook_node(nb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")


def render_outputs_page(notebook: Path, html_path: Path, base_dir: Path) -> None:
    """A standalone page of the notebook's HTML outputs only (no code, no notebook styling, no remote scripts),
    figures inlined from ``base_dir`` (the kernel's working directory): the report opens offline as one file."""
    from html import escape

    from helpers.views.report_html import embed_images

    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            html = output.get("data", {}).get("text/html")
            if html:
                parts.append(html if isinstance(html, str) else "".join(html))
    title = escape(str(nb.metadata.get("title", notebook.stem)))
    page = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
    )
    page = embed_images(page, base_dir)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(page, encoding="utf-8")

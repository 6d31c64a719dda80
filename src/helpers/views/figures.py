"""One figure style for every notebook: Japanese labels, greyscale-safe colours, byte-stable PNG and SVG files."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

from helpers.sources.cities import city_labels

JAPANESE_FONT = "IPAexGothic"
"""The font japanize-matplotlib ships (``fonts/ipaexg.ttf`` in its package) and the figures' font family."""


def japanize() -> None:
    """What ``japanize_matplotlib.japanize()`` does (register the package's fonts, make IPAexGothic the font
    family), without importing the package: its import pulls in distutils and pkg_resources, a quarter of a second
    in every kernel that draws or reports."""
    spec = find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("japanize-matplotlib is not installed (see requirements.txt)")
    fonts = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    for path in font_manager.findSystemFonts(fontpaths=[str(fonts.resolve())]):
        font_manager.fontManager.addfont(path)
    matplotlib.rc("font", family=JAPANESE_FONT)


japanize()  # on import, as importing japanize_matplotlib did

SVG_HASH_SALT = "welfare-plan-sheets"
"""Fixed salt for SVG clip-path ids so re-runs write identical SVG."""

PALETTE: tuple[str, ...] = ("#1b3a5c", "#e69f00", "#6f9fc8", "#7a4e00", "#b8b8b8", "#2f6e3b")
"""Colours that stay distinguishable in greyscale (dark, light, mid, dark-warm, pale, mid-dark)."""

HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "--")
"""Hatch patterns paired with PALETTE so bars differ on a black-and-white printout too."""

CITY_LABELS: dict[str, str] = city_labels()

MIN_FONT_PT = 10
"""The smallest text a figure may carry: the report shows figures at their natural size (``savefig.dpi`` pixels
per inch → 96 CSS px), where 10 pt is the size of the report's footnotes. Pass no smaller ``fontsize``."""


def wrap_title(text: str, width: int = 28) -> str:
    """Break a long title or label into lines of at most ``width`` characters instead of cutting it.

    >>> wrap_title("山口市 ふれあい・いきいきサロン新規開設数", 12)
    '山口市 ふれあい・いきい\\nきサロン新規開設数'
    """
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) if text else text


def display_label(field: str, code: object) -> str:
    """A stored code's display name from the crosswalk ``lexicons/labels_ja.csv`` (never a joined internal key)."""
    from helpers.views.labels import label_ja

    return label_ja(field, code)


def apply_style() -> None:
    """Set the shared rcParams (font from japanize-matplotlib, sizes, fixed SVG salt, no date metadata)."""
    japanize()
    plt.rcParams.update(
        {
            "svg.hashsalt": SVG_HASH_SALT,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": MIN_FONT_PT,
            "legend.fontsize": MIN_FONT_PT,
            "legend.title_fontsize": MIN_FONT_PT,
            "xtick.labelsize": MIN_FONT_PT,
            "ytick.labelsize": MIN_FONT_PT,
            "figure.titlesize": 13,
            "font.size": MIN_FONT_PT,
        }
    )


def save_figure(fig: matplotlib.figure.Figure, out_dir: Path, name: str) -> list[Path]:
    """Save ``name``.png and ``name``.svg with no timestamps or version stamps, so re-runs give the same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return [png, svg]


def show_figure(fig: matplotlib.figure.Figure, out_dir: Path, name: str) -> None:
    """Save the figure (``save_figure``), close it and show the saved PNG in the notebook: what the reader sees is
    the published file, and the figure is not drawn a third time at screen resolution for the inline view."""
    from IPython.display import Image, display

    paths = save_figure(fig, out_dir, name)
    plt.close(fig)
    data = paths[0].read_bytes()
    width = int.from_bytes(data[16:20], "big")  # the PNG header's width in pixels
    saved_dpi = plt.rcParams["savefig.dpi"]
    scale = fig.dpi / (fig.dpi if saved_dpi == "figure" else saved_dpi)  # the size the inline view had
    display(Image(data=data, format="png", width=round(width * scale)))

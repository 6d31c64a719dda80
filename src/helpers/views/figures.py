"""One figure style for every notebook: Japanese labels, greyscale-safe colours, byte-stable PNG and SVG files."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from helpers.sources.cities import city_labels

with warnings.catch_warnings():
    # japanize-matplotlib imports distutils (deprecated); the warning is about the package, not our use.
    warnings.simplefilter("ignore", DeprecationWarning)
    import japanize_matplotlib

SVG_HASH_SALT = "welfare-plan-sheets"
"""Fixed salt for SVG clip-path ids so re-runs write identical SVG."""

PALETTE: tuple[str, ...] = ("#1b3a5c", "#e69f00", "#6f9fc8", "#7a4e00", "#b8b8b8", "#2f6e3b")
"""Colours that stay distinguishable in greyscale (dark, light, mid, dark-warm, pale, mid-dark)."""

HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "--")
"""Hatch patterns paired with PALETTE so bars differ on a black-and-white printout too."""

CITY_LABELS: dict[str, str] = city_labels()


def apply_style() -> None:
    """Set the shared rcParams (font from japanize-matplotlib, sizes, fixed SVG salt, no date metadata)."""
    japanize_matplotlib.japanize()
    plt.rcParams.update(
        {
            "svg.hashsalt": SVG_HASH_SALT,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "font.size": 10,
        }
    )


def save_figure(fig: matplotlib.figure.Figure, out_dir: Path, name: str) -> list[Path]:
    """Save ``name``.png and ``name``.svg with no timestamps or version stamps, so re-runs give the same bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
    fig.savefig(png, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return [png, svg]

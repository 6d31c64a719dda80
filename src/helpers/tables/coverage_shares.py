"""How much of what the sheets print became observations: per document, value columns and narrative apart."""

from __future__ import annotations

import pandas as pd

SHARE_REGIONS: tuple[str, ...] = ("value_column", "narrative")
"""Regions whose numbers can be values; numbers outside them (titles, contents, headings) are never counted."""


def coverage_shares(coverage: pd.DataFrame) -> pd.DataFrame:
    """Numeric tokens, those that became observations and their share, per source file and region.

    >>> frame = pd.DataFrame({"source_file": ["a.txt"] * 3, "region": ["narrative", "narrative", "outside_values"],
    ...                       "outcome": ["observation", "skipped", "skipped"]})
    >>> coverage_shares(frame).to_dict("records")
    [{'source_file': 'a.txt', 'region': 'narrative', 'tokens': 2, 'observations': 1, 'share': 0.5}]
    """
    columns = ["source_file", "region", "tokens", "observations", "share"]
    inside = coverage[coverage["region"].isin(SHARE_REGIONS)]
    if inside.empty:
        return pd.DataFrame(columns=columns)
    grouped = inside.assign(taken=inside["outcome"] == "observation").groupby(["source_file", "region"])
    table = grouped.agg(tokens=("taken", "size"), observations=("taken", "sum")).reset_index()
    table["share"] = (table["observations"] / table["tokens"]).round(3)
    table["observations"] = table["observations"].astype(int)
    order = {region: i for i, region in enumerate(SHARE_REGIONS)}
    table = table.sort_values(["source_file", "region"], key=lambda s: s.map(order) if s.name == "region" else s)
    return table[columns].reset_index(drop=True)

"""Time and peak Python heap of the cleaning step per city, for ``benchmarks/bench.py`` (measured, never asserted)."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from pathlib import Path

from helpers.tables.cleaning import clean_city


def measure(raw_dir: Path, city: str, repeat: int) -> tuple[float, float, float, int]:
    """Return (min s, median s, peak MiB, observations) of cleaning one city ``repeat`` times."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        tables = clean_city(raw_dir, city)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    clean_city(raw_dir, city)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), statistics.median(times), peak / 2**20, len(tables.frames["indicators"])

"""Time and peak memory of the cleaning step per city (measured here, never asserted in tests).

    python benchmarks/bench_cleaning.py [--repeat N] [--raw-dir DIR]

Prints, per city, the minimum and median wall time over N runs and the peak Python heap (tracemalloc) of one run,
then the whole process's peak resident memory (what the machine must provide, imports included).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

from helpers import CITIES
from helpers.sources.manifest import read_manifest
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    args = parser.parse_args()
    cities = [c for c in CITIES if any(s.city == c for s in read_manifest(args.raw_dir))]
    print(f"{'city':12s} {'min s':>8s} {'median s':>9s} {'peak MiB':>9s} {'rows':>6s}")
    for city in cities:
        fastest, median, peak, rows = measure(args.raw_dir, city, args.repeat)
        print(f"{city:12s} {fastest:8.3f} {median:9.3f} {peak:9.1f} {rows:6d}")
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory: {rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()

"""Benchmark: every report (overview, places, staffing, spikes) for N conversations.

Generates N conversations with `geoflex.sample`, reads them with `read_events` (not timed
as part of the report budget, but printed), then times `build_all` step by step.

Run: ``python benchmarks/bench_reports.py [N]`` (default 1,000,000). Target: reports for
1M conversations in <= 30 s on the 2-core machine.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time


def main(n: int) -> None:
    from geoflex.ingest import read_events
    from geoflex.report import build_all
    from geoflex.sample._generator import generate

    t0 = time.perf_counter()
    events = generate(n, seed=42)
    t1 = time.perf_counter()
    data = read_events(events)
    del events
    t2 = time.perf_counter()
    print(f"generate {n:,} conversations: {t1 - t0:6.1f} s")
    print(f"read_events:                 {t2 - t1:6.1f} s  ({data})")

    steps: list[tuple[str, float]] = []
    last = time.perf_counter()

    def progress(description: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps.append((description, now))
        last = now

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        paths = build_all(data, out_dir=tmp, progress=progress)
        end = time.perf_counter()
        sizes = {p.name: p.stat().st_size for p in paths}
    marks = [*steps, ("end", end)]
    for (name, began), (_, finished) in zip(marks, marks[1:], strict=False):
        print(f"  {name:<30} {finished - began:6.2f} s")
    print(f"build_all (all reports):     {end - start:6.1f} s")
    for name, size in sizes.items():
        print(f"  {name:<14} {size / 1e6:5.2f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MB")
    print(f"total (generate + read + reports): {end - t0:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

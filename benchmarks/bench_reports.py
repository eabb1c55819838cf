"""Benchmark: every report (overview, places, staffing, spikes) for N conversations.

Generates N conversations with `geoflex.sample.generate`, reads them with `read_events`
(timed and printed, but outside the report budget), then times `build_all` step by step.
The ingested tables are cached as parquet under ``data/_cache/bench_reports/<N>/`` so a
rerun measures the reports alone (``--fresh`` regenerates).

Run: ``python benchmarks/bench_reports.py [N] [--fresh]`` (default N = 1,000,000).
Target: all reports for 1M conversations in <= 30 s on the 2-core machine.
"""

from __future__ import annotations

import itertools
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / "data" / "_cache" / "bench_reports"
TABLES = ("segments", "conversations", "customers", "agents", "problems")


def _ingest(n: int, *, fresh: bool) -> object:
    import polars as pl

    from geoflex.ingest import FlexData, read_events
    from geoflex.sample import generate

    folder = CACHE / str(n)
    if not fresh and (folder / "meta.json").exists():
        meta = json.loads((folder / "meta.json").read_text())
        frames = {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}
        print(f"ingested tables from cache {folder}")
        return FlexData(**frames, truncated=meta["truncated"], counts=meta["counts"])
    t0 = time.perf_counter()
    events = generate(n, seed=42)
    t1 = time.perf_counter()
    data = read_events(events)
    del events
    t2 = time.perf_counter()
    print(f"generate {n:,} conversations: {t1 - t0:6.1f} s")
    print(f"read_events:                 {t2 - t1:6.1f} s")
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        getattr(data, table).write_parquet(folder / f"{table}.parquet")
    meta = {"truncated": data.truncated, "counts": data.counts}
    (folder / "meta.json").write_text(json.dumps(meta))
    return data


def main(n: int, *, fresh: bool) -> None:
    from geoflex.ingest import read_ui_attributes
    from geoflex.report import build_all
    from geoflex.sample import ui_attributes

    data = _ingest(n, fresh=fresh)
    print(data)
    steps: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        paths = build_all(
            data,
            out_dir=tmp,
            locations=read_ui_attributes(ui_attributes()),
            progress=lambda name: steps.append((name, time.perf_counter())),
        )
        end = time.perf_counter()
        sizes = {p.name: p.stat().st_size for p in paths}
    for (name, began), (_, finished) in itertools.pairwise([*steps, ("end", end)]):
        print(f"  {name:<30} {finished - began:6.2f} s")
    print(f"build_all (all 4 reports):   {end - start:6.1f} s")
    for name, size in sizes.items():
        print(f"  {name:<14} {size / 1e6:5.2f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1_000_000, fresh="--fresh" in sys.argv)

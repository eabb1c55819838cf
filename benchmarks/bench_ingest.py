"""Benchmark: read + resolve + every aggregation for N sample conversations.

The corpus (Event Streams NDJSON from ``geoflex.sample.write``) is cached under
``benchmarks/_corpus/`` (gitignored) and reused; ``--fresh`` regenerates it. Prints one
line per step (seconds) and the peak resident memory, then a Markdown table for
``benchmarks/RESULTS.md``.

The steps run in the order of a real notebook: the conversations' phones are mostly those of
the segments resolved just before, which ``resolve`` remembers (see its Notes).

Run: ``python benchmarks/bench_ingest.py [N] [--fresh]`` (default N = 1,000,000).
Target: read + resolve + all aggregations for 1M conversations <= 20 s on 2 cores.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

import geoflex
import geoflex.sample
from geoflex.sample import CENTRE_TIMEZONE

CORPUS = Path(__file__).resolve().parent / "_corpus"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus(n: int, *, fresh: bool = False) -> Path:
    """The cached NDJSON corpus for n conversations (seed 0), made when missing."""
    CORPUS.mkdir(parents=True, exist_ok=True)
    path = CORPUS / f"events_{n}.ndjson"
    if fresh or not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        lines = geoflex.sample.write(tmp, n, seed=0)
        tmp.rename(path)
        print(f"generated {lines:,} events ({path.stat().st_size / 1e9:.2f} GB) "
              f"in {time.perf_counter() - t:.1f} s")  # fmt: skip
    return path


def run(n: int, *, fresh: bool = False) -> list[tuple[str, float, float]]:
    path = corpus(n, fresh=fresh)
    steps: list[tuple[str, float, float]] = []
    print(f"load average (1 min) at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t, cpu = time.perf_counter(), time.process_time()
        out = fn()
        if isinstance(out, pl.LazyFrame):
            out = out.collect()
        steps.append((name, time.perf_counter() - t, time.process_time() - cpu))
        print(
            f"{name:<42} {steps[-1][1]:7.2f} s wall {steps[-1][2]:7.2f} s CPU   "
            f"peak RSS {_peak_rss_mb():7.0f} MB",
            flush=True,
        )
        return out

    data = step("read_events", lambda: geoflex.read_events(path))
    print(f"  {data}  counts={data.counts}")
    seg = step("resolve segments (phone)", lambda: geoflex.resolve(data.segments, "phone"))
    conv = step(
        "resolve conversations (phone)", lambda: geoflex.resolve(data.conversations, "phone")
    )
    for level in ("region", "country", "state_code", "area_code", "city", "queue", "channel"):
        step(f"volume by {level}", lambda level=level: geoflex.volume(seg, level))
    step("volume by country x queue", lambda: geoflex.volume(seg, ["country", "queue"]))
    step("intervals 15m UTC", lambda: geoflex.by_interval(seg, every="15m"))
    step("intervals 30m centre time", lambda: geoflex.by_interval(
        seg, every="30m", clock="centre", centre_timezone=CENTRE_TIMEZONE))  # fmt: skip
    step("intervals 60m customer time by country", lambda: geoflex.by_interval(
        seg, every="60m", clock="customer", by="country"))  # fmt: skip
    step("hour of week, customer time", lambda: geoflex.hour_of_week(seg))
    step("hour of week, centre time by region", lambda: geoflex.hour_of_week(
        seg, clock="centre", centre_timezone=CENTRE_TIMEZONE, by="region"))  # fmt: skip
    found = step(
        "spikes by state (1h)", lambda: geoflex.spikes(conv, "state_code", time="started_at")
    )
    print(f"  {found.height} spikes; top: {found.head(3).rows()}")
    step(
        "spikes by city (1h)", lambda: geoflex.spikes(conv, ["country", "city"], time="started_at")
    )
    acc = step(
        "geolocation accuracy (2 resolves)", lambda: geoflex.geolocation_accuracy(data.customers)
    )
    print(f"  {acc.summary.rows(named=True)[0]}")
    locations = geoflex.read_ui_attributes(geoflex.sample.ui_attributes())
    step("place agents", lambda: geoflex.place_agents(data.agents, locations=locations))
    wall, cpu = sum(s[1] for s in steps), sum(s[2] for s in steps)
    print(f"{'TOTAL':<42} {wall:7.2f} s wall {cpu:7.2f} s CPU   peak RSS {_peak_rss_mb():7.0f} MB")
    return steps


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    steps = run(n, fresh="--fresh" in argv)
    # CPU seconds are reported too: on a shared machine wall time depends on the neighbours.
    print("\n| step | wall s | CPU s |\n|---|---:|---:|")
    for name, wall, cpu in steps:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print(
        f"| **total** | **{sum(s[1] for s in steps):.2f}** | **{sum(s[2] for s in steps):.2f}** |"
    )
    print(f"\nload average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"\npeak RSS: {_peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Spike detection on generated data with injected spikes: recall and false alarms.

Generated: ``--places`` places, each in its own timezone with its own level, a daily
rhythm in local time (busy 8-18, quiet at night) and quieter weekends; Poisson
conversations per hour over ``--weeks`` weeks. Injected: ``--spikes`` episodes of 1-6 hours
in the last half of the period, each adding Poisson(extra) conversations an hour with extra
= 2-6 times the place's usual level for that hour, at least 4.

Scored against the injected episodes:

* recall: injected episodes that a detected episode of the same place overlaps;
* false alarms: detected episodes that overlap no injected one, per 1,000 place-hours
  scored, and as a share of all detected episodes.

Baseline, measured in the same run: a place's hour is a spike when its count is above the
place's mean + 3 standard deviations over the whole period (no seasonality, no history
rule; consecutive hours merged the same way).

Run: ``python benchmarks/bench_spikes.py`` (about 10 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

import numpy as np
import polars as pl

import geoflex

ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
    "America/Sao_Paulo",
)  # fmt: skip
START = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)  # a Monday


def _generate(
    places: int, weeks: int, n_spikes: int, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    hours = weeks * 7 * 24
    utc = pl.datetime_range(
        START, START + dt.timedelta(hours=hours - 1), "1h", time_zone="UTC", eager=True
    )
    rates = np.empty((places, hours))
    zones = [ZONES[p % len(ZONES)] for p in range(places)]
    for p, zone in enumerate(zones):
        local = utc.dt.convert_time_zone(zone)
        hour = local.dt.hour().to_numpy()
        weekend = local.dt.weekday().to_numpy() >= 6
        level = rng.uniform(0.5, 8.0)  # conversations an hour at the busiest
        rhythm = np.where((hour >= 8) & (hour < 18), 1.0, 0.15) * np.where(weekend, 0.4, 1.0)
        rates[p] = level * rhythm
    counts = rng.poisson(rates)
    injected = []
    for _ in range(n_spikes):
        p = int(rng.integers(places))
        length = int(rng.integers(1, 7))
        first = int(rng.integers(hours // 2, hours - length))
        for h in range(first, first + length):
            extra = max(4.0, rng.uniform(2, 6) * rates[p, h])
            counts[p, h] += rng.poisson(extra)
        injected.append((f"P{p:03d}", first, first + length))
    place_index, hour_index = np.nonzero(counts)
    repeats = counts[place_index, hour_index]
    minutes = rng.integers(0, 60, int(repeats.sum()))
    created = (
        np.datetime64(START.replace(tzinfo=None), "m")
        + np.repeat(hour_index, repeats).astype("timedelta64[h]")
        + minutes.astype("timedelta64[m]")
    )
    rows = pl.DataFrame(
        {
            "place": np.array([f"P{p:03d}" for p in range(places)])[
                np.repeat(place_index, repeats)
            ],
            "timezone": np.array(zones)[np.repeat(place_index, repeats)],
            "created_at": created.astype("datetime64[ms]"),
        }
    ).with_columns(pl.col("created_at").dt.replace_time_zone("UTC"))
    truth = pl.DataFrame(injected, schema=["place", "first", "end"], orient="row")
    return rows, truth


def _hours(frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Episode bounds as hour numbers since START."""
    return frame.select(
        "place",
        ((pl.col(start) - pl.lit(START)).dt.total_hours()).alias("first"),
        ((pl.col(end) - pl.lit(START)).dt.total_hours()).alias("end"),
    )


def _score(detected: pl.DataFrame, truth: pl.DataFrame, place_hours: int) -> dict[str, float]:
    pairs = detected.with_row_index("d").join(
        truth.with_row_index("t"), on="place", how="inner", suffix="_true"
    )
    overlap = pairs.filter(
        (pl.col("first") < pl.col("end_true")) & (pl.col("first_true") < pl.col("end"))
    )
    found = overlap["t"].n_unique()
    false = detected.height - overlap["d"].n_unique()
    return {
        "recall": found / truth.height,
        "false_per_1000": 1000 * false / place_hours,
        "false_share": false / detected.height if detected.height else 0.0,
        "detected": detected.height,
    }


def _naive(rows: pl.DataFrame) -> pl.DataFrame:
    """Mean + 3 sd of each place's hourly counts over the whole period, runs merged."""
    counts = (
        rows.group_by("place", pl.col("created_at").dt.truncate("1h").alias("hour"))
        .len("n")
        .with_columns(
            hours=pl.datetime_ranges(pl.col("hour").min(), pl.col("hour").max(), "1h").first()
        )
    )
    grid = (
        counts.select("hours")
        .head(1)
        .explode("hours")
        .rename({"hours": "hour"})
        .join(counts.select("place").unique(), how="cross")
    )
    full = grid.join(counts.drop("hours"), on=["place", "hour"], how="left").with_columns(
        pl.col("n").fill_null(0)
    )
    flagged = (
        full.with_columns(
            hot=pl.col("n") > pl.col("n").mean().over("place") + 3 * pl.col("n").std().over("place")
        )
        .filter("hot")
        .sort("place", "hour")
        .with_columns(
            run=(pl.col("hour").diff().over("place") != pl.duration(hours=1))
            .fill_null(True)
            .cum_sum()
            .over("place")
        )
        .group_by("place", "run")
        .agg(pl.col("hour").min().alias("start"), pl.col("hour").max().alias("last"))
        .with_columns(end=pl.col("last") + pl.duration(hours=1))
    )
    return _hours(flagged, "start", "end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--spikes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows, truth = _generate(args.places, args.weeks, args.spikes, args.seed)
    # Place-hours that can be scored: every hour after the history rule (2 earlier weeks).
    place_hours = args.places * (args.weeks - 2) * 7 * 24
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores, shared with other jobs)")
    print(
        f"{rows.height:,} conversations, {args.places} places, {args.weeks} weeks, "
        f"{truth.height} injected episodes, seed {args.seed}"
    )
    started = time.perf_counter()
    found = geoflex.spikes(rows, "place")
    seconds = time.perf_counter() - started
    ours = _score(_hours(found, "start", "end"), truth, place_hours)
    started = time.perf_counter()
    naive = _score(_naive(rows), truth, place_hours)
    naive_s = time.perf_counter() - started
    print(f"{'detector':<40} {'recall':>7} {'false/1000 place-h':>19} {'false share':>12} {'s':>6}")
    for name, score, took in (
        ("geoflex.spikes (weekday-hour median)", ours, seconds),
        ("baseline: mean + 3 sd per place", naive, naive_s),
    ):
        print(
            f"{name:<40} {score['recall']:>7.1%} {score['false_per_1000']:>19.2f} "
            f"{score['false_share']:>12.1%} {took:>6.2f}"
        )
    print(
        f"recall ratio {ours['recall'] / max(naive['recall'], 1e-9):.2f}x, "
        f"false alarms ratio {ours['false_per_1000'] / max(naive['false_per_1000'], 1e-9):.2f}x"
    )


if __name__ == "__main__":
    main()

"""geoflex.spark.resolve against polars geoflex.resolve, in one run, on local Spark.

    python benchmarks/bench_spark.py [--rows 2000000 20000000] [--sweep-rows 2000000]
    python benchmarks/bench_spark.py --joins 2000000

- rows/s of ``geoflex.spark.resolve`` (``join="auto"`` and ``"broadcast"``) on ``--rows``
  rows with Zipf repeats (s=1.1 over a pool of 200k numbers: bench_resolve.py's corpora), local[2],
  against polars ``geoflex.resolve`` on the same rows in the same run;
- how the cost grows with the distinct numbers: ``--sweep-rows`` rows drawn from pools of
  2k, 20k, 200k and 2M numbers, and 2M rows all distinct;
- an executor sweep: the same 2M rows on local[1] and local[2];
- the plan: resolving is an Arrow/Python stage (``MapInArrow``), and the join it chose;
- ``--joins``: the join choices on the same rows: ``auto``, ``broadcast``, ``shuffle``, and
  two shapes geoflex does not use: the join left to Spark's adaptive execution (no hint:
  geoflex.spark.resolve before the ``join`` choice) and resolving each partition in place
  without a shuffle.

Spark's input is cached first (the timing is resolve's, not the parquet read's), and
``write.format("noop")`` makes Spark compute every output row without collecting any;
``join="auto"``'s count of the distinct values is inside the timing. Needs the spark extra
and Java.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_resolve import CORPUS, geoflex_rate, unique_corpus, zipf_corpus  # noqa: E402


def _session(master: str) -> Any:
    import geoflex.spark as gs

    spark = gs.session(master, config={"spark.driver.memory": "6g", "spark.ui.enabled": "false"})
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.shuffle.partitions", str(4 * int(master[6:-1])))
    return spark


def _corpus(rows: int, distinct: int | None) -> Path:
    """Zipf repeats over a pool of ``distinct`` numbers, or (None) ``rows`` distinct numbers."""
    if distinct is None:
        unique_corpus(rows)
        return CORPUS / f"phones_unique_{rows}.parquet"
    zipf_corpus(rows, distinct)
    return CORPUS / f"phones_zipf_{rows}_{distinct}.parquet"


def _cached(spark: Any, path: Path) -> Any:
    sdf = spark.read.parquet(str(path)).select("phone")
    sdf = sdf.repartition(spark.sparkContext.defaultParallelism).cache()
    sdf.count()
    return sdf


def _timed(shape: Callable[[Any], Any], sdf: Any, repeats: int) -> float:
    """Best seconds of ``shape(sdf)`` computed row by row (nothing collected)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        shape(sdf).write.format("noop").mode("overwrite").save()
        best = min(best, time.perf_counter() - start)
    return best


def _warm(spark: Any, sdf: Any) -> None:
    """One untimed pass, so that every Python worker has loaded geoflex's tables."""
    import geoflex.spark as gs

    gs.resolve(sdf, join="broadcast").write.format("noop").mode("overwrite").save()


def _join_of(sdf: Any) -> str:
    plan = sdf._jdf.queryExecution().executedPlan().toString()
    return next(
        (j for j in ("BroadcastHashJoin", "SortMergeJoin", "ShuffledHashJoin") if j in plan), "?"
    )


def polars_rate(path: Path) -> float:
    import polars as pl

    rate, _ = geoflex_rate(pl.read_parquet(path).select("phone"), repeats=2)
    return rate


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _row(path: Path, rows: int, seconds: float, **extra: object) -> dict[str, object]:
    import polars as pl

    p_rate = polars_rate(path)
    distinct = pl.scan_parquet(path).select(pl.col("phone").n_unique()).collect().item()
    row = {
        "rows": rows,
        "distinct": distinct,
        **extra,
        "spark_rows_s": round(rows / seconds),
        "spark_s": round(seconds, 2),
        "polars_rows_s": round(p_rate),
        "ratio": round(rows / seconds / p_rate, 3),
        "load": _load(),
    }
    print(json.dumps(row), flush=True)
    return row


def _adaptive(sdf: Any) -> Any:
    """geoflex.spark.resolve before its ``join`` choice: the same distinct values resolved,
    joined back with no hint (Spark's adaptive execution may make it a broadcast once it
    has seen the resolved side's size, after the rows were shuffled)."""
    import polars as pl
    from pyspark.sql import functions as sf

    from geoflex.resolve import GEO_COLUMNS, GEO_SCHEMA
    from geoflex.spark._arrow import arrow_schema, spark_schema
    from geoflex.spark._resolve import _resolve_batches

    key = "__geoflex_key_0"
    out = spark_schema({key: pl.String(), **GEO_SCHEMA})
    resolved = (
        sdf.select(sf.col("phone").alias(key))
        .distinct()
        .mapInArrow(
            functools.partial(
                _resolve_batches, phone=key, default_country="US", regions=None,
                overrides=None, schema=arrow_schema(out),
            ),
            out,
        )
    )  # fmt: skip
    joined = sdf.join(resolved, on=[sdf["phone"].eqNullSafe(resolved[key])], how="left")
    return joined.select(sdf["phone"], *(resolved[c] for c in GEO_COLUMNS))


def _per_partition(sdf: Any) -> Any:
    """Every partition's rows resolved where they are by geoflex.resolve (which drops
    repeats within each 250k-row batch): no distinct, no join, no shuffle."""
    import polars as pl

    from geoflex.resolve import GEO_SCHEMA
    from geoflex.spark._arrow import arrow_schema, spark_schema

    out = spark_schema({"phone": pl.String(), **GEO_SCHEMA})
    return sdf.mapInArrow(functools.partial(_resolve_part, arrow=arrow_schema(out)), out)


def _resolve_part(source: Any, *, arrow: Any) -> Any:
    from geoflex.resolve import resolve as resolve_polars
    from geoflex.spark._arrow import batches, chunks

    for frame in chunks(source):
        yield from batches(resolve_polars(frame, "phone"), arrow)


def join_rates(spark: Any, rows: int, repeats: int = 2) -> list[dict[str, object]]:
    """rows/s of each join choice (and of the two shapes geoflex does not use), the shapes
    taken in turn round after round, on one cached input."""
    import geoflex.spark as gs

    path = _corpus(rows, 200_000)
    sdf = _cached(spark, path)
    _warm(spark, sdf)
    shapes: dict[str, Callable[[Any], Any]] = {
        'join="auto"': gs.resolve,
        'join="broadcast"': functools.partial(gs.resolve, join="broadcast"),
        'join="shuffle"': functools.partial(gs.resolve, join="shuffle"),
        "no hint (adaptive execution; before)": _adaptive,
        "per partition, no shuffle": _per_partition,
    }
    best = {name: float("inf") for name in shapes}
    for _ in range(repeats):
        for name, shape in shapes.items():
            best[name] = min(best[name], _timed(shape, sdf, 1))
    sdf.unpersist()
    return [_row(path, rows, s, shape=name) for name, s in best.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[2_000_000, 20_000_000])
    parser.add_argument("--sweep-rows", type=int, default=2_000_000)
    parser.add_argument("--skip-distinct", action="store_true")
    parser.add_argument("--skip-executors", action="store_true")
    parser.add_argument(
        "--joins", type=int, nargs="*", default=[], metavar="ROWS",
        help="only compare the join choices (and polars) on these row counts",
    )  # fmt: skip
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_before": _load(),
    }
    spark = _session("local[2]")
    results["pyspark"] = spark.version
    if args.joins:
        results["joins"] = [r for rows in args.joins for r in join_rates(spark, rows)]
        spark.stop()
        results["load_after"] = _load()
        print(json.dumps(results, indent=2))
        return
    import geoflex.spark as gs

    def rate(path: Path, rows: int, join: str = "auto", **extra: object) -> dict[str, object]:
        sdf = _cached(spark, path)
        shape = functools.partial(gs.resolve, join=join)
        joined = _join_of(shape(sdf))
        seconds = _timed(shape, sdf, repeats=2 if rows <= 2_000_000 else 1)
        sdf.unpersist()
        return _row(path, rows, seconds, join=f"{join}: {joined}", **extra)

    _warm(spark, _cached(spark, _corpus(args.sweep_rows, 200_000)))
    results["zipf"] = [
        rate(_corpus(rows, 200_000), rows, join)
        for rows in args.rows
        for join in ("auto", "broadcast")
    ]
    if not args.skip_distinct:
        rows = args.sweep_rows
        pools: list[int | None] = [2_000, 20_000, 200_000, 2_000_000, None]
        results["distinct"] = [
            rate(_corpus(rows, pool), rows, pool=pool or "all distinct") for pool in pools
        ]
    if not args.skip_executors:
        sweep = []
        for master in ("local[1]", "local[2]"):
            spark.stop()
            spark = _session(master)
            sdf = _cached(spark, _corpus(args.sweep_rows, 200_000))
            _warm(spark, sdf)
            seconds = _timed(gs.resolve, sdf, repeats=2)
            sdf.unpersist()
            sweep.append({"master": master, "spark_rows_s": round(args.sweep_rows / seconds),
                          "spark_s": round(seconds, 2), "load": _load()})  # fmt: skip
            print(json.dumps(sweep[-1]), flush=True)
        results["executors"] = sweep
    sample = spark.createDataFrame([("+1 206 555 0100",)], "phone string")
    plan = gs.resolve(sample)._jdf.queryExecution().executedPlan().toString()
    results["plan_has_MapInArrow"] = "MapInArrow" in plan
    results["plan_join"] = _join_of(gs.resolve(sample))
    spark.stop()
    results["load_after"] = _load()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""geoflex.spark.resolve against polars geoflex.resolve, in one run, on local Spark.

    python benchmarks/bench_spark.py [--rows 2000000 20000000] [--sweep-rows 2000000]
    python benchmarks/bench_spark.py --shapes 2000000 20000000

- rows/s of ``geoflex.spark.resolve`` on ``--rows`` rows with Zipf repeats (s=1.1, 200k
  distinct numbers: the corpora of bench_resolve.py), local[2], against polars
  ``geoflex.resolve`` on the same rows in the same run;
- how the cost grows with the distinct numbers: 2M rows drawn from 2k, 20k and 200k
  distinct numbers;
- an executor sweep: the same 2M rows on local[1] and local[2];
- ``--shapes``: geoflex.spark.resolve against a broadcast join back and against resolving
  each partition in place without a shuffle.

Spark's input is cached first (the timing is resolve's, not the parquet read's), and
``write.format("noop")`` makes Spark compute every output row without collecting any.
Needs the spark extra and Java.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_resolve import CORPUS, geoflex_rate, zipf_corpus  # noqa: E402


def _session(master: str):
    import geoflex.spark as gs

    spark = gs.session(master, config={"spark.driver.memory": "6g", "spark.ui.enabled": "false"})
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.shuffle.partitions", str(4 * int(master[6:-1])))
    return spark


def _corpus(rows: int, distinct: int) -> Path:
    zipf_corpus(rows, distinct)
    return CORPUS / f"phones_zipf_{rows}_{distinct}.parquet"


def spark_rate(spark, path: Path, repeats: int = 2) -> tuple[float, float, int]:
    """(rows per second, best seconds, rows) of geoflex.spark.resolve over a cached input."""
    import geoflex.spark as gs

    sdf = spark.read.parquet(str(path)).repartition(spark.sparkContext.defaultParallelism)
    sdf = sdf.cache()
    rows = sdf.count()
    gs.resolve(sdf.limit(1000)).write.format("noop").mode("overwrite").save()  # warm workers
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        gs.resolve(sdf).write.format("noop").mode("overwrite").save()
        best = min(best, time.perf_counter() - start)
    sdf.unpersist()
    return rows / best, best, rows


def _per_partition(sdf):
    """The untried shape without any shuffle: every partition's rows resolved where they
    are by geoflex.resolve (which drops repeats within each batch), no distinct, no join."""
    import functools

    import polars as pl

    from geoflex.resolve import GEO_SCHEMA
    from geoflex.resolve import resolve as resolve_polars
    from geoflex.spark._arrow import arrow_schema, batches, chunks, spark_schema

    out = spark_schema({"phone": pl.String(), **GEO_SCHEMA})
    arrow = arrow_schema(out)

    def run(source, *, arrow):
        for frame in chunks(source):
            yield from batches(resolve_polars(frame, "phone"), arrow)

    return sdf.mapInArrow(functools.partial(run, arrow=arrow), out)


def variant_rates(spark, path: Path, repeats: int = 2) -> list[dict[str, object]]:
    """rows/s of the three shapes on the same cached input: geoflex.spark.resolve
    (distinct, sort-merge join back), the same with the resolved side broadcast (Spark's
    adaptive execution turns the join into a broadcast once it sees the resolved side's
    size: threshold raised to 256 MB), and per-partition resolving without a shuffle."""
    import geoflex.spark as gs

    sdf = spark.read.parquet(str(path)).repartition(spark.sparkContext.defaultParallelism)
    sdf = sdf.cache()
    rows = sdf.count()
    gs.resolve(sdf.limit(1000)).write.format("noop").mode("overwrite").save()  # warm workers
    key = "spark.sql.adaptive.autoBroadcastJoinThreshold"
    before = spark.conf.get(key, None)
    shapes = {
        "distinct + sort-merge join (geoflex.spark.resolve)": (gs.resolve, None),
        "distinct + broadcast join (AQE threshold 256MB)": (gs.resolve, "256MB"),
        "per-partition, no shuffle": (_per_partition, None),
    }
    out = []
    for name, (shape, threshold) in shapes.items():
        if threshold:
            spark.conf.set(key, threshold)
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            shape(sdf).write.format("noop").mode("overwrite").save()
            best = min(best, time.perf_counter() - start)
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)
        out.append({"shape": name, "rows": rows, "spark_rows_s": round(rows / best),
                    "spark_s": round(best, 2), "load": _load()})  # fmt: skip
        print(json.dumps(out[-1]), flush=True)
    sdf.unpersist()
    return out


def polars_rate(path: Path) -> float:
    import polars as pl

    rate, _ = geoflex_rate(pl.read_parquet(path), repeats=2)
    return rate


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 20_000_000])
    parser.add_argument("--sweep-rows", type=int, default=2_000_000)
    parser.add_argument("--skip-distinct", action="store_true")
    parser.add_argument(
        "--shapes",
        type=int,
        nargs="*",
        default=[],
        metavar="ROWS",
        help="only compare the three shapes (and polars) on these row counts",
    )
    args = parser.parse_args()
    if args.shapes:
        spark = _session("local[2]")
        for rows in args.shapes:
            path = _corpus(rows, 200_000)
            rates = variant_rates(spark, path)
            p_rate = polars_rate(path)
            for r in rates:
                ratio = round(float(r["spark_rows_s"]) / p_rate, 3)  # type: ignore[arg-type]
                print(json.dumps({**r, "polars_rows_s": round(p_rate), "ratio": ratio}))
        spark.stop()
        return
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_before": _load(),
    }
    spark = _session("local[2]")
    results["pyspark"] = spark.version
    table = []
    for rows in args.rows:
        path = _corpus(rows, 200_000)
        s_rate, s_best, _ = spark_rate(spark, path)
        p_rate = polars_rate(path)
        table.append(
            {
                "rows": rows,
                "distinct": 200_000,
                "spark_rows_s": round(s_rate),
                "spark_s": round(s_best, 2),
                "polars_rows_s": round(p_rate),
                "ratio": round(s_rate / p_rate, 3),
                "load": _load(),
            }
        )
        print(json.dumps(table[-1]), flush=True)
    results["zipf"] = table
    if not args.skip_distinct:
        distinct_table = []
        rows = args.sweep_rows
        for distinct in (2_000, 20_000, 200_000):
            path = _corpus(rows, distinct)
            s_rate, s_best, _ = spark_rate(spark, path)
            p_rate = polars_rate(path)
            distinct_table.append(
                {
                    "rows": rows,
                    "distinct": distinct,
                    "spark_rows_s": round(s_rate),
                    "spark_s": round(s_best, 2),
                    "polars_rows_s": round(p_rate),
                    "ratio": round(s_rate / p_rate, 3),
                    "load": _load(),
                }
            )
            print(json.dumps(distinct_table[-1]), flush=True)
        results["distinct"] = distinct_table
    sweep = []
    for master in ("local[1]", "local[2]"):
        spark.stop()
        spark = _session(master)
        s_rate, s_best, _ = spark_rate(spark, _corpus(args.sweep_rows, 200_000))
        sweep.append(
            {
                "master": master,
                "spark_rows_s": round(s_rate),
                "spark_s": round(s_best, 2),
                "load": _load(),
            }
        )
        print(json.dumps(sweep[-1]), flush=True)
    results["executors"] = sweep
    import geoflex.spark as gs

    sample = spark.createDataFrame([("+1 206 555 0100",)], "phone string")
    plan = gs.resolve(sample)._jdf.queryExecution().executedPlan().toString()
    results["plan_has_MapInArrow"] = "MapInArrow" in plan
    spark.stop()
    results["load_after"] = _load()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""geoflex.spark.resolve against polars geoflex.resolve, in one run, on local Spark.

    python benchmarks/bench_spark.py [--rows 2000000 20000000] [--sweep-rows 2000000]

- rows/s of ``geoflex.spark.resolve`` on ``--rows`` rows with Zipf repeats (s=1.1, 200k
  distinct numbers: the corpora of bench_resolve.py), local[2], against polars
  ``geoflex.resolve`` on the same rows in the same run;
- how the cost grows with the distinct numbers: 2M rows drawn from 2k, 20k and 200k
  distinct numbers;
- an executor sweep: the same 2M rows on local[1] and local[2].

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
    args = parser.parse_args()
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

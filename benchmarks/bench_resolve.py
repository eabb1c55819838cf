"""Resolver throughput and memory against the per-number `phonenumbers` loop, in one run.

    python benchmarks/bench_resolve.py [--rows 1000000] [--baseline-sample 20000]

Scenarios (corpora cached under benchmarks/_corpus/):
- unique: ``--rows`` distinct numbers in mixed real-world shapes (E.164, national,
  international, tel:, whatsapp:, 011/00, extensions, full-width...).
- world: ``--rows`` distinct numbers spread evenly over every region and number type (no
  NANP or geocoder weighting: the regions with rewritten national prefixes, long numbers
  and many places count as much as the US), in the same shapes.
- zipf: ``--rows`` rows drawn with Zipf repeats (s=1.1) from 200k distinct numbers.
The baseline is the loop a user would write: parse + region + geocoder description + time
zones per number, measured on a sample of the same inputs (its rate is flat in the count).
Also: peak RSS of resolving the unique and the world corpus (each in a fresh process, with the
process's size after reading the corpus as its baseline), the first call after import and the
import itself.
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

import polars as pl

HERE = Path(__file__).parent
CORPUS = HERE / "_corpus"
sys.path.insert(0, str(HERE))


def unique_corpus(rows: int) -> pl.DataFrame:
    path = CORPUS / f"phones_unique_{rows}.parquet"
    if not path.exists():
        from corpus import phone_corpus

        CORPUS.mkdir(exist_ok=True)
        frame = phone_corpus(int(rows * 1.15), seed=1, nanp_share=0.3, geo_share=0.4)
        frame = frame.unique("phone", keep="first", maintain_order=True).head(rows)
        frame.write_parquet(path)
    return pl.read_parquet(path)


def world_corpus(rows: int) -> pl.DataFrame:
    path = CORPUS / f"phones_world_{rows}.parquet"
    if not path.exists():
        from corpus import phone_corpus

        CORPUS.mkdir(exist_ok=True)
        frame = phone_corpus(int(rows * 1.15), seed=2)
        frame = frame.unique("phone", keep="first", maintain_order=True).head(rows)
        frame.write_parquet(path)
    return pl.read_parquet(path)


def zipf_corpus(rows: int, distinct: int = 200_000) -> pl.DataFrame:
    path = CORPUS / f"phones_zipf_{rows}_{distinct}.parquet"
    if not path.exists():
        import numpy as np

        pool = unique_corpus(max(distinct, 1)).head(distinct)["phone"]
        rng = np.random.default_rng(7)
        ranks = rng.zipf(1.1, size=rows * 2)
        ranks = ranks[ranks <= distinct][:rows] - 1
        pl.DataFrame({"phone": pool.gather(pl.Series(ranks))}).write_parquet(path)
    return pl.read_parquet(path)


def baseline_rate(phones: list[str]) -> float:
    """Numbers per second of the per-number phonenumbers loop (parse, region, place, zones)."""
    import phonenumbers as pn
    from phonenumbers import geocoder, timezone

    geocoder.description_for_number(pn.parse("+14155550132"), "en")  # load the data first
    start = time.perf_counter()
    for text in phones:
        try:
            number = pn.parse(text, "US")
        except pn.NumberParseException:
            continue
        pn.is_valid_number(number)
        pn.region_code_for_number(number)
        geocoder.description_for_number(number, "en")
        timezone.time_zones_for_number(number)
    return len(phones) / (time.perf_counter() - start)


def geoflex_rate(frame: pl.DataFrame, repeats: int = 3) -> tuple[float, float]:
    """(rows per second, best seconds) of geoflex.resolve on the whole frame, warm."""
    import geoflex

    geoflex.resolve(frame.head(1000))
    best = float("inf")
    for _ in range(repeats):
        # Each timed call resolves every phone: none is taken from the previous call.
        geoflex.clear_resolve_cache()
        start = time.perf_counter()
        out = geoflex.resolve(frame)
        best = min(best, time.perf_counter() - start)
        assert out.height == frame.height
    return frame.height / best, best


def _child(code: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def peak_rss_mb(path: Path) -> dict[str, float]:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec.
    code = (
        "import json, time, polars as pl, geoflex\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024\n"
        f"f = pl.read_parquet({str(path)!r}).select('phone')\n"
        "before = hwm()\n"
        "t = time.perf_counter(); geoflex.resolve(f); s = time.perf_counter() - t\n"
        "print(json.dumps({'before_mb': before, 'peak_mb': hwm(), 'seconds': s}))"
    )
    return _child(code)


def polars_import_s(runs: int = 7) -> float:
    """``import polars`` alone, the floor under ``import geoflex`` (fastest of ``runs``)."""
    code = (
        "import json, time; t0 = time.perf_counter(); import polars\n"
        "print(json.dumps({'s': time.perf_counter() - t0}))"
    )
    return min(_child(code)["s"] for _ in range(runs))


def cold_start(runs: int = 7) -> dict[str, float]:
    """Each figure the fastest of ``runs`` fresh processes (the least disturbed by others)."""
    code = (
        "import json, time\n"
        "t0 = time.perf_counter(); import geoflex, polars as pl; t1 = time.perf_counter()\n"
        "geoflex.resolve(pl.DataFrame({'phone': ['+1 415 555 0132', '020 7946 0958']}))\n"
        "t2 = time.perf_counter(); geoflex.lookup('+44 20 7946 0958'); t3 = time.perf_counter()\n"
        "n = 2000; t4 = time.perf_counter()\n"
        "for i in range(n): geoflex.lookup(f'+1 206 555 {i:04d}')\n"
        "t5 = time.perf_counter()\n"
        "print(json.dumps({'import_s': t1 - t0, 'first_resolve_s': t2 - t1,"
        " 'first_lookup_s': t3 - t2, 'lookup_ms': (t5 - t4) / n * 1000}))"
    )
    results = [_child(code) for _ in range(runs)]
    return {key: min(r[key] for r in results) for key in results[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'}, "
        f"python {platform.python_version()}, polars {pl.__version__}"
    )
    unique = unique_corpus(args.rows)
    world = world_corpus(args.rows)
    zipf = zipf_corpus(args.rows)
    print(
        f"corpora: unique {unique.height} rows ({unique['phone'].n_unique()} distinct), "
        f"world {world.height} rows ({world['phone'].n_unique()} distinct, "
        f"{world['region'].n_unique()} regions), "
        f"zipf {zipf.height} rows ({zipf['phone'].n_unique()} distinct)"
    )
    for name, frame in (("unique", unique), ("world", world), ("zipf", zipf)):
        sample = frame["phone"].head(args.baseline_sample).to_list()
        base = baseline_rate(sample)
        ours, seconds = geoflex_rate(frame.select("phone"))
        print(
            f"{name:7s} phonenumbers loop {base:>12,.0f} numbers/s | geoflex "
            f"{ours:>12,.0f} rows/s ({seconds:.2f} s for {frame.height:,}) | "
            f"ratio {ours / base:7.1f}x"
        )
    for name in ("unique", "world"):
        rss = peak_rss_mb(CORPUS / f"phones_{name}_{args.rows}.parquet")
        print(
            f"peak RSS resolving {args.rows:,} {name}: {rss['peak_mb']:.0f} MB "
            f"(after reading the corpus: {rss['before_mb']:.0f} MB; {rss['seconds']:.2f} s cold)"
        )
    cold = cold_start()
    print(
        f"import geoflex {cold['import_s']:.3f} s (polars alone {polars_import_s():.3f} s) | "
        f"first resolve after import "
        f"{cold['first_resolve_s']:.3f} s | first lookup {cold['first_lookup_s']:.3f} s | "
        f"warm lookup {cold['lookup_ms']:.3f} ms"
    )
    print(f"load average after the run: {os.getloadavg()}")


if __name__ == "__main__":
    main()

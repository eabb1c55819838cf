"""Benchmark: peak memory of ``read_events`` on hostile inputs of 2 GiB (decompressed).

Each input is written to a temporary directory (under ``--dir``, default /tmp; free disk is
checked first), read by ``geoflex.read_events`` in a fresh subprocess whose peak resident
memory (``VmHWM``) is printed, then deleted. Two baselines are measured in the same run:
the subprocess after ``import geoflex`` only, and the same amount of valid events (whose
tables are the output: they grow with the input, the hostile inputs' must not).

Inputs: 2 GiB of valid events (the baseline), 2 GiB of newlines, a gzip bomb (2 GiB of
newlines in a few MB of gzip), one 2 GiB line, a 2 GiB JSON array (one document), 2 GiB of
1 kB lines that are not JSON, and 2 GiB of 8-byte bad lines (the most problems per byte):
past ``max_problems`` (100,000) problems are counted, not listed.

Run: ``python benchmarks/bench_hostile_memory.py [--gib 2] [--dir /tmp]``.
Target (issue 13): every hostile input read in <= 1.5 GB peak RSS, no error.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geoflex.sample

_CHUNK = 32 << 20
_CHILD = """
import json, sys, time
import geoflex
t = time.perf_counter()
if sys.argv[1] != "-":
    data = geoflex.read_events(sys.argv[1])
    out = {"lines": data.counts["lines"], "events": data.counts["events"],
           "problems": int(data.problems["count"].sum()),
           "problem_rows": data.problems.height,
           "first_problem": data.problems["reason"][0][:90] if data.problems.height else ""}
else:
    out = {}
out["seconds"] = time.perf_counter() - t
# VmHWM: this process's own peak (ru_maxrss would count the parent's memory at the fork).
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
out["peak_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def _write_repeated(path: Path, size: int, piece: Callable[[int], bytes]) -> None:
    """``size`` bytes made of ``piece(k)`` for k = 0, 1, ... (the last one cut)."""
    written = 0
    with open(path, "wb") as out:
        k = 0
        while written < size:
            block = piece(k)[: size - written]
            out.write(block)
            written += len(block)
            k += 1


def _valid_events(path: Path, size: int) -> None:
    # 20,000 generated conversations, repeated with their sids renamed per copy, so that
    # every event and task is distinct (duplicates would count once and hold less).
    base = "\n".join(geoflex.sample.generate(20_000, seed=1, dirt=False)["line"]).encode()
    base += b"\n"

    def copy(k: int) -> bytes:
        tag = f"{k:06d}".encode()
        return base.replace(b'"EV', b'"EV' + tag).replace(b'"WT', b'"WT' + tag)

    _write_repeated(path, size, copy)


def _newlines(path: Path, size: int) -> None:
    _write_repeated(path, size, lambda _: b"\n" * _CHUNK)


def _gzip_bomb(path: Path, size: int) -> None:
    block = b"\n" * _CHUNK
    with gzip.open(path, "wb", compresslevel=9) as out:
        for lo in range(0, size, _CHUNK):
            out.write(block[: size - lo])


def _one_line(path: Path, size: int) -> None:
    head = b'{"id": "'
    _write_repeated(path, size, lambda k: head if k == 0 else b"x" * _CHUNK)


def _json_array(path: Path, size: int) -> None:
    event = geoflex.sample.generate(1, seed=2, dirt=False)["line"][0].encode()
    _write_repeated(path, size, lambda k: b"[" if k == 0 else (event + b",") * 10_000)


def _not_json(path: Path, size: int) -> None:
    line = b"<html>" + b"x" * 1017 + b"\n"
    _write_repeated(path, size, lambda _: line * 32_768)


def _short_not_json(path: Path, size: int) -> None:
    # The most problems a byte can buy: 8-byte lines of three kinds (the first byte rules
    # out JSON; JSON cut short; no event type).
    lines = b'xxxxxxx\n{"a":1\n{"a":1}\n'
    _write_repeated(path, size, lambda _: lines * (_CHUNK // len(lines)))


CASES: dict[str, tuple[str, Callable[[Path, int], None]]] = {
    "valid events (baseline)": ("valid.ndjson", _valid_events),
    "newlines": ("newlines.ndjson", _newlines),
    "gzip bomb": ("bomb.ndjson.gz", _gzip_bomb),
    "one line": ("line.ndjson", _one_line),
    "JSON array": ("array.json", _json_array),
    "lines not JSON": ("html.ndjson", _not_json),
    "short bad lines": ("short.ndjson", _short_not_json),
}


def _measure(path: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, path], capture_output=True, text=True, check=False
    )
    if run.returncode:
        return {"error": (run.stderr.strip().splitlines() or ["?"])[-1][:200]}
    result: dict[str, object] = json.loads(run.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0, help="decompressed size of each input")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where inputs are written")
    parser.add_argument("--only", nargs="*", default=None, help="case names to run")
    args = parser.parse_args()
    size = int(args.gib * (1 << 30))
    free = shutil.disk_usage(args.dir).free
    if free < size * 1.5:
        sys.exit(f"{args.dir}: {free / 1e9:.1f} GB free, {size * 1.5 / 1e9:.1f} GB needed")
    print(f"load average at the start: {os.getloadavg()} on {os.cpu_count()} cores")
    print(f"input size: {size:,} bytes each")
    base = _measure("-")
    print(f"baseline, import geoflex only: {base['peak_mb']:.0f} MB")
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="geoflex-hostile-") as tmp:
        for name, (file, make) in CASES.items():
            if args.only and name.split()[0] not in args.only:
                continue
            path = Path(tmp) / file
            t = time.perf_counter()
            make(path, size)
            made = time.perf_counter() - t
            result = _measure(str(path))
            on_disk = path.stat().st_size
            path.unlink()
            rows.append((name, on_disk, result))
            print(f"{name}: {on_disk:,} bytes on disk (made in {made:.0f} s): {result}",
                  flush=True)  # fmt: skip
    print(f"load average at the end: {os.getloadavg()}")
    print()
    print(
        "| input (2 GiB decompressed) | on disk | peak RSS | × import | lines | problems "
        "(rows) | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, on_disk, r in rows:
        if "error" in r:
            print(f"| {name} | {on_disk / 2**20:,.0f} MiB | error: {r['error']} | | | | |")
            continue
        peak = float(r["peak_mb"])  # type: ignore[arg-type]
        print(
            f"| {name} | {on_disk / 2**20:,.0f} MiB | {peak:,.0f} MB "
            f"| {peak / float(base['peak_mb']):.1f}× | {r['lines']:,} | {r['problems']:,} "  # type: ignore[arg-type]
            f"({r['problem_rows']:,}) "
            f"| {float(r['seconds']):.0f} |"  # type: ignore[arg-type]
        )


if __name__ == "__main__":
    main()

"""Load benchmark of ``geoflex collect``: events/s acknowledged with durability on, latency,
and that every acknowledged event is on the disk.

Two receivers run as real server processes, one after the other, on the same load:
**durable** (the real thing: each group of batches written and fsync'ed before the 200s)
and the **baseline**, the same receiver with fsync off (the cost of durability is the
ratio). The load: ``--senders`` concurrent HTTP/1.1 connections, each posting signed batches
of ``--batch`` CloudEvents back to back, as Event Streams does. Signatures are made before
the clock starts. Afterwards the event files are read with ``geoflex.read_events`` and every
acknowledged id is looked for.

    python benchmarks/bench_collect.py [--batches 600] [--batch 50] [--senders 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geoflex
from tests.collect._server import TOKEN, cloud_event, free_port, signed

_SERVE = """
import sys
from pathlib import Path
from geoflex.collect._receiver import ReceiverSettings, serve
serve(ReceiverSettings(out=Path(sys.argv[1]), auth_token=sys.argv[2], durable=sys.argv[3] == "1"),
      host="127.0.0.1", port=int(sys.argv[4]))
"""


def start(out: Path, *, durable: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(out), TOKEN, "1" if durable else "0", str(port)],
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("receiver did not start")


def requests(url: str, batches: int, size: int, tag: str) -> list[tuple[str, bytes, dict, list]]:
    out = []
    for b in range(batches):
        batch = [cloud_event(f"EV{tag}-{b}-{k}", f"WT{tag}{b}") for k in range(size)]
        body = json.dumps(batch).encode()
        full, headers = signed(url + "/events", body)
        out.append((full, body, headers, [e["id"] for e in batch]))
    return out


async def load(work: list, senders: int) -> tuple[float, list[float], list[str], int]:
    queue: asyncio.Queue = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    latencies: list[float] = []
    acknowledged: list[str] = []
    failed = 0

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal failed
        while not queue.empty():
            full, body, headers, ids = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(full, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code == 200:
                acknowledged.extend(ids)
            else:
                failed += 1

    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(sender(client) for _ in range(senders)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, acknowledged, failed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(durable: bool, args: argparse.Namespace, root: Path) -> dict:
    out = root / ("durable" if durable else "baseline")
    process, url = start(out, durable=durable)
    try:
        work = requests(url, args.batches, args.batch, "d" if durable else "b")
        elapsed, latencies, acknowledged, failed = asyncio.run(load(work, args.senders))
        health = httpx.get(f"{url}/health", timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=30)
    data = geoflex.read_events(str(out / "events"))
    on_disk = set()
    for path in (out / "events").glob("*.ndjson"):
        on_disk.update(json.loads(line)["id"] for line in path.read_bytes().splitlines())
    return {
        "events_per_s": len(acknowledged) / elapsed,
        "batches_per_s": (args.batches - failed) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "acknowledged": len(acknowledged),
        "failed": failed,
        "lost": len(set(acknowledged) - on_disk),
        "read_back": data.counts["lines"],
        "problems": data.problems.height,
        "commits": health["commits"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=600)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--senders", type=int, default=16)
    args = parser.parse_args()
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"load: {args.batches} batches of {args.batch} events, {args.senders} senders; "
          f"cpus={os.cpu_count()}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp:
        results = {
            name: run(name == "durable", args, Path(tmp)) for name in ("baseline", "durable")
        }
    for name, r in results.items():
        print(
            f"{name:9s} {r['events_per_s']:>9,.0f} events/s  "
            f"{r['batches_per_s']:>7,.1f} batches/s  "
            f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  max {r['max_ms']:7.1f} ms  "
            f"acknowledged {r['acknowledged']:,}  failed {r['failed']}  lost {r['lost']}  "
            f"read back {r['read_back']:,} (problems {r['problems']})  "
            f"{r['acknowledged'] / max(1, r['commits']) / args.batch:.1f} batches a commit"
        )
    ratio = results["durable"]["events_per_s"] / results["baseline"]["events_per_s"]
    print(f"durable / baseline throughput: {ratio:.2f}x")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    assert results["durable"]["lost"] == 0, "acknowledged events missing from the disk"


if __name__ == "__main__":
    main()

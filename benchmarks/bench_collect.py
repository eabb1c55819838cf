"""Load benchmark of ``geoflex collect``: events/s acknowledged with durability on, latency,
and that every acknowledged event is on the disk.

Two receivers run as real server processes, one after the other, on the same load:
**durable** (the real thing: each group of batches written and fsync'ed before the 200s)
and the **baseline**, the same receiver with fsync off (the cost of durability is the
ratio). The load: ``--senders`` concurrent HTTP/1.1 connections, each posting signed batches
of ``--batch`` CloudEvents back to back, as Event Streams does. Signatures are made before
the clock starts. Afterwards the event files are read with ``geoflex.read_events`` and every
acknowledged id is looked for.

    python benchmarks/bench_collect.py [--batches 600] [--batch 50] [--senders 16] [--crash]

``--crash`` then kills the durable receiver with SIGKILL halfway through the same load,
restarts it, and counts the acknowledged events found on the disk.
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
import psutil

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
            try:
                response = await client.post(full, content=body, headers=headers)
            except httpx.TransportError:  # the receiver was killed (--crash)
                failed += 1
                continue
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
        server = psutil.Process(process.pid)
        cpu_before = sum(server.cpu_times()[:2])
        elapsed, latencies, acknowledged, failed = asyncio.run(load(work, args.senders))
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        health = httpx.get(f"{url}/health", timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=30)
    data = geoflex.read_events(str(out / "events"))
    written = set(on_disk(out))
    return {
        "events_per_s": len(acknowledged) / elapsed,
        # The receiver's own CPU (user + system): on a shared machine, what it would do with
        # one core to itself.
        "events_per_cpu_s": len(acknowledged) / cpu,
        "batches_per_s": (args.batches - failed) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies) * 1000,
        "acknowledged": len(acknowledged),
        "failed": failed,
        "lost": len(set(acknowledged) - written),
        "read_back": data.counts["lines"],
        "problems": data.problems.height,
        "commits": health["commits"],
    }


def on_disk(out: Path) -> list[str]:
    ids = []
    for path in sorted((out / "events").glob("*.ndjson")):
        ids += [json.loads(line)["id"] for line in path.read_bytes().splitlines()]
    return ids


def crash(args: argparse.Namespace, root: Path) -> None:
    """kill -9 the durable receiver halfway through the load; restart; count."""
    import threading

    out = root / "crash"
    process, url = start(out, durable=True)
    work = requests(url, args.batches, args.batch, "k")
    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(load(work, args.senders))))
    runner.start()
    while len(on_disk(out)) < args.batches * args.batch // 2:
        time.sleep(0.02)
    process.kill()
    process.wait()
    runner.join()
    _elapsed, _latencies, acknowledged, failed = outcome[0]
    process, url = start(out, durable=True)  # recovery: torn tail cut, ids reloaded
    process.terminate()
    process.wait(timeout=30)
    ids = on_disk(out)
    data = geoflex.read_events(str(out / "events"))
    print(
        f"crash     kill -9 mid-load; after the restart {len(ids):,} events on disk; "
        f"acknowledged {len(acknowledged):,}, "
        f"requests cut off {failed}, lost {len(set(acknowledged) - set(ids))}, "
        f"duplicated lines {len(ids) - len(set(ids))}, read back {data.counts['lines']:,} "
        f"(problems {data.problems.height})"
    )
    assert not set(acknowledged) - set(ids), "an acknowledged event was lost"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=600)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--crash", action="store_true", help="also kill -9 mid-load and count")
    args = parser.parse_args()
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"load: {args.batches} batches of {args.batch} events, {args.senders} senders; "
          f"cpus={os.cpu_count()}")  # fmt: skip
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as tmp:
        # Alternating rounds, so that both sides see the shared machine's slow and fast minutes.
        for k in range(args.rounds):
            rounds.append(
                {
                    name: run(name == "durable", args, Path(tmp) / f"round{k}")
                    for name in ("baseline", "durable")
                }
            )
        if args.crash:
            crash(args, Path(tmp))
    for k, results in enumerate(rounds, 1):
        print(f"round {k}")
        report(results, args)
    lost = sum(results["durable"]["lost"] for results in rounds)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    assert lost == 0, "acknowledged events missing from the disk"


def report(results: dict, args: argparse.Namespace) -> None:
    for name, r in results.items():
        print(
            f"{name:9s} {r['events_per_s']:>9,.0f} events/s  "
            f"{r['batches_per_s']:>7,.1f} batches/s  "
            f"{r['events_per_cpu_s']:>7,.0f} events/CPU-s  "
            f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  max {r['max_ms']:7.1f} ms  "
            f"acknowledged {r['acknowledged']:,}  failed {r['failed']}  lost {r['lost']}  "
            f"read back {r['read_back']:,} (problems {r['problems']})  "
            f"{r['acknowledged'] / max(1, r['commits']) / args.batch:.1f} batches a commit"
        )
    ratio = results["durable"]["events_per_s"] / results["baseline"]["events_per_s"]
    print(f"durable / baseline throughput: {ratio:.2f}x")
    cpu_ratio = results["durable"]["events_per_cpu_s"] / results["baseline"]["events_per_cpu_s"]
    print(f"durable / baseline events per receiver CPU-second: {cpu_ratio:.2f}x")


if __name__ == "__main__":
    main()

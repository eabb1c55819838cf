"""The durable writer and the persisted id index, in process."""

from __future__ import annotations

import json

import geoflex
from geoflex.collect._dedup import SeenIds
from geoflex.collect._writer import EventFiles
from tests.collect._server import cloud_event


def line(event_id: str) -> bytes:
    return (json.dumps(cloud_event(event_id)) + "\n").encode()


def test_files_rotate_by_size_and_read_back_whole(tmp_path):
    files = EventFiles(tmp_path / "events", torn_dir=tmp_path / "torn", rotate_bytes=2000)
    (tmp_path / "events").mkdir()
    started = []
    files.before_new_file = lambda: started.append(files.active)
    for k in range(12):
        files.append([line(f"EV{k}a"), line(f"EV{k}b")])
    files.close()
    paths = files.files()
    assert len(paths) > 3
    assert len(started) == len(paths)  # the id log is synced before every new file
    # No batch is split over two files, and every line is whole.
    for path in paths:
        rows = path.read_bytes().splitlines()
        assert len(rows) % 2 == 0
        assert all(json.loads(r)["id"] for r in rows)
    data = geoflex.read_events(str(tmp_path / "events"))
    assert data.counts["lines"] == 24
    assert data.problems.height == 0


def test_recover_cuts_only_a_torn_tail(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    files = EventFiles(events, torn_dir=tmp_path / "torn")
    files.append([line("EV1"), line("EV2")])
    files.close()
    assert EventFiles(events, torn_dir=tmp_path / "torn").recover().ids == ["EV1", "EV2"]
    (path,) = files.files()
    with open(path, "ab") as handle:
        handle.write(b'{"id": "EV3", "sp')
    recovered = EventFiles(events, torn_dir=tmp_path / "torn").recover()
    assert (recovered.file, recovered.torn_bytes, recovered.ids) == (path.name, 17, ["EV1", "EV2"])
    assert path.read_bytes().endswith(b"}\n")


def test_seen_ids_are_bounded_and_survive_a_restart(tmp_path):
    log = tmp_path / "collect.ids"
    seen = SeenIds(log, capacity=100)
    for k in range(0, 500, 10):
        seen.add(f"EV{i}" for i in range(k, k + 10))
    assert len(seen) == 100
    assert "EV499" in seen
    assert "EV400" in seen
    assert "EV399" not in seen
    # The log is rewritten to the kept ids once it holds more than twice as many.
    assert len(log.read_bytes().splitlines()) <= 200
    seen.close()
    again = SeenIds(log, capacity=100)
    assert "EV450" in again
    assert "EV399" not in again
    assert len(again) == 100
    # A line cut by a crash is skipped (the event file has the id).
    again.close()
    with open(log, "ab") as handle:
        handle.write(b'"EV5')
    last = SeenIds(log, capacity=100)
    assert len(last) == 100
    assert "EV499" in last
    last.close()


_FAILING_WRITE = """
import resource, signal, sys
from pathlib import Path
from geoflex.collect._writer import EventFiles

events = Path(sys.argv[1])
files = EventFiles(events, torn_dir=events.parent / "torn")
files.append([b'{"id": "EV1"}\\n'])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    files.append([b'{"id": "EV2", "pad": "' + b"x" * 2000 + b'"}\\n'] * 4)
except OSError as exc:
    print("failed", exc.errno)
files.append([b'{"id": "EV3"}\\n'])
files.close()
"""


def test_a_failed_write_is_cut_back_off_the_file(tmp_path):
    """A batch that could not be written whole (here: past a file-size limit) leaves no
    partial line between the good ones."""
    import subprocess
    import sys

    events = tmp_path / "events"
    events.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _FAILING_WRITE, str(events)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("failed")
    (path,) = events.iterdir()
    assert path.read_bytes() == b'{"id": "EV1"}\n{"id": "EV3"}\n'

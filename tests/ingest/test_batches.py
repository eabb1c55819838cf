"""File batches: memory-mapped windows of a regular file, a stream's pieces otherwise."""

from __future__ import annotations

import io
import os
import random
import threading
from pathlib import Path

import pytest

import geoflex
import geoflex.sample
from geoflex.ingest import _read


def _mapped(path: Path) -> list[memoryview]:
    with open(path, "rb") as stream:
        return list(_read._mapped_batches(stream.fileno()))


@pytest.mark.parametrize("seed", range(12))
def test_mapped_batches_cover_the_file_in_whole_lines(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    # Windows of a few kB start at offsets that are not multiples of the map granularity;
    # some lines are longer than a window.
    window = rng.choice([1000, 5000, 9000, 20000])
    monkeypatch.setattr(_read, "_READ_BYTES", window)
    lengths = [0, 1, 5, 90, 700, 3000, 25000]
    lines = [b"x" * rng.choice(lengths) for _ in range(rng.randint(0, 200))]
    data = b"\n".join(lines) + rng.choice([b"", b"\n", b"\n\n"])
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    batches = _mapped(path)
    assert b"".join(bytes(b) for b in batches) == data
    for batch in batches[:-1]:
        assert bytes(batch).endswith(b"\n")
        # A batch is one window, unless its first line alone is longer.
        assert len(batch) <= window or b"\n" not in bytes(batch[:-1])[:window]
    # The streaming reader (pipes, gzip) covers the same bytes.
    stream_batches = list(_read._batches(io.BytesIO(data)))
    assert b"".join(stream_batches) == data


def test_blanking_a_mapped_batch_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"a": 1}\n<html>\n{"a": 2}\n')
    (batch,) = _mapped(path)
    batch[9:15] = b"      "  # what the parser does to an odd line
    assert bytes(batch) == b'{"a": 1}\n      \n{"a": 2}\n'
    assert path.read_bytes() == b'{"a": 1}\n<html>\n{"a": 2}\n'


def test_mapped_batches_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_bytes(b"")
    assert _mapped(path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_read_as_a_stream(tmp_path: Path) -> None:
    # Not a regular file: no memory map, the streaming reader takes it.
    lines = geoflex.sample.generate(40, seed=2)
    text = "\n".join(lines.to_series().to_list()).encode() + b"\n"
    pipe = tmp_path / "events.ndjson"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(text,))
    writer.start()
    from_pipe = geoflex.read_events(pipe)
    writer.join()
    plain = tmp_path / "plain.ndjson"
    plain.write_bytes(text)
    from_file = geoflex.read_events(plain)
    assert from_pipe.segments.drop("source_file").equals(from_file.segments.drop("source_file"))
    assert from_pipe.counts == from_file.counts
    assert from_pipe.problems["line"].to_list() == from_file.problems["line"].to_list()

"""The zero-copy file batches are exactly the batches of the streaming reader."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from geoflex.ingest import _read


def _stream_batches(data: bytes, head_size: int) -> list[bytes]:
    stream = io.BytesIO(data)
    head = stream.read(head_size)
    return list(_read._batches(_read._Prefixed(head, stream)))


@pytest.mark.parametrize("seed", range(12))
def test_file_batches_equal_stream_batches(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(_read, "_READ_BYTES", rng.choice([7, 16, 50, 200]))
    lines = [b"x" * rng.choice([0, 1, 5, 30, 90, 400]) for _ in range(rng.randint(0, 60))]
    data = b"\n".join(lines) + rng.choice([b"", b"\n", b"\n\n"])
    path = tmp_path / "events.ndjson"
    path.write_bytes(data)
    head_size = rng.choice([1, 8, 64, 1 << 16])
    spare: list[bytearray] = []
    got = []
    with open(path, "rb") as stream:
        head = stream.read(head_size)
        for batch in _read._file_batches(stream, len(head), spare):
            got.append(bytes(batch))
            if isinstance(batch, bytearray) and rng.random() < 0.7:
                spare.append(batch)  # handed back for reuse, as the reader does
    assert got == _stream_batches(data, head_size)
    assert b"".join(got) == data


def test_a_recycled_buffer_still_in_use_is_not_overwritten() -> None:
    buf = bytearray(b"abc")
    view = memoryview(buf)
    with pytest.raises(BufferError):
        _read._sized(buf, 3)
    view.release()
    assert len(_read._sized(buf, 5)) == 5


def test_file_batches_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_bytes(b"")
    with open(path, "rb") as stream:
        assert list(_read._file_batches(stream, len(stream.read(1 << 16)))) == []

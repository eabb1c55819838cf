"""The pyarrow fast path gives exactly what polars alone gives, line for line."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from geoflex.ingest import _ndjson
from geoflex.ingest._ndjson import ParsedLines, parse_lines, parse_ndjson

_SCHEMA = {
    "id": pl.String(),
    "data": pl.Struct({"payload": pl.Struct({"sid": pl.String(), "age": pl.String()})}),
    "n": pl.String(),
}

# Lines pyarrow reads like polars, lines it reads differently or not at all, broken lines.
_LINES = [
    b'{"id": "a", "data": {"payload": {"sid": "s1", "age": 5}}, "n": 1}',
    b'{"id": "b", "data": {"payload": {"sid": "s2", "age": 7}}, "n": 22}',
    b'{"id": "c", "data": {"payload": {"sid": "s\\u00e9", "age": -0}}, "n": 3}',
    b'{"id": "d", "data": {"payload": {"sid": "s4"}}}',
    b'{"id": "e", "data": null, "n": null}',
    b"{}",
    b'{"id": "f", "n": "7"}',
    b'{"id": "g", "n": 1.5}',
    b'{"id": "h", "n": 1e3}',
    b'{"id": "i", "n": true}',
    b'{"id": "j", "n": 123456789012345678901234567890}',
    b'{"id": "k", "n": {"x": 1}}',
    b'{"id": "l", "n": [1, 2]}',
    b'{"id": "m", "id": "m2"}',
    b'{"id": "\\ud800"}',
    b'{"id": "o"}{"id": "p"}',
    b'{"id": "q"} {"id": "r"}',
    b'{"id": "s", "data": {"payload": "flat"}}',
    b'{"id": "t", "unknown": {"deep": [1, {"a": 2}]}}',
    b'{"id": "u\xc3\xa9", "n": 5}\r',
    b'{"id": "v", ',
    b"null",
    b"[1]",
    b"",
    b"   ",
    b"<html>502</html>",
    b'{"id": "w", "n": 9} ',
    b' {"id": "x", "n": 9}',
    b'{"id": "y\xff"}',
]


def _polars_only(data: bytes, monkeypatch: pytest.MonkeyPatch) -> ParsedLines:
    with monkeypatch.context() as m:
        m.setattr(_ndjson, "arrow_schema", lambda *_: None)
        return parse_ndjson(data, _SCHEMA)


def _same(a: ParsedLines, b: ParsedLines) -> None:
    assert_frame_equal(a.frame, b.frame)
    assert a.problems == b.problems
    assert (a.blank_lines, a.lines) == (b.blank_lines, b.lines)


@pytest.mark.parametrize("seed", range(40))
def test_fast_path_equals_polars(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    # Mostly good lines (so runs are long and the sample types them as ints), some others.
    good, rest = _LINES[:3], _LINES[3:]
    lines = [rng.choice(good) if rng.random() < 0.7 else rng.choice(rest) for _ in range(80)]
    data = b"\n".join(lines) + rng.choice([b"", b"\n"])
    fast = parse_ndjson(data, _SCHEMA)
    _same(fast, _polars_only(data, monkeypatch))
    # A writable batch (as read from a file): odd lines are blanked, the rest read at once.
    _same(parse_ndjson(bytearray(data), _SCHEMA), fast)
    # And with offsets given instead of found.
    if not data.endswith(b"\n"):
        data += b"\n"
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    _same(parse_lines(data, starts, ends, _SCHEMA), fast)


def test_fast_path_is_taken_for_clean_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = _ndjson._isolate

    def spy(*args: object) -> None:
        calls.append(args)
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_ndjson, "_isolate", spy)
    parsed = parse_ndjson(b"\n".join(_LINES[:3] * 50), _SCHEMA)
    assert parsed.frame.height == 150
    assert not calls
    assert parsed.frame["n"].to_list()[:3] == ["1", "22", "3"]
    assert parsed.frame["data"].struct.field("payload").struct.field("age")[2] == "0"


# Lines Python's json module reads differently from polars: both must still agree that a
# line json rejects is unusable (a BOM, NaN, raw control characters, deep nesting...).
_EDGE_LINES = [
    b'\xef\xbb\xbf{"id": "a"}',
    b'{"id": "a", "n": NaN}',
    b'{"id": "a\x01b"}',
    b'{"id": "a\tb"}',
    b'{"id": "a",}',
    b"{'id': 'a'}",
    b'{"id": "a", "n": 01}',
    b'{"id": "a"} // note',
    b'{"n": ' * 3000 + b"1" + b"}" * 3000,
    b'{"id": "\\x41"}',
    b'{"id": "a"}\x00',
]


def _polars_reads(line: bytes, schema: dict[str, pl.DataType]) -> bool:
    try:
        return _ndjson._read(line, schema).height == 1
    except Exception:
        return False


def _mutated(rng: random.Random, line: bytes) -> bytes:
    """``line`` with a few random edits: deletions, insertions of JSON-ish or hostile bytes,
    truncation, overwritten bytes."""
    pieces = [
        b"{", b"}", b"[", b'"', b"\\", b",", b":", b" ", b"\x00", b"\x1f", b"\xff", b"\xc3",
        b"\xef\xbb\xbf", b"1", b"-", b"e", b".", b"\\u", b"\\ud800", b"NaN", b"'",
    ]  # fmt: skip
    out = bytearray(line)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out) + 1)
        op = rng.random()
        if op < 0.3 and out:
            del out[i % len(out)]
        elif op < 0.7:
            out[i:i] = rng.choice(pieces) * rng.randint(1, 2)
        elif op < 0.85:
            del out[i:]
        elif out:
            out[i % len(out)] = rng.randrange(256)
    return bytes(out).replace(b"\n", b" ").replace(b"\r", b" ")


def test_what_json_rejects_polars_rejects() -> None:
    # A line alone is judged by Python's json module before polars (it is much cheaper):
    # that must never turn away a line polars would read.
    import geoflex.sample
    from geoflex.ingest._schema import batch_schema

    events = geoflex.sample.generate(30, seed=3, dirt=False).to_series().to_list()
    schema = batch_schema(events[0].encode())
    rng = random.Random(5)
    candidates = (
        _LINES + _EDGE_LINES + [_mutated(rng, rng.choice(events).encode()) for _ in range(3000)]
    )
    # The nesting limit aside (that one is meant to turn lines away).
    rejected = [line for line in candidates if _ndjson._json_error(line, 10**6) is not None]
    assert len(rejected) > 1000  # the mutations do break most lines
    assert [line for line in rejected if _polars_reads(line, schema)] == []
    assert [line for line in rejected if _polars_reads(line, _SCHEMA)] == []

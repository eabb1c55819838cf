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

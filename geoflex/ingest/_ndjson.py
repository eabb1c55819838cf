"""NDJSON bytes -> typed rows with their line numbers, and a problem for every unusable line.

polars' native reader parses a whole batch at once and is fast, but it fails the batch on
the first bad line and skips blank lines. So each batch is tried whole first (the common,
clean case); when that fails, or when the row count shows skipped blank lines, the batch is
split in halves recursively until every bad line is isolated. A batch with k bad lines costs
about k·log2(batch) extra parses of shrinking slices, and every good line keeps its number.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:  # numpy is imported when parsing, to keep `import geoflex` light
    import numpy as np

__all__ = ["LineProblem", "ParsedLines", "parse_ndjson"]

_BATCH_BYTES = 64 << 20
LINE_COLUMN = "_line"


@dataclass(frozen=True)
class LineProblem:
    """One line that could not be used: its 1-based number and why."""

    line: int
    reason: str


@dataclass
class ParsedLines:
    """Rows parsed from NDJSON (with a ``_line`` column) and the lines that failed."""

    frame: pl.DataFrame
    problems: list[LineProblem] = field(default_factory=list)
    blank_lines: int = 0


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _read(chunk: bytes, schema: Mapping[str, Any]) -> pl.DataFrame:
    return pl.read_ndjson(io.BytesIO(chunk), schema=dict(schema))


def _line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive, without the newline) byte offsets of every line."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate([[0], newlines + 1])
    ends = np.concatenate([newlines, [len(data)]])
    if len(data) == 0 or data.endswith(b"\n"):  # no line after the final newline
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends


def _isolate(
    data: bytes,
    starts: np.ndarray,
    ends: np.ndarray,
    first_line: int,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> None:
    """Parse lines [0, len(starts)) of ``data``; split ranges that fail until lines are alone."""
    import numpy as np

    stack = [(0, len(starts))]
    while stack:
        lo, hi = stack.pop()
        chunk = data[int(starts[lo]) : int(ends[hi - 1])]
        try:
            frame = _read(chunk, schema)
            error: str | None = None
        except Exception as exc:  # polars raises several error types for bad JSON
            frame, error = None, _short(exc)
        if frame is not None and frame.height == hi - lo:
            lines = np.arange(first_line + lo, first_line + hi, dtype=np.int64)
            frames.append(frame.with_columns(pl.Series(LINE_COLUMN, lines)))
            continue
        if hi - lo == 1:
            if not chunk.strip():
                out.blank_lines += 1
            else:
                preview = chunk[:40].decode("utf-8", errors="replace")
                reason = (
                    f"not a usable JSON object ({error or 'no object'}); line starts {preview!r}"
                )
                out.problems.append(LineProblem(first_line + lo, reason))
            continue
        mid = (lo + hi) // 2
        # Push the right half first so lines come out in order.
        stack.append((mid, hi))
        stack.append((lo, mid))


def _split_batches(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of about _BATCH_BYTES each, cut just after a newline."""
    ranges = []
    pos = 0
    while pos < len(data):
        cut = min(len(data), pos + _BATCH_BYTES)
        if cut < len(data):
            nl = data.find(b"\n", cut)
            cut = len(data) if nl < 0 else nl + 1
        ranges.append((pos, cut))
        pos = cut
    return ranges


def _runs(
    data: bytes, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Blank-line mask and ranges of lines to parse together.

    A line that does not look like one object (first byte not ``{`` or last not ``}``) is
    parsed alone, so a truncated or non-JSON line does not make its whole batch re-parse.
    """
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    if len(starts) == 0:
        return np.zeros(0, dtype=bool), []
    # Ignore one trailing carriage return (CRLF files).
    last = np.maximum(ends - 1, starts)
    has_cr = (ends > starts) & (buf[np.minimum(last, len(buf) - 1)] == 13)
    ends_trim = np.where(has_cr, ends - 1, ends)
    blank = ends_trim <= starts
    safe_start = np.minimum(starts, len(buf) - 1)
    safe_end = np.clip(ends_trim - 1, 0, len(buf) - 1)
    looks_ok = ~blank & (buf[safe_start] == ord("{")) & (buf[safe_end] == ord("}"))
    runs: list[tuple[int, int]] = []
    # Boundaries: every place where "looks_ok" changes, plus around each odd line.
    odd = np.flatnonzero(~looks_ok)
    lo = 0
    for i in odd.tolist():
        if i > lo:
            runs.append((lo, i))
        if not blank[i]:
            runs.append((i, i + 1))
        lo = i + 1
    if lo < len(starts):
        runs.append((lo, len(starts)))
    return blank, runs


def parse_ndjson(data: bytes, schema: Mapping[str, Any]) -> ParsedLines:
    """Parse NDJSON ``data`` with ``schema``; see the module docstring.

    Examples
    --------
    >>> import polars as pl
    >>> parsed = parse_ndjson(b'{"a": 1}\\n\\n{"a": \\n{"a": "x"}\\n', {"a": pl.String})
    >>> parsed.frame.rows()
    [('1', 1), ('x', 4)]
    >>> [p.line for p in parsed.problems], parsed.blank_lines
    ([3], 1)
    """
    out = ParsedLines(pl.DataFrame())
    frames: list[pl.DataFrame] = []
    line = 1
    for lo, hi in _split_batches(data):
        chunk = data[lo:hi]
        starts, ends = _line_bounds(chunk)
        blank, runs = _runs(chunk, starts, ends)
        out.blank_lines += int(blank.sum())
        for a, b in runs:
            _isolate(chunk, starts[a:b], ends[a:b], line + a, schema, out, frames)
        line += len(starts)
    empty = pl.DataFrame(schema=dict(schema)).with_columns(
        pl.Series(LINE_COLUMN, [], dtype=pl.Int64)
    )
    out.frame = pl.concat(frames) if frames else empty
    return out

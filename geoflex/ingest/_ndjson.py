"""NDJSON bytes -> typed rows with their line numbers, and a problem for every unusable line.

Blank lines and lines that do not look like one object (first byte not ``{`` or last not
``}``) are found first (numpy over the bytes) and handled alone; the runs of lines between
them are parsed whole (in a buffer we may overwrite, a batch read from a file, the odd
lines are then blanked out and all the runs are one). A run goes to pyarrow first
(``_fastjson``: faster, and it names the row of a syntax error, so that line alone goes to
polars and the rest stays fast). Runs pyarrow cannot read exactly as polars would go to
polars' native reader, which fails a whole run on the first bad line and skips blank lines:
such a run is split in halves recursively until every bad line is isolated (k bad lines
cost about k·log2(run) extra parses of shrinking slices). Either way every good line keeps
its number. A line alone is judged by Python's json module first, then by polars: a bad
line's problem is the verdict of the first that rejects it.

A line that holds a JSON array (an Event Streams webhook delivery, several events, logged
as one line) gives a row per element, each numbered as its line: polars decodes all such
lines of a batch at once; when it cannot, each line's elements are split by Python's json
module and read as lines of their own, so that each bad element is a problem at its line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

import polars as pl

from geoflex.ingest._fastjson import SAMPLE_BYTES, FastJSONError, arrow_schema, read_fast
from geoflex.ingest._limits import DEFAULT_LIMITS, SKIPPED_LINE, loads
from geoflex.ingest._problems import ProblemLog

if TYPE_CHECKING:  # numpy and pyarrow are imported when parsing, to keep `import geoflex` light
    import numpy as np
    import pyarrow as pa

__all__ = ["ParsedLines", "line_bounds", "parse_lines", "parse_ndjson"]

_BATCH_BYTES = 64 << 20
# Lines parsed at a time from one batch: 32 MB of blank lines are 32M lines, and each line
# costs a few int64 offsets and flags while it is parsed.
_PASS_LINES = 1 << 20
# Bytes compared at a time when looking for newlines (fits in a core's L2 cache).
_SCAN_BYTES = 1 << 18
# After this many lines of a run that pyarrow could not read, polars reads the rest of it
# (each failure re-parses the run's remaining lines, so this bounds the waste).
_MAX_FAST_FAILURES = 8
# Lines spread over a call's input added to the sample the field types are guessed from.
_SPREAD_SAMPLE = 64
LINE_COLUMN = "_line"
# Bytes of NDJSON: a bytearray or writable memoryview may be overwritten (see parse_ndjson).
Buffer = bytes | bytearray | memoryview


@dataclass
class ParsedLines:
    """Rows parsed from NDJSON (with a ``_line`` column) and the lines that failed."""

    frame: pl.DataFrame
    #: The lines' problems (no file: lines numbered from 1).
    problems: ProblemLog = field(default_factory=ProblemLog)
    blank_lines: int = 0
    lines: int = 0
    #: Lines nested deeper than this are problems (the limit the parse was asked for).
    max_depth: int = DEFAULT_LIMITS.max_depth
    #: Lines longer than this are problems.
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _json_error(line: bytes, max_depth: int) -> str | None:
    """Why Python's json module rejects ``line`` (or its nesting limit), or None when it
    does not."""
    try:
        # strict=False: control characters are polars' call.
        loads(line, max_depth, strict=False)
    except json.JSONDecodeError as exc:
        return f"{exc.msg}: character {exc.pos}"
    except ValueError as exc:  # not UTF-8, or nested too deep
        return _short(exc)
    return None


def _deep_lines(data: Buffer, starts: np.ndarray, ends: np.ndarray, max_depth: int) -> np.ndarray:
    """Which lines nest deeper than ``max_depth`` (a bool mask): only lines with more
    ``{`` and ``[`` than that are looked at closely."""
    import numpy as np

    from geoflex.ingest._limits import too_deep

    if not len(starts):
        return np.zeros(0, dtype=bool)
    lo, hi = int(starts[0]), int(ends[-1])
    if len(starts) == 1:  # a line alone (judged for its message): no arrays needed
        line = bytes(data[lo:hi])
        nested = line.count(b"{") + line.count(b"[") > max_depth and too_deep(line, max_depth)
        return np.array([nested])
    buf = np.frombuffer(data, dtype=np.uint8)[lo:hi]
    opening = np.flatnonzero((buf == ord("{")) | (buf == ord("["))) + lo
    counts = np.searchsorted(opening, ends) - np.searchsorted(opening, starts)
    deep = np.zeros(len(starts), dtype=bool)
    for i in np.flatnonzero(counts > max_depth).tolist():
        deep[i] = too_deep(data[int(starts[i]) : int(ends[i])], max_depth)
    return deep


def _read(chunk: bytes, schema: Mapping[str, Any]) -> pl.DataFrame:
    return pl.read_ndjson(io.BytesIO(chunk), schema=dict(schema))


def line_bounds(data: Buffer) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive, without the newline) byte offsets of every line."""
    starts, ends, _ = _some_line_bounds(data, 0, None)
    return starts, ends


def _some_line_bounds(
    data: Buffer, start: int, max_lines: int | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`line_bounds` of the lines from byte ``start``, at most ``max_lines`` of
    them (so that a batch of blank lines does not take 16 bytes of offsets a byte), and
    where the next line starts."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    # Compared piece by piece into one small array: a temporary as large as the data (32 MB
    # a batch) would be fresh memory each time, which the kernel must clear page by page.
    scratch = np.empty(max(0, min(len(buf) - start, _SCAN_BYTES)), dtype=bool)
    pieces = [np.zeros(0, dtype=np.int64)]
    found = 0
    stop = len(buf)
    for lo in range(start, len(buf), _SCAN_BYTES):
        is_newline = scratch[: len(buf) - lo]  # the last piece may be shorter
        np.equal(buf[lo : lo + _SCAN_BYTES], 10, out=is_newline)
        piece = np.flatnonzero(is_newline) + lo
        if max_lines is not None and found + len(piece) >= max_lines:
            piece = piece[: max_lines - found]
            pieces.append(piece)
            stop = int(piece[-1]) + 1
            break
        pieces.append(piece)
        found += len(piece)
    newlines = np.concatenate(pieces)
    starts = np.concatenate([[start], newlines + 1])
    ends = np.concatenate([newlines, [stop]])
    if stop == start or buf[stop - 1] == 10:  # no line after the final newline
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends, stop


def _without_deep(
    data: Buffer, starts: np.ndarray, ends: np.ndarray, numbers: np.ndarray, out: ParsedLines
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lines not nested deeper than ``out.max_depth``; each of the others is a problem."""
    deep = _deep_lines(data, starts, ends, out.max_depth)
    if not deep.any():
        return starts, ends, numbers
    for number in numbers[deep].tolist():
        reason = f"not usable JSON (nested deeper than max_depth={out.max_depth})"
        out.problems.add(None, int(number), "too_deep", reason)
    return starts[~deep], ends[~deep], numbers[~deep]


def _own_lines(data: Buffer, starts: np.ndarray, ends: np.ndarray) -> bytes:
    """The lines as NDJSON for polars, which reads one object per line: a slice of ``data``
    when they are newline-separated already, else joined with newlines."""
    if len(starts) < 2 or bool(((starts[1:] - ends[:-1]) == 1).all()):
        return bytes(data[int(starts[0]) : int(ends[-1])])
    return b"\n".join(bytes(data[int(a) : int(b)]) for a, b in zip(starts, ends, strict=True))


def _isolate(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    numbers: np.ndarray,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> None:
    """Parse lines [0, len(starts)) of ``data`` (numbered ``numbers``); split ranges that
    fail until lines are alone. Lines nested deeper than ``out.max_depth`` are problems
    first (polars would read some of them, Python's json would not)."""
    starts, ends, numbers = _without_deep(data, starts, ends, numbers, out)
    stack = [(0, len(starts))] if len(starts) else []
    while stack:
        lo, hi = stack.pop()
        chunk = _own_lines(data, starts[lo:hi], ends[lo:hi])
        alone = hi - lo == 1
        if alone and not chunk.strip():
            out.blank_lines += 1
            continue
        if alone and (len(chunk) > out.max_line_bytes or chunk.startswith(SKIPPED_LINE)):
            # Not parsed: a line the reader skipped (it says how long), or a long one.
            reason = (
                chunk[len(SKIPPED_LINE) :].decode("ascii", errors="replace")
                if chunk.startswith(SKIPPED_LINE)
                else f"a line of {len(chunk):,} bytes, longer than "
                f"max_line_bytes={out.max_line_bytes:,}: not read"
            )
            out.problems.add(None, int(numbers[lo]), "too_long", reason)
            continue
        # A line alone is shown to Python's json module first: what it rejects, polars
        # rejects too (tests check this on hostile lines), it takes microseconds where a
        # polars call takes about half a millisecond, and its message says what is wrong.
        error = _json_error(chunk, out.max_depth) if alone else None
        frame = None
        if error is None:
            try:
                frame = _read(chunk, schema)
            except Exception as exc:  # polars raises several error types for bad JSON
                error = _short(exc)
        if frame is not None and frame.height == hi - lo:
            frames.append(frame.with_columns(pl.Series(LINE_COLUMN, numbers[lo:hi])))
            continue
        if alone:
            preview = chunk[:40].decode("utf-8", errors="replace")
            reason = f"not a usable JSON object ({error or 'no object'}); line starts {preview!r}"
            out.problems.add(None, int(numbers[lo]), "not_json", reason)
            continue
        mid = (lo + hi) // 2
        # Push the right half first so lines come out in order.
        stack.append((mid, hi))
        stack.append((lo, mid))


def _parse_run(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    numbers: np.ndarray,
    schema: Mapping[str, Any],
    arrow: pa.Schema | None,
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> None:
    """Parse lines that each look like one object (numbered ``numbers``; only whitespace
    between them): pyarrow first, else polars."""

    def fast(lo: int, hi: int) -> None:
        """Lines [lo, hi) with pyarrow; raises FastJSONError."""
        assert arrow is not None
        view = memoryview(data)[int(starts[lo]) : int(ends[hi - 1])]
        frame = read_fast(view, hi - lo, schema, arrow)
        frames.append(frame.with_columns(pl.Series(LINE_COLUMN, numbers[lo:hi])))

    def slow(lo: int, hi: int) -> None:
        _isolate(data, starts[lo:hi], ends[lo:hi], numbers[lo:hi], schema, out, frames)

    lo, hi = 0, len(starts)
    failures = 0
    while lo < hi:
        if arrow is None or failures > _MAX_FAST_FAILURES:
            slow(lo, hi)
            return
        try:
            fast(lo, hi)
            return
        except FastJSONError as failure:
            row = failure.row
        if row is None or not 0 <= row < hi - lo:
            slow(lo, hi)
            return
        # pyarrow read the lines before the failing row (parse them again, fast; should
        # that fail too, polars reads them); the failing line gets polars' verdict alone;
        # then go on after it.
        failures += 1
        bad = lo + row
        if row:
            try:
                fast(lo, bad)
            except FastJSONError:
                slow(lo, bad)
        slow(bad, bad + 1)
        lo = bad + 1


def _runs(
    data: Buffer, starts: np.ndarray, ends: np.ndarray, max_line_bytes: int
) -> tuple[np.ndarray, list[tuple[int, int, bool]]]:
    """Blank-line mask and ranges of lines to parse together, flagged when they look clean.

    A line that does not look like one object (first byte not ``{`` or last not ``}``) is
    parsed alone (flag False), so a truncated or non-JSON line does not make its whole batch
    re-parse; so is a line longer than ``max_line_bytes`` (it is not parsed).
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
    looks_ok &= ends - starts <= max_line_bytes
    # Boundaries: a run of clean lines between two odd ones; an odd line that is not
    # blank is a run of its own. Built with numpy: a batch may be millions of blank lines.
    odd = np.flatnonzero(~looks_ok)
    before = np.concatenate([[-1], odd])
    after = np.concatenate([odd, [len(starts)]])
    clean = after - before > 1
    odd_lines = odd[~blank[odd]]
    firsts = np.concatenate([before[clean] + 1, odd_lines])
    lasts = np.concatenate([after[clean], odd_lines + 1])
    flags = np.concatenate([np.ones(int(clean.sum()), dtype=bool), np.zeros(len(odd_lines), bool)])
    order = np.argsort(firsts, kind="stable")
    runs = list(
        zip(firsts[order].tolist(), lasts[order].tolist(), flags[order].tolist(), strict=True)
    )
    return blank, runs


def parse_ndjson(
    data: Buffer,
    schema: Mapping[str, Any],
    *,
    arrays: bool = False,
    max_depth: int = DEFAULT_LIMITS.max_depth,
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes,
    max_problems: int | None = None,
) -> ParsedLines:
    """Parse NDJSON ``data`` with ``schema``; see the module docstring.

    A ``bytearray`` or writable ``memoryview`` is taken as scratch space: its odd lines are
    overwritten with spaces once judged, so that pyarrow reads all the other lines in one
    call. With ``arrays``, a line holding a JSON array gives a row per element. A line
    nested deeper than ``max_depth``, or longer than ``max_line_bytes``, is a problem.
    Past ``max_problems`` problems, the others are counted, not listed.

    Examples
    --------
    >>> import polars as pl
    >>> parsed = parse_ndjson(b'{"a": 1}\\n\\n{"a": \\n{"a": "x"}\\n', {"a": pl.String})
    >>> parsed.frame.rows()
    [('1', 1), ('x', 4)]
    >>> parsed.problems.frame()["line"].to_list(), parsed.blank_lines
    ([3], 1)
    >>> lines = b'[{"a": 1}, {"a": 2}]\\n{"a": 3}\\n'
    >>> parse_ndjson(lines, {"a": pl.String}, arrays=True).frame.rows()
    [('1', 1), ('2', 1), ('3', 2)]
    """
    out = ParsedLines(
        pl.DataFrame(),
        problems=ProblemLog(max_problems),
        max_depth=max_depth,
        max_line_bytes=max_line_bytes,
    )
    frames: list[pl.DataFrame] = []
    arrow: pa.Schema | None = None
    pos = 0
    while pos < len(data):
        starts, ends, pos = _some_line_bounds(data, pos, _PASS_LINES)
        if not out.lines:
            arrow = arrow_schema(_sample(data, starts, ends), schema)
        _parse_groups(data, starts, ends, out.lines + 1, schema, arrow, out, frames, arrays)
        out.lines += len(starts)
    out.frame = _concat(frames, schema)
    return out


def parse_lines(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    schema: Mapping[str, Any],
    *,
    arrays: bool = False,
    max_depth: int = DEFAULT_LIMITS.max_depth,
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes,
) -> ParsedLines:
    """:func:`parse_ndjson` for lines whose byte offsets are known (no scan for newlines).

    Line ``i`` (numbered ``i + 1``) is ``data[starts[i]:ends[i]]``. Lines may be separated
    by a newline, or by nothing at all (values back to back, as in an Arrow string column):
    the fast reader reads objects back to back, and a line that needs polars' verdict is
    given to it on a line of its own. Writable ``data`` is scratch space, as in
    :func:`parse_ndjson`.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> data = b'{"a": 1}\\n{"a": '
    >>> parsed = parse_lines(data, np.array([0, 9]), np.array([8, 14]), {"a": pl.String})
    >>> parsed.frame.rows(), parsed.problems.frame()["line"].to_list()
    ([('1', 1)], [2])
    >>> back_to_back = b'{"a": 1}{"a": "x"}{'
    >>> parsed = parse_lines(back_to_back, np.array([0, 8, 18]), np.array([8, 18, 19]),
    ...                      {"a": pl.String})
    >>> parsed.frame.rows(), parsed.problems.frame()["line"].to_list()
    ([('1', 1), ('x', 2)], [3])
    """

    out = ParsedLines(
        pl.DataFrame(), lines=len(starts), max_depth=max_depth, max_line_bytes=max_line_bytes
    )
    frames: list[pl.DataFrame] = []
    arrow = arrow_schema(_sample(data, starts, ends), schema)
    _parse_groups(data, starts, ends, 1, schema, arrow, out, frames, arrays)
    out.frame = _concat(frames, schema)
    return out


def _parse_groups(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    first_line: int,
    schema: Mapping[str, Any],
    arrow: pa.Schema | None,
    out: ParsedLines,
    frames: list[pl.DataFrame],
    arrays: bool,
) -> None:
    """The lines (numbered from ``first_line``) in groups of about ``_BATCH_BYTES``: bounded
    memory for the rows of a huge input."""
    import numpy as np

    lo = 0
    while lo < len(starts):
        hi = max(lo + 1, int(np.searchsorted(starts, starts[lo] + _BATCH_BYTES)))
        _parse_lines_into(
            data,
            starts[lo:hi],
            ends[lo:hi],
            first_line + lo,
            schema,
            arrow,
            out,
            frames,
            arrays=arrays,
        )
        lo = hi


def _sample(data: Buffer, starts: np.ndarray, ends: np.ndarray) -> list[Buffer]:
    """The lines the field types are guessed from: those in the first ``SAMPLE_BYTES``, and
    ``_SPREAD_SAMPLE`` more spread over the rest.

    A field that first appears further down (an attribute one task in twenty carries) would
    otherwise be guessed a string, and every row where it is a number would send its line
    to polars.
    """
    import numpy as np

    if not len(starts):
        return []
    first = max(1, int(np.searchsorted(starts, starts[0] + SAMPLE_BYTES)))
    rows = np.arange(first)
    if first < len(starts):
        spread = np.linspace(first, len(starts) - 1, _SPREAD_SAMPLE).astype(np.int64)
        rows = np.unique(np.concatenate([rows, spread]))
    return [data[int(starts[i]) : int(ends[i])] for i in rows]


def _parse_lines_into(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    first_line: int,
    schema: Mapping[str, Any],
    arrow: pa.Schema | None,
    out: ParsedLines,
    frames: list[pl.DataFrame],
    *,
    arrays: bool,
) -> None:
    import numpy as np

    if bool((ends == starts).all()):  # nothing but newlines (a flood of them, say)
        out.blank_lines += len(starts)
        return
    blank, runs = _runs(data, starts, ends, out.max_line_bytes)
    out.blank_lines += int(blank.sum())
    numbers = np.arange(first_line, first_line + len(starts), dtype=np.int64)
    held = _array_lines(data, starts, ends, runs) if arrays else np.zeros(0, dtype=np.int64)
    parsed: list[pl.DataFrame] = []
    if len(held):
        _parse_arrays(data, starts[held], ends[held], numbers[held], schema, out, parsed)
    done = set(held.tolist())
    hopeless = _hopeless(data, starts, ends, runs, out.max_line_bytes)
    if arrow is not None and len(runs) > 1 and _writable(data):
        _parse_blanked(
            data, starts, ends, numbers, runs, schema, arrow, out, parsed, done, hopeless
        )
    else:
        for a, b, clean in runs:
            if clean:
                _parse_run(data, starts[a:b], ends[a:b], numbers[a:b], schema, arrow, out, parsed)
            elif a not in done:
                _odd_line(data, starts, ends, numbers, a, schema, out, parsed, hopeless)
    if done and parsed:  # the arrays' rows came first: put every row back in line order
        frames.append(pl.concat(parsed).sort(LINE_COLUMN))
    else:
        frames += parsed


def _hopeless(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    runs: list[tuple[int, int, bool]],
    max_line_bytes: int,
) -> set[int]:
    """The odd lines that cannot be JSON objects or arrays: their first byte is no ``{``,
    ``[`` or JSON whitespace (and they are not too long, nor skipped by the reader)."""
    import numpy as np

    odd = np.array([a for a, _, clean in runs if not clean], dtype=np.int64)
    if not len(odd):
        return set()
    first = np.frombuffer(data, dtype=np.uint8)[starts[odd]]
    # A skipped line starts with NUL (SKIPPED_LINE): it is too_long, judged alone.
    maybe = np.isin(first, np.frombuffer(b"{[ \t\r\x00", dtype=np.uint8))
    lines: list[int] = odd[~maybe & (ends[odd] - starts[odd] <= max_line_bytes)].tolist()
    return set(lines)


def _odd_line(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    numbers: np.ndarray,
    i: int,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
    hopeless: set[int],
) -> None:
    """Line ``i``, which does not look like one object, judged alone; once the problems
    listed are full, a line that cannot be JSON is only counted: judging it for its message
    costs tens of microseconds, which a flood of a billion bad lines would make hours."""
    if i in hopeless and out.problems.full:
        out.problems.count(None, int(numbers[i]), "not_json")
        return
    one = slice(i, i + 1)
    _isolate(data, starts[one], ends[one], numbers[one], schema, out, frames)


def _array_lines(
    data: Buffer, starts: np.ndarray, ends: np.ndarray, runs: list[tuple[int, int, bool]]
) -> np.ndarray:
    """The odd lines (runs of one) whose first byte is ``[`` and last ``]`` (before a CR)."""
    import numpy as np

    odd = np.array([a for a, _, clean in runs if not clean], dtype=np.int64)
    if not len(odd):
        return odd
    buf = np.frombuffer(data, dtype=np.uint8)
    last = ends[odd] - 1
    last = np.where(buf[last] == 13, last - 1, last)  # an odd line is not blank: last >= 0
    looks = (buf[starts[odd]] == ord("[")) & (last >= starts[odd])
    looks &= buf[np.maximum(last, starts[odd])] == ord("]")
    arrays: np.ndarray = odd[looks]
    return arrays


def _parse_arrays(
    data: Buffer,
    starts: np.ndarray,
    ends: np.ndarray,
    numbers: np.ndarray,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> None:
    """Lines that each hold a JSON array: a row per element, numbered as its line; an empty
    array holds nothing, like a blank line."""
    starts, ends, numbers = _without_deep(data, starts, ends, numbers, out)
    if not len(starts):
        return
    texts = [bytes(data[int(a) : int(b)]) for a, b in zip(starts, ends, strict=True)]
    if _decoded_arrays(texts, numbers, schema, out, frames):
        return
    for text, number in zip(texts, numbers.tolist(), strict=True):
        if not _decoded_arrays([text], [number], schema, out, frames):
            _array_elements(text, number, schema, out, frames)


def _decoded_arrays(
    texts: list[bytes],
    numbers: Any,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> bool:
    """Arrays of objects decoded by polars, a row per element; False (nothing done) when it
    cannot: bad JSON, an element that is not an object, a value it will not take as text."""
    try:
        lines = pl.Series([text.decode("utf-8") for text in texts], dtype=pl.String)
        decoded = lines.str.json_decode(pl.List(pl.Struct(dict(schema))))
    except (UnicodeDecodeError, pl.exceptions.PolarsError):
        return False
    empty = decoded.list.len() == 0
    rows = (
        pl.DataFrame({"_events": decoded, LINE_COLUMN: pl.Series(numbers, dtype=pl.Int64)})
        .filter(~empty)
        .explode("_events")
    )
    if rows["_events"].null_count():  # a null element: not an object, named element-wise
        return False
    out.blank_lines += int(empty.sum())
    frames.append(rows.unnest("_events").select(*schema, LINE_COLUMN))
    return True


def _array_elements(
    text: bytes,
    number: int,
    schema: Mapping[str, Any],
    out: ParsedLines,
    frames: list[pl.DataFrame],
) -> None:
    """One line's array split by Python's json module; each object read as a line of its
    own (numbered as this line), each other element a problem. A line that is no array
    after all gets the verdict of a line alone."""
    import numpy as np

    try:
        # strict=False: raw control characters are polars' call, as on a line of objects.
        value = loads(text, out.max_depth, strict=False)
    except ValueError:
        value = None
    if not isinstance(value, list):
        one = np.array([number])
        _isolate(text, np.array([0]), np.array([len(text)]), one, schema, out, frames)
        return
    if not value:
        out.blank_lines += 1
        return
    objects = []
    for k, element in enumerate(value, 1):
        if isinstance(element, dict):
            objects.append(json.dumps(element).encode())
        else:
            shown = json.dumps(element)[:40]
            reason = f"event #{k} of the line's array is not a JSON object: {shown}"
            out.problems.add(None, number, "not_json", reason)
    if objects:
        lengths = np.array([len(o) for o in objects], dtype=np.int64)
        ends = np.cumsum(lengths + 1) - 1
        starts = ends - lengths
        joined = b"\n".join(objects)
        numbered = np.full(len(objects), number, dtype=np.int64)
        _isolate(joined, starts, ends, numbered, schema, out, frames)


def _writable(data: Buffer) -> TypeGuard[bytearray | memoryview]:
    return isinstance(data, bytearray) or (isinstance(data, memoryview) and not data.readonly)


def _parse_blanked(
    data: bytearray | memoryview,
    starts: np.ndarray,
    ends: np.ndarray,
    numbers: np.ndarray,
    runs: list[tuple[int, int, bool]],
    schema: Mapping[str, Any],
    arrow: pa.Schema,
    out: ParsedLines,
    frames: list[pl.DataFrame],
    done: set[int],
    hopeless: set[int],
) -> None:
    """``_parse_lines_into`` for a buffer the reader may overwrite (a batch read from a
    file): the odd lines get their verdicts alone (but the lines in ``done``, read
    already), then are blanked out (spaces), so the clean lines of the whole batch go to
    pyarrow at once instead of run by run (each call costs about 1 ms on top of the parsing).
    """
    import numpy as np

    problems = len(out.problems.rows)
    odd = [a for a, _, clean in runs if not clean]  # an odd line is a run of its own
    odd_frames: list[pl.DataFrame] = []
    for i in odd:
        if i not in done:
            _odd_line(data, starts, ends, numbers, i, schema, out, odd_frames, hopeless)
    is_clean = np.zeros(len(starts), dtype=bool)
    for a, b, clean in runs:
        is_clean[a:b] = clean
    with memoryview(data) as view:
        for i in odd:
            view[int(starts[i]) : int(ends[i])] = b" " * int(ends[i] - starts[i])
    rows = np.flatnonzero(is_clean)
    clean_frames: list[pl.DataFrame] = []
    _parse_run(data, starts[rows], ends[rows], numbers[rows], schema, arrow, out, clean_frames)
    out.problems.sort_from(problems)
    if odd_frames:  # an odd line polars could read (say, with leading spaces): keep line order
        frames.append(pl.concat(odd_frames + clean_frames).sort(LINE_COLUMN))
    else:
        frames += clean_frames


def _concat(frames: list[pl.DataFrame], schema: Mapping[str, Any]) -> pl.DataFrame:
    if frames:
        return pl.concat(frames)
    return pl.DataFrame(schema=dict(schema)).with_columns(
        pl.Series(LINE_COLUMN, [], dtype=pl.Int64)
    )

"""``read_events``: files, globs or frames of TaskRouter events -> :class:`FlexData`."""

from __future__ import annotations

import glob
import io
import itertools
import json
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Union

import polars as pl

from geoflex._errors import DataError
from geoflex.ingest._build import build
from geoflex.ingest._csv import read_csv_rows
from geoflex.ingest._files import (
    Guarded,
    Prefixed,
    file_batches,
    frame_batches,
    open_events,
    stream_batches,
)
from geoflex.ingest._limits import DEFAULT_LIMITS, Limits, loads
from geoflex.ingest._ndjson import Buffer, ParsedLines, parse_ndjson
from geoflex.ingest._normalize import canonical_events
from geoflex.ingest._parts import EventParts, concat_parts, split_events
from geoflex.ingest._problems import ProblemLog
from geoflex.ingest._schema import CANONICAL_SCHEMA, RAW_SCHEMA, batch_schema

__all__ = ["EventSource", "FlexData", "read_events"]

EventSource = Union[
    str,
    "os.PathLike[str]",
    pl.DataFrame,
    pl.LazyFrame,
    Sequence[Union[str, "os.PathLike[str]", pl.DataFrame, pl.LazyFrame]],
]
# Threads parsing batches: one more than the cores (up to 4; each holds a 32 MB batch and
# its rows), so a core whose thread is waiting for the GIL (numpy, bookkeeping) has another
# batch to parse: on 2 cores, 3 threads read the 1M benchmark corpus ~7% faster than 2.
_THREADS = max(2, min(4, (os.cpu_count() or 1) + 1))
# Lines parsed at a time (see _parse_batch): 64k lines of usual events are ~60 MB of JSON,
# more than a batch, so only batches of short lines are cut.
_PIECE_LINES = 1 << 16
_EVENT_SUFFIXES = (".json", ".ndjson", ".jsonl", ".csv", ".gz", ".txt", ".log")


@dataclass
class FlexData:
    """Flex Insights-style tables read from TaskRouter events.

    Attributes
    ----------
    segments
        One row per task that ended (completed or canceled): times (UTC), durations in
        seconds (``wait_time``, ``talk_time``, ``wrapup_time``, ``handle_time``,
        ``hold_time``, ``ivr_time``), queue, channel, worker, the customer ``phone``, the
        Insights attributes as ``conversations_*`` and ``customers_*`` columns, the raw
        ``attributes`` JSON (unknown attributes live there), and ``source_file`` /
        ``source_line`` of the event it came from.
    conversations
        One row per conversation (tasks sharing ``conversations.conversation_id``).
    customers
        One row per customer (keyed by phone, else by name).
    agents
        One row per worker: worker attributes (``full_name``, ``location``,
        ``flex_location``, team, department, manager, roles...) and handling totals.
    problems
        One row per line or event that could not be used, or value that was ignored:
        ``file``, ``line``, ``kind`` (one of :data:`~geoflex.ingest.PROBLEM_KINDS`),
        ``reason`` (what was wrong, in words) and ``count`` (1; past ``max_problems``, a
        row per file and kind counts the problems not listed).
    truncated
        How many attribute values were cut to 255 characters, per column.
    counts
        Bookkeeping: ``lines``, ``events``, ``duplicates``, ``other_events`` (types that
        are neither task nor reservation events), ``blank_lines``, ``open_tasks`` (never
        ended), ``late_updates_ignored`` (updates more than 5 minutes after the end).
    """

    segments: pl.DataFrame
    conversations: pl.DataFrame
    customers: pl.DataFrame
    agents: pl.DataFrame
    problems: pl.DataFrame
    truncated: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"FlexData(segments={self.segments.height}, "
            f"conversations={self.conversations.height}, customers={self.customers.height}, "
            f"agents={self.agents.height}, problems={self.problems.height})"
        )


@dataclass
class _Accumulator:
    events: list[EventParts] = field(default_factory=list)
    # The categories of the worker attributes of every batch of this read.
    worker_attributes: pl.Categories = field(default_factory=pl.Categories.random)
    problems: ProblemLog = field(default_factory=ProblemLog)
    lines: int = 0
    blank_lines: int = 0


def _expand(source: EventSource) -> Iterator[str | pl.DataFrame]:
    if isinstance(source, pl.LazyFrame):
        yield source.collect()
    elif isinstance(source, pl.DataFrame):
        yield source
    elif isinstance(source, (str, os.PathLike)):
        yield from _expand_path(os.fspath(source))
    elif isinstance(source, Sequence):
        for item in source:
            yield from _expand(item)
    else:
        raise TypeError(
            "source must be a path, a glob, a polars frame or a list of them, "
            f"not {type(source).__name__}"
        )


def _expand_path(text: str) -> Iterator[str]:
    """The files a path names: a glob's matching files, a directory's event files at any
    depth (sorted), or the file itself; a name that matches nothing is a DataError."""
    if any(ch in text for ch in "*?["):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise DataError(f"no files match {text!r}")
        yield from (m for m in matches if os.path.isfile(m))
    elif os.path.isdir(text):
        files = sorted(
            str(p) for p in Path(text).rglob("*") if p.is_file() and p.suffix in _EVENT_SUFFIXES
        )
        if not files:
            raise DataError(f"no event files (*.json, *.ndjson, *.csv, *.gz...) in {text!r}")
        yield from files
    else:
        try:
            os.stat(text)
        except FileNotFoundError:
            raise DataError(f"no such file: {text!r}") from None
        except OSError as exc:  # a directory on the way that may not be entered, say
            raise DataError(f"{text}: cannot open: {exc.strerror or exc}") from None
        yield text


def _kind(head: bytes, path: str, max_depth: int) -> str:
    """'ndjson', 'document' (a JSON array or one object such as a REST page), or 'csv'."""
    stripped = head.lstrip()
    lower = path.lower()
    if lower.endswith((".csv", ".csv.gz")):
        return "csv"
    if stripped.startswith(b"["):
        # An array a line (Event Streams webhook deliveries logged one a line) is JSON lines.
        first, _, rest = stripped.partition(b"\n")
        return "ndjson" if rest.strip() and _one_value(first, max_depth) else "document"
    if stripped.startswith(b"{"):
        first = stripped.split(b"\n", 1)[0]
        try:
            value = loads(first, max_depth)
        except ValueError:
            # A pretty-printed document, or NDJSON whose first line is broken.
            return "document?"
        return "document" if isinstance(value, dict) and "events" in value else "ndjson"
    if b"EventType" in stripped.split(b"\n", 1)[0]:
        return "csv"
    return "ndjson"


def _one_value(line: bytes, max_depth: int) -> bool:
    try:
        loads(line, max_depth)
    except ValueError:
        return False
    return True


def _values_a_line(exc: ValueError) -> bool:
    """Whether a document failed because more JSON follows a first value that stands on a
    line of its own: JSON lines (of arrays, say), not one document."""
    if not isinstance(exc, json.JSONDecodeError) or exc.msg != "Extra data":
        return False
    return "\n" not in exc.doc[: exc.pos].strip()


def _array_events(data: bytes, name: str) -> pl.DataFrame | None:
    """A JSON array of event objects as canonical events, read by polars' native reader (an
    event's "line" is its position in the array), or None when that reader cannot take it
    whole: a broken document, an element that is not an object, an object where a field
    holds text. :func:`_document_lines` then reads it element by element and names each
    problem. polars reads the elements as it reads NDJSON lines: an event gives the same
    row from an array as from a line (a repeated key, say: the first counts).
    """
    if not data.lstrip().startswith(b"["):
        return None
    try:
        # A null or other non-object element fails it too (unlike an empty object, which
        # is a row of nulls on either path).
        frame = pl.read_json(data, schema=batch_schema(data))
    except Exception:  # polars raises several error types for bad JSON
        return None
    return canonical_events(frame, name)


def _document_lines(text: bytes, max_depth: int) -> bytes:
    """A JSON array of events or a REST page ({"events": [...]}) as NDJSON, one per line.

    Documents are parsed whole (REST pages hold at most a thousand events); NDJSON is the
    format for large inputs.
    """
    value = loads(text, max_depth)
    if isinstance(value, dict) and isinstance(value.get("events"), list):
        value = value["events"]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise DataError("a JSON document of events must be an array or an object")
    return "".join(json.dumps(v, separators=(",", ":")) + "\n" for v in value).encode()


def _add_parsed(
    acc: _Accumulator, parsed: ParsedLines, events: EventParts, name: str, first_line: int
) -> None:
    """A parsed piece's blank lines, problems and events, its lines numbered from
    ``first_line`` in the file."""
    acc.blank_lines += parsed.blank_lines
    acc.problems.merge(parsed.problems, name, first_line)
    if first_line != 1:
        events.index = events.index.with_columns(pl.col("line") + (first_line - 1))
    acc.events.append(events)


def _parse_batch(
    batch: Buffer, name: str, worker_attributes: pl.Categories, limits: Limits
) -> tuple[ParsedLines, EventParts]:
    """One batch -> its parse (lines numbered from 1) and its events, split in parts.

    A batch of many short lines is parsed ``_PIECE_LINES`` lines at a time: a parsed line
    holds a row of every field geoflex reads (about 2 kB even when the line is ``{}``), so
    32 MB of 8-byte lines parsed at once would take gigabytes.
    """
    pieces = _pieces(batch)
    if len(pieces) == 1:
        return _parse_piece(batch, name, worker_attributes, limits)
    whole = ParsedLines(pl.DataFrame(), problems=ProblemLog(limits.max_problems))
    parts = []
    for piece, first_line in pieces:
        parsed, events = _parse_piece(piece, name, worker_attributes, limits)
        whole.problems.merge(parsed.problems, None, first_line)
        whole.blank_lines += parsed.blank_lines
        whole.lines += parsed.lines
        events.index = events.index.with_columns(pl.col("line") + (first_line - 1))
        parts.append(events)
    return whole, concat_parts(parts)


def _pieces(batch: Buffer) -> list[tuple[Buffer, int]]:
    """``batch`` cut after every ``_PIECE_LINES``-th line, each piece with the number of its
    first line; one piece (the batch itself) when it has no more lines than that."""
    import numpy as np

    newlines = np.frombuffer(batch, dtype=np.uint8) == 10
    if np.count_nonzero(newlines) <= _PIECE_LINES:
        return [(batch, 1)]
    ends = np.flatnonzero(newlines)[_PIECE_LINES - 1 :: _PIECE_LINES] + 1
    bounds = [0, *ends.tolist()]
    if bounds[-1] < len(batch):
        bounds.append(len(batch))
    whole = memoryview(batch)
    return [
        (whole[lo:hi], 1 + k * _PIECE_LINES)
        for k, (lo, hi) in enumerate(itertools.pairwise(bounds))
    ]


def _parse_piece(
    batch: Buffer, name: str, worker_attributes: pl.Categories, limits: Limits
) -> tuple[ParsedLines, EventParts]:
    """Lines -> their parse (numbered from 1) and their events, split in parts."""
    parsed = parse_ndjson(
        batch,
        batch_schema(batch),
        arrays=True,
        max_depth=limits.max_depth,
        max_line_bytes=limits.max_line_bytes,
        max_problems=limits.max_problems,
    )
    canonical = canonical_events(parsed.frame, name)
    parsed.frame = pl.DataFrame()
    # Unusable events are problems at once: held until the end, a flood of JSON objects
    # that are no events (2 GiB of {"a":1}) would take memory in proportion to it.
    kind = canonical.select(_problem_kind()).to_series()
    if kind.null_count() < len(kind):
        bad = _unusable(canonical, kind).with_columns(file=pl.lit(None, pl.String))
        parsed.problems.add_frame(bad)
        canonical = canonical.filter(kind.is_null())
    return parsed, split_events(canonical, worker_attributes)


def _read_ndjson_stream(
    acc: _Accumulator, batches: Iterator[Buffer], name: str, limits: Limits
) -> None:
    """Parse the batches on a few threads (pyarrow and polars release the GIL), in order.

    At most a few batches are in flight, so memory does not grow with the file; line
    numbers are made global when a batch's result is taken, in file order. When the next
    batch is asked for, at most ``_THREADS`` earlier ones are still being parsed: the
    memory of the others may be used again.
    """
    line = 1
    pending: deque[Future[tuple[ParsedLines, EventParts]]] = deque()

    def take() -> None:
        nonlocal line
        parsed, events = pending.popleft().result()
        _add_parsed(acc, parsed, events, name, line)
        acc.lines += parsed.lines
        line += parsed.lines

    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        for batch in batches:
            pending.append(pool.submit(_parse_batch, batch, name, acc.worker_attributes, limits))
            if len(pending) > _THREADS:
                take()
        while pending:
            take()


def _read_csv(acc: _Accumulator, data: bytes, name: str, limits: Limits) -> None:
    """Event Callback posts logged as CSV (PascalCase columns); row problems by line."""
    rows = read_csv_rows(data, limits.max_problems)
    acc.lines += rows.lines
    acc.blank_lines += rows.blank_lines
    acc.problems.merge(rows.problems, name)
    acc.events.append(split_events(canonical_events(rows.frame, name), acc.worker_attributes))


def _read_frame(acc: _Accumulator, frame: pl.DataFrame, name: str, limits: Limits) -> None:
    """A frame's rows, one event a row (line numbers are row numbers), read in batches
    like a file."""
    strings = [c for c, t in frame.schema.items() if t == pl.String]
    if frame.width == 1 and strings and strings[0] not in RAW_SCHEMA:
        # One string column: JSON lines (e.g. geoflex.sample.generate()).
        _read_ndjson_stream(acc, frame_batches(frame, lines=strings[0]), name, limits)
        return
    if not set(frame.columns) & set(RAW_SCHEMA):
        raise DataError(
            f"{name}: no TaskRouter event columns (expected e.g. EventType/TaskSid, "
            f"event_type/event_data, or type/data); got {frame.columns[:8]}"
        )
    # Serialized, so that nested columns (data, event_data) go through the same checked reader.
    events = frame.select(c for c in frame.columns if c in RAW_SCHEMA)
    _read_ndjson_stream(acc, frame_batches(events), name, limits)


def _read_path(acc: _Accumulator, path: str, limits: Limits) -> None:
    """One file; damage or a limit that ends it early is one more problem (and line) after
    the lines read before it."""
    lines_before = acc.lines
    with open_events(path, max_bytes=limits.max_file_bytes) as stream:
        _read_stream(acc, stream, path, limits)
    if stream.problem is not None:
        acc.lines += 1
        acc.problems.add(path, acc.lines - lines_before, stream.problem_kind, stream.problem)


def _read_stream(acc: _Accumulator, stream: Guarded, path: str, limits: Limits) -> None:
    head = stream.read(1 << 16)
    kind = _kind(head, path, limits.max_depth)
    if kind == "ndjson":
        # _read_ndjson_stream is done with a batch once _THREADS later ones are asked
        # for; its buffer is used again one batch after that, to spare.
        batches = file_batches(
            path,
            stream.raw,
            reuse_after=_THREADS + 1,
            max_bytes=limits.max_file_bytes,
            max_line_bytes=limits.max_line_bytes,
        )
        if batches is None:
            batches = stream_batches(Prefixed(head, stream), max_line_bytes=limits.max_line_bytes)
        _read_ndjson_stream(acc, batches, path, limits)
        return
    # Documents and CSV are parsed whole: at most max_document_bytes of them.
    data = head + stream.read(max(0, limits.max_document_bytes + 1 - len(head)))
    if len(data) > limits.max_document_bytes:
        if kind == "document?":  # NDJSON whose first line is broken, most likely
            batches = stream_batches(Prefixed(data, stream), max_line_bytes=limits.max_line_bytes)
            _read_ndjson_stream(acc, batches, path, limits)
            return
        shape = "CSV file" if kind == "csv" else "JSON document (not one event a line)"
        acc.lines += 1
        acc.problems.add(
            path,
            1,
            "too_large",
            f"a {shape} larger than max_document_bytes={limits.max_document_bytes:,}: "
            "not read (such files are parsed whole; write NDJSON, one event a line, "
            "or raise the limit)",
        )
        return
    if kind == "csv":
        _read_csv(acc, data, path, limits)
        return
    array = _array_events(data, path)
    if array is not None:
        acc.lines += array.height
        acc.events.append(split_events(array, acc.worker_attributes))
        return
    try:
        lines = _document_lines(data, limits.max_depth)
    except ValueError as exc:
        # Not one document after all: NDJSON whose first line is broken, or JSON lines whose
        # first line is longer than the head _kind looked at.
        if kind == "document?" or _values_a_line(exc):
            _read_ndjson_stream(
                acc,
                stream_batches(io.BytesIO(data), max_line_bytes=limits.max_line_bytes),
                path,
                limits,
            )
            return
        line = getattr(exc, "lineno", 1)
        acc.problems.add(path, int(line), "not_json", f"invalid JSON document: {exc}")
        acc.lines += data.count(b"\n") + 1
        return
    acc.lines += lines.count(b"\n")
    parsed, events = _parse_batch(lines, path, acc.worker_attributes, limits)
    # In a document, "line" is the event's position (1-based) in the array.
    log = parsed.problems
    log.rows = [(f, line, kind, f"event #{line}: {why}") for f, line, kind, why in log.rows]
    acc.problems.merge(log, path)
    acc.blank_lines += parsed.blank_lines
    acc.events.append(events)


# What each kind of unusable event is, in words.
_EVENT_REASONS = {
    "not_an_event": "no event type: not a TaskRouter event",
    "bad_timestamp": "no usable timestamp",
    "no_sid": "task or reservation event without a task sid",
}


def _problem_kind() -> pl.Expr:
    """The kind of problem that makes an event unusable (null when it can be used)."""
    is_task_event = pl.col("event_type").str.starts_with("task.") | pl.col(
        "event_type"
    ).str.starts_with("reservation.")
    return (
        pl.when(pl.col("event_type").is_null())
        .then(pl.lit("not_an_event"))
        .when(pl.col("ts").is_null())
        .then(pl.lit("bad_timestamp"))
        .when(is_task_event & pl.col("task_sid").is_null())
        .then(pl.lit("no_sid"))
    )


def _unusable(events: pl.DataFrame, kind: pl.Series) -> pl.DataFrame:
    """The events whose ``kind`` (of problem) is not null, as problem rows: ``file``,
    ``line``, ``kind``, ``reason``."""
    return (
        events.select("file", "line", "event_type")
        .with_columns(kind.alias("kind"))
        .filter(pl.col("kind").is_not_null())
        .select(
            pl.col("file").cast(pl.String),
            "line",
            "kind",
            pl.concat_str(
                pl.col("event_type").fill_null("?"),
                pl.lit(": "),
                pl.col("kind").replace_strict(_EVENT_REASONS),
            ).alias("reason"),
        )
    )


def _first_distinct(values: pl.Series) -> pl.Series:
    """``values.is_first_distinct()``, faster for millions of mostly distinct strings.

    Only values whose 64-bit hash occurs more than once can repeat; those rows (every
    occurrence of a repeated value among them, in order) are compared as strings.
    """
    hashes = values.hash()  # never null: a null hashes to a fixed value
    # Repeated hashes by sorting: for millions of mostly distinct values, a sort and a
    # lookup of the few repeats is ~4x faster than is_duplicated's hash table.
    ordered = hashes.sort()
    maybe = hashes.is_in(ordered.filter(ordered == ordered.shift(1)).unique().implode())
    first = pl.select(pl.repeat(True, len(values), dtype=pl.Boolean)).to_series()
    if not maybe.any():
        return first
    rows = maybe.arg_true()
    return first.scatter(rows, values.gather(rows).is_first_distinct())


def _screen(index: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame, dict[str, int]]:
    """Which events are kept (usable task, reservation or worker-snapshot events, duplicates
    excluded), the problem rows, and counts, from the events' ``index`` part."""
    is_used = pl.col("event_type").str.starts_with("task.") | pl.col("event_type").str.starts_with(
        "reservation."
    )
    flags = index.select(
        _problem_kind().alias("kind"),
        # Same event sid twice: the first one counts. Events without a sid cannot be matched.
        (pl.col("event_sid").is_not_null() & ~_first_distinct(index["event_sid"])).alias(
            "duplicate"
        ),
        is_used.fill_null(False).alias("used"),
    )
    valid = flags["kind"].is_null()
    bad = _unusable(index, flags["kind"])
    duplicate = valid & flags["duplicate"]
    # Worker events (worker.*) are kept only for their attribute snapshots (agents).
    snapshot = index["has_worker_attributes"]
    keep = valid & ~flags["duplicate"] & (flags["used"] | snapshot)
    counts = {
        "events": int(valid.sum()),
        "duplicates": int(duplicate.sum()),
        "other_events": int((valid & ~flags["duplicate"] & ~flags["used"]).sum()),
    }
    return keep.alias("_keep"), bad, counts


def read_events(
    source: EventSource,
    *,
    strict: bool = False,
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes,
    max_file_bytes: int = DEFAULT_LIMITS.max_file_bytes,
    max_depth: int = DEFAULT_LIMITS.max_depth,
    max_document_bytes: int = DEFAULT_LIMITS.max_document_bytes,
    max_problems: int = DEFAULT_LIMITS.max_problems,
) -> FlexData:
    """Read TaskRouter events into Flex Insights-style tables.

    Reads the three shapes TaskRouter data comes in, detected per file: Event Streams
    CloudEvents (NDJSON, a JSON array, or JSON lines of arrays, as webhook deliveries are
    logged one a line: an event's line is its delivery's), Event Callback posts logged as
    NDJSON or CSV
    (PascalCase ``EventType``, ``TaskSid``, ``TaskAttributes``, ``Timestamp``...), and
    pages of the TaskRouter Events REST resource (``{"events": [...]}``). Files may be
    gzipped. NDJSON is read in 32 MB batches on a few threads, by pyarrow's JSON reader
    where it gives exactly what polars' would, by polars' otherwise. A regular file in the
    page cache is memory-mapped (it must not be cut shorter while it is read); one that is
    not is read straight from the disk (``O_DIRECT``), which spares the CPU the cost of
    filling the cache. Frames are read in the same batches. A JSON array is read whole by
    polars' document reader, or element by element when that reader fails, so that each bad
    element is named; for large inputs, NDJSON is the format (bounded memory, parallel).

    Insights rules applied: the attributes that count are those at completion or
    cancellation, replaced by updates that arrive within 5 minutes after it (later updates
    are ignored and counted); string attribute values are cut to 255 characters (counted
    in ``truncated``); duplicate events (same event sid) count once; events may come in
    any order. Unknown attributes stay in the raw ``attributes`` JSON column.

    Parameters
    ----------
    source
        A path, a glob (``"exports/*.ndjson.gz"``), a directory, a polars frame (one string
        column of JSON lines, or columns of one of the shapes), or a list of these.
    strict
        Raise :class:`~geoflex.DataError` at the first problem (naming file and line)
        instead of listing problems in ``FlexData.problems``.
    max_line_bytes
        A line longer than this (default 16 MiB) is a problem; it is skipped as it is read,
        never held whole.
    max_file_bytes
        Bytes read from one file, after decompression (default 64 GiB): the rest of a
        larger file (a gzip bomb, say) is not read, and that is a problem naming the limit.
    max_depth
        JSON nested deeper than this (default 64 levels of objects and arrays) in a line
        or an array element is a problem (task and worker attribute texts are held to the
        default); what lies under a field geoflex does not read is skipped unbuilt, at any
        depth.
    max_document_bytes
        A file that is one JSON document (an array of events, a REST page) or CSV is parsed
        whole: one larger than this (default 64 MiB) is not read, and that is a problem.
        NDJSON has no such limit.
    max_problems
        Problems listed one a row (default 100,000); past that, problems are counted, one
        row per file and kind whose ``count`` says how many, so that a flood of bad lines
        takes no more memory than this many rows.

    Returns
    -------
    FlexData
        ``segments``, ``conversations``, ``customers``, ``agents``, ``problems``,
        ``truncated`` and ``counts``.

    Raises
    ------
    DataError
        A path that does not exist or cannot be opened, a glob that matches nothing, a
        frame without event columns, or (with ``strict``) any problem.
    ValueError
        A limit that is not a positive integer.

    See Also
    --------
    geoflex.ingest.PROBLEM_KINDS : every ``kind`` of problem, and what it means.

    Notes
    -----
    Every input is untrusted, and reading one never exhausts memory or fails a file for
    one bad line: memory is bounded by the batch size, not the file size, and each line
    (or array element) is either read as an event, counted as blank, or a problem
    (``counts["lines"]`` = events + blank lines + the ``count`` of the problems whose kind
    is in :data:`~geoflex.ingest.UNUSED_KINDS`).
    Damage ends a file early without losing what came before it: a truncated or corrupt
    gzip stream, a read error, or ``max_file_bytes`` is one more problem (and line) after
    the last line read. Timestamps that are no time of the years 1970-9999 (NaN, 1e30,
    2**63, negative, text that is no date) make their event a problem. Lines the fast
    reader takes whole hold only the fields geoflex reads (at most three levels deep);
    the fields it skips are not built.

    Examples
    --------
    >>> import geoflex, geoflex.sample
    >>> lines = geoflex.sample.generate(200, seed=7, dirt=False)
    >>> data = geoflex.read_events(lines)
    >>> data.conversations.height, data.problems.height
    (200, 0)
    >>> dirty = geoflex.read_events(geoflex.sample.generate(200, seed=7))
    >>> dirty.problems.columns
    ['file', 'line', 'kind', 'reason', 'count']
    >>> dirty.problems.height > 0 and dirty.counts["duplicates"] > 0
    True
    """
    limits = replace(
        DEFAULT_LIMITS,
        max_line_bytes=max_line_bytes,
        max_file_bytes=max_file_bytes,
        max_depth=max_depth,
        max_document_bytes=max_document_bytes,
        max_problems=max_problems,
    )
    acc = _Accumulator(problems=ProblemLog(limits.max_problems))
    for k, item in enumerate(_expand(source)):
        if isinstance(item, pl.DataFrame):
            _read_frame(acc, item, f"<frame {k}>", limits)
        else:
            _read_path(acc, item, limits)
        if strict and acc.problems.rows:
            file, line, _, reason = acc.problems.rows[0]
            raise DataError(f"{file}:{line}: {reason}")
    events = (
        concat_parts(acc.events)
        if acc.events
        else split_events(pl.DataFrame(schema=CANONICAL_SCHEMA), acc.worker_attributes)
    )
    acc.events.clear()
    keep, bad, counts = _screen(events.index)
    if strict and bad.height:
        file, line, _, reason = bad.row(0)
        raise DataError(f"{file}:{line}: {reason}")
    acc.problems.add_frame(bad)
    holder = [events]
    del events  # build() lets the events go once it has what it needs
    built = build(holder, keep)
    for problem in built.problems:
        acc.problems.add(*problem)
    problems = acc.problems.frame()
    if strict and problems.height:
        file, line, _, reason, _ = problems.row(0)
        raise DataError(f"{file}:{line}: {reason}")
    return FlexData(
        segments=built.segments,
        conversations=built.conversations,
        customers=built.customers,
        agents=built.agents,
        problems=problems,
        truncated=built.truncated,
        counts={
            "lines": acc.lines,
            **counts,
            "blank_lines": acc.blank_lines,
            **built.counts,
        },
    )

"""Executor-side stages of ``geoflex.spark.read_events``: geoflex's own polars rules, run
per partition (each function here takes and yields Arrow batches).

Each stage's output carries three kinds of rows, told apart by ``__kind``: its data rows
(``row``), problem rows (``problem``: ``__file``, ``__line``, ``__problem``, ``__reason``,
``__count``: the columns of ``geoflex.read_events``' problems) and one
bookkeeping row (``meta``: a JSON object of counts in ``__meta``) that the driver sums.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import polars as pl
import pyarrow as pa

from geoflex.ingest._build import (
    _agents,
    _conversations,
    _customers,
    _segments,
    _snapshots,
    _task_frames,
    _typed_attributes,
)
from geoflex.ingest._limits import DEFAULT_LIMITS
from geoflex.ingest._parts import EventParts, aligned, concat_parts, split_events
from geoflex.ingest._problems import PROBLEM_SCHEMA, ProblemLog
from geoflex.ingest._read import _Accumulator, _read_path, _screen
from geoflex.ingest._schema import (
    CANONICAL_SCHEMA,
    CONVERSATION_ATTRIBUTES,
    CONVERSATION_MEASURES,
    CUSTOMER_ATTRIBUTES,
)
from geoflex.ingest._workers import merge_workers
from geoflex.spark._arrow import batches, chunks, plain, plain_schema, polars_frame

__all__ = [
    "AGENT_SEGMENT_COLUMNS",
    "EVENT_SCHEMA",
    "STAGE_COLUMNS",
    "agent_schema",
    "agents_stage",
    "empty_segment_columns",
    "full_segment_schema",
    "parse_files",
    "screen_stage",
    "segments_stage",
    "table_stage",
    "with_stage_columns",
    "workers_stage",
]

#: Columns every stage adds to its data columns.
STAGE_COLUMNS: dict[str, pl.DataType] = {
    "__kind": pl.String(),
    "__file": pl.String(),
    "__line": pl.Int64(),
    "__problem": pl.String(),
    "__reason": pl.String(),
    "__count": pl.Int64(),
    "__meta": pl.String(),
}
#: The segment columns the agents' totals read.
AGENT_SEGMENT_COLUMNS = (
    "worker_sid", "segment_id", "handle_time", "talk_time", "created_at", "ended_at",
)  # fmt: skip
#: A canonical event as it travels between stages: its file's path and its position there.
EVENT_SCHEMA: dict[str, pl.DataType] = {**CANONICAL_SCHEMA, "__seq": pl.Int64()}
# Suffixes the readers look at (CSV is told by its name; gzip by its magic number).
_SUFFIXES = (".csv.gz", ".csv", ".gz")


def with_stage_columns(schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """A stage's output schema: its data columns and the bookkeeping columns."""
    return {**plain_schema(schema), **STAGE_COLUMNS}


def _emit(
    data: pl.DataFrame | None,
    problems: pl.DataFrame | Sequence[tuple[str, int, str, str]],
    meta: dict[str, Any],
    schema: dict[str, pl.DataType],
    arrow: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """A stage's data rows, problem rows (a problems frame, or (file, line, kind, reason)
    rows counted once each) and bookkeeping row as batches of ``arrow``."""
    full = with_stage_columns(schema)
    pieces = []
    if data is not None and data.height:
        pieces.append(data.with_columns(__kind=pl.lit("row")))
    if not isinstance(problems, pl.DataFrame):
        problems = pl.DataFrame(
            [(f, int(n), k, r, 1) for f, n, k, r in problems],
            schema=dict(PROBLEM_SCHEMA),
            orient="row",
        )
    if "count" not in problems.columns:  # one problem a row
        problems = problems.with_columns(count=pl.lit(1, pl.Int64))
    if problems.height:
        renamed = problems.select(
            pl.col("file").alias("__file"),
            pl.col("line").alias("__line"),
            pl.col("kind").cast(pl.String).alias("__problem"),
            pl.col("reason").alias("__reason"),
            pl.col("count").alias("__count"),
        )
        pieces.append(renamed.with_columns(__kind=pl.lit("problem")))
    pieces.append(pl.DataFrame({"__kind": ["meta"], "__meta": [json.dumps(meta)]}))
    for piece in pieces:
        frame = pl.DataFrame(schema=full)
        frame = pl.concat([frame, plain(piece)], how="diagonal_relaxed")
        yield from batches(frame.select(pl.col(n).cast(t) for n, t in full.items()), arrow)


def _partition(source: Iterable[pa.RecordBatch], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A whole partition as one frame of ``schema`` (the columns it names, in its types):
    the rules need every row of a key, and Spark put them all here."""
    frames = list(chunks(source, rows=1 << 62))
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames).select(pl.col(n).cast(t) for n, t in schema.items())


def _flat(parts: EventParts) -> pl.DataFrame:
    """Split events back into one canonical frame (each part beside its index rows)."""
    index = parts.index.with_row_index("__row")
    out = index.select("__row", *(c for c in index.columns if c in CANONICAL_SCHEMA))
    for name in ("attributes", "acceptances", "workers"):
        part = aligned(index, getattr(parts, name), name, ["__row"])
        repeated = [c for c in part.columns if c in out.columns and c != "__row"]
        suffixed = part.rename({c: f"{c}__{name}" for c in repeated})
        out = out.join(suffixed, on="__row", how="left")
        for c in repeated:  # the same event's values, in two parts
            out = out.with_columns(pl.coalesce(c, f"{c}__{name}").alias(c)).drop(f"{c}__{name}")
    for column, dtype in CANONICAL_SCHEMA.items():
        if column not in out.columns:
            out = out.with_columns(pl.lit(None, dtype).alias(column))
    return out.sort("__row").select(
        *(pl.col(c).cast(t) for c, t in CANONICAL_SCHEMA.items()),
        pl.col("__row").cast(pl.Int64).alias("__seq"),
    )


def _suffix(path: str) -> str:
    lower = path.lower()
    return next((s for s in _SUFFIXES if lower.endswith(s)), ".ndjson")


def parse_files(source: Iterable[pa.RecordBatch], *, arrow: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Files (``path``, ``content``) -> their canonical events, problems and line counts,
    each read by geoflex's own reader for its shape (gzip, NDJSON, arrays, CSV, REST pages).

    The bytes are written to a local temporary file (the readers take paths); the events and
    problems then carry the file's own path.
    """
    for batch in source:
        files = polars_frame(batch)
        for path, content in files.select("path", "content").iter_rows():
            acc = _Accumulator(problems=ProblemLog(DEFAULT_LIMITS.max_problems))
            with tempfile.TemporaryDirectory(prefix="geoflex-") as tmp:
                local = os.path.join(tmp, "events" + _suffix(path))
                with open(local, "wb") as out:
                    out.write(content)
                del content
                _read_path(acc, local, DEFAULT_LIMITS)
            events = (
                _flat(concat_parts(acc.events)).with_columns(file=pl.lit(path))
                if acc.events
                else pl.DataFrame(schema=EVENT_SCHEMA)
            )
            problems = acc.problems.frame().with_columns(file=pl.lit(path))
            meta = {"lines": acc.lines, "blank_lines": acc.blank_lines}
            yield from _emit(events, problems, meta, EVENT_SCHEMA, arrow)


def screen_stage(source: Iterable[pa.RecordBatch], *, arrow: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Events partitioned by event sid, in file order -> the kept ones, the unusable ones as
    problems, and the counts (``geoflex.read_events``' screening)."""
    events = _partition(source, EVENT_SCHEMA)
    index = events.select(
        pl.col("file").cast(pl.Categorical),
        "line",
        "event_sid",
        "event_type",
        "ts",
        pl.col("task_sid").cast(pl.Categorical),
        pl.col("worker_sid").is_not_null().alias("has_worker"),
        pl.col("worker_attributes").is_not_null().alias("has_worker_attributes"),
    )
    keep, bad, counts = _screen(index)
    yield from _emit(events.filter(keep), bad, counts, EVENT_SCHEMA, arrow)


def _parts(events: pl.DataFrame) -> EventParts:
    """Kept events (in file order) as the parts the table builders read."""
    parts = split_events(events.drop("__seq"), pl.Categories.random())
    parts.index = parts.index.with_columns(_keep=pl.lit(True))
    return parts


def _typed_columns() -> dict[str, pl.DataType]:
    """Every attribute column a segment can have, as ``_typed_attributes`` names them."""
    from geoflex.ingest._build import _TOP_LEVEL

    return {
        **{f"attr_{c}": pl.String() for c in _TOP_LEVEL},
        **{f"conversations_{c}": pl.String() for c in CONVERSATION_ATTRIBUTES},
        **{f"conversations_{c}": pl.Float64() for c in CONVERSATION_MEASURES},
        **{f"customers_{c}": pl.String() for c in CUSTOMER_ATTRIBUTES},
    }


def full_segment_schema() -> dict[str, pl.DataType]:
    """The segments' columns when every attribute is present, in geoflex's order."""
    tasks, _, _ = _task_frames(_parts(pl.DataFrame(schema=EVENT_SCHEMA)))
    typed = pl.DataFrame(schema=_typed_columns())
    return dict(_segments(tasks, typed).schema)


def empty_segment_columns() -> list[str]:
    """The segments' columns when no attribute occurs (those every read has)."""
    tasks, _, _ = _task_frames(_parts(pl.DataFrame(schema=EVENT_SCHEMA)))
    typed, _, _ = _typed_attributes(tasks)
    return _segments(tasks, typed).columns


def agent_schema(segments: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """The agents' columns."""
    events = pl.DataFrame(schema=EVENT_SCHEMA)
    stats = pl.DataFrame(schema={c: segments[c] for c in AGENT_SEGMENT_COLUMNS})
    agents, _, _ = _agents(_snapshots(_parts(events)), stats)
    return dict(agents.schema)


def _complete(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with every column of ``schema`` (absent ones null), in its order."""
    return frame.select(
        pl.col(c).cast(plain_schema({c: t})[c]) if c in frame.columns else pl.lit(None, t).alias(c)
        for c, t in plain_schema(schema).items()
    )


def segments_stage(
    source: Iterable[pa.RecordBatch], *, schema: dict[str, pl.DataType], arrow: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """Kept task events partitioned by task sid, in file order -> segments (end event,
    5-minute late-update window, typed and cut attributes), problems, and counts: late
    updates, open tasks, cut values and which attribute columns occur."""
    events = _partition(source, EVENT_SCHEMA)
    tasks, late, task_sids = _task_frames(_parts(events))
    typed, problems, truncated = _typed_attributes(tasks)
    segments = _segments(tasks, typed)
    meta = {
        "late_updates_ignored": late,
        "open_tasks": task_sids - segments.height,
        "truncated": truncated,
        "columns": segments.columns,
    }
    yield from _emit(_complete(segments, schema), problems, meta, schema, arrow)


# The table built from each partition of the one before, and the order it expects its
# rows in (that of geoflex.read_events' tables).
_TABLES = {
    "conversations": (_conversations, ("created_at", "segment_id")),
    "customers": (_customers, ("started_at", "conversation_id")),
}


def table_stage(
    source: Iterable[pa.RecordBatch],
    *,
    table: str,
    rows: dict[str, pl.DataType],
    arrow: pa.Schema,
    schema: dict[str, pl.DataType],
) -> Iterator[pa.RecordBatch]:
    """Segments partitioned by conversation id -> conversations; conversations partitioned
    by customer -> customers (``rows``: the input's schema)."""
    build, order = _TABLES[table]
    yield from _emit(build(_partition(source, rows).sort(*order)), [], {}, schema, arrow)


def agents_stage(
    source: Iterable[pa.RecordBatch],
    *,
    segments: dict[str, pl.DataType],
    arrow: pa.Schema,
    schema: dict[str, pl.DataType],
) -> Iterator[pa.RecordBatch]:
    """Worker events and segments partitioned by worker sid -> agents (latest snapshot,
    decoded and cut attributes, handling totals) and their problems."""
    stats_schema = {c: segments[c] for c in AGENT_SEGMENT_COLUMNS}
    frame = _partition(source, {**EVENT_SCHEMA, **stats_schema, "__from": pl.String()})
    events = frame.filter(pl.col("__from") == "event").select(*EVENT_SCHEMA)
    # In the segments' order (creation time, id): each worker's totals are added in it.
    stats = (
        frame.filter(pl.col("__from") == "segment")
        .select(*stats_schema)
        .sort("created_at", "segment_id")
    )
    agents, problems, truncated = _agents(_snapshots(_parts(events)), stats)
    yield from _emit(agents, problems, {"truncated": truncated}, schema, arrow)


def workers_stage(
    source: Iterable[pa.RecordBatch],
    *,
    agents: dict[str, pl.DataType],
    listed: dict[str, pl.DataType],
    arrow: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """Agents and listed workers partitioned by worker sid -> the agents with the listed
    workers merged in (``geoflex fetch``'s Workers list; ``add_workers``' own rule)."""
    frame = _partition(source, {**agents, **listed, "__from": pl.String()})
    mine = frame.filter(pl.col("__from") == "agent").select(*agents)
    theirs = frame.filter(pl.col("__from") == "listed").select(*listed)
    yield from _emit(merge_workers(mine, theirs), [], {}, agents, arrow)

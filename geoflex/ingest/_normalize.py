"""Rows of any TaskRouter event shape -> canonical events (see ``CANONICAL_SCHEMA``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from geoflex.ingest._ndjson import LINE_COLUMN
from geoflex.ingest._schema import CALLBACK_FIELDS, CANONICAL_SCHEMA, EVENT_FIELDS

__all__ = ["canonical_events", "parse_timestamp"]

_CLOUD_PREFIX = "com.twilio.taskrouter."
# 10000-01-01T00:00:00Z in epoch milliseconds: later times are not read.
_LAST_MS = 253_402_300_800_000
_MAX_AGE_S = 100 * 366 * 86_400
_ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f",
)


def parse_timestamp(expr: pl.Expr) -> pl.Expr:
    """Epoch seconds or milliseconds (told apart by size) or ISO 8601 text -> UTC datetime.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series(["1767607200", "1767607200000", "2026-01-05T10:00:00.000Z", "soon"])
    >>> pl.select(parse_timestamp(pl.lit(s))).to_series().dt.hour().to_list()
    [10, 10, 10, None]
    """
    text = expr.str.strip_chars()
    number = text.cast(pl.Float64, strict=False)
    iso = pl.coalesce(
        [text.str.strptime(pl.Datetime("ms", "UTC"), fmt, strict=False) for fmt in _ISO_FORMATS]
    )
    return pl.when(number.is_not_null()).then(_from_epoch(number)).otherwise(iso)


def _from_epoch(number: pl.Expr) -> pl.Expr:
    # Epoch values above 1e11 cannot be seconds (that is the year 5138): they are ms.
    # A value that is no time of the years 1970-9999 (negative, NaN, 1e30, 2**63) is null:
    # its event is then a problem ("no usable timestamp"), never an error for the file.
    ms = pl.when(number > 1e11).then(number).otherwise(number * 1000)
    epoch_ms = ms.cast(pl.Int64, strict=False)
    epoch_ms = pl.when(epoch_ms.is_between(0, _LAST_MS, closed="left")).then(epoch_ms)
    return pl.from_epoch(epoch_ms, time_unit="ms").dt.replace_time_zone("UTC")


def _task_age(text: pl.Expr) -> pl.Expr:
    """Seconds since the task was created; null when not a number of 0 to 100 years (it is
    subtracted from a time)."""
    seconds = text.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
    return pl.when(seconds.is_between(0, _MAX_AGE_S)).then(seconds)


def _struct_fields(schema: pl.Schema, *path: str) -> set[str]:
    dtype: Any = schema.get(path[0])
    for name in path[1:]:
        if not isinstance(dtype, pl.Struct):
            return set()
        dtype = next((f.dtype for f in dtype.fields if f.name == name), None)
    return {f.name for f in dtype.fields} if isinstance(dtype, pl.Struct) else set()


def _field(name: str, schema: pl.Schema) -> pl.Expr:
    """The first non-null value of a snake_case event field across the shapes."""
    candidates: list[pl.Expr] = []
    if name in _struct_fields(schema, "data", "payload"):
        candidates.append(pl.col("data").struct.field("payload").struct.field(name))
    if name in _struct_fields(schema, "data"):
        candidates.append(pl.col("data").struct.field(name))
    if name in _struct_fields(schema, "event_data"):
        candidates.append(pl.col("event_data").struct.field(name))
    if name in schema:
        candidates.append(pl.col(name))
    candidates += [pl.col(k) for k, v in CALLBACK_FIELDS.items() if v == name and k in schema]
    if not candidates:
        return pl.lit(None, dtype=pl.String)
    return pl.coalesce(candidates) if len(candidates) > 1 else candidates[0]


def canonical_events(raw: pl.DataFrame, file: str) -> pl.DataFrame:
    """Map a frame of raw event rows (any subset of ``RAW_SCHEMA`` + ``_line``) to canonical.

    Rows keep their order; nothing is filtered here (validation comes later).
    """
    schema = raw.schema
    present = set(raw.columns)
    f = {name: _field(name, schema) for name in EVENT_FIELDS}
    cloud_type = (
        pl.col("type").str.strip_prefix(_CLOUD_PREFIX)
        if "type" in present
        else pl.lit(None, dtype=pl.String)
    )
    event_type = pl.coalesce(f["eventtype"], f["event_type"], cloud_type)
    sid = pl.coalesce(f["sid"], pl.col("id")) if "id" in present else f["sid"]
    ts_text = pl.coalesce(
        f["timestamp_ms"],
        f["event_date_ms"],
        f["timestamp"],
        f["event_date"],
        pl.col("time") if "time" in present else pl.lit(None, dtype=pl.String),
    )
    line = pl.col(LINE_COLUMN) if LINE_COLUMN in present else pl.int_range(1, pl.len() + 1)
    out = raw.select(
        pl.lit(file, dtype=pl.String).alias("file"),
        line.cast(pl.Int64).alias("line"),
        sid.alias("event_sid"),
        event_type.str.strip_chars().str.to_lowercase().alias("event_type"),
        ts_text.alias("ts"),
        f["task_sid"].alias("task_sid"),
        f["task_attributes"].alias("task_attributes"),
        _task_age(f["task_age"]).alias("task_age"),
        f["task_queue_name"].alias("task_queue_name"),
        f["task_channel_unique_name"].alias("task_channel_unique_name"),
        f["task_canceled_reason"].alias("task_canceled_reason"),
        f["worker_sid"].alias("worker_sid"),
        f["worker_name"].alias("worker_name"),
        f["worker_attributes"].alias("worker_attributes"),
    )
    # Form posts and CSV give "" for absent values: treat them as absent.
    strings = [c for c, t in CANONICAL_SCHEMA.items() if t == pl.String and c != "file"]
    out = out.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in strings)
    # Event Streams and the REST resource give epoch numbers: parse ISO text only if needed.
    text = out["ts"]
    epoch = text.str.strip_chars().cast(pl.Float64, strict=False)
    if epoch.null_count() == text.null_count():
        ts = pl.select(_from_epoch(pl.lit(epoch))).to_series()
    else:
        ts = pl.select(parse_timestamp(pl.lit(text))).to_series()
    out = out.with_columns(ts.alias("ts"))
    return out.cast(CANONICAL_SCHEMA)  # type: ignore[arg-type]

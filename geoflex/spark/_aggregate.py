"""Aggregations on Spark: geoflex's own polars aggregations, run on groups kept whole.

No rule is restated in Spark SQL. Each aggregation runs in two Arrow/Python stages:

1. each partition's rows get the columns that say which output row they count toward (the
   place, the interval in the chosen clock, the hour-of-week cell...), computed by
   geoflex's polars code;
2. Spark hash-partitions the rows on those columns, so every group is whole in one
   partition, and geoflex's polars aggregation runs on each partition.

The per-group results are small; they are collected and finished on the driver by the same
polars code (the order of the rows, the 7 x 24 grid, the spike scores over the counts), so
the tables are those :mod:`geoflex.aggregate` gives and :mod:`geoflex.report` renders.

Only the columns the aggregations read travel through the shuffle. Within a partition the
rows are sorted on every column before they are added up, so float totals are the same on
every run; they can differ from polars' in the last bits (polars adds a group's values in
the input's row order, which Spark does not keep).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import polars as pl
import pyarrow as pa

from geoflex.aggregate._frames import as_list
from geoflex.aggregate._service import (
    DEFAULT_SHORT_ABANDON_S,
    DEFAULT_THRESHOLD_S,
    INSIGHTS_ABANDONED,
    INSIGHTS_ABANDONED_PHASE,
    INSIGHTS_BUSINESS_HOURS,
    INSIGHTS_SERVICE_LEVEL,
)
from geoflex.aggregate._service import service_metrics as service_metrics_polars
from geoflex.aggregate._spikes import Season, score_spikes, spike_counts
from geoflex.aggregate._time import Clock, Every, interval_time
from geoflex.aggregate._volume import (
    DEFAULT_MEASURES,
    hour_cells,
    hour_counts,
    hour_grid,
    hour_wide,
    in_order,
    prepare_by,
)
from geoflex.aggregate._volume import by_interval as by_interval_polars
from geoflex.aggregate._volume import volume as volume_polars
from geoflex.spark._arrow import arrow_schema, batches, chunks, plain, polars_frame, spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["by_interval", "hour_of_week", "service_metrics", "spikes", "volume"]

Rule = Callable[[pl.DataFrame], pl.DataFrame]
#: Columns the counts read when present (conversations, segments, abandons), and the
#: segment's phone the ``area_code`` is derived from.
COUNT_INPUTS = ("conversation_id", "segment_id", "segments", "abandoned", "phone_e164")
#: Columns service metrics read when present, besides the counts' (waits, who reached an
#: agent, Insights' own verdicts).
SERVICE_INPUTS = (
    "wait_time",
    "accepted_at",
    "handle_time",
    INSIGHTS_ABANDONED,
    INSIGHTS_ABANDONED_PHASE,
    INSIGHTS_SERVICE_LEVEL,
    INSIGHTS_BUSINESS_HOURS,
)
_PART = "__part_{}"


def _polars_schema(sdf: DataFrame) -> dict[str, pl.DataType]:
    """The polars schema of ``sdf``'s Arrow batches."""
    return dict(polars_frame(arrow_schema(sdf.schema).empty_table()).schema)


def _keyed(
    source: Iterable[pa.RecordBatch], *, key: Rule, arrow: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """Executor side, stage 1: each row and the columns of its group (``__part_i``)."""
    for frame in chunks(source):
        parts = _part_columns(key(frame), frame.height)
        yield from batches(pl.concat([frame, parts], how="horizontal"), arrow)


def _part_columns(keys: pl.DataFrame, height: int) -> pl.DataFrame:
    """Group columns as Spark can hash them: times as integers, categories as strings (one
    group of every row when there are no group columns)."""
    if not keys.width:
        return pl.DataFrame({_PART.format(0): pl.zeros(height, pl.Int8, eager=True)})
    keys = plain(keys).with_columns(pl.col(pl.Datetime, pl.Date, pl.Duration).to_physical())
    return keys.rename({c: _PART.format(i) for i, c in enumerate(keys.columns)})


def _grouped(
    source: Iterable[pa.RecordBatch],
    *,
    rule: Rule,
    schema: dict[str, pl.DataType],
    arrow: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """Executor side, stage 2: a partition's whole groups -> ``rule``'s rows for them."""
    frames = list(chunks(source, rows=1 << 62))
    if not frames:
        return
    rows = pl.concat(frames).select(pl.col(c).cast(t) for c, t in schema.items())
    # A fixed order (Spark's shuffle has none), so float totals are the same on every run.
    yield from batches(rule(rows.sort(rows.columns, nulls_last=True)), arrow)


def _run(sdf: DataFrame, columns: Sequence[str], key: Rule, rule: Rule) -> pl.DataFrame:
    """``rule`` over ``sdf``'s groups, as ``key`` tells them, collected as one polars frame.

    ``key`` and ``rule`` first run on an empty frame of ``sdf``'s schema here, so a missing
    column or a bad option is geoflex's own error, word for word, before Spark starts.
    """
    full = pl.DataFrame(schema=_polars_schema(sdf))
    rule(full)
    key(full)
    pruned = sdf.select(*(c for c in sdf.columns if c in set(columns)))
    schema = _polars_schema(pruned)
    empty = pl.DataFrame(schema=schema)
    parts = _part_columns(key(empty), 0)
    keyed_schema = spark_schema({**schema, **dict(parts.schema)})
    for field in pruned.schema.fields:  # the data columns keep their own Spark types
        keyed_schema[field.name].dataType = field.dataType
    keyed = pruned.mapInArrow(
        functools.partial(_keyed, key=key, arrow=arrow_schema(keyed_schema)), keyed_schema
    )
    result = rule(empty)
    out_schema = spark_schema(dict(result.schema))
    grouped = keyed.repartition(*parts.columns).mapInArrow(
        functools.partial(_grouped, rule=rule, schema=schema, arrow=arrow_schema(out_schema)),
        out_schema,
    )
    frame = polars_frame(grouped.toArrow())
    return frame.select(pl.col(c).cast(t) for c, t in result.schema.items())


def _group_key(
    keys: list[str],
    every: Every | None,
    clock: Clock,
    time: str,
    centre_timezone: str | None,
    timezone: str,
) -> Rule:
    """The group of each row: its ``keys`` and (with ``every``) ``interval_start``, the
    start of its interval in the chosen clock, as geoflex's aggregations cut it."""

    def key(frame: pl.DataFrame) -> pl.DataFrame:
        prepared = prepare_by(frame, keys)
        if every is None:
            return prepared.select(keys).collect()
        start = interval_time(
            prepared,
            every=every,
            clock=clock,
            time=time,
            centre_timezone=centre_timezone,
            timezone=timezone,
            name="interval_start",
        )
        return start.select("interval_start", *keys).collect()

    return key


def _inputs(*groups: Iterable[str | None]) -> list[str]:
    return [c for group in groups for c in group if c is not None]


def volume(
    sdf: DataFrame, by: str | Sequence[str], *, measures: Sequence[str] | None = None
) -> pl.DataFrame:
    """:func:`geoflex.volume` on Spark: the same table, collected (one row per group)."""
    keys = as_list(by)
    rule = functools.partial(volume_polars, by=keys, measures=measures)
    out = _run(
        sdf,
        _inputs(keys, COUNT_INPUTS, measures or DEFAULT_MEASURES),
        _group_key(keys, None, "utc", "", None, ""),
        rule,
    )
    return in_order(out.lazy(), keys).collect()


def by_interval(
    sdf: DataFrame,
    *,
    every: Every = "30m",
    clock: Clock = "utc",
    time: str = "created_at",
    centre_timezone: str | None = None,
    timezone: str = "timezone",
    by: str | Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
) -> pl.DataFrame:
    """:func:`geoflex.by_interval` on Spark: the same table, collected."""
    keys = as_list(by)
    rule = functools.partial(
        by_interval_polars,
        every=every,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
        by=keys,
        measures=measures,
    )
    key = _group_key(keys, every, clock, time, centre_timezone, timezone)

    columns = _inputs(keys, COUNT_INPUTS, measures or DEFAULT_MEASURES, [time, timezone])
    return in_order(_run(sdf, columns, key, rule).lazy(), keys, timed=True).collect()


def hour_of_week(
    sdf: DataFrame,
    *,
    clock: Clock = "customer",
    time: str = "created_at",
    centre_timezone: str | None = None,
    timezone: str = "timezone",
    by: str | Sequence[str] | None = None,
    shape: Literal["long", "wide"] = "long",
    value: str = "conversations",
) -> pl.DataFrame:
    """:func:`geoflex.hour_of_week` on Spark: the same 7 x 24 matrix, every cell present."""
    keys = as_list(by)
    cells = functools.partial(
        hour_cells,
        keys=keys,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
    )
    counts = functools.partial(
        hour_counts,
        keys=keys,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
    )

    def key(frame: pl.DataFrame) -> pl.DataFrame:
        return cells(frame).select(*keys, "weekday", "hour").collect()

    def rule(frame: pl.DataFrame) -> pl.DataFrame:
        return counts(frame).collect()

    columns = _inputs(keys, COUNT_INPUTS, DEFAULT_MEASURES, [time, timezone])
    long = hour_grid(_run(sdf, columns, key, rule).lazy(), keys)
    if shape == "long":
        return long.collect()
    return hour_wide(long, keys, shape=shape, value=value)


def spikes(
    sdf: DataFrame,
    place: str | Sequence[str] = "state_code",
    *,
    every: Every = "60m",
    time: str = "created_at",
    timezone: str = "timezone",
    season: Season | None = "week",
    window: int = 4,
    min_history: int = 2,
    threshold: float = 4.0,
    min_count: int = 5,
    only_spikes: bool = True,
) -> pl.DataFrame:
    """:func:`geoflex.spikes` on Spark: each place's counts on the cluster, then geoflex's
    scores and episodes over all of them (small: places x intervals) here."""
    keys = as_list(place)
    score = functools.partial(
        score_spikes,
        keys=keys,
        every=every,
        season=season,
        window=window,
        min_history=min_history,
        threshold=threshold,
        min_count=min_count,
        only_spikes=only_spikes,
    )

    def rule(frame: pl.DataFrame) -> pl.DataFrame:
        return spike_counts(frame, keys, every=every, time=time, timezone=timezone).collect()

    # The options are checked (geoflex's own errors) before Spark starts.
    score(rule(pl.DataFrame(schema=_polars_schema(sdf))).lazy())
    columns = _inputs(keys, COUNT_INPUTS, [time, timezone])
    counts = _run(sdf, columns, lambda frame: frame.select(keys), rule)
    return score(counts.lazy()).collect()


def service_metrics(
    sdf: DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    threshold_s: float = DEFAULT_THRESHOLD_S,
    short_abandon_s: float = DEFAULT_SHORT_ABANDON_S,
    business_hours_only: bool = False,
    every: Every | None = None,
    clock: Clock = "customer",
    time: str = "created_at",
    centre_timezone: str | None = None,
    timezone: str = "timezone",
) -> pl.DataFrame:
    """:func:`geoflex.service_metrics` on Spark: the same table, collected.

    Without ``by`` or ``every`` there is one group: its rows (the few columns the metrics
    read) meet in one task.
    """
    keys = as_list(by)
    rule = functools.partial(
        service_metrics_polars,
        by=keys,
        threshold_s=threshold_s,
        short_abandon_s=short_abandon_s,
        business_hours_only=business_hours_only,
        every=every,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
    )

    key = _group_key(keys, every, clock, time, centre_timezone, timezone)
    columns = _inputs(keys, COUNT_INPUTS, SERVICE_INPUTS, [time, timezone])
    out = _run(sdf, columns, key, rule)
    if not keys and every is None:
        # One row, even for no rows at all (as polars gives).
        return out if out.height else rule(pl.DataFrame(schema=_polars_schema(sdf)))
    return in_order(out.lazy(), keys, timed=every is not None).collect()

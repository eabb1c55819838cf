"""Aggregations on Spark: geoflex's own polars aggregations, run on groups kept whole.

No rule is restated in Spark SQL. Each aggregation runs in two Arrow/Python stages:

1. each partition's rows get the columns that say which output row they count toward (the
   place, the interval in the chosen clock, the hour-of-week cell...), computed by
   geoflex's polars code, and a hash of them;
2. Spark partitions the rows on that hash, so every group is whole in one partition, and
   geoflex's polars aggregation runs on each partition; its result comes back as Arrow IPC
   bytes, in geoflex's own types.

Several aggregations of one table run in one Spark job (`_run_many`): each row is copied
once per aggregation, tagged with which one it is for.

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
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import polars as pl
import pyarrow as pa

from geoflex.aggregate._frames import as_list
from geoflex.aggregate._service import (
    DEFAULT_SHORT_ABANDON_S,
    DEFAULT_THRESHOLD_S,
    SERVICE_INPUTS,
)
from geoflex.aggregate._service import service_metrics as service_metrics_polars
from geoflex.aggregate._spikes import Season, score_spikes, spike_counts
from geoflex.aggregate._time import Clock, Every, interval_time
from geoflex.aggregate._volume import (
    COUNT_INPUTS,
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
from geoflex.spark._executor import guarded, surfaced

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["by_interval", "hour_of_week", "service_metrics", "spikes", "volume"]

Rule = Callable[[pl.DataFrame], pl.DataFrame]
# Columns stage 1 adds: which request a row copy is for, and a hash of its group's keys.
_RULE, _HASH, _PAYLOAD = "__rule", "__group", "__payload"
# Polars' hash is the same in every process of one polars version (fixed seeds).
_SEED = 0


def _polars_schema(sdf: DataFrame) -> dict[str, pl.DataType]:
    """The polars schema of ``sdf``'s Arrow batches."""
    return dict(polars_frame(arrow_schema(sdf.schema).empty_table()).schema)


def _group_hash(keys: pl.DataFrame, height: int) -> pl.Series:
    """One number per row naming its group: equal keys, equal numbers, in every process
    (categories as strings, times as integers; 0 for every row without keys)."""
    if not keys.width:
        return pl.zeros(height, pl.UInt64, eager=True)
    keys = plain(keys).with_columns(pl.col(pl.Datetime, pl.Date, pl.Duration).to_physical())
    return keys.select(pl.struct(pl.all()).hash(_SEED)).to_series()


def _keyed(
    source: Iterable[pa.RecordBatch], *, keys: Sequence[Rule], arrow: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """Executor side, stage 1: a copy of each row for each request, with its group's hash."""
    for frame in chunks(source):
        for number, key in enumerate(keys):
            tagged = frame.with_columns(
                pl.lit(number, pl.Int32).alias(_RULE),
                _group_hash(key(frame), frame.height).reinterpret(signed=True).alias(_HASH),
            )
            yield from batches(tagged, arrow)


def _grouped(
    source: Iterable[pa.RecordBatch],
    *,
    rules: Sequence[Rule],
    schema: dict[str, pl.DataType],
    arrow: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """Executor side, stage 2: a partition's whole groups -> each request's rule over its
    rows, as one Arrow IPC payload per request (the results differ in columns)."""
    frames = list(chunks(source, rows=1 << 62))
    if not frames:
        return
    every = pl.concat(frames)
    for (number,), part in every.partition_by(_RULE, as_dict=True, maintain_order=False).items():
        rows = part.select(pl.col(c).cast(t) for c, t in schema.items())
        # A fixed order (Spark's shuffle has none), so float totals are the same on every run.
        result = rules[int(number)](rows.sort(rows.columns, nulls_last=True))
        payload = io.BytesIO()
        result.write_ipc(payload)
        yield pa.RecordBatch.from_pydict(
            {_RULE: [number], _PAYLOAD: [payload.getvalue()]}, schema=arrow
        )


def _run_many(
    sdf: DataFrame, columns: Sequence[str], requests: Sequence[tuple[Rule, Rule]]
) -> list[pl.DataFrame]:
    """Each request's ``rule`` over ``sdf``'s groups, as its ``key`` tells them, collected:
    all in one Spark job (one pass over ``sdf``, one shuffle).

    Every ``key`` and ``rule`` first runs on an empty frame of ``sdf``'s schema here, so a
    missing column or a bad option is geoflex's own error, word for word, before Spark
    starts.
    """
    from pyspark.sql.types import BinaryType, IntegerType, StructField, StructType

    full = pl.DataFrame(schema=_polars_schema(sdf))
    for key, rule in requests:
        rule(full)
        key(full)
    pruned = sdf.select(*(c for c in sdf.columns if c in set(columns)))
    schema = _polars_schema(pruned)
    empty = pl.DataFrame(schema=schema)
    keyed_schema = spark_schema({**schema, _RULE: pl.Int32(), _HASH: pl.Int64()})
    for field in pruned.schema.fields:  # the data columns keep their own Spark types
        keyed_schema[field.name].dataType = field.dataType
    keyed = pruned.mapInArrow(
        guarded(
            functools.partial(
                _keyed, keys=[key for key, _ in requests], arrow=arrow_schema(keyed_schema)
            )
        ),
        keyed_schema,
    )
    out_schema = StructType(
        [StructField(_RULE, IntegerType()), StructField(_PAYLOAD, BinaryType())]
    )
    grouped = keyed.repartition(_RULE, _HASH).mapInArrow(
        guarded(
            functools.partial(
                _grouped,
                rules=[rule for _, rule in requests],
                schema=schema,
                arrow=arrow_schema(out_schema),
            )
        ),
        out_schema,
    )
    # Each result starts empty, in the rule's own columns and types.
    results: list[list[pl.DataFrame]] = [[rule(empty).clear()] for _, rule in requests]
    with surfaced():  # a geoflex error on an executor is raised here as itself
        collected = grouped.toArrow()
    for number, payload in zip(
        collected.column(_RULE).to_pylist(), collected.column(_PAYLOAD).to_pylist(), strict=True
    ):
        results[number].append(pl.read_ipc(io.BytesIO(payload)))
    return [pl.concat(parts) for parts in results]


def _run(sdf: DataFrame, columns: Sequence[str], key: Rule, rule: Rule) -> pl.DataFrame:
    """``rule`` over ``sdf``'s groups, as ``key`` tells them, collected as one polars frame
    (`_run_many` with one request)."""
    return _run_many(sdf, columns, [(key, rule)])[0]


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

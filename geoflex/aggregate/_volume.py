"""Volume and handling time by place (or any column), by interval, and by hour of week."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

import polars as pl

from geoflex._errors import ConfigError
from geoflex._sums import ordered_mean, ordered_sum
from geoflex.aggregate._frames import FrameT, as_list, check_columns, like_input
from geoflex.aggregate._time import Clock, Every, clock_time, interval_time

__all__ = [
    "COUNT_INPUTS",
    "DEFAULT_MEASURES",
    "by_interval",
    "count_aggregations",
    "hour_cells",
    "hour_counts",
    "hour_grid",
    "hour_of_week",
    "hour_wide",
    "in_order",
    "prepare_by",
    "volume",
    "with_area_code",
]

#: Duration columns (seconds) summed and averaged when present: those of ``read_events``.
DEFAULT_MEASURES: tuple[str, ...] = (
    "handle_time",
    "talk_time",
    "hold_time",
    "wait_time",
    "wrapup_time",
    "ivr_time",
)
#: Columns the counts read when present (conversations, segments, abandons), and the
#: phone the ``area_code`` is derived from: what an aggregation of the counts must keep.
COUNT_INPUTS = ("conversation_id", "segment_id", "segments", "abandoned", "phone_e164")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def with_area_code(frame: FrameT, *, phone: str = "phone_e164", name: str = "area_code") -> FrameT:
    """Add the NANP area code (the 3 digits after +1) from an E.164 column; null elsewhere.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"phone_e164": ["+12065550123", "+442071234567", None]})
    >>> with_area_code(df)["area_code"].to_list()
    ['206', None, None]
    """
    check_columns(frame, [phone], "with_area_code")
    code = (
        pl.when(pl.col(phone).str.starts_with("+1") & (pl.col(phone).str.len_chars() == 12))
        .then(pl.col(phone).str.slice(2, 3))
        .otherwise(None)
    )
    return frame.with_columns(code.alias(name))


def _measures(frame: pl.DataFrame | pl.LazyFrame, measures: Sequence[str] | None) -> list[str]:
    names = frame.collect_schema().names()
    if measures is None:
        return [m for m in DEFAULT_MEASURES if m in names]
    check_columns(frame, measures, "measures")
    return list(measures)


def count_aggregations(names: Sequence[str]) -> list[pl.Expr]:
    """``conversations`` and (when the rows are not conversations) ``segments`` per group.

    Rows with a ``conversation_id`` and a ``segment_id`` are segments: conversations are
    their distinct ids. Rows with a ``segments`` count are conversations. Other rows are
    taken to be conversations, one each.
    """
    if "conversation_id" in names and "segment_id" in names:
        return [
            pl.col("conversation_id").n_unique().cast(pl.Int64).alias("conversations"),
            pl.len().cast(pl.Int64).alias("segments"),
        ]
    if "segments" in names:
        return [
            pl.len().cast(pl.Int64).alias("conversations"),
            pl.col("segments").sum().cast(pl.Int64).alias("segments"),
        ]
    return [pl.len().cast(pl.Int64).alias("conversations")]


def _aggregations(frame: pl.DataFrame | pl.LazyFrame, measures: list[str]) -> list[pl.Expr]:
    aggs = count_aggregations(frame.collect_schema().names())
    if "abandoned" in frame.collect_schema().names():
        aggs.append(pl.col("abandoned").sum().cast(pl.Int64).alias("abandoned"))
    for m in measures:
        # Added in row order: polars' own float sums change in their last bits from run to run.
        aggs += [ordered_sum(m), ordered_mean(m).alias(f"avg_{m}")]
    return aggs


def prepare_by(frame: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """``frame`` as a LazyFrame with every ``by`` column (lazy: an eager ``with_columns`` on a
    wide frame of millions of rows costs more than the aggregation)."""
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    if "area_code" in by and "area_code" not in names and "phone_e164" in names:
        lazy = with_area_code(lazy)
    check_columns(lazy, by, "group by")
    return lazy


def in_order(frame: pl.LazyFrame, keys: list[str], *, timed: bool = False) -> pl.LazyFrame:
    """Groups in the order the tables are shown: by ``interval_start`` then ``keys`` when
    ``timed``, else by conversations (descending) then ``keys``."""
    if timed:
        return frame.sort(["interval_start", *keys], nulls_last=True)
    return frame.sort(
        ["conversations", *keys], descending=[True] + [False] * len(keys), nulls_last=True
    )


def hour_cells(
    frame: pl.DataFrame | pl.LazyFrame,
    keys: list[str],
    *,
    clock: Clock,
    time: str,
    centre_timezone: str | None,
    timezone: str,
) -> pl.LazyFrame:
    """The rows with every ``keys`` column and their hour-of-week cell in the chosen clock:
    ``weekday`` (1 = Monday ... 7) and ``hour`` (0-23), null without a time."""
    timed = clock_time(
        prepare_by(frame, keys),
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
        name="__clock",
    )
    return timed.with_columns(
        weekday=pl.col("__clock").dt.weekday().cast(pl.Int8),
        hour=pl.col("__clock").dt.hour().cast(pl.Int8),
    ).drop("__clock")


def hour_counts(
    frame: pl.DataFrame | pl.LazyFrame,
    keys: list[str],
    *,
    clock: Clock,
    time: str,
    centre_timezone: str | None,
    timezone: str,
) -> pl.LazyFrame:
    """The counts and measures of each (``keys``, weekday, hour) cell that has rows."""
    prepared = prepare_by(frame, keys)
    cells = hour_cells(
        prepared,
        keys,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
    )
    aggregations = _aggregations(prepared, _measures(prepared, None))
    return (
        cells.filter(pl.col("hour").is_not_null())
        .group_by([*keys, "weekday", "hour"])
        .agg(aggregations)
    )


def hour_grid(counted: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """:func:`hour_counts` on the full 7 x 24 grid of each group, empty cells 0 (the long
    shape of :func:`hour_of_week`)."""
    grid = pl.LazyFrame(
        {
            "weekday": [d for d in range(1, 8) for _ in range(24)],
            "hour": [h for _ in range(7) for h in range(24)],
        },
        schema={"weekday": pl.Int8, "hour": pl.Int8},
    )
    if keys:
        grid = counted.select(keys).unique().join(grid, how="cross")
    value_cols = [
        c for c in counted.collect_schema().names() if c not in {*keys, "weekday", "hour"}
    ]
    return (
        grid.join(counted, on=[*keys, "weekday", "hour"], how="left", nulls_equal=True)
        .with_columns(
            pl.col(c).fill_null(0)
            for c in value_cols
            if c in ("conversations", "segments", "abandoned") or c in DEFAULT_MEASURES
        )
        .sort([*keys, "weekday", "hour"], nulls_last=True)
    )


def hour_wide(long: pl.LazyFrame, keys: list[str], *, shape: str, value: str) -> pl.DataFrame:
    """The long hour-of-week grid as the wide matrix: a row per weekday and group, a column
    per hour holding ``value``."""
    if shape != "wide":
        raise ConfigError(f"shape must be 'long' or 'wide', got {shape!r}")
    value_cols = [c for c in long.collect_schema().names() if c not in {*keys, "weekday", "hour"}]
    if value not in value_cols:
        raise ConfigError(f"value must be one of {', '.join(value_cols)}, got {value!r}")
    return (
        long.collect()
        .with_columns(
            hour=pl.col("hour").cast(pl.String).str.zfill(2),
            weekday=pl.col("weekday").replace_strict(
                list(range(1, 8)), list(WEEKDAYS), return_dtype=pl.Enum(WEEKDAYS)
            ),
        )
        .pivot("hour", index=[*keys, "weekday"], values=value)
        .sort([*keys, "weekday"], nulls_last=True)
    )


def volume(
    frame: FrameT, by: str | Sequence[str], *, measures: Sequence[str] | None = None
) -> FrameT:
    """Conversations, segments and handling time per group: by a place level or any column.

    Parameters
    ----------
    frame
        Segments or conversations (``FlexData.segments``), usually after
        :func:`geoflex.resolve` added ``region``, ``country``, ``state_code``, ``city``...
    by
        Column(s) to group by. ``"area_code"`` is derived from ``phone_e164`` when absent.
    measures
        Duration columns to total and average; default: those of ``DEFAULT_MEASURES``
        present.

    Returns
    -------
    Same kind as ``frame``: one row per group with ``conversations`` (distinct
    ``conversation_id`` of segments; one per row otherwise), ``segments`` (tasks; when the
    rows are segments, or conversations with a ``segments`` count), ``abandoned`` (rows
    flagged, when the input has the column), and for each measure its total and ``avg_``
    mean (per row), by conversations descending. Service level, speed of answer and
    abandonment rate: :func:`geoflex.service_metrics`.

    Notes
    -----
    Each group's values are added in their row order, so totals and means are the same on
    every run: polars' own float sums can change in their last bits from one run to the
    next. The same holds for :func:`by_interval`, :func:`hour_of_week` and the totals of
    ``read_events``' conversations, customers and agents.

    Examples
    --------
    >>> import polars as pl
    >>> seg = pl.DataFrame({"state_code": ["US-WA", "US-WA", "US-TX"],
    ...                     "handle_time": [100.0, 300.0, 50.0]})
    >>> volume(seg, "state_code").rows()
    [('US-WA', 2, 400.0, 200.0), ('US-TX', 1, 50.0, 50.0)]
    """
    keys: list[str] = as_list(by)
    if not keys:
        raise ConfigError("volume: give at least one column in by")
    prepared = prepare_by(frame, keys)
    ms = _measures(prepared, measures)
    out = in_order(prepared.group_by(keys).agg(_aggregations(prepared, ms)), keys)
    return like_input(out, frame)


def by_interval(
    frame: FrameT,
    *,
    every: Every = "30m",
    clock: Clock = "utc",
    time: str = "created_at",
    centre_timezone: str | None = None,
    timezone: str = "timezone",
    by: str | Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
) -> FrameT:
    """Conversations and handling time per interval, in UTC, centre or customer local time.

    Parameters
    ----------
    frame
        Segments or conversations.
    every
        Interval length: ``"15m"``, ``"30m"`` or ``"60m"`` (``"1h"``).
    clock
        ``"utc"``; ``"centre"`` (the contact centre's zone, ``centre_timezone``); or
        ``"customer"``: each row in its own zone from the ``timezone`` column, so 9:00 means
        9 in the morning where that customer is.
    time
        The datetime column to bucket (UTC); default ``created_at`` (arrival).
    centre_timezone
        IANA zone of the centre, needed for ``clock="centre"``.
    timezone
        Column of per-row zones for ``clock="customer"`` (added by ``geoflex.resolve``).
    by
        Optional extra grouping column(s), e.g. ``"country"`` or ``"queue"``.
    measures
        As in :func:`volume`.

    Returns
    -------
    Same kind as ``frame``: ``interval_start`` (a naive wall-clock datetime in the chosen
    clock), the ``by`` columns, the counts and measures of :func:`volume`; sorted by time.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> utc = dt.timezone.utc
    >>> seg = pl.DataFrame({
    ...     "created_at": [dt.datetime(2026, 1, 5, 15, 10, tzinfo=utc),
    ...                    dt.datetime(2026, 1, 5, 15, 40, tzinfo=utc)],
    ...     "timezone": ["America/New_York", "Europe/Paris"],
    ... })
    >>> out = by_interval(seg, every="60m", clock="customer")
    >>> out.select(pl.col("interval_start").dt.hour(), "conversations").rows()
    [(10, 1), (16, 1)]
    """
    keys: list[str] = as_list(by)
    prepared = prepare_by(frame, keys)
    aggregations = _aggregations(prepared, _measures(prepared, measures))
    timed = interval_time(
        prepared,
        every=every,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
        name="interval_start",
    )
    out = in_order(timed.group_by(["interval_start", *keys]).agg(aggregations), keys, timed=True)
    return like_input(out, frame)


@overload
def hour_of_week(
    frame: FrameT,
    *,
    clock: Clock = ...,
    time: str = ...,
    centre_timezone: str | None = ...,
    timezone: str = ...,
    by: str | Sequence[str] | None = ...,
    shape: Literal["long"] = ...,
    value: str = ...,
) -> FrameT: ...
@overload
def hour_of_week(
    frame: FrameT,
    *,
    clock: Clock = ...,
    time: str = ...,
    centre_timezone: str | None = ...,
    timezone: str = ...,
    by: str | Sequence[str] | None = ...,
    shape: Literal["wide"],
    value: str = ...,
) -> pl.DataFrame: ...
def hour_of_week(
    frame: FrameT,
    *,
    clock: Clock = "customer",
    time: str = "created_at",
    centre_timezone: str | None = None,
    timezone: str = "timezone",
    by: str | Sequence[str] | None = None,
    shape: Literal["long", "wide"] = "long",
    value: str = "conversations",
) -> FrameT | pl.DataFrame:
    """Conversations (and measures) per weekday and hour: the 7 x 24 matrix, in any clock.

    Every (group, weekday, hour) cell is present, empty ones with 0 conversations.

    Parameters
    ----------
    frame, clock, time, centre_timezone, timezone, by
        As in :func:`by_interval`; the default clock is the customer's own.
    shape
        ``"long"``: rows of ``weekday`` (1 = Monday ... 7), ``hour`` (0-23) and values;
        ``"wide"``: one row per weekday (``Mon`` ... ``Sun``) and group, one column per hour
        (``"00"`` ... ``"23"``) holding ``value``. Wide is eager: a LazyFrame is collected.
    value
        The column the wide matrix shows: ``conversations``, ``segments`` or a measure.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> seg = pl.DataFrame({"created_at": [dt.datetime(2026, 1, 5, 9, 30)]})  # a Monday
    >>> long = hour_of_week(seg, clock="utc")
    >>> long.height, long.filter(pl.col("conversations") > 0).select("weekday", "hour").row(0)
    (168, (1, 9))
    >>> wide = hour_of_week(seg, clock="utc", shape="wide")
    >>> wide.shape, wide.row(0)[:1], wide["09"].to_list()[:2]
    ((7, 25), ('Mon',), [1, 0])
    """
    keys: list[str] = as_list(by)
    counted = hour_counts(
        frame,
        keys,
        clock=clock,
        time=time,
        centre_timezone=centre_timezone,
        timezone=timezone,
    )
    long = hour_grid(counted, keys)
    if shape == "long":
        return like_input(long, frame)
    return hour_wide(long, keys, shape=shape, value=value)

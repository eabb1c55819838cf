"""Service metrics: service level, average speed of answer, abandonment, handle time.

The definitions (the glossary of the reports says the same; one rule each, here):

* a **segment** is one task (one offer of a conversation to a queue); a **conversation** is
  the tasks sharing a conversation id (so a transfer makes two segments, one conversation).
  Rates are over segments: each queue's offer is answered or abandoned on its own.
* **answered**: accepted by an agent and not abandoned.
* **abandoned**: the caller left before an agent accepted (a canceled task). An abandon after
  less than ``short_abandon_s`` seconds of waiting is a **short abandon** (a misdial, a
  hang-up during the greeting): it is counted apart and left out of every rate.
* **offered** = answered + abandoned (short abandons excluded): the denominator of service
  level and abandonment rate. Segments neither answered nor abandoned (completed without an
  agent, e.g. moved on by a workflow) are counted in ``segments`` only.
* **service level** = answered within ``threshold_s`` seconds of waiting / offered.
* **average speed of answer** = mean wait of the answered segments (seconds).
* **abandonment rate** = abandoned / offered.
* **average handle time** = mean handle time of the answered segments (seconds).

Where task attributes carry Flex Insights' own values they win, row by row:
``conversations.abandoned`` ("Yes"/"No") over the task's cancellation, a non-empty
``conversations.abandoned_phase`` marks an abandon when ``abandoned`` is absent, and
``conversations.service_level`` ("Yes"/"No": answered within the service level) over the
threshold test. ``abandoned_from_insights`` and ``service_level_from_insights`` count the
rows where they did. ``conversations.in_business_hours`` limits the metrics to business
hours on request.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from geoflex._errors import ConfigError
from geoflex._sums import ordered_mean, ordered_sum
from geoflex.aggregate._frames import FrameT, as_list, check_columns, like_input
from geoflex.aggregate._time import Clock, Every, interval_time
from geoflex.aggregate._volume import in_order, prepare_by

__all__ = [
    "DEFAULT_SHORT_ABANDON_S",
    "DEFAULT_THRESHOLD_S",
    "INSIGHTS_ABANDONED",
    "INSIGHTS_ABANDONED_PHASE",
    "INSIGHTS_BUSINESS_HOURS",
    "INSIGHTS_SERVICE_LEVEL",
    "SERVICE_COLUMNS",
    "SERVICE_INPUTS",
    "offered_waits",
    "service_metrics",
]

#: Answered within this many seconds counts toward service level (the "20" of "80/20").
DEFAULT_THRESHOLD_S = 20.0
#: Abandons after less waiting than this are short abandons, left out of the rates.
DEFAULT_SHORT_ABANDON_S = 5.0
#: The segment columns that ``read_events`` makes of the Insights task attributes.
INSIGHTS_ABANDONED = "conversations_abandoned"
INSIGHTS_ABANDONED_PHASE = "conversations_abandoned_phase"
INSIGHTS_SERVICE_LEVEL = "conversations_service_level"
INSIGHTS_BUSINESS_HOURS = "conversations_in_business_hours"
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

#: The columns `service_metrics` adds to each group, in order.
SERVICE_COLUMNS: tuple[str, ...] = (
    "conversations",
    "segments",
    "offered",
    "answered",
    "answered_within_threshold",
    "abandoned",
    "short_abandons",
    "service_level",
    "average_speed_of_answer",
    "abandonment_rate",
    "handle_time",
    "average_handle_time",
    "abandoned_from_insights",
    "service_level_from_insights",
)

_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")


def insights_flag(column: str) -> pl.Expr:
    """An Insights Yes/No attribute as a bool: null when absent, empty or anything else.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"a": ["Yes", "no", " TRUE ", "", None, "maybe"]})
    >>> df.select(insights_flag("a"))["a"].to_list()
    [True, False, True, None, None, None]
    """
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(_YES))
        .then(pl.lit(True))
        .when(text.is_in(_NO))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
        .alias(column)
    )


def _row_flags(names: Sequence[str], threshold_s: float, short_abandon_s: float) -> list[pl.Expr]:
    """Per segment: ``__abandoned``, ``__short``, ``__answered``, ``__within`` and whether
    Insights' values decided the first and the last (``__ab_ins``, ``__sl_ins``)."""
    computed_abandoned = pl.col("abandoned").fill_null(False)
    insights_abandoned = pl.lit(None, dtype=pl.Boolean)
    if INSIGHTS_ABANDONED in names:
        insights_abandoned = insights_flag(INSIGHTS_ABANDONED)
    if INSIGHTS_ABANDONED_PHASE in names:
        phase = pl.col(INSIGHTS_ABANDONED_PHASE).cast(pl.String).str.strip_chars()
        phase_says = pl.when(phase.str.len_chars() > 0).then(pl.lit(True))
        insights_abandoned = pl.coalesce(insights_abandoned, phase_says)
    abandoned = pl.coalesce(insights_abandoned, computed_abandoned)
    reached_agent = (
        pl.col("accepted_at").is_not_null()
        if "accepted_at" in names
        else pl.col("handle_time").is_not_null()
    )
    wait = pl.col("wait_time")
    short = abandoned & (wait < short_abandon_s).fill_null(False)
    answered = ~abandoned & reached_agent
    offered = answered | (abandoned & ~short)
    insights_sl = (
        insights_flag(INSIGHTS_SERVICE_LEVEL)
        if INSIGHTS_SERVICE_LEVEL in names
        else pl.lit(None, dtype=pl.Boolean)
    )
    within = offered & pl.coalesce(insights_sl, answered & (wait <= threshold_s).fill_null(False))
    return [
        abandoned.alias("__abandoned"),
        short.alias("__short"),
        answered.alias("__answered"),
        offered.alias("__offered"),
        within.alias("__within"),
        insights_abandoned.is_not_null().alias("__ab_ins"),
        (offered & insights_sl.is_not_null()).alias("__sl_ins"),
    ]


def _count(flag: str) -> pl.Expr:
    return pl.col(flag).sum().cast(pl.Int64)


def _metric_aggregations(names: Sequence[str]) -> list[pl.Expr]:
    conversations = (
        pl.col("conversation_id").n_unique() if "conversation_id" in names else pl.len()
    ).cast(pl.Int64)
    answered_wait = pl.col("wait_time").filter(pl.col("__answered"))
    aggs = [
        conversations.alias("conversations"),
        pl.len().cast(pl.Int64).alias("segments"),
        _count("__offered").alias("offered"),
        _count("__answered").alias("answered"),
        _count("__within").alias("answered_within_threshold"),
        (pl.col("__abandoned") & ~pl.col("__short")).sum().cast(pl.Int64).alias("abandoned"),
        _count("__short").alias("short_abandons"),
        ordered_mean(answered_wait).alias("average_speed_of_answer"),
    ]
    if "handle_time" in names:
        answered_handle = pl.col("handle_time").filter(pl.col("__answered"))
        aggs += [
            ordered_sum(answered_handle).alias("handle_time"),
            ordered_mean(answered_handle).alias("average_handle_time"),
        ]
    else:
        aggs += [
            pl.lit(None, dtype=pl.Float64).alias("handle_time"),
            pl.lit(None, dtype=pl.Float64).alias("average_handle_time"),
        ]
    aggs += [
        _count("__ab_ins").alias("abandoned_from_insights"),
        _count("__sl_ins").alias("service_level_from_insights"),
    ]
    return aggs


def _rates() -> list[pl.Expr]:
    offered = pl.when(pl.col("offered") > 0).then(pl.col("offered"))
    return [
        (pl.col("answered_within_threshold") / offered).alias("service_level"),
        (pl.col("abandoned") / offered).alias("abandonment_rate"),
    ]


def service_metrics(
    frame: FrameT,
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
) -> FrameT:
    """Service level, average speed of answer, abandonment rate and handle time per group.

    Parameters
    ----------
    frame
        Segments (``FlexData.segments``, one row per task) with ``wait_time`` and
        ``abandoned``; ``accepted_at`` (else ``handle_time``) tells who reached an agent;
        ``conversation_id`` and ``handle_time`` are used when present.
    by
        Column(s) to group by: a place level (``"country"``, ``"state_code"``,
        ``"city"``...), ``"queue"``, ``"channel"``...; none for one overall row.
        ``"area_code"`` is derived from ``phone_e164`` when absent.
    threshold_s
        Service-level threshold: answered within this many seconds of waiting.
    short_abandon_s
        Abandons after less waiting than this are short abandons, outside every rate.
    business_hours_only
        Keep only segments whose Insights ``conversations.in_business_hours`` is "Yes";
        a frame without that attribute is an error (there is nothing to limit by).
    every
        Also group by interval of this length (``"15m"``, ``"30m"``, ``"60m"``), starting
        ``interval_start`` in the chosen ``clock``.
    clock, time, centre_timezone, timezone
        As in :func:`geoflex.by_interval` (the default clock is each customer's own).

    Returns
    -------
    Same kind as ``frame``: the group columns (``interval_start`` first when ``every``
    is given) and ``SERVICE_COLUMNS``: counts (``conversations``, ``segments``,
    ``offered``, ``answered``, ``answered_within_threshold``, ``abandoned``,
    ``short_abandons``), rates as shares in [0, 1] over ``offered`` (null when nothing
    was offered), times in seconds (``average_speed_of_answer``, ``handle_time`` total
    and ``average_handle_time`` of the answered segments), and how many rows Insights'
    own values decided. Sorted by conversations, descending (by time with ``every``).

    Examples
    --------
    >>> import polars as pl
    >>> seg = pl.DataFrame({
    ...     "conversation_id": ["c1", "c2", "c3", "c4", "c4"],
    ...     "queue": ["Sales"] * 5,
    ...     "wait_time": [10.0, 30.0, 60.0, 2.0, 15.0],
    ...     "abandoned": [False, False, True, True, False],
    ...     "handle_time": [100.0, 200.0, None, None, 300.0],
    ... })
    >>> m = service_metrics(seg, "queue")
    >>> m.select("conversations", "segments", "offered", "answered", "abandoned",
    ...          "short_abandons").row(0)
    (4, 5, 4, 3, 1, 1)
    >>> m.select("service_level", "abandonment_rate", "average_speed_of_answer",
    ...          "average_handle_time").row(0)
    (0.5, 0.25, 18.333333333333332, 200.0)
    """
    if threshold_s < 0 or short_abandon_s < 0:
        raise ConfigError(
            f"service_metrics: thresholds must be >= 0 seconds, got threshold_s={threshold_s!r}"
            f" and short_abandon_s={short_abandon_s!r}"
        )
    keys: list[str] = as_list(by)
    lazy = prepare_by(frame, keys)
    names = lazy.collect_schema().names()
    check_columns(lazy, ["wait_time", "abandoned"], "service_metrics")
    if "accepted_at" not in names:
        check_columns(lazy, ["handle_time"], "service_metrics (accepted_at or handle_time)")
    if business_hours_only:
        if INSIGHTS_BUSINESS_HOURS not in names:
            raise ConfigError(
                "business_hours_only: the segments carry no Insights "
                "conversations.in_business_hours attribute to limit by"
            )
        lazy = lazy.filter(insights_flag(INSIGHTS_BUSINESS_HOURS).fill_null(False))
    group: list[str] = list(keys)
    if every is not None:
        lazy = interval_time(
            lazy,
            every=every,
            clock=clock,
            time=time,
            centre_timezone=centre_timezone,
            timezone=timezone,
            name="interval_start",
        )
        group = ["interval_start", *keys]
    grouped = lazy.with_columns(_row_flags(names, threshold_s, short_abandon_s))
    aggs = _metric_aggregations(names)
    out = (grouped.group_by(group).agg(aggs) if group else grouped.select(aggs)).with_columns(
        _rates()
    )
    out = out.select(*group, *SERVICE_COLUMNS)
    if group:
        out = in_order(out, keys, timed=every is not None)
    return like_input(out, frame)


def offered_waits(
    frame: pl.DataFrame | pl.LazyFrame, *, short_abandon_s: float = DEFAULT_SHORT_ABANDON_S
) -> tuple[float, int]:
    """Total wait (seconds) of the offered segments and how many were abandoned: what
    the patience estimate of Erlang A needs, by the same rules as `service_metrics`."""
    check_columns(frame, ["wait_time", "abandoned"], "patience")
    names = frame.collect_schema().names()
    if "accepted_at" not in names:
        check_columns(frame, ["handle_time"], "patience (accepted_at or handle_time)")
    flags = frame.lazy().with_columns(_row_flags(names, 0.0, short_abandon_s))
    row = (
        flags.select(
            ordered_sum(pl.col("wait_time").filter(pl.col("__offered"))).alias("wait"),
            (pl.col("__abandoned") & ~pl.col("__short")).sum().cast(pl.Int64).alias("abandons"),
        )
        .collect()
        .row(0)
    )
    return float(row[0] or 0.0), int(row[1] or 0)

"""Spikes by place: observed conversations per interval against a robust, seasonal baseline.

For each place and interval, **expected** is the median of the same slot's counts in the
previous ``window`` periods: the same weekday and hour over the previous weeks
(``season="week"``, the default), the same hour over the previous days (``"day"``), or the
previous intervals (``None``). Quiet intervals count as zeros. A slot with fewer than
``min_history`` earlier periods in the data has no expected value and is never a spike.

The spread is the median of those periods' absolute deviations from their own expected
values (a rolling MAD), and the score is

    score = (observed - expected) / max(1.4826 * MAD, sqrt(max(expected, 1)))

1.4826 scales a MAD to a standard deviation for normal data; the square-root floor is the
Poisson spread of a count, so quiet places (expected 0 or 1, MAD 0) need several extra
conversations, not one, to score high. An interval is spiking when its score is at least
``threshold``, it has at least ``min_count`` conversations, and its count is as unlikely
for a Poisson count of mean ``max(expected, 0.5)`` as ``threshold`` standard deviations are
for a normal one (one-sided: 3.2e-5 for 4): counts are skewed, and at small expected
values a normal score alone flags chance hours (measured by ``benchmarks/bench_spikes.py``).

An **episode** (one spike) is a run of consecutive intervals of one place that are all
elevated (more than expected, score at least half the threshold) with at least one spiking
interval among them: a storm that dips for an hour stays one spike (hysteresis, as in edge
detection). It is reported with its local start and end in the place's timezone and a
sentence saying why it was flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import polars as pl

from geoflex._errors import ConfigError
from geoflex.aggregate._frames import FrameT, as_list, check_columns, like_input
from geoflex.aggregate._time import Every, interval_duration, local_time, utc_expr
from geoflex.aggregate._volume import count_aggregations

__all__ = [
    "SPIKE_COLUMNS",
    "SPIKE_MIN_COUNT",
    "SPIKE_THRESHOLD",
    "Season",
    "baseline_description",
    "score_spikes",
    "spike_counts",
    "spikes",
]

Season = Literal["day", "week"]
#: Lowest score that is a spike, and fewest conversations in a spike interval (defaults).
SPIKE_THRESHOLD = 4.0
SPIKE_MIN_COUNT = 5
_MAD_TO_SD = 1.4826
# Below this the expected count of an hour is taken as this for the Poisson test: a median
# of zero over a few weeks does not mean the place never calls then.
_POISSON_FLOOR = 0.5
_TAIL_TERMS = 80
_MINUTES = {"15m": 15, "30m": 30, "1h": 60}

#: The columns of `spikes`' episodes after the place columns, in order.
SPIKE_COLUMNS: tuple[str, ...] = (
    "timezone",
    "start",
    "end",
    "start_local",
    "end_local",
    "intervals",
    "observed",
    "expected",
    "excess",
    "ratio",
    "peak_score",
    "reason",
)


def baseline_description(season: Season | None, window: int) -> str:
    """How the expected value is made, in words (the reports say the same).

    >>> baseline_description("week", 4)
    'the median of the same weekday and hour over the previous 4 weeks'
    """
    if season == "week":
        return f"the median of the same weekday and hour over the previous {window} weeks"
    if season == "day":
        return f"the median of the same hour over the previous {window} days"
    return f"the median of the previous {window} intervals"


def _slot(season: Season | None) -> pl.Expr:
    time_of_day = pl.col("interval_start").dt.time().cast(pl.Int64)
    if season == "day":
        return time_of_day
    if season == "week":
        return pl.col("interval_start").dt.weekday().cast(pl.Int64) * 86_400_000_000_000 + (
            time_of_day
        )
    if season is None:
        return pl.lit(0, dtype=pl.Int64)
    raise ConfigError(f"season must be 'day', 'week' or None, got {season!r}")


def _place_zones(
    lazy: pl.LazyFrame, keys: list[str], timezone: str, names: list[str]
) -> pl.LazyFrame:
    """Each place's zone: the most frequent among its rows (ties: the first by name), or
    UTC when the frame has no zone column."""
    if timezone not in names:
        return lazy.select(keys).unique().with_columns(timezone=pl.lit("UTC"))
    return (
        lazy.filter(pl.col(timezone).is_not_null())
        .group_by([*keys, timezone])
        .agg(pl.len().alias("__n"))
        .sort(["__n", timezone], descending=[True, False])
        .group_by(keys, maintain_order=True)
        .agg(pl.col(timezone).first().alias("timezone"))
    )


def _poisson_tail(pairs: pl.Series) -> pl.Series:
    """P(X >= observed) for X ~ Poisson(max(expected, floor)), row by row; 1 when the
    count is not above the mean (only upper tails matter) or expected is unknown."""
    import numpy as np  # here, not at the top: `import geoflex` stays without numpy

    k = pairs.struct.field("k").to_numpy().astype(np.float64)
    mu = np.maximum(pairs.struct.field("mu").fill_null(np.nan).to_numpy(), _POISSON_FLOOR)
    out = np.ones(len(k))
    upper = np.isfinite(mu) & (k > mu)
    if upper.any():
        kk, mm = k[upper], mu[upper]
        i = kk[:, None] + np.arange(_TAIL_TERMS)[None, :]
        top = int(i.max()) + 2
        log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, top)))))
        terms = np.exp(-mm[:, None] + i * np.log(mm[:, None]) - log_factorial[i.astype(int)])
        # Terms fall by mu / (i + 1) < 1 from k on: 80 of them hold the sum to ~1e-9.
        out[upper] = np.minimum(terms.sum(axis=1), 1.0)
    return pl.Series(out, dtype=pl.Float64)


def _reason(step_minutes: int, baseline: str) -> pl.Expr:
    minutes = pl.col("intervals") * step_minutes
    duration = (
        pl.when(minutes == 60)
        .then(pl.lit("1 hour"))
        .when(minutes % 60 == 0)
        .then(pl.format("{} hours", minutes // 60))
        .otherwise(pl.format("{} minutes", minutes))
    )
    ratio = (
        pl.when(pl.col("ratio").is_not_null())
        .then(pl.format(", {}×", pl.col("ratio").round(1)))
        .otherwise(pl.lit(""))
    )
    return pl.format(
        "{} conversations in {} from {} to {} ({}), against {} expected ({}): {} more{}",
        pl.col("observed"),
        duration,
        pl.col("start_local").dt.strftime("%a %d %b %Y %H:%M"),
        pl.col("end_local").dt.strftime("%H:%M"),
        pl.col("timezone"),
        pl.col("expected").round(1),
        pl.lit(baseline),
        pl.col("excess").round(1),
        ratio,
    ).alias("reason")


def spikes(
    frame: FrameT,
    place: str | Sequence[str] = "state_code",
    *,
    every: Every = "60m",
    time: str = "created_at",
    timezone: str = "timezone",
    season: Season | None = "week",
    window: int = 4,
    min_history: int = 2,
    threshold: float = SPIKE_THRESHOLD,
    min_count: int = SPIKE_MIN_COUNT,
    only_spikes: bool = True,
) -> FrameT:
    """Find episodes where a place has far more conversations than it usually has then.

    Parameters
    ----------
    frame
        Segments or conversations with a place column (after ``geoflex.resolve``); the
        counts are conversations (distinct ``conversation_id`` of segments).
    place
        Column(s) naming the place: ``"state_code"``, ``"country"``, ``"city"``...
        Rows whose place is null are not counted.
    every
        Interval length (``"15m"``, ``"30m"``, ``"60m"``), cut in UTC.
    time
        The datetime column (arrival); default ``created_at``.
    timezone
        Column of IANA zones; each place is shown in its most frequent one (UTC without
        the column).
    season
        Expected value from the same weekday and hour in earlier weeks (``"week"``), the
        same time of day in earlier days (``"day"``), or the preceding intervals (None).
    window
        How many earlier periods make the median (4 weeks by default).
    min_history
        Fewest earlier periods in the data before a slot can be scored.
    threshold
        Lowest score that is a spike (in robust standard deviations, see the module).
    min_count
        Fewest conversations in an interval for a spike.
    only_spikes
        Return the episodes (default), or every (place, interval) with its numbers.

    Returns
    -------
    Same kind as ``frame``. Episodes: the ``place`` column(s) and ``SPIKE_COLUMNS``:
    the place's ``timezone``, ``start`` and ``end`` (UTC, end exclusive), the same as
    wall-clock times in that zone (``start_local``, ``end_local``), ``intervals``,
    ``observed`` and ``expected`` conversations over the episode, ``excess`` (observed -
    expected), ``ratio`` (observed / expected; null when 0 was expected), ``peak_score``
    and a plain-language ``reason``; by excess, descending. Every interval
    (``only_spikes=False``): the place, ``interval_start`` (UTC), ``timezone``,
    ``interval_start_local``, ``observed``, ``expected``, ``mad``, ``score`` and
    ``spike``; by place and time.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> base = dt.datetime(2026, 1, 1, 15, tzinfo=dt.timezone.utc)
    >>> times = [base + dt.timedelta(days=d) for d in range(10) for _ in range(2)]
    >>> times += [base + dt.timedelta(days=10)] * 12  # day 11: 12 conversations, not ~2
    >>> seg = pl.DataFrame({"created_at": times, "state_code": "US-TX",
    ...                     "timezone": "America/Chicago"})
    >>> out = spikes(seg, season="day", window=7, min_history=3)
    >>> out.select("state_code", "observed", "expected", "excess").rows()
    [('US-TX', 12, 2.0, 10.0)]
    >>> out["reason"].item()
    '12 conversations in 1 hour from Sun 11 Jan 2026 09:00 to 10:00 (America/Chicago), against 2.0 expected (the median of the same hour over the previous 7 days): 10.0 more, 6.0×'
    """  # noqa: E501
    keys: list[str] = as_list(place)
    counts = spike_counts(frame, keys, every=every, time=time, timezone=timezone)
    out = score_spikes(
        counts,
        keys,
        every=every,
        season=season,
        window=window,
        min_history=min_history,
        threshold=threshold,
        min_count=min_count,
        only_spikes=only_spikes,
    )
    return like_input(out, frame)


def spike_counts(
    frame: pl.DataFrame | pl.LazyFrame, keys: list[str], *, every: str, time: str, timezone: str
) -> pl.LazyFrame:
    """Conversations per place and UTC interval (``observed``), with the place's zone:
    the counting half of :func:`spikes` (each place's rows give its own counts)."""
    if not keys:
        raise ConfigError("spikes: give a place column")
    check_columns(frame, [*keys, time], "spikes")
    step = interval_duration(every)
    names = frame.collect_schema().names()
    placed = frame.lazy().filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    counts = (
        placed.with_columns(interval_start=utc_expr(frame, time).dt.truncate(step))
        .group_by([*keys, "interval_start"])
        .agg(count_aggregations(names)[0].alias("observed"))
    )
    zones = _place_zones(placed, keys, timezone, names)
    return counts.join(zones, on=keys, how="left", nulls_equal=True)


def score_spikes(
    counts: pl.LazyFrame,
    keys: list[str],
    *,
    every: str,
    season: Season | None,
    window: int,
    min_history: int,
    threshold: float,
    min_count: int,
    only_spikes: bool,
) -> pl.LazyFrame:
    """Scores and episodes from :func:`spike_counts` of every place: the scoring half of
    :func:`spikes` (its parameters)."""
    if window < 1 or min_history < 1 or min_history > window:
        raise ConfigError("spikes: need window >= min_history >= 1")
    step = interval_duration(every)
    zones = counts.select(*keys, "timezone").unique(keys)
    counts = counts.drop("timezone")
    bounds = counts.select(
        pl.col("interval_start").min().alias("lo"), pl.col("interval_start").max().alias("hi")
    )
    places = counts.select(keys).unique()
    if only_spikes:
        # A place that never reaches min_count in any interval cannot spike: skip its grid.
        places = counts.filter(pl.col("observed") >= min_count).select(keys).unique()
    # Every place x every interval, so quiet intervals count as zeros in the baseline.
    grid = (
        bounds.select(
            pl.datetime_ranges("lo", "hi", interval=step, closed="both").alias("interval_start")
        )
        .explode("interval_start")
        .join(places, how="cross")
    )
    full = grid.join(
        counts, on=[*keys, "interval_start"], how="left", nulls_equal=True
    ).with_columns(pl.col("observed").fill_null(0))
    over = [*keys, "__slot"]
    past = pl.col("observed").cast(pl.Float64).shift(1)
    spread = pl.max_horizontal(
        _MAD_TO_SD * pl.col("mad").fill_null(0.0),
        pl.max_horizontal(pl.col("expected"), pl.lit(1.0)).sqrt(),
    )
    scored = (
        full.with_columns(__slot=_slot(season))
        .sort([*keys, "__slot", "interval_start"])
        .with_columns(expected=past.rolling_median(window, min_samples=min_history).over(over))
        .with_columns(__dev=(pl.col("observed") - pl.col("expected")).abs())
        .with_columns(mad=pl.col("__dev").shift(1).rolling_median(window, min_samples=1).over(over))
        .with_columns(score=(pl.col("observed") - pl.col("expected")) / spread)
        .with_columns(
            spike=(
                (pl.col("score") >= threshold)
                & (pl.col("observed") >= min_count)
                & (
                    pl.struct(k=pl.col("observed"), mu=pl.col("expected")).map_batches(
                        _poisson_tail, return_dtype=pl.Float64
                    )
                    <= 0.5 * math.erfc(threshold / math.sqrt(2))
                )
            ).fill_null(False),
            __elevated=(
                (pl.col("score") >= threshold / 2) & (pl.col("observed") > pl.col("expected"))
            ).fill_null(False),
        )
        .join(zones, on=keys, how="left", nulls_equal=True)
        .with_columns(pl.col("timezone").fill_null("UTC"))
    )
    if not only_spikes:
        every_row = local_time(
            scored, time="interval_start", timezone="timezone", name="interval_start_local"
        ).select(
            *keys,
            "interval_start",
            "timezone",
            "interval_start_local",
            "observed",
            "expected",
            "mad",
            "score",
            "spike",
        )
        return every_row.sort([*keys, "interval_start"])
    elevated = scored.filter(pl.col("__elevated")).sort([*keys, "interval_start"])
    # A new run starts where a place's previous elevated interval is not the one before.
    gap = pl.col("interval_start").diff().over(keys) != pl.duration(minutes=_MINUTES[step])
    episodes = (
        elevated.with_columns(__episode=gap.fill_null(True).cum_sum().over(keys))
        .filter(pl.col("spike").any().over([*keys, "__episode"]))
        .group_by([*keys, "__episode"])
        .agg(
            pl.col("timezone").first(),
            pl.col("interval_start").min().alias("start"),
            (pl.col("interval_start").max() + pl.duration(minutes=_MINUTES[step])).alias("end"),
            pl.len().cast(pl.Int64).alias("intervals"),
            pl.col("observed").sum().cast(pl.Int64),
            pl.col("expected").sum(),
            pl.col("score").max().alias("peak_score"),
        )
        .with_columns(excess=pl.col("observed") - pl.col("expected"))
        .with_columns(
            ratio=pl.when(pl.col("expected") > 0).then(pl.col("observed") / pl.col("expected"))
        )
    )
    episodes = local_time(episodes, time="start", timezone="timezone", name="start_local")
    episodes = local_time(episodes, time="end", timezone="timezone", name="end_local")
    out = (
        episodes.with_columns(_reason(_MINUTES[step], baseline_description(season, window)))
        .select(*keys, *SPIKE_COLUMNS)
        .sort(["excess", "start", *keys], descending=[True, False] + [False] * len(keys))
    )
    return out

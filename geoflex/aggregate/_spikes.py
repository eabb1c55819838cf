"""Spikes by place: counts per place per interval against a robust, seasonal baseline.

For each place and interval the baseline is the **median** of the same slot's counts in the
previous ``window`` periods (slot = time of day for ``season="day"``, hour of week for
``"week"``, or simply the previous intervals for ``None``), and the spread is the median of
those periods' absolute deviations from their own baselines (a rolling MAD). The score is

    score = (count - baseline) / max(1.4826 * MAD, sqrt(max(baseline, 1)))

1.4826 scales a MAD to a standard deviation for normal data; the square-root floor is the
Poisson spread of a count, so quiet places (baseline 0 or 1, MAD 0) need several extra
contacts, not one, to score high. A spike is a score >= ``threshold`` with at least
``min_count`` contacts; slots with fewer than ``min_history`` previous periods are not scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from geoflex._errors import ConfigError
from geoflex.aggregate._frames import FrameT, as_list, check_columns, like_input
from geoflex.aggregate._time import Every, interval_duration, utc_expr

__all__ = ["Season", "spikes"]

Season = Literal["day", "week"]
_MAD_TO_SD = 1.4826


def spikes(
    frame: FrameT,
    place: str | Sequence[str] = "state_code",
    *,
    every: Every = "60m",
    time: str = "created_at",
    season: Season | None = "day",
    window: int = 7,
    min_history: int = 3,
    threshold: float = 4.0,
    min_count: int = 5,
    only_spikes: bool = True,
) -> FrameT:
    """Find intervals where a place has far more contacts than its own usual level.

    Parameters
    ----------
    frame
        Segments or conversations with a place column (after ``geoflex.resolve``).
    place
        Column(s) naming the place: ``"state_code"``, ``"country"``, ``"city"``...
        Rows whose place is null are not counted.
    every
        Interval length (``"15m"``, ``"30m"``, ``"60m"``), in UTC.
    time
        The datetime column (arrival); default ``created_at``.
    season
        Compare with the same time of day (``"day"``) or hour of week (``"week"``) in
        earlier periods, or with the immediately preceding intervals (``None``).
    window
        How many earlier periods make the baseline (7 days for ``season="day"``).
    min_history
        Fewest earlier periods needed before a slot is scored.
    threshold
        Lowest score that is a spike (in robust standard deviations).
    min_count
        Fewest contacts in the interval for a spike.
    only_spikes
        Return only the spikes (default), or every (place, interval) with its score.

    Returns
    -------
    Same kind as ``frame``: ``place`` column(s), ``interval_start`` (UTC), ``count``,
    ``baseline``, ``mad``, ``score``; spikes sorted by score, descending.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> base = dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone.utc)
    >>> times = [base + dt.timedelta(days=d) for d in range(10) for _ in range(2)]
    >>> times += [base + dt.timedelta(days=10)] * 12  # day 11: 12 contacts instead of ~2
    >>> seg = pl.DataFrame({"created_at": times, "state_code": "US-TX"})
    >>> spikes(seg).select("state_code", "count", "baseline", pl.col("score").round(2)).rows()
    [('US-TX', 12, 2.0, 7.07)]
    """
    keys: list[str] = as_list(place)
    if not keys:
        raise ConfigError("spikes: give a place column")
    if window < 1 or min_history < 1 or min_history > window:
        raise ConfigError("spikes: need window >= min_history >= 1")
    check_columns(frame, [*keys, time], "spikes")
    step = interval_duration(every)
    counts = (
        frame.lazy()
        .filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
        .with_columns(interval_start=utc_expr(frame, time).dt.truncate(step))
        .group_by([*keys, "interval_start"])
        .agg(pl.len().cast(pl.Int64).alias("count"))
    )
    bounds = counts.select(
        pl.col("interval_start").min().alias("lo"), pl.col("interval_start").max().alias("hi")
    )
    places = counts.select(keys).unique()
    if only_spikes:
        # A place that never reaches min_count in any interval cannot spike: skip its grid.
        places = counts.filter(pl.col("count") >= min_count).select(keys).unique()
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
    ).with_columns(pl.col("count").fill_null(0))
    if season == "day":
        slot = pl.col("interval_start").dt.time().cast(pl.Int64)
    elif season == "week":
        slot = pl.col("interval_start").dt.weekday().cast(pl.Int64) * 86_400_000_000_000 + pl.col(
            "interval_start"
        ).dt.time().cast(pl.Int64)
    elif season is None:
        slot = pl.lit(0, dtype=pl.Int64)
    else:
        raise ConfigError(f"season must be 'day', 'week' or None, got {season!r}")
    over = [*keys, "__slot"]
    past = pl.col("count").cast(pl.Float64).shift(1)
    scored = (
        full.with_columns(__slot=slot)
        .sort([*keys, "__slot", "interval_start"])
        .with_columns(
            baseline=past.rolling_median(window, min_samples=min_history).over(over),
        )
        .with_columns(__dev=(pl.col("count") - pl.col("baseline")).abs())
        .with_columns(mad=pl.col("__dev").shift(1).rolling_median(window, min_samples=1).over(over))
        .with_columns(
            score=(pl.col("count") - pl.col("baseline"))
            / pl.max_horizontal(
                _MAD_TO_SD * pl.col("mad").fill_null(0.0),
                pl.max_horizontal(pl.col("baseline"), pl.lit(1.0)).sqrt(),
            )
        )
        .drop("__slot", "__dev")
        .select(*keys, "interval_start", "count", "baseline", "mad", "score")
    )
    if only_spikes:
        scored = scored.filter(
            (pl.col("score") >= threshold) & (pl.col("count") >= min_count)
        ).sort(["score", *keys], descending=[True] + [False] * len(keys))
    else:
        scored = scored.sort([*keys, "interval_start"])
    return like_input(scored, frame)

"""Scheduled coverage per UTC hour-of-week, the gap to required agents, recommendations.

Hour-of-week: 0 is Monday 00:00-01:00 UTC, 167 is Sunday 23:00-24:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from geoflex._errors import ColumnError
from geoflex.staffing._shifts import HOURS_PER_WEEK, ShiftPlan, week_start, zone

__all__ = ["recommendations", "scheduled_coverage", "staffing_gap"]

COVERAGE_SCHEMA: dict[str, pl.DataType] = {
    "location": pl.String(),
    "timezone": pl.String(),
    "agents": pl.UInt32(),
    "hour_of_week": pl.Int16(),
    "scheduled": pl.Float64(),
}


def _need(frame: pl.DataFrame | pl.LazyFrame, columns: tuple[str, ...], what: str) -> None:
    names = frame.collect_schema().names()
    missing = [c for c in columns if c not in names]
    if missing:
        raise ColumnError(f"{what} needs columns {missing}; the frame has {names}")


def scheduled_coverage(
    agents: pl.DataFrame | pl.LazyFrame,
    *,
    shifts: ShiftPlan | None = None,
    week_of: dt.date,
) -> pl.DataFrame:
    """Agents on shift per UTC hour-of-week, per Flex Location / timezone.

    Parameters
    ----------
    agents
        One row per agent with ``flex_location`` and ``timezone`` (either may be null).
    shifts
        Which shift each agent works (default: 09:00-17:00 local, Monday to Friday).
    week_of
        A day of the reference week; local shifts are converted to UTC with that week's
        DST rules.

    Returns
    -------
    DataFrame
        ``location`` (Flex Location, else the timezone), ``timezone``, ``agents`` (head
        count of the group), ``hour_of_week`` and ``scheduled`` (agents on shift that hour,
        fractional for part hours). Only hours with someone on shift are listed. Agents
        with no timezone (and no shift timezone) appear once with null ``hour_of_week``
        and 0 scheduled, so every agent is accounted for.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> agents = pl.DataFrame({"flex_location": ["London", "London", None],
    ...                        "timezone": ["Europe/London", "Europe/London", "America/Chicago"]})
    >>> cov = scheduled_coverage(agents, week_of=dt.date(2026, 1, 5))
    >>> cov.filter(hour_of_week=9).rows()  # Monday 09:00 UTC: London (winter, UTC+0)
    [('London', 'Europe/London', 2, 9, 2.0)]
    >>> cov.filter(hour_of_week=17).rows()  # London has gone home; 11:00 in Chicago
    [('America/Chicago', 'America/Chicago', 1, 17, 1.0)]
    """
    _need(agents, ("flex_location", "timezone"), "scheduled_coverage")
    plan = shifts or ShiftPlan()
    groups = (
        agents.lazy()
        .select(pl.col("flex_location").cast(pl.String), pl.col("timezone").cast(pl.String))
        .group_by("flex_location", "timezone")
        .len("agents")
        .sort("flex_location", "timezone", nulls_last=True)
        .collect()
    )
    rows: list[tuple[str | None, str | None, int, int | None, float]] = []
    for location, timezone, count in groups.iter_rows():
        shift = plan.shift_for(location, timezone)
        tz = shift.timezone or timezone
        label = location if location is not None else tz
        if tz is None:
            rows.append((label, None, count, None, 0.0))
            continue
        zone(tz, where=f"agents at location {location!r}")
        for how, share in sorted(shift.utc_hours(tz, week_of=week_of).items()):
            rows.append((label, tz, count, how, share * count))
    frame = pl.DataFrame(rows, schema=COVERAGE_SCHEMA, orient="row")
    # Two agent groups can share a label (location null, same timezone with/without location).
    return (
        frame.group_by("location", "timezone", "hour_of_week", maintain_order=True)
        .agg(pl.col("agents").first(), pl.col("scheduled").sum())
        .select(list(COVERAGE_SCHEMA))
    )


def staffing_gap(
    required: pl.DataFrame | pl.LazyFrame,
    coverage: pl.DataFrame | pl.LazyFrame,
    *,
    required_column: str = "scheduled",
) -> pl.DataFrame:
    """Required minus scheduled agents for each of the 168 UTC hours of the week.

    Parameters
    ----------
    required
        One row per ``hour_of_week`` with the agents to schedule (``required_column``;
        e.g. the ``scheduled`` column of `required_agents`, which includes shrinkage).
    coverage
        The output of `scheduled_coverage`.

    Returns
    -------
    DataFrame
        ``hour_of_week`` (all 168), ``required``, ``scheduled``, ``gap`` (positive: short of
        agents; negative: more than needed).

    Examples
    --------
    >>> import polars as pl
    >>> req = pl.DataFrame({"hour_of_week": [9, 10], "scheduled": [3, 1]})
    >>> cov = pl.DataFrame({"hour_of_week": [9, 10], "scheduled": [2.0, 2.0]})
    >>> staffing_gap(req, cov).filter(pl.col("hour_of_week").is_in([9, 10])).rows()
    [(9, 3.0, 2.0, 1.0), (10, 1.0, 2.0, -1.0)]
    """
    _need(required, ("hour_of_week", required_column), "staffing_gap (required)")
    _need(coverage, ("hour_of_week", "scheduled"), "staffing_gap (coverage)")
    hours = pl.LazyFrame({"hour_of_week": range(HOURS_PER_WEEK)}, schema={"hour_of_week": pl.Int16})
    need = (
        required.lazy()
        .group_by(pl.col("hour_of_week").cast(pl.Int16))
        .agg(required=pl.col(required_column).cast(pl.Float64).sum())
    )
    have = (
        coverage.lazy()
        .drop_nulls("hour_of_week")
        .group_by(pl.col("hour_of_week").cast(pl.Int16))
        .agg(scheduled=pl.col("scheduled").cast(pl.Float64).sum())
    )
    return (
        hours.join(need, on="hour_of_week", how="left")
        .join(have, on="hour_of_week", how="left")
        .with_columns(pl.col("required", "scheduled").fill_null(0.0))
        .with_columns(gap=pl.col("required") - pl.col("scheduled"))
        .sort("hour_of_week")
        .collect()
    )


def _runs(short_hours: list[int], max_hours: int) -> list[list[int]]:
    """Consecutive hours (wrapping Sunday->Monday), cut into blocks of at most ``max_hours``."""
    if not short_hours:
        return []
    hours = sorted(short_hours)
    runs: list[list[int]] = [[hours[0]]]
    for h in hours[1:]:
        if h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == HOURS_PER_WEEK - 1:
        runs[0] = runs.pop() + runs[0]
    return [run[i : i + max_hours] for run in runs for i in range(0, len(run), max_hours)]


def _local(hour_of_week: int, tz: str, monday: dt.date) -> dt.datetime:
    base = dt.datetime.combine(monday, dt.time(0), tzinfo=dt.timezone.utc)
    return (base + dt.timedelta(hours=hour_of_week)).astimezone(zone(tz))


def _daytime_score(run: list[int], tz: str, monday: dt.date) -> float:
    """Share of the run's hours that fall in local working hours (08:00-20:00, Mon-Sat)."""
    good = 0
    for h in run:
        local = _local(h, tz, monday)
        good += 8 <= local.hour < 20 and local.weekday() < 6
    return good / len(run)


def _window(run: list[int], tz: str, monday: dt.date) -> str:
    start = _local(run[0], tz, monday)
    end = _local(run[0] + len(run), tz, monday)  # runs may wrap past Sunday 23:00
    if start.date() == end.date():
        return f"{start:%a %H:%M}-{end:%H:%M}"
    return f"{start:%a %H:%M}-{end:%a %H:%M}"


RECOMMENDATION_SCHEMA: dict[str, pl.DataType] = {
    "location": pl.String(),
    "timezone": pl.String(),
    "start_hour_of_week": pl.Int16(),
    "hours": pl.Int16(),
    "add_agents": pl.Int64(),
    "utc_window": pl.String(),
    "local_window": pl.String(),
    "sentence": pl.String(),
}


def recommendations(
    gap: pl.DataFrame,
    *,
    candidates: pl.DataFrame | None = None,
    week_of: dt.date,
    max_block_hours: int = 8,
    min_gap: float = 0.5,
) -> pl.DataFrame:
    """Concrete hiring/scheduling suggestions for the hours short of agents.

    Hours whose ``gap`` is at least ``min_gap`` are grouped into consecutive blocks of at
    most ``max_block_hours`` (one shift). Each block goes to the candidate location where
    most of it falls in local working hours (08:00-20:00, Monday-Saturday); ties go to
    the location listed first. The number to add is the block's largest gap, rounded up.

    Parameters
    ----------
    gap
        The output of `staffing_gap`.
    candidates
        ``location`` and ``timezone`` of places where agents could be added (e.g. the
        agents' Flex Locations, or the customers' timezones by volume). Default: UTC.
    week_of
        A day of the reference week (for DST when showing local times).

    Returns
    -------
    DataFrame
        One row per block: ``location``, ``timezone``, ``start_hour_of_week``, ``hours``,
        ``add_agents``, ``utc_window``, ``local_window`` and a readable ``sentence``.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> gaps = [0.0] * 14 + [2.2, 1.0] + [0.0] * 152
    >>> gap = pl.DataFrame({"hour_of_week": range(168), "gap": gaps})
    >>> cands = pl.DataFrame({"location": ["Chicago"], "timezone": ["America/Chicago"]})
    >>> recommendations(gap, candidates=cands, week_of=dt.date(2026, 1, 5))["sentence"].to_list()
    ['Add 3 agents in Chicago (America/Chicago) for Mon 14:00-16:00 UTC (Mon 08:00-10:00 local).']
    """
    _need(gap, ("hour_of_week", "gap"), "recommendations")
    if candidates is None:
        candidates = pl.DataFrame({"location": ["UTC"], "timezone": ["UTC"]})
    _need(candidates, ("location", "timezone"), "recommendations (candidates)")
    places = [
        (str(loc), str(tz))
        for loc, tz in candidates.select("location", "timezone").unique(maintain_order=True).rows()
        if tz is not None and loc is not None
    ] or [("UTC", "UTC")]
    monday = week_start(week_of)
    by_hour = dict(gap.select(pl.col("hour_of_week").cast(pl.Int64), "gap").iter_rows())
    short = [int(h) for h, g in by_hour.items() if g is not None and g >= min_gap]
    rows = []
    for run in _runs(short, max_block_hours):
        location, tz = max(places, key=lambda p: _daytime_score(run, p[1], monday))
        add = math.ceil(max(by_hour[h] for h in run) - 1e-9)
        utc = f"{_window(run, 'UTC', monday)} UTC"
        local = _window(run, tz, monday)
        where = location if location == tz else f"{location} ({tz})"
        plural = "agent" if add == 1 else "agents"
        sentence = f"Add {add} {plural} in {where} for {utc} ({local} local)."
        rows.append((location, tz, run[0], len(run), add, utc, local, sentence))
    return pl.DataFrame(rows, schema=RECOMMENDATION_SCHEMA, orient="row")

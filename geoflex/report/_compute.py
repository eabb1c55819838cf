"""From ingested data to the frames the report pages show (the computation half of reports).

The pages in `geoflex.report.pages` only lay frames out; this module derives those frames
(`ReportFrames`) from the ingested tables: volume by place, service metrics, data quality,
demand per hour of the week, spikes. It reads the tables only through the operations of
`geoflex.report._rows` with geoflex's own polars rules, so the same code computes them from
polars frames here or from Spark DataFrames on Spark's executors (only the small frames come
back). Agents (one row per worker) and problems (at most ``max_problems`` per read) are
taken whole.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import polars as pl

from geoflex._errors import ColumnError, DataError
from geoflex._sums import ordered_mean, ordered_sum
from geoflex.aggregate._service import SERVICE_INPUTS
from geoflex.aggregate._volume import COUNT_INPUTS, in_order
from geoflex.report._config import ReportConfig
from geoflex.report._rows import Batch, PolarsRows, Rows, Rule, Tables, polars_tables
from geoflex.resolve._schema import GEO_COLUMNS

__all__ = [
    "Located",
    "ReportFrames",
    "accuracy_frame",
    "compute_frames",
    "locate",
    "place_frames",
    "quality_frames",
    "service_frames",
    "tables_of",
]

#: Column candidates, first present wins (the ingest layer's names first).
TIME_COLUMNS = ("started_at", "first_time", "start_time", "created_at", "timestamp")
HANDLE_COLUMNS = ("handle_time", "handle_time_s", "handling_time", "talk_time")
PHONE_COLUMNS = ("phone", "customer_phone", "customers.phone", "from")
#: Handle time assumed when no conversation tells one (seconds).
DEFAULT_AHT_S = 300.0


def _first(names: list[str], candidates: tuple[str, ...], what: str) -> str:
    for name in candidates:
        if name in names:
            return name
    raise ColumnError(
        f"conversations need a {what} column (one of {list(candidates)}); they have {names}"
    )


@dataclass(frozen=True)
class ReportFrames:
    """Everything the pages show that comes from the row tables: small frames only.

    ``places``: volume by region, country, US state, NANP area code and city; ``service``:
    service metrics per place level, queue, channel, customer-local hour and overall;
    ``quality``: resolver statuses and precision, problems, cut attributes, read counts;
    ``accuracy``: phone state vs ZIP state; ``totals``: the overview's headline numbers;
    ``demand_*``: conversations per hour of the week in UTC, each customer's local time
    (by zone) and the centre's clock; ``patience_s`` and ``default_aht_s``: Erlang A and C
    inputs; ``last_start``: the latest conversation start; ``timeline``, ``spikes`` and
    ``spike_places``: conversations per hour, spike episodes, episodes per place;
    ``queues``: volume per queue and channel; ``agents``: one row per worker.
    """

    totals: dict[str, Any]
    places: dict[str, pl.DataFrame]
    service: dict[str, pl.DataFrame]
    quality: dict[str, pl.DataFrame | None]
    accuracy: pl.DataFrame | None
    demand_utc: pl.DataFrame
    demand_local: pl.DataFrame
    demand_centre: pl.DataFrame
    patience_s: float | None
    default_aht_s: float
    last_start: dt.datetime | None
    timeline: pl.DataFrame
    spikes: pl.DataFrame
    spike_places: pl.DataFrame
    queues: pl.DataFrame | None
    agents: pl.DataFrame | None


def tables_of(data: Any) -> Tables:
    """``data``'s tables as `Rows`: a `geoflex.spark.SparkFlexData`'s stay on Spark;
    anything else is read as polars frames (a `FlexData`, or any object with such
    attributes)."""
    spark = sys.modules.get("geoflex.spark")
    if spark is not None and isinstance(data, spark.SparkFlexData):
        from geoflex.spark._rows import spark_tables

        tables: Tables = spark_tables(data)
        return tables
    return polars_tables(data)


def compute_frames(
    data: Any, config: ReportConfig, *, progress: Callable[[str], None] | None = None
) -> ReportFrames:
    """The `ReportFrames` of ingested data (see `tables_of` for what ``data`` may be)."""
    step = progress or (lambda _description: None)
    tables = tables_of(data)
    try:
        return _compute(tables, config, step)
    finally:
        tables.release()


def _compute(tables: Tables, config: ReportConfig, step: Callable[[str], None]) -> ReportFrames:
    step("Locating customers")
    if tables.conversations is None:
        raise DataError("build_all needs data with a `conversations` frame (see read_events)")
    located = locate(tables.conversations, config)
    step("Aggregating by place")
    totals = _totals(located)
    first, last = totals["first"], totals["last"]
    span = None if first is None or last is None else last - first
    # Every aggregation of the conversations below runs in one pass over them.
    batch = Batch(located.conversations)
    places = _places(located, batch)
    quality = _quality(located, tables, batch)
    spikes = _spikes(located, span, batch)
    queues = _queues(located, batch)
    segments = located_segments(tables.segments, located)
    service = service_frames(segments, config) if segments is not None else {}
    timeline, spike_table, spike_places = spikes()
    waits = _offered_waits(segments, config) if segments is not None else None
    totals["segments"] = None if tables.segments is None else tables.segments.count()
    totals["customers"] = None if tables.customers is None else tables.customers.count()
    agents = None if tables.agents is None else _in_order(tables.agents.collect(), "worker_sid")
    totals["agents"] = None if agents is None else agents.height
    default_aht = totals.pop("default_aht_s")
    return ReportFrames(
        totals=totals,
        places=places(),
        service=service,
        quality=quality(),
        accuracy=accuracy_frame(tables, config),
        demand_utc=_demand(located, first, last, handle=located.handle_time),
        demand_local=_demand(located, first, last, timezone="timezone"),
        demand_centre=_demand(located, first, last, centre=config.centre_timezone),
        patience_s=waits,
        default_aht_s=default_aht,
        last_start=last,
        timeline=timeline,
        spikes=spike_table,
        spike_places=spike_places,
        queues=queues(),
        agents=agents,
    )


@dataclass(frozen=True)
class Located:
    """Conversations with geography, and the names of their time/handle-time columns.

    Besides the resolver's columns each row carries the places the tables group by:
    ``npa`` (NANP area code), ``place`` (city, else state, else country), ``place_code``
    and ``spike_place`` (state where known, else country: the spikes' places) and
    ``hour`` (its start's UTC hour).
    """

    conversations: Rows
    time: str
    handle_time: str | None


def locate(conversations: Rows | pl.DataFrame | pl.LazyFrame, config: ReportConfig) -> Located:
    """Conversations with the resolver's geo columns (resolving phones when not done yet)."""
    rows: Rows = (
        conversations
        if not isinstance(conversations, (pl.DataFrame, pl.LazyFrame))
        else PolarsRows(conversations.lazy().collect())
    )
    names = list(rows.schema)
    time = _first(names, TIME_COLUMNS, "start time")
    handle = next((c for c in HANDLE_COLUMNS if c in names), None)
    if not set(GEO_COLUMNS) <= set(names):
        phone = _first(names, PHONE_COLUMNS, "phone")
        rows = rows.resolved(
            phone,
            default_country=config.default_country,
            regions=config.region_map(),
            overrides=dict(config.overrides) or _default_overrides(names),
        )
    dtype = rows.schema[time]
    if not isinstance(dtype, pl.Datetime):
        raise ColumnError(f"conversations column {time!r} must be a datetime, got {dtype}")
    located = rows.map(functools.partial(_report_columns, time=time)).cached()
    return Located(located, time, handle)


def _report_columns(frame: pl.DataFrame, *, time: str) -> pl.DataFrame:
    """Each conversation's time in UTC and the places it counts toward (see `Located`)."""
    from geoflex.aggregate import with_area_code

    # One convention downstream: aware UTC (naive times are taken to be UTC already).
    zone = frame.schema[time].time_zone  # type: ignore[attr-defined]
    if zone is None:
        frame = frame.with_columns(pl.col(time).dt.replace_time_zone("UTC"))
    elif zone != "UTC":
        frame = frame.with_columns(pl.col(time).dt.convert_time_zone("UTC"))
    return with_area_code(frame, name="npa").with_columns(
        # A "place" is the most precise name known: city, else state, else country.
        place=pl.coalesce("city", "state", "country_name", "country"),
        # A spike's place is the state where known (US, Canada...), else the country,
        # keyed by its ISO code so a spike in one state is not diluted by the country.
        place_code=pl.coalesce("state_code", "country"),
        spike_place=pl.when(pl.col("state").is_not_null())
        .then(pl.col("state") + ", " + pl.col("country"))
        .otherwise(pl.col("country_name")),
        hour=pl.col(time).dt.truncate("1h"),
    )


#: Insights customer attributes (as read_events names them) that override the phone.
DEFAULT_OVERRIDES = {"zip": "customers_zip", "area": "customers_area"}


def _default_overrides(names: list[str]) -> dict[str, str] | None:
    found = {field: column for field, column in DEFAULT_OVERRIDES.items() if column in names}
    return found or None


#: Conversation columns the place tables read.
_PLACE_INPUTS = (*GEO_COLUMNS, *COUNT_INPUTS, "npa", "place")


def _volume_rule(
    frame: pl.DataFrame,
    *,
    keep: pl.Expr,
    keys: list[str],
    handle: str | None,
    names: list[str],
    means: bool,
) -> pl.DataFrame:
    """`geoflex.aggregate.volume` of the rows ``keep`` selects [after each group's least
    ``names``: the least, as the first would depend on row order] [with mean coordinates]."""
    from geoflex.aggregate import volume

    kept = frame.filter(keep)
    out = volume(kept, keys, measures=[handle] if handle else [])
    if names:
        labels = kept.group_by(keys).agg(pl.col(names).min())
        out = labels.join(out, on=keys, nulls_equal=True)
    if means:
        where = kept.group_by(keys).agg(ordered_mean("latitude"), ordered_mean("longitude"))
        out = out.join(where, on=keys, how="left", nulls_equal=True)
    return out


def _volume(
    located: Located,
    batch: Batch,
    keep: pl.Expr,
    keys: list[str],
    *,
    names: list[str] | None = None,
    means: bool = False,
) -> Callable[[], pl.DataFrame]:
    """Volume per ``keys`` of the conversations ``keep`` selects, with the names the maps
    and tables use and each row's ``share`` of those conversations (asked of ``batch``)."""
    handle = located.handle_time
    rule = functools.partial(
        _volume_rule, keep=keep, keys=keys, handle=handle, names=names or [], means=means
    )
    found = batch.add([*_PLACE_INPUTS, *([handle] if handle else [])], keys, rule)

    def finish() -> pl.DataFrame:
        out = _volume_table(found(), keys, handle)
        # Every kept conversation is in one group: their sum is how many were kept.
        total = out["conversations"].sum() or 1
        return out.with_columns(share=pl.col("conversations") / total)

    return finish


def _volume_table(found: pl.DataFrame, keys: list[str], handle: str | None) -> pl.DataFrame:
    """A volume rule's groups in the tables' order, its handle-time columns named as the
    maps and tables name them."""
    out = in_order(found.lazy(), keys).collect()
    if handle:
        out = out.rename({handle: "handle_time", f"avg_{handle}": "average_handle_time"})
    return out


def _places(located: Located, batch: Batch) -> Callable[[], dict[str, pl.DataFrame]]:
    placed = pl.col("country").is_not_null()
    asked = {
        "regions": _volume(located, batch, placed, ["region"]),
        "countries": _volume(located, batch, placed, ["country", "country_name"]),
        "states": _volume(located, batch, placed, ["state_code"], names=["state", "country_name"]),
        "area_codes": _volume(located, batch, placed & pl.col("npa").is_not_null(), ["npa"]),
        "cities": _volume(
            located,
            batch,
            placed & pl.col("latitude").is_not_null(),
            ["place", "city", "state", "country_name"],
            means=True,
        ),
    }
    return lambda: {name: finish() for name, finish in asked.items()}


def place_frames(located: Located) -> dict[str, pl.DataFrame]:
    """Volume by region, country, state or province (every country), NANP area code and city.

    ``states`` is keyed by ISO 3166-2 code alone, as the map's shapes are (US-PR may be
    resolved in the US or in Puerto Rico), and keeps one row (``state_code`` null) for the
    conversations without a known state, so the states map can count them.
    """
    return _places(located, Batch(located.conversations))()


def _totals_partial(frame: pl.DataFrame, *, time: str, handle: str | None) -> pl.DataFrame:
    """The totals of one piece of conversations (`_totals_combined` adds them up)."""
    handles = pl.col(handle) if handle else pl.lit(None, pl.Float64)
    return frame.select(
        conversations=pl.len().cast(pl.Int64),
        handle_time_s=ordered_sum(handles.cast(pl.Float64)),
        located=pl.col("latitude").is_not_null().sum().cast(pl.Int64),
        first=pl.col(time).min(),
        last=pl.col(time).max(),
        handled_s=ordered_sum(handles.cast(pl.Float64).filter(handles > 0)),
        handled=(handles > 0).sum().cast(pl.Int64),
    )


def _totals_combined(partials: pl.DataFrame) -> pl.DataFrame:
    return partials.select(
        pl.col("conversations", "located", "handled").sum(),
        ordered_sum("handle_time_s"),
        ordered_sum("handled_s"),
        pl.col("first").min(),
        pl.col("last").max(),
    )


def _totals(located: Located) -> dict[str, Any]:
    """The overview's headline numbers, and the mean handle time of handled ones."""
    time, handle = located.time, located.handle_time
    row = located.conversations.reduce(
        ["latitude", time, *([handle] if handle else [])],
        functools.partial(_totals_partial, time=time, handle=handle),
        _totals_combined,
    ).row(0, named=True)
    count = row["conversations"]
    return {
        "conversations": count,
        "handle_time_h": None if handle is None else row["handle_time_s"] / 3600,
        "located_share": row["located"] / count if count else None,
        "first": row["first"],
        "last": row["last"],
        # Hours whose conversations were all abandoned have no AHT: use the overall one.
        "default_aht_s": row["handled_s"] / row["handled"] if row["handled"] else DEFAULT_AHT_S,
    }


#: The place levels of the service tables, in page order: (level, caption).
SERVICE_LEVELS: tuple[tuple[str, str], ...] = (
    ("region", "Regions"),
    ("country", "Countries"),
    ("state", "States and provinces"),
    ("city", "Cities"),
    ("area_code", "Area codes (North America)"),
)


def located_segments(segments: Rows | None, located: Located) -> Rows | None:
    """The segments with their conversation's geography (None without segments that carry
    what service metrics need), city names as the service tables show them, the NANP
    ``area_code`` and the customer-local ``local_hour``."""
    needed = {"conversation_id", "wait_time", "abandoned"}
    if segments is None or not needed <= set(segments.schema):
        return None
    conv = located.conversations
    if "conversation_id" not in conv.schema:
        return None
    geo = [c for c in dict.fromkeys((*GEO_COLUMNS, "phone_e164")) if c in conv.schema]
    return segments.left_join(conv, "conversation_id", geo).map(_service_columns).cached()


def _service_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """A segment's place keys as the service tables group them (each row on its own)."""
    from geoflex.aggregate import display_name, local_time, with_area_code

    names = frame.columns
    if "city" in names:  # what place_metrics keys cities by (it is idempotent)
        frame = frame.with_columns(display_name("city"))
    if "area_code" not in names and "phone_e164" in names:
        frame = with_area_code(frame)
    if {"created_at", "timezone"} <= set(names):
        hours = local_time(frame, time="created_at", timezone="timezone")
        frame = hours.with_columns(local_hour=pl.col("local_time").dt.hour()).drop("local_time")
    return frame


#: Segment columns the service tables and the callers' patience read.
_SEGMENT_INPUTS = (
    *GEO_COLUMNS, *COUNT_INPUTS, *SERVICE_INPUTS,
    "area_code", "local_hour", "created_at", "queue", "channel",
)  # fmt: skip


def _hour_metrics(frame: pl.DataFrame, **options: Any) -> pl.DataFrame:
    from geoflex.aggregate import service_metrics

    return service_metrics(
        frame.filter(pl.col("local_hour").is_not_null()), "local_hour", **options
    )


def service_frames(segments: Rows, config: ReportConfig) -> dict[str, pl.DataFrame]:
    """Service metrics per place level, queue, channel, and customer-local hour of day."""
    from geoflex.aggregate import PLACE_KEYS, place_metrics, service_metrics

    options: dict[str, Any] = {
        "threshold_s": config.target_answer_s,
        "short_abandon_s": config.short_abandon_s,
        "business_hours_only": config.business_hours_only,
    }
    columns = _SEGMENT_INPUTS
    names = segments.schema
    batch = Batch(segments)  # one pass over the segments
    keys: dict[str, list[str]] = {
        level: list(PLACE_KEYS.get(level, (level,)))
        for level, _ in SERVICE_LEVELS
        if level == "area_code" or level in names
    }
    rules: dict[str, Rule] = {
        level: functools.partial(place_metrics, level=level, **options) for level in keys
    }
    for column in ("queue", "channel"):
        if column in names:
            keys[column] = [column]
            rules[column] = functools.partial(service_metrics, by=column, **options)
    asked = {name: batch.add(columns, keys[name], rules[name]) for name in keys}
    overall: Rule = functools.partial(service_metrics, **options)
    whole = batch.add(columns, [], overall)
    hours = (
        batch.add(columns, ["local_hour"], functools.partial(_hour_metrics, **options))
        if "local_hour" in names
        else None
    )
    out = {name: in_order(found().lazy(), keys[name]).collect() for name, found in asked.items()}
    # One row, even for no rows at all (no group ran).
    out["overall"] = whole() if whole().height else overall(pl.DataFrame(schema=names))
    if hours is not None:
        out["local_hour"] = hours().sort("local_hour")
    return out


def _waits_partial(frame: pl.DataFrame, *, short_abandon_s: float) -> pl.DataFrame:
    from geoflex.aggregate._service import offered_waits

    wait, abandons = offered_waits(frame, short_abandon_s=short_abandon_s)
    return pl.DataFrame({"wait_s": [wait], "abandons": [abandons]})


def _offered_waits(segments: Rows, config: ReportConfig) -> float | None:
    """The callers' patience for Erlang A (`geoflex.staffing.patience_from_waits`)."""
    from geoflex.staffing._erlang_a import patience

    partial = functools.partial(_waits_partial, short_abandon_s=config.short_abandon_s)
    total = segments.reduce(
        _SEGMENT_INPUTS,
        partial,
        lambda parts: parts.select(ordered_sum("wait_s"), pl.col("abandons").sum()),
    )
    return patience(float(total["wait_s"][0] or 0.0), int(total["abandons"][0] or 0))


def _zip_rows(frame: pl.DataFrame, *, default_country: str) -> pl.DataFrame:
    """Customers who gave a ZIP, compared (`geoflex.aggregate.accuracy_rows`)."""
    from geoflex.aggregate._accuracy import accuracy_rows

    # Only customers who gave a ZIP can be compared: do not resolve the others again.
    with_zip = frame.filter(pl.col("customers_zip").is_not_null())
    return accuracy_rows(with_zip, default_country=default_country)


def _accuracy_summary(rows: pl.DataFrame) -> pl.DataFrame:
    from geoflex.aggregate._accuracy import accuracy_summary

    return accuracy_summary(rows, rows.height)


def accuracy_frame(tables: Tables, config: ReportConfig) -> pl.DataFrame | None:
    """Phone-derived state vs. the customer's ZIP (the check Flex Insights recommends)."""
    customers = tables.customers
    if customers is None or not {"phone", "customers_zip"} <= set(customers.schema):
        return None
    rows = customers.map(functools.partial(_zip_rows, default_country=config.default_country))
    summary = Batch(rows).add(["state_match", "distance_km"], [], _accuracy_summary)()
    if summary.is_empty() or not summary["with_phone_and_zip"].sum():
        return None
    # "rows" would count only the customers with a ZIP passed in: leave it out.
    return summary.drop("rows", strict=False)


def _in_order(frame: pl.DataFrame, first: str) -> pl.DataFrame:
    """A collected table in one order whatever the engine (Spark keeps none): by ``first``
    then every other column, when it has ``first``."""
    if first not in frame.columns:
        return frame
    return frame.sort([first, *(c for c in frame.columns if c != first)], nulls_last=True)


def _counted(frame: pl.DataFrame, *, key: str) -> pl.DataFrame:
    return (
        frame.group_by(key)
        .len("conversations")
        .with_columns(pl.col("conversations").cast(pl.Int64))
    )


def quality_frames(located: Located, tables: Tables) -> dict[str, pl.DataFrame | None]:
    """Resolver statuses and precision, input problems, truncated attribute values."""
    return _quality(located, tables, Batch(located.conversations))()


def _quality(
    located: Located, tables: Tables, batch: Batch
) -> Callable[[], dict[str, pl.DataFrame | None]]:
    status = batch.add(
        ["geo_status"], ["geo_status"], functools.partial(_counted, key="geo_status")
    )
    level = batch.add(["geo_level"], ["geo_level"], functools.partial(_counted, key="geo_level"))
    return lambda: _quality_frames(
        status().sort(["conversations", "geo_status"], descending=[True, False]),
        level().sort("geo_level", nulls_last=True),
        tables,
    )


def _quality_frames(
    status: pl.DataFrame, level: pl.DataFrame, tables: Tables
) -> dict[str, pl.DataFrame | None]:
    problems = None if tables.problems is None else _in_order(tables.problems.collect(), "file")
    if problems is None or problems.is_empty():
        problems = None
    elif "file" in problems.columns:
        problems = _files_as_given(problems)
    truncations = tables.truncated
    if isinstance(truncations, dict):  # attribute -> values cut to 255 characters
        truncations = pl.DataFrame(
            {"attribute": list(truncations), "values_cut": list(truncations.values())},
            schema={"attribute": pl.String, "values_cut": pl.Int64},
        ).filter(pl.col("values_cut") > 0)
    if not isinstance(truncations, pl.DataFrame) or truncations.is_empty():
        truncations = None
    return {
        "geo_status": status,
        "geo_level": level,
        "problems": problems,
        "truncations": truncations,
        "counts": _counts(tables.counts),
    }


def _demand_rows(
    frame: pl.DataFrame,
    *,
    time: str,
    handle: str | None,
    timezone: str | None,
    centre: str | None,
) -> pl.DataFrame:
    from geoflex.staffing._demand import demand_rows

    if centre is not None:
        frame = frame.select(time, _centre=pl.lit(centre))
        timezone = "_centre"
    return demand_rows(frame, time=time, handle_time=handle, timezone=timezone).collect()


def _demand_counts(frame: pl.DataFrame, *, keys: list[str], handle: bool) -> pl.DataFrame:
    from geoflex.staffing._demand import demand_counts

    return demand_counts(frame.lazy(), keys=keys, handle_time=handle).collect()


def _demand(
    located: Located,
    first: dt.datetime | None,
    last: dt.datetime | None,
    *,
    handle: str | None = None,
    timezone: str | None = None,
    centre: str | None = None,
) -> pl.DataFrame:
    """`geoflex.staffing.weekly_demand` of the conversations: in UTC [with handle time],
    by each row's ``timezone``, or in the ``centre`` zone (then without a zone column)."""
    from geoflex.staffing._demand import demand_grid

    keys = ["timezone"] if timezone or centre else []
    rows = located.conversations.map(
        functools.partial(
            _demand_rows, time=located.time, handle=handle, timezone=timezone, centre=centre
        )
    )
    counted = Batch(rows).add(
        ["_t", "_h", "timezone", "hour_of_week"],
        [*keys, "hour_of_week"],
        functools.partial(_demand_counts, keys=keys, handle=handle is not None),
    )()
    naive = [None if t is None else t.replace(tzinfo=None) for t in (first, last)]
    out = demand_grid(counted, naive[0], naive[1], keys=keys, handle_time=handle is not None)
    return out.drop("timezone") if centre else out


def _spike_counts(frame: pl.DataFrame, *, time: str) -> pl.DataFrame:
    from geoflex.aggregate._spikes import spike_counts

    return spike_counts(
        frame, ["place_code"], every="60m", time=time, timezone="timezone"
    ).collect()


def _spike_names(frame: pl.DataFrame) -> pl.DataFrame:
    # The least name: the first would depend on the rows' order, which Spark does not keep.
    return frame.group_by("place_code").agg(pl.col("spike_place").min().alias("place"))


def _spike_where(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.filter(pl.col("latitude").is_not_null())
        .group_by("spike_place")
        .agg(ordered_mean("latitude"), ordered_mean("longitude"))
    )


def _hours(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop_nulls("hour").group_by("hour").len("conversations")


def _spikes(
    located: Located, span: dt.timedelta | None, batch: Batch
) -> Callable[[], tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
    """Hourly timeline, spike episodes by place (`geoflex.aggregate.spikes`), per place.

    A place is the state where known (US, Canada...), else the country (see `Located`).
    With at least six weeks of data the expected value is the same weekday and hour over
    the previous four weeks (two at least, so most of the data is scored); with less, the
    same hour over the previous seven days (three at least).
    """
    time = located.time
    timeline = batch.add(["hour"], ["hour"], _hours)
    counts = batch.add(
        ["place_code", time, "timezone", *COUNT_INPUTS],
        ["place_code"],
        functools.partial(_spike_counts, time=time),
    )
    names = batch.add(["place_code", "spike_place"], ["place_code"], _spike_names)
    where = batch.add(["spike_place", "latitude", "longitude"], ["spike_place"], _spike_where)
    weekly = span is not None and span >= dt.timedelta(weeks=6)
    return lambda: _spike_frames(timeline(), counts(), names(), where(), weekly=weekly)


def _spike_frames(
    timeline: pl.DataFrame,
    counts: pl.DataFrame,
    names: pl.DataFrame,
    where: pl.DataFrame,
    *,
    weekly: bool,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The spikes page's frames from the counts (scored here: places x hours is small)."""
    from geoflex.aggregate._spikes import SPIKE_MIN_COUNT, SPIKE_THRESHOLD, score_spikes

    options: dict[str, Any] = (
        {"season": "week", "window": 4, "min_history": 2}
        if weekly
        else {"season": "day", "window": 7, "min_history": 3}
    )
    found = (
        score_spikes(
            counts.lazy(),
            ["place_code"],
            every="60m",
            threshold=SPIKE_THRESHOLD,
            min_count=SPIKE_MIN_COUNT,
            only_spikes=True,
            **options,
        )
        .collect()
        .join(names, on="place_code", how="left")
        .with_columns(interval_start=pl.col("start"))
    )
    per_place = (
        found.group_by("place")
        .agg(pl.len().alias("episodes"), pl.col("peak_score").max().alias("highest_score"))
        .join(where.rename({"spike_place": "place"}), on="place", how="left")
        .sort("episodes", "highest_score", "place", descending=[True, True, False])
    )
    table = found.select(
        "interval_start",
        "place",
        "start_local",
        "end_local",
        "timezone",
        pl.col("observed").alias("conversations"),
        "expected",
        "excess",
        "reason",
    )
    hourly = timeline.rename({"hour": "interval_start"}).sort("interval_start")
    return hourly, table, per_place


def _queues(located: Located, batch: Batch) -> Callable[[], pl.DataFrame | None]:
    """Volume per queue and channel."""
    handle = located.handle_time
    keys: list[str] = [c for c in ("queue", "channel") if c in located.conversations.schema]
    if not keys:
        return lambda: None
    rule = functools.partial(
        _volume_rule, keep=pl.lit(True), keys=keys, handle=handle, names=[], means=False
    )
    found = batch.add([*keys, *COUNT_INPUTS, *([handle] if handle else [])], keys, rule)
    return lambda: _volume_table(found(), keys, handle)


def file_label(path: str) -> str:
    """A file as pages name it: a relative path as given, else its base name.

    Pages are mailed around: they must not tell the machine's directories (a home
    directory, the installed package's site-packages) that an absolute path would.

    Examples
    --------
    >>> file_label("exports/day1.ndjson.gz"), file_label("/home/ann/exports/day1.ndjson.gz")
    ('exports/day1.ndjson.gz', 'day1.ndjson.gz')
    >>> file_label("../../etc/events.json"), file_label(r"C:\\Users\\ann\\events.json")
    ('events.json', 'events.json')
    """
    windows = PureWindowsPath(path)
    if windows.drive or windows.root:  # C:\..., \\server\share, or /... on any OS
        return windows.name
    relative = PurePosixPath(path)
    return path if ".." not in relative.parts and not path.startswith("~") else relative.name


def _files_as_given(problems: pl.DataFrame) -> pl.DataFrame:
    """Problems naming their files by `file_label`, in the file column and in reasons."""
    files = [f for f in problems["file"].unique().to_list() if f is not None]
    labels = {f: file_label(f) for f in files}
    reason = pl.col("reason") if "reason" in problems.columns else None
    if reason is not None:
        for path, label in sorted(labels.items(), key=lambda item: -len(item[0])):
            if path != label:
                reason = reason.str.replace_all(path, label, literal=True)
    return problems.with_columns(
        pl.col("file").replace_strict(labels, default=None, return_dtype=pl.String),
        *([] if reason is None else [reason.alias("reason")]),
    )


def _counts(counts: Any) -> pl.DataFrame | None:
    """read_events' bookkeeping (lines, events, duplicates...) as a two-column table."""
    if not isinstance(counts, dict) or not counts:
        return None
    return pl.DataFrame(
        {"what": [str(k).replace("_", " ") for k in counts], "count": list(counts.values())},
        schema={"what": pl.String, "count": pl.Int64},
    )

"""From FlexData to the frames the report pages show (the computation half of reports).

The pages in `geoflex.report.pages` only lay frames out; this module derives those frames
from the ingested data: volume by place, data quality, staffing inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import polars as pl

from geoflex._errors import ColumnError
from geoflex._sums import ordered_mean
from geoflex.report._config import ReportConfig
from geoflex.resolve._schema import GEO_COLUMNS
from geoflex.staffing import (
    recommendations,
    required_agents,
    scheduled_coverage,
    staffing_gap,
    weekly_demand,
)

__all__ = [
    "Located",
    "accuracy_frame",
    "locate",
    "place_frames",
    "quality_frames",
    "service_frames",
    "staffing_frames",
]

#: Column candidates, first present wins (the ingest layer's names first).
TIME_COLUMNS = ("started_at", "first_time", "start_time", "created_at", "timestamp")
HANDLE_COLUMNS = ("handle_time", "handle_time_s", "handling_time", "talk_time")
PHONE_COLUMNS = ("phone", "customer_phone", "customers.phone", "from")


def _first(names: list[str], candidates: tuple[str, ...], what: str) -> str:
    for name in candidates:
        if name in names:
            return name
    raise ColumnError(
        f"conversations need a {what} column (one of {list(candidates)}); they have {names}"
    )


@dataclass(frozen=True)
class Located:
    """Conversations with geography, and the names of their time/handle-time columns."""

    conversations: pl.DataFrame
    time: str
    handle_time: str | None


def locate(conversations: pl.DataFrame | pl.LazyFrame, config: ReportConfig) -> Located:
    """Conversations with the resolver's geo columns (resolving phones when not done yet)."""
    frame = (
        conversations.lazy().collect()
        if isinstance(conversations, pl.LazyFrame)
        else (conversations)
    )
    names = frame.columns
    time = _first(names, TIME_COLUMNS, "start time")
    handle = next((c for c in HANDLE_COLUMNS if c in names), None)
    if not set(GEO_COLUMNS) <= set(names):
        from geoflex.resolve import resolve

        phone = _first(names, PHONE_COLUMNS, "phone")
        frame = frame.drop([c for c in GEO_COLUMNS if c in names])
        frame = resolve(
            frame,
            phone,
            default_country=config.default_country,
            regions=config.region_map(),
            overrides=dict(config.overrides) or _default_overrides(names),
        )
    dtype = frame.schema[time]
    if not isinstance(dtype, pl.Datetime):
        raise ColumnError(f"conversations column {time!r} must be a datetime, got {dtype}")
    # One convention downstream: aware UTC (naive times are taken to be UTC already).
    if dtype.time_zone is None:
        frame = frame.with_columns(pl.col(time).dt.replace_time_zone("UTC"))
    elif dtype.time_zone != "UTC":
        frame = frame.with_columns(pl.col(time).dt.convert_time_zone("UTC"))
    return Located(frame, time, handle)


#: Insights customer attributes (as read_events names them) that override the phone.
DEFAULT_OVERRIDES = {"zip": "customers_zip", "area": "customers_area"}


def _default_overrides(names: list[str]) -> dict[str, str] | None:
    found = {field: column for field, column in DEFAULT_OVERRIDES.items() if column in names}
    return found or None


def _volume(frame: pl.DataFrame, keys: list[str], handle: str | None) -> pl.DataFrame:
    """`geoflex.aggregate.volume` with the names the maps and tables use."""
    from geoflex.aggregate import volume

    measures = [handle] if handle else []
    out = volume(frame, keys, measures=measures)
    if handle:
        out = out.rename({handle: "handle_time", f"avg_{handle}": "average_handle_time"})
    total = frame.height or 1
    return out.with_columns(share=pl.col("conversations") / total)


def place_frames(located: Located) -> dict[str, pl.DataFrame]:
    """Volume by region, country, state or province (every country), NANP area code and city.

    ``states`` is keyed by ISO 3166-2 code alone, as the map's shapes are (US-PR may be
    resolved in the US or in Puerto Rico), and keeps one row (``state_code`` null) for the
    conversations without a known state, so the states map can count them.
    """
    from geoflex.aggregate import with_area_code

    conv, handle = located.conversations, located.handle_time
    placed = conv.filter(pl.col("country").is_not_null())
    npa = with_area_code(placed, name="npa").filter(pl.col("npa").is_not_null())
    # A "place" is the most precise name known: city, else state, else country.
    cities = placed.filter(pl.col("latitude").is_not_null()).with_columns(
        place=pl.coalesce("city", "state", "country_name", "country")
    )
    city_keys = ["place", "city", "state", "country_name"]
    return {
        "regions": _volume(placed, ["region"], handle),
        "countries": _volume(placed, ["country", "country_name"], handle),
        "states": placed.group_by("state_code")
        .agg(pl.col("state", "country_name").drop_nulls().first())
        .join(_volume(placed, ["state_code"], handle), on="state_code", nulls_equal=True)
        .sort("conversations", "state_code", descending=[True, False], nulls_last=True),
        "area_codes": _volume(npa, ["npa"], handle),
        "cities": _volume(cities, city_keys, handle).join(
            cities.group_by(city_keys).agg(ordered_mean("latitude"), ordered_mean("longitude")),
            on=city_keys,
            how="left",
            nulls_equal=True,
        ),
    }


#: The place levels of the service tables, in page order: (level, caption).
SERVICE_LEVELS: tuple[tuple[str, str], ...] = (
    ("region", "Regions"),
    ("country", "Countries"),
    ("state", "States and provinces"),
    ("city", "Cities"),
    ("area_code", "Area codes (North America)"),
)


def located_segments(data: Any, located: Located) -> pl.DataFrame | None:
    """The segments with their conversation's geography (None without segments that carry
    what service metrics need)."""
    segments = getattr(data, "segments", None)
    if isinstance(segments, pl.LazyFrame):
        segments = segments.collect()
    needed = {"conversation_id", "wait_time", "abandoned"}
    if not isinstance(segments, pl.DataFrame) or not needed <= set(segments.columns):
        return None
    conv = located.conversations
    if "conversation_id" not in conv.columns:
        return None
    geo = [c for c in dict.fromkeys((*GEO_COLUMNS, "phone_e164")) if c in conv.columns]
    return segments.drop([c for c in geo if c in segments.columns]).join(
        conv.select("conversation_id", *geo).unique("conversation_id", keep="first"),
        on="conversation_id",
        how="left",
    )


def service_frames(segments: pl.DataFrame, config: ReportConfig) -> dict[str, pl.DataFrame]:
    """Service metrics per place level, queue, channel, and customer-local hour of day."""
    from geoflex.aggregate import local_time, place_metrics, service_metrics

    options: dict[str, Any] = {
        "threshold_s": config.target_answer_s,
        "short_abandon_s": config.short_abandon_s,
        "business_hours_only": config.business_hours_only,
    }
    out: dict[str, pl.DataFrame] = {
        level: place_metrics(segments, level, **options)
        for level, _ in SERVICE_LEVELS
        if level == "area_code" or level in segments.columns
    }
    out["overall"] = service_metrics(segments, **options)
    for column in ("queue", "channel"):
        if column in segments.columns:
            out[column] = service_metrics(segments, column, **options)
    if {"created_at", "timezone"} <= set(segments.columns):
        hours = local_time(segments, time="created_at", timezone="timezone").with_columns(
            local_hour=pl.col("local_time").dt.hour()
        )
        out["local_hour"] = service_metrics(
            hours.filter(pl.col("local_hour").is_not_null()), "local_hour", **options
        ).sort("local_hour")
    return out


def accuracy_frame(data: Any, config: ReportConfig) -> pl.DataFrame | None:
    """Phone-derived state vs. the customer's ZIP (the check Flex Insights recommends)."""
    from geoflex.aggregate import geolocation_accuracy

    customers = getattr(data, "customers", None)
    if not isinstance(customers, pl.DataFrame) or not {"phone", "customers_zip"} <= set(
        customers.columns
    ):
        return None
    # Only customers who gave a ZIP can be compared: do not resolve the others again.
    with_zip = customers.filter(pl.col("customers_zip").is_not_null())
    if with_zip.is_empty():
        return None
    result = geolocation_accuracy(with_zip, default_country=config.default_country)
    if result.summary.is_empty() or not result.summary["with_phone_and_zip"].sum():
        return None
    # "rows" would count only the customers with a ZIP passed in: leave it out.
    return result.summary.drop("rows", strict=False)


def quality_frames(located: Located, data: Any) -> dict[str, pl.DataFrame | None]:
    """Resolver statuses and precision, input problems, truncated attribute values."""
    conv = located.conversations
    status = conv.group_by("geo_status").len("conversations").sort("conversations", descending=True)
    level = conv.group_by("geo_level").len("conversations").sort("geo_level", nulls_last=True)
    problems = getattr(data, "problems", None)
    if isinstance(problems, pl.LazyFrame):
        problems = problems.collect()
    if not isinstance(problems, pl.DataFrame) or problems.is_empty():
        problems = None
    elif "file" in problems.columns:
        problems = _files_as_given(problems)
    truncations = getattr(data, "truncated", None)
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
        "counts": _counts(getattr(data, "counts", None)),
    }


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


#: The timezone heatmap shows this many zones at most; the rest are folded into one row.
MAX_HEATMAP_ZONES = 30


def fold_zones(local: pl.DataFrame, limit: int = MAX_HEATMAP_ZONES) -> tuple[pl.DataFrame, int]:
    """Every zone with volume (busiest first); beyond ``limit`` the quietest are summed into
    one row named "Other (N zones)". Returns the frame and how many zones were folded."""
    totals = (
        local.group_by("timezone")
        .agg(pl.col("total").sum())
        .filter(pl.col("total") > 0)
        .sort("total", "timezone", descending=[True, False], nulls_last=True)
    )
    kept = totals.head(limit - 1 if totals.height > limit else limit)["timezone"]
    folded = totals.height - kept.len()
    shown = local.filter(pl.col("timezone").is_in(totals["timezone"].implode()))
    if not folded:
        return shown, 0
    label = f"Other ({folded} zones)"
    return (
        shown.with_columns(
            timezone=pl.when(pl.col("timezone").is_in(kept.implode()))
            .then(pl.col("timezone"))
            .otherwise(pl.lit(label))
        )
        .group_by("timezone", "hour_of_week", maintain_order=True)
        .agg(pl.col("conversations").sum(), pl.col("total").sum()),
        folded,
    )


def staffing_frames(
    located: Located,
    agents: pl.DataFrame | None,
    config: ReportConfig,
    segments: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Demand, required agents (Erlang C, and Erlang A when ``segments`` tell the callers'
    patience), coverage, gap, recommendations and the per-interval schedule export."""
    from geoflex.staffing import patience_from_waits, requirement_schedule

    conv = located.conversations
    handle = located.handle_time
    demand = weekly_demand(conv, time=located.time, handle_time=handle)
    local = weekly_demand(conv, time=located.time, handle_time=None, timezone="timezone")
    centre = weekly_demand(
        conv.select(located.time, _centre=pl.lit(config.centre_timezone)),
        time=located.time,
        handle_time=None,
        timezone="_centre",
    ).drop("timezone")
    top_zones = (
        local.group_by("timezone")
        .agg(pl.col("total").sum())
        .sort("total", descending=True)
        .head(config.top)["timezone"]
    )
    local, folded_zones = fold_zones(local)
    patience = (
        patience_from_waits(segments, short_abandon_s=config.short_abandon_s)
        if segments is not None
        else None
    )
    # Hours whose conversations were all abandoned have no AHT: use the overall one.
    default_aht = (
        float(conv.select(pl.col(handle).filter(pl.col(handle) > 0).mean()).item() or 300.0)
        if handle
        else 300.0
    )
    if handle is None:
        demand = demand.with_columns(aht_s=pl.lit(default_aht))
    required = required_agents(
        demand,
        interval_s=3600,
        target_answer_s=config.target_answer_s,
        service_level=config.service_level,
        shrinkage=config.shrinkage,
        max_occupancy=config.max_occupancy,
        default_aht_s=default_aht,
        patience_s=patience,
    )
    first = conv[located.time].drop_nulls().max()
    week_of = first.date() if isinstance(first, dt.datetime) else dt.date.today()
    if agents is None or not {"flex_location", "timezone"} <= set(agents.columns):
        agents = pl.DataFrame(schema={"flex_location": pl.String, "timezone": pl.String})
    coverage = scheduled_coverage(agents, shifts=config.shifts, week_of=week_of)
    gap = staffing_gap(required, coverage)
    # Existing sites first (they win ties), then where customers are: a block no site can
    # cover in daytime goes to the customers' own timezone (a new site or remote agents).
    sites = coverage.select("location", "timezone").unique(maintain_order=True).drop_nulls()
    zones = top_zones.drop_nulls().head(8)
    customers = pl.DataFrame({"location": zones, "timezone": zones}).filter(
        ~pl.col("timezone").is_in(sites["timezone"].implode())
    )
    candidates = pl.concat([sites, customers])
    recs = recommendations(gap, candidates=candidates, week_of=week_of)
    target = (
        f"{config.service_level:.0%} of conversations answered within "
        f"{config.target_answer_s:g} s, occupancy at most {config.max_occupancy:.0%}, "
        f"shrinkage {config.shrinkage:.0%}"
    )
    return {
        "demand_utc": demand,
        "demand_local": local,
        "demand_centre": centre,
        "required": required.select(
            "hour_of_week",
            "conversations",
            "aht_s",
            "traffic_erlangs",
            "agents",
            "scheduled",
            "service_level",
            "occupancy",
            *(
                [
                    "agents_erlang_a",
                    "scheduled_erlang_a",
                    "service_level_erlang_a",
                    "abandon_probability",
                ]
                if patience is not None
                else []
            ),
        ),
        "patience_s": patience,
        "folded_zones": folded_zones,
        # The requirement for the week after the data, as scheduling tools import it.
        "schedule": requirement_schedule(
            required, week_of=week_of + dt.timedelta(days=7), timezone=config.centre_timezone
        ),
        "coverage": coverage,
        "gap": gap,
        "recommendations": recs,
        "target": target,
        "week_of": week_of,
    }

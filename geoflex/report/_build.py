"""`build_all`: FlexData -> the four HTML reports in a directory."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from geoflex._errors import DataError
from geoflex._sums import ordered_mean
from geoflex.report._compute import (
    SERVICE_LEVELS,
    accuracy_frame,
    locate,
    located_segments,
    place_frames,
    quality_frames,
    service_frames,
    staffing_frames,
)
from geoflex.report._config import ReportConfig
from geoflex.report._privacy import redact_frame
from geoflex.report._write import publish
from geoflex.report.pages import (
    REPORT_FILES,
    glossary_report,
    overview_report,
    places_report,
    spikes_report,
    staffing_report,
)
from geoflex.report.tables import service_table
from geoflex.staffing import nearest_sites, review_flex_locations

__all__ = ["BUILD_STEPS", "build_all"]

# Bubbles per map: the busiest places (the rest are counted in the map's legend). Keeps
# each page well under 5 MB whatever the data.
_MAX_POINTS = 3000

#: How many times `build_all` calls ``progress`` (for progress bars).
BUILD_STEPS = 7


def _frame(value: Any) -> pl.DataFrame | None:
    if isinstance(value, pl.LazyFrame):
        return value.collect()
    return value if isinstance(value, pl.DataFrame) else None


def _spikes(conv: pl.DataFrame, time: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Hourly timeline, spike episodes by place (`geoflex.aggregate.spikes`), per place.

    A place is the state where known (US, Canada...), else the country, keyed by its ISO
    code so a spike in one state is not diluted by the whole country. With at least six
    weeks of data the expected value is the same weekday and hour over the previous four
    weeks (two at least, so most of the data is scored); with less, the same hour over the
    previous seven days (three at least).
    """
    from geoflex.aggregate import spikes

    hour = pl.col(time).dt.truncate("1h").alias("interval_start")
    timeline = (
        conv.select(hour)
        .drop_nulls()
        .group_by("interval_start")
        .len("conversations")
        .sort("interval_start")
    )
    placed = conv.with_columns(
        place_code=pl.coalesce("state_code", "country"),
        place=pl.when(pl.col("state").is_not_null())
        .then(pl.col("state") + ", " + pl.col("country"))
        .otherwise(pl.col("country_name")),
    )
    span = conv.select(pl.col(time).max() - pl.col(time).min()).item()
    weekly = span is not None and span >= dt.timedelta(weeks=6)
    options: dict[str, Any] = (
        {"season": "week", "window": 4, "min_history": 2}
        if weekly
        else {"season": "day", "window": 7, "min_history": 3}
    )
    names = placed.group_by("place_code").agg(pl.col("place").drop_nulls().first())
    found = (
        spikes(placed, "place_code", time=time, every="60m", **options)
        .join(names, on="place_code", how="left")
        .with_columns(interval_start=pl.col("start"))
    )
    where = (
        placed.filter(pl.col("latitude").is_not_null())
        .group_by("place")
        .agg(ordered_mean("latitude"), ordered_mean("longitude"))
    )
    per_place = (
        found.group_by("place")
        .agg(pl.len().alias("episodes"), pl.col("peak_score").max().alias("highest_score"))
        .join(where, on="place", how="left")
        .sort("episodes", "highest_score", descending=True)
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
    return timeline, table, per_place


def build_all(
    data: Any,
    *,
    out_dir: str | os.PathLike[str] = "reports",
    config: ReportConfig | None = None,
    locations: pl.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write every report (overview, places, staffing, spikes) for ingested Flex data.

    Parameters
    ----------
    data
        What `geoflex.read_events` returns (``conversations``, ``agents``, ``problems``...).
    out_dir
        Directory for ``index.html``, ``places.html``, ``staffing.html``, ``spikes.html``.
    config
        Service level, shifts, regions, overrides... (default `ReportConfig()`).
    locations
        Flex Locations (`geoflex.read_ui_attributes`); default: read from
        ``config.ui_attributes`` when set.
    progress
        Called with a description as each step starts (the CLI's progress bar).

    Returns
    -------
    list of Path
        The files written, ``index.html`` first.

    Raises
    ------
    GeoflexError
        ``out_dir`` is not a directory, or another run is writing to it (see below).

    Notes
    -----
    Pages are built in a temporary directory beside ``out_dir`` and moved in only when all
    are complete, so a reader never sees a half-written page; a lock file beside
    ``out_dir`` keeps a second run from writing there at the same time (it fails at once).
    Other files in ``out_dir`` are left as they are.
    """
    config = config or ReportConfig()
    if locations is None and config.ui_attributes:
        from geoflex.ingest import read_ui_attributes

        locations = read_ui_attributes(config.ui_attributes)
    step = progress or (lambda _description: None)
    keep = config.show_phone_numbers
    now = dt.datetime.now(dt.timezone.utc)
    common: dict[str, Any] = {"title": config.title, "show_phone_numbers": keep, "generated": now}
    return publish(
        out_dir, lambda staging: _write_pages(data, staging, config, locations, step, common)
    )


def _write_pages(
    data: Any,
    out: Path,
    config: ReportConfig,
    locations: pl.DataFrame | None,
    step: Callable[[str], None],
    common: dict[str, Any],
) -> list[Path]:
    """The pages of `build_all`, written into ``out`` (its staging directory)."""
    from geoflex.report import maps

    keep = config.show_phone_numbers
    step("Locating customers")
    conversations = _frame(getattr(data, "conversations", None))
    if conversations is None:
        raise DataError("build_all needs data with a `conversations` frame (see read_events)")
    located = locate(conversations, config)
    conv = located.conversations
    agents = _frame(getattr(data, "agents", None))

    step("Aggregating by place")
    places = place_frames(located)
    segments = located_segments(data, located)
    service = service_frames(segments, config) if segments is not None else {}
    metric_options: dict[str, Any] = {
        "threshold_s": config.target_answer_s,
        "short_abandon_s": config.short_abandon_s,
        "show_phone_numbers": keep,
    }
    quality = quality_frames(located, data)
    accuracy = accuracy_frame(data, config)
    placed = conv.filter(pl.col("latitude").is_not_null()).height
    totals = {
        "conversations": conv.height,
        "segments": _height(getattr(data, "segments", None)),
        "customers": _height(getattr(data, "customers", None)),
        "agents": None if agents is None else agents.height,
        "handle_time_h": None
        if located.handle_time is None
        else float(conv[located.handle_time].sum() or 0) / 3600,
        "located_share": placed / conv.height if conv.height else None,
        "first": conv[located.time].min(),
        "last": conv[located.time].max(),
    }
    paths: list[Path] = []

    step("Writing the places report")
    place_map = maps.layered_map(
        countries=places["countries"],
        states=places["states"],
        area_codes=places["area_codes"],
        regions=places["regions"],
        # The bubbles are labelled by their "city" column: use the most precise name known.
        places=redact_frame(
            places["cities"].with_columns(city=pl.col("place")), show_phone_numbers=keep
        ).head(_MAX_POINTS),
    )
    tables: list[Any] = (
        [
            service_table(
                _with_share(service[level], conv.height), level, caption=caption, **metric_options
            )
            for level, caption in SERVICE_LEVELS
            if level in service
        ]
        if service
        else [
            ("Regions", places["regions"]),
            ("Countries", places["countries"]),
            (
                "States and provinces",
                places["states"].filter(pl.col("state_code").is_not_null()),
            ),
            ("Area codes (NANP)", places["area_codes"]),
            ("Places (cities, else states or countries)", _shown(places["cities"])),
        ]
    )
    paths.append(
        places_report(map_page=place_map, tables=tables, **common).save(out / "places.html")
    )

    step("Writing the staffing report")
    if agents is not None:
        agents = _placed_agents(agents, locations, config)
    staff = staffing_frames(located, agents, config, segments)
    agents_map = None
    agent_places = None
    far_demand = None
    if agents is not None and {"latitude", "longitude", "flex_location"} <= set(agents.columns):
        sites = agents.with_columns(
            location=pl.coalesce(pl.col("flex_location"), pl.lit("(no Flex Location)"))
        )
        agents_map = maps.agents_vs_customers(
            places["cities"].with_columns(city=pl.col("place")), sites, max_points=_MAX_POINTS
        )
        agent_places = review_flex_locations(agents, locations)
        far_demand = _far_demand(places["cities"], agents)
    paths.append(
        staffing_report(
            demand_utc=staff["demand_utc"],
            demand_local=staff["demand_local"],
            demand_centre=staff["demand_centre"],
            centre_timezone=config.centre_timezone,
            required=staff["required"],
            coverage=staff["coverage"],
            gap=staff["gap"],
            recommendations=staff["recommendations"],
            target=staff["target"],
            agents_map=agents_map,
            agent_places=agent_places,
            far_demand=far_demand,
            schedule=staff["schedule"],
            patience_s=staff["patience_s"],
            folded_zones=staff["folded_zones"],
            **common,
        ).save(out / "staffing.html")
    )

    step("Writing the spikes report")
    timeline, spike_table, per_place = _spikes(conv, located.time)
    spike_map = (
        maps.points(per_place, label="place", size="episodes", name="Spike episodes")
        if per_place.filter(pl.col("latitude").is_not_null()).height
        else None
    )
    paths.append(
        spikes_report(timeline=timeline, spikes=spike_table, map_page=spike_map, **common).save(
            out / "spikes.html"
        )
    )

    step("Writing the overview")
    top_places = _shown(places["cities"]).head(config.top)
    busiest = [
        service_table(
            _with_share(service[level], conv.height).head(config.top),
            level,
            caption=f"Busiest {config.top} {caption.lower()} (all of them: the Places page)",
            **metric_options,
        )
        for level, caption in SERVICE_LEVELS
        if level in ("country", "state", "city") and level in service
    ]
    service_tables = [
        service_table(service[kind], kind, caption=caption, **metric_options)
        for kind, caption in (
            ("queue", "Service by queue"),
            ("channel", "Service by channel"),
            ("local_hour", "Service by the customer's local hour of day"),
        )
        if kind in service
    ]
    overview = overview_report(
        totals=totals,
        regions=places["regions"],
        countries=places["countries"],
        top_places=top_places,
        queues=_queues(conv, located.handle_time),
        busiest=busiest,
        service_tables=service_tables,
        overall=service.get("overall"),
        thresholds=(config.target_answer_s, config.short_abandon_s),
        geo_status=quality["geo_status"],  # type: ignore[arg-type]
        geo_level=quality["geo_level"],
        problems=quality["problems"],
        truncations=quality["truncations"],
        counts=quality["counts"],
        accuracy=accuracy,
        **common,
    )
    paths.insert(0, overview.save(out / "index.html"))

    step("Writing the glossary")
    glossary = glossary_report(
        threshold_s=config.target_answer_s,
        short_abandon_s=config.short_abandon_s,
        business_hours_only=config.business_hours_only,
        title=config.title,
        links=REPORT_FILES,
        generated=common["generated"],
    )
    paths.append(glossary.save(out / "glossary.html"))
    return paths


def _placed_agents(
    agents: pl.DataFrame, locations: pl.DataFrame | None, config: ReportConfig
) -> pl.DataFrame:
    """Agents with coordinates and timezone (`geoflex.place_agents`) unless they have them."""
    if {"latitude", "longitude", "timezone"} <= set(agents.columns):
        return agents
    if not {"location", "flex_location"} <= set(agents.columns):
        return agents
    from geoflex.ingest import place_agents

    return place_agents(
        agents, locations=locations, coordinates=dict(config.agent_coordinates) or None
    )


def _queues(conv: pl.DataFrame, handle: str | None) -> pl.DataFrame | None:
    from geoflex.aggregate import volume

    keys = [c for c in ("queue", "channel") if c in conv.columns]
    if not keys:
        return None
    out = volume(conv, keys, measures=[handle] if handle else [])
    if handle:
        out = out.rename({handle: "handle_time", f"avg_{handle}": "average_handle_time"})
    return out


# Customers farther than this from every agent site count as "far".
_FAR_KM = 1000.0


def _far_demand(cities: pl.DataFrame, agents: pl.DataFrame) -> pl.DataFrame:
    """The busiest places more than `_FAR_KM` from the nearest agent site."""
    near = nearest_sites(cities, agents)
    return (
        near.filter(pl.col("distance_km") > _FAR_KM)
        .select("place", "country_name", "conversations", "share", "nearest_site",
                pl.col("distance_km").round(0))
        .sort("conversations", descending=True)
    )  # fmt: skip


def _with_share(frame: pl.DataFrame, total: int) -> pl.DataFrame:
    """Add each row's share of all ``total`` conversations."""
    return frame.with_columns(share=pl.col("conversations") / (total or 1))


def _shown(cities: pl.DataFrame) -> pl.DataFrame:
    """The places table as people read it: the place's name and its country."""
    return cities.drop("city", "state", "latitude", "longitude")


def _height(value: Any) -> int | None:
    frame = _frame(value)
    return None if frame is None else frame.height

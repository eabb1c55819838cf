"""`build_all`: ingested data -> the HTML reports in a directory.

The computation half (`geoflex.report._compute.compute_frames`) reduces the data to small
frames, on polars or on Spark; this module renders the pages from those frames alone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from geoflex.report._compute import SERVICE_LEVELS, ReportFrames, compute_frames
from geoflex.report._config import ReportConfig
from geoflex.report._plan import staffing_frames
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
        What `geoflex.read_events` returns (``conversations``, ``agents``, ``problems``...),
        or what `geoflex.spark.read_events` returns: its tables stay on Spark, which
        computes every frame the pages show; only those small frames, the agents (one row
        per worker) and the problems (at most ``max_problems`` per file read) are
        collected here.
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
        out_dir,
        lambda staging: _write_pages(
            compute_frames(data, config, progress=step), staging, config, locations, step, common
        ),
    )


def _write_pages(
    frames: ReportFrames,
    out: Path,
    config: ReportConfig,
    locations: pl.DataFrame | None,
    step: Callable[[str], None],
    common: dict[str, Any],
) -> list[Path]:
    """The pages of `build_all`, rendered from ``frames`` into ``out`` (its staging
    directory)."""
    from geoflex.report import maps

    keep = config.show_phone_numbers
    places, service, quality = frames.places, frames.service, frames.quality
    conversations = frames.totals["conversations"]
    metric_options: dict[str, Any] = {
        "threshold_s": config.target_answer_s,
        "short_abandon_s": config.short_abandon_s,
        "show_phone_numbers": keep,
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
                _with_share(service[level], conversations), level, caption=caption, **metric_options
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
    agents = frames.agents
    if agents is not None:
        agents = _placed_agents(agents, locations, config)
    staff = staffing_frames(frames, agents, config)
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
    timeline, spike_table, per_place = frames.timeline, frames.spikes, frames.spike_places
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
            _with_share(service[level], conversations).head(config.top),
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
        totals=frames.totals,
        regions=places["regions"],
        countries=places["countries"],
        top_places=top_places,
        queues=frames.queues,
        busiest=busiest,
        service_tables=service_tables,
        overall=service.get("overall"),
        thresholds=(config.target_answer_s, config.short_abandon_s),
        geo_status=quality["geo_status"],  # type: ignore[arg-type]
        geo_level=quality["geo_level"],
        problems=quality["problems"],
        truncations=quality["truncations"],
        counts=quality["counts"],
        accuracy=frames.accuracy,
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

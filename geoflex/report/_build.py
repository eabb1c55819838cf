"""`build_all`: FlexData -> the four HTML reports in a directory."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from geoflex._errors import DataError
from geoflex.report._compute import locate, place_frames, quality_frames, staffing_frames
from geoflex.report._config import ReportConfig
from geoflex.report._pages import overview_report, places_report, spikes_report, staffing_report
from geoflex.report._privacy import redact_frame

__all__ = ["BUILD_STEPS", "build_all"]

#: How many times `build_all` calls ``progress`` (for progress bars).
BUILD_STEPS = 6


def _frame(value: Any) -> pl.DataFrame | None:
    if isinstance(value, pl.LazyFrame):
        return value.collect()
    return value if isinstance(value, pl.DataFrame) else None


def _spikes(conv: pl.DataFrame, time: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Hourly timeline of all conversations, and spikes by country from geoflex.aggregate."""
    timeline = (
        conv.select(pl.col(time).dt.truncate("1h").alias("interval_start"))
        .drop_nulls()
        .group_by("interval_start")
        .len("conversations")
        .sort("interval_start")
    )
    from geoflex import aggregate

    detect = getattr(aggregate, "spikes", None)
    if detect is None:  # TODO(report): remove once geoflex.aggregate.spikes lands
        return timeline, pl.DataFrame()
    found = _frame(detect(conv, by="country", time=time, every="1h"))
    return timeline, found if found is not None else pl.DataFrame()


def build_all(
    data: Any,
    *,
    out_dir: str | os.PathLike[str] = "reports",
    config: ReportConfig | None = None,
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
    progress
        Called with a description as each step starts (the CLI's progress bar).

    Returns
    -------
    list of Path
        The files written, ``index.html`` first.
    """
    from geoflex.report import maps

    config = config or ReportConfig()
    step = progress or (lambda _description: None)
    keep = config.show_phone_numbers
    now = dt.datetime.now(dt.timezone.utc)
    common: dict[str, Any] = {"title": config.title, "show_phone_numbers": keep, "generated": now}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    step("Locating customers")
    conversations = _frame(getattr(data, "conversations", None))
    if conversations is None:
        raise DataError("build_all needs data with a `conversations` frame (see read_events)")
    located = locate(conversations, config)
    conv = located.conversations
    agents = _frame(getattr(data, "agents", None))

    step("Aggregating by place")
    places = place_frames(located)
    quality = quality_frames(located, data)
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
        us_states=places["us_states"],
        area_codes=places["area_codes"],
        regions=places["regions"],
        places=redact_frame(places["cities"], show_phone_numbers=keep).head(5000),
    )
    tables = [
        ("Regions", places["regions"]),
        ("Countries", places["countries"]),
        ("US states", places["us_states"]),
        ("Area codes (NANP)", places["area_codes"]),
        ("Cities", places["cities"].drop("latitude", "longitude")),
    ]
    paths.append(
        places_report(map_page=place_map, tables=tables, **common).save(out / "places.html")
    )

    step("Writing the staffing report")
    staff = staffing_frames(located, agents, config)
    agents_map = None
    agent_places = None
    if agents is not None and {"latitude", "longitude"} <= set(agents.columns):
        site_label = "flex_location" if "flex_location" in agents.columns else None
        agents_map = maps.agents_vs_customers(
            places["cities"],
            agents.rename({"flex_location": "location"}) if site_label else agents,
        )
        keys = [c for c in ("flex_location", "location", "timezone") if c in agents.columns]
        agent_places = agents.group_by(keys).len("agents").sort("agents", descending=True)
    paths.append(
        staffing_report(
            demand_utc=staff["demand_utc"],
            demand_local=staff["demand_local"],
            required=staff["required"],
            coverage=staff["coverage"],
            gap=staff["gap"],
            recommendations=staff["recommendations"],
            target=staff["target"],
            agents_map=agents_map,
            agent_places=agent_places,
            **common,
        ).save(out / "staffing.html")
    )

    step("Writing the spikes report")
    timeline, spikes = _spikes(conv, located.time)
    spike_map = None
    paths.append(
        spikes_report(timeline=timeline, spikes=spikes, map_page=spike_map, **common).save(
            out / "spikes.html"
        )
    )

    step("Writing the overview")
    top_places = places["cities"].drop("latitude", "longitude").head(config.top)
    overview = overview_report(
        totals=totals,
        regions=places["regions"],
        countries=places["countries"],
        top_places=top_places,
        geo_status=quality["geo_status"],  # type: ignore[arg-type]
        geo_level=quality["geo_level"],
        problems=quality["problems"],
        truncations=quality["truncations"],
        counts=quality["counts"],
        **common,
    )
    paths.insert(0, overview.save(out / "index.html"))
    return paths


def _height(value: Any) -> int | None:
    frame = _frame(value)
    return None if frame is None else frame.height

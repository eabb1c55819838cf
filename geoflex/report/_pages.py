"""The four report pages. Each takes already-computed frames and lays them out.

Nothing here aggregates raw data: `geoflex.report.build_all` (or a notebook) computes the
frames with `geoflex.aggregate` / `geoflex.staffing` and passes them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from geoflex.report._base import Report, Section
from geoflex.report._blocks import (
    Block,
    Bullets,
    Chart,
    ColumnFormat,
    Embed,
    Links,
    Metric,
    Metrics,
    Paragraphs,
    Table,
)
from geoflex.report._charts import (
    bar_chart,
    hour_of_week_heatmap,
    staffing_chart,
    timeline_chart,
    timezone_heatmap,
)
from geoflex.report._map_render import render_map

__all__ = [
    "REPORT_FILES",
    "overview_report",
    "places_report",
    "spikes_report",
    "staffing_report",
]

#: File name and navigation label of each report, in navigation order.
REPORT_FILES: tuple[tuple[str, str], ...] = (
    ("index.html", "Overview"),
    ("places.html", "Places"),
    ("staffing.html", "Staffing"),
    ("spikes.html", "Spikes"),
)


#: How volume-by-place columns print (durations arrive in seconds).
PLACE_FORMATS: dict[str, ColumnFormat] = {
    "handle_time": "hours",
    "handle_time_s": "hours",
    "average_handle_time": "seconds",
    "aht_s": "seconds",
    "share": "percent",
    "state_match_share": "percent",
    "distance_km_median": "int",
    "distance_km_p90": "int",
    "distance_km_mean": "int",
}
_MAX_SENTENCES = 12


def _map_page(m: Any) -> str:
    """A folium map (or an already rendered page) as a complete HTML document."""
    return m if isinstance(m, str) else render_map(m)


def _maybe(frame: pl.DataFrame | None) -> bool:
    return frame is not None and frame.height > 0


def overview_report(
    *,
    totals: Mapping[str, Any],
    regions: pl.DataFrame,
    countries: pl.DataFrame,
    top_places: pl.DataFrame,
    geo_status: pl.DataFrame,
    geo_level: pl.DataFrame | None = None,
    queues: pl.DataFrame | None = None,
    problems: pl.DataFrame | None = None,
    truncations: pl.DataFrame | None = None,
    counts: pl.DataFrame | None = None,
    accuracy: pl.DataFrame | None = None,
    title: str = "Contact centre geography",
    show_phone_numbers: bool = False,
    generated: dt.datetime | None = None,
) -> Report:
    """The overview (``index.html``): totals, top places, regions, data quality, links.

    Parameters
    ----------
    totals
        Headline numbers: ``conversations``, ``segments``, ``customers``, ``agents``,
        ``handle_time_s`` (total), ``first``/``last`` (datetimes); missing keys are skipped.
    regions, countries
        One row per region / country with ``conversations`` (and ``handle_time_s``...).
    top_places
        The busiest places (any columns; shown as a table).
    geo_status, geo_level
        Conversations per resolver status / precision level (column ``conversations``).
    queues
        Conversations per queue and channel.
    problems
        Input lines that could not be used, per reason (from ``read_events``).
    truncations
        Attribute values cut to 255 characters, per attribute.
    counts
        Reading bookkeeping (lines, events, duplicates, late updates ignored...).
    accuracy
        Geolocation accuracy (phone-derived vs customer-given location).
    """
    keep = show_phone_numbers
    headline: tuple[tuple[str, str, ColumnFormat], ...] = (
        ("conversations", "Conversations", "int"),
        ("segments", "Segments (tasks)", "int"),
        ("customers", "Customers", "int"),
        ("agents", "Agents", "int"),
        ("handle_time_h", "Handle time (hours)", "int"),
        ("located_share", "Conversations placed on the map", "percent"),
    )
    metrics = [
        Metric(label, totals[key], format=fmt)
        for key, label, fmt in headline
        if totals.get(key) is not None
    ]
    period = (
        [f"Data from {totals['first']:%Y-%m-%d %H:%M} to {totals['last']:%Y-%m-%d %H:%M} UTC."]
        if totals.get("first") and totals.get("last")
        else []
    )
    links = Links([(f, label) for f, label in REPORT_FILES if f != "index.html"])
    sections = [
        Section("At a glance", [Metrics(metrics), Paragraphs(period), links]),
        Section(
            "Where conversations come from",
            [
                Chart(
                    bar_chart(
                        regions,
                        category="region",
                        value="conversations",
                        title="Conversations by region",
                    ),
                    show_phone_numbers=keep,
                ),
                Chart(
                    bar_chart(
                        countries,
                        category="country_name",
                        value="conversations",
                        title="Top countries",
                    ),
                    show_phone_numbers=keep,
                ),
                Table(
                    top_places,
                    caption="Busiest places",
                    formats=PLACE_FORMATS,
                    max_rows=25,
                    show_phone_numbers=keep,
                ),
                Table(
                    countries,
                    caption="Countries",
                    formats=PLACE_FORMATS,
                    max_rows=60,
                    show_phone_numbers=keep,
                ),
            ],
        ),
    ]
    if _maybe(queues):
        assert queues is not None
        sections.append(
            Section(
                "Queues and channels",
                [
                    Table(
                        queues,
                        caption="Conversations by first queue and channel",
                        formats=PLACE_FORMATS,
                        max_rows=40,
                        show_phone_numbers=keep,
                    )
                ],
            )
        )
    quality: list[Block] = [
        Table(geo_status, caption="Geolocation status of conversations", show_phone_numbers=keep),
    ]
    if _maybe(geo_level):
        assert geo_level is not None
        quality.append(
            Table(geo_level, caption="Precision of the location", show_phone_numbers=keep)
        )
    if _maybe(accuracy):
        assert accuracy is not None
        quality.append(
            Table(
                accuracy,
                caption="Geolocation accuracy (phone vs. customer ZIP)",
                formats=PLACE_FORMATS,
                show_phone_numbers=keep,
            )
        )
    if _maybe(problems):
        assert problems is not None
        quality.append(
            Table(
                problems,
                caption="Input problems (lines or events not used)",
                show_phone_numbers=keep,
            )
        )
    else:
        quality.append(Paragraphs(["Every input line was used: no problems reported."]))
    if _maybe(truncations):
        assert truncations is not None
        quality.append(
            Table(
                truncations,
                caption="Attribute values cut to 255 characters",
                show_phone_numbers=keep,
            )
        )
    else:
        quality.append(Paragraphs(["No attribute value was longer than 255 characters."]))
    if _maybe(counts):
        assert counts is not None
        quality.append(Table(counts, caption="Reading the input", show_phone_numbers=keep))
    sections.append(Section("Data quality", quality))
    return Report(
        title,
        sections,
        subtitle="Overview",
        links=REPORT_FILES,
        filename="index.html",
        generated=generated,
    )


def places_report(
    *,
    map_page: Any | None,
    tables: Sequence[tuple[str, pl.DataFrame]],
    title: str = "Contact centre geography",
    show_phone_numbers: bool = False,
    generated: dt.datetime | None = None,
) -> Report:
    """Maps (choropleths and points from `geoflex.report.maps`) and per-place tables.

    Parameters
    ----------
    map_page
        A folium map (e.g. `geoflex.report.maps.layered_map`) or its rendered page.
    tables
        (caption, frame) pairs: countries, US states, area codes, cities...
    """
    blocks: list[Block] = []
    if map_page is not None:
        blocks.append(Embed(_map_page(map_page), caption="Conversations by place", height=620))
    else:
        blocks.append(Paragraphs(["No conversation could be placed on a map."]))
    sections = [
        Section(
            "Map",
            blocks,
            intro="Switch layers with the control at the top right; "
            "hover a place for its numbers. Places without data are grey.",
        )
    ]
    sections.append(
        Section(
            "Tables",
            [
                Table(
                    f,
                    caption=c,
                    max_rows=100,
                    formats=PLACE_FORMATS,
                    show_phone_numbers=show_phone_numbers,
                )
                for c, f in tables
            ],
        )
    )
    return Report(
        title,
        sections,
        subtitle="Places",
        links=REPORT_FILES,
        filename="places.html",
        generated=generated,
    )


def staffing_report(
    *,
    demand_utc: pl.DataFrame,
    demand_local: pl.DataFrame | None,
    required: pl.DataFrame,
    coverage: pl.DataFrame,
    gap: pl.DataFrame,
    recommendations: pl.DataFrame,
    target: str,
    demand_centre: pl.DataFrame | None = None,
    centre_timezone: str = "UTC",
    agents_map: Any | None = None,
    agent_places: pl.DataFrame | None = None,
    far_demand: pl.DataFrame | None = None,
    title: str = "Contact centre geography",
    show_phone_numbers: bool = False,
    generated: dt.datetime | None = None,
) -> Report:
    """Demand by hour of week, required agents, scheduled coverage, gaps, recommendations.

    Parameters
    ----------
    demand_utc
        ``hour_of_week`` (UTC), ``conversations`` (average per week), ``aht_s``.
    demand_local
        ``timezone``, ``hour_of_week`` (local), ``conversations`` (average per week).
    required
        `geoflex.staffing.required_agents` over ``demand_utc``.
    coverage, gap, recommendations
        From `geoflex.staffing.scheduled_coverage`, `staffing_gap`, `recommendations`.
    target
        The service target in words, e.g. "80% of conversations answered within 20 s".
    demand_centre, centre_timezone
        ``hour_of_week`` and ``conversations`` in the contact centre's own timezone.
    agents_map
        `geoflex.report.maps.agents_vs_customers` (or its page).
    agent_places
        Agents per Flex Location with their place and nearest edge (a table).
    far_demand
        Places far from every agent site (``conversations``, ``share``, ``nearest_site``,
        ``distance_km``): where hiring closer to customers would help.
    """
    keep = show_phone_numbers
    short = gap.filter(pl.col("gap") > 0)
    total_required = float(gap["required"].sum())
    total_scheduled = float(gap["scheduled"].sum())
    summary = Metrics(
        [
            Metric("Peak agents required (incl. shrinkage)", gap["required"].max(), format="int"),
            Metric("Agent-hours required per week", total_required, format="int"),
            Metric("Agent-hours scheduled per week", total_scheduled, format="int"),
            Metric("Hours of the week short of agents", short.height, format="int"),
        ]
    )
    # The largest additions first; the full list stays in the (folded) table below.
    ranked = recommendations.sort("add_agents", "hours", descending=True)
    sentences = ranked["sentence"].head(_MAX_SENTENCES).to_list()
    if ranked.height > _MAX_SENTENCES:
        sentences.append(
            f"... and {ranked.height - _MAX_SENTENCES} smaller additions (table below)."
        )
    sections = [
        Section(
            "Recommendations",
            [
                summary,
                Bullets(sentences, caption=f"Target: {target}.", show_phone_numbers=keep),
                Table(
                    recommendations.drop("sentence", "start_hour_of_week"),
                    caption="All recommended additions",
                    max_rows=200,
                    collapsed=True,
                    show_phone_numbers=keep,
                ),
            ],
        ),
        Section(
            "Demand",
            [
                Chart(
                    hour_of_week_heatmap(
                        demand_utc,
                        value="conversations",
                        title="Conversations per hour of the week (UTC, average week)",
                        value_title="Conversations",
                    ),
                    show_phone_numbers=keep,
                ),
            ]
            + (
                [
                    Chart(
                        hour_of_week_heatmap(
                            demand_centre,  # type: ignore[arg-type]  # checked by _maybe
                            value="conversations",
                            title=f"The same in the contact centre's time ({centre_timezone})",
                            value_title="Conversations",
                            clock=centre_timezone,
                        ),
                        show_phone_numbers=keep,
                    )
                ]
                if _maybe(demand_centre) and centre_timezone != "UTC"
                else []
            )
            + (
                [
                    Chart(
                        timezone_heatmap(
                            demand_local,  # type: ignore[arg-type]  # checked by _maybe
                            zone="timezone",
                            value="conversations",
                            title="Conversations by customers' local time, per "
                            "timezone (average week)",
                            value_title="Conversations",
                        ),
                        show_phone_numbers=keep,
                    )
                ]
                if _maybe(demand_local)
                else []
            ),
        ),
        Section(
            "Required and scheduled agents",
            [
                Chart(
                    staffing_chart(gap, title="Agents required vs. scheduled (UTC)"),
                    show_phone_numbers=keep,
                ),
                Chart(
                    hour_of_week_heatmap(
                        gap,
                        value="gap",
                        diverging=True,
                        title="Gap: required minus scheduled agents (red: short, blue: over)",
                        value_title="Gap (agents)",
                    ),
                    show_phone_numbers=keep,
                ),
                Table(
                    required,
                    caption="Required agents per hour of the week (Erlang C)",
                    max_rows=168,
                    collapsed=True,
                    formats={
                        "conversations": "float",
                        "aht_s": "seconds",
                        "service_level": "percent",
                        "occupancy": "percent",
                        "wait_probability": "percent",
                        "traffic_erlangs": "float",
                    },
                    show_phone_numbers=keep,
                ),
                Table(
                    coverage.group_by("location", "timezone")
                    .agg(
                        pl.col("agents").first(),
                        pl.col("scheduled").sum().alias("agent_hours_per_week"),
                    )
                    .sort("agents", descending=True),
                    caption="Scheduled coverage per Flex Location / timezone",
                    show_phone_numbers=keep,
                ),
            ],
        ),
    ]
    near: list[Block] = []
    if agents_map is not None:
        near.append(
            Embed(_map_page(agents_map), caption="Agents (blue) and customers (orange)", height=560)
        )
    if _maybe(agent_places):
        assert agent_places is not None
        near.append(
            Table(agent_places, caption="Flex Locations and their agents", show_phone_numbers=keep)
        )
    if far_demand is not None:
        far_share = float(far_demand["share"].sum()) if far_demand.height else 0.0
        near.append(
            Paragraphs(
                [
                    f"{far_share:.1%} of conversations come from places more than 1,000 km "
                    "from the nearest agent site. Hiring near the largest of them would put "
                    "agents in their customers' time zone and working hours."
                ]
            )
        )
        if far_demand.height:
            near.append(
                Table(
                    far_demand,
                    caption="Busiest places far from every agent site",
                    formats={"share": "percent", "distance_km": "int"},
                    max_rows=20,
                    show_phone_numbers=keep,
                )
            )
    if near:
        sections.append(Section("Agents near customers", near))
    return Report(
        title,
        sections,
        subtitle="Staffing",
        links=REPORT_FILES,
        filename="staffing.html",
        generated=generated,
    )


def spikes_report(
    *,
    timeline: pl.DataFrame,
    spikes: pl.DataFrame,
    time: str = "interval_start",
    value: str = "conversations",
    map_page: Any | None = None,
    title: str = "Contact centre geography",
    show_phone_numbers: bool = False,
    generated: dt.datetime | None = None,
) -> Report:
    """Timeline of volume with detected spikes marked, a map and a table of spikes.

    Parameters
    ----------
    timeline
        ``time`` and ``value`` per interval (all places).
    spikes
        One row per spike with ``time``, ``value``, ``place`` and the baseline/score.
    """
    keep = show_phone_numbers
    marks = None
    if spikes.height and time in spikes.columns:
        # A spike is drawn on the total line at its interval; its tooltip names the place.
        label = ["place"] if "place" in spikes.columns else []
        marks = spikes.select(time, *[pl.col(c).cast(pl.String) for c in label]).join(
            timeline.select(time, value), on=time, how="inner"
        )
    blocks: list[Block] = [
        Chart(
            timeline_chart(
                timeline,
                time=time,
                value=value,
                marks=marks,
                mark_label="place" if marks is not None and "place" in marks.columns else None,
                title="Conversations over time (red: spikes)",
            ),
            show_phone_numbers=keep,
        )
    ]
    if map_page is not None:
        blocks.append(Embed(_map_page(map_page), caption="Where spikes happened", height=520))
    blocks.append(Table(spikes, caption="Detected spikes", max_rows=100, show_phone_numbers=keep))
    if not spikes.height:
        blocks.append(Paragraphs(["No spike was detected."]))
    sections = [
        Section(
            "Spikes",
            blocks,
            intro="A spike is an interval whose count for a place "
            "is far above that place's usual level (robust baseline).",
        )
    ]
    return Report(
        title,
        sections,
        subtitle="Spikes",
        links=REPORT_FILES,
        filename="spikes.html",
        generated=generated,
    )

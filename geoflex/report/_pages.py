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
from geoflex.report.tables import (
    accuracy_table,
    level_table,
    problem_table,
    status_table,
    truncation_table,
)

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
    ("glossary.html", "Glossary"),
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
    busiest: Sequence[Block] = (),
    service_tables: Sequence[Block] = (),
    overall: pl.DataFrame | None = None,
    thresholds: tuple[float, float] = (20.0, 5.0),
    title: str = "Contact centre geography",
    show_phone_numbers: bool = False,
    generated: dt.datetime | None = None,
) -> Report:
    """The overview (``index.html``): totals, service, busiest places, data quality, links.

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
    busiest
        Busiest-place tables, one per level (they replace ``top_places``).
    service_tables
        Service by queue, channel, local hour (they replace ``queues``).
    overall
        One row of `geoflex.service_metrics` over everything: the headline service numbers.
    thresholds
        Service-level threshold and short-abandon threshold, in seconds.
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
    glance: list[Block] = [Metrics(metrics)]
    if overall is not None and overall.height:
        glance.append(Metrics(_service_metrics(overall.row(0, named=True), *thresholds)))
    sections = [
        Section("At a glance", [*glance, Paragraphs(period), links]),
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
                *(
                    busiest
                    or [
                        Table(
                            top_places,
                            caption="Busiest places",
                            formats=PLACE_FORMATS,
                            show_phone_numbers=keep,
                        ),
                        Table(
                            countries,
                            caption="Countries",
                            formats=PLACE_FORMATS,
                            show_phone_numbers=keep,
                        ),
                    ]
                ),
            ],
        ),
    ]
    if service_tables:
        sections.append(Section("Service by queue, channel and hour", list(service_tables)))
    elif _maybe(queues):
        assert queues is not None
        sections.append(
            Section(
                "Queues and channels",
                [
                    Table(
                        queues,
                        caption="Conversations by first queue and channel",
                        formats=PLACE_FORMATS,
                        show_phone_numbers=keep,
                    )
                ],
            )
        )
    quality: list[Block] = [status_table(geo_status)]
    if _maybe(geo_level):
        assert geo_level is not None
        quality.append(level_table(geo_level))
    if _maybe(accuracy):
        assert accuracy is not None
        quality.append(accuracy_table(accuracy))
    if _maybe(problems):
        assert problems is not None
        quality.append(problem_table(problems, show_phone_numbers=keep))
    else:
        quality.append(Paragraphs(["Every input line was used: no problems reported."]))
    if _maybe(truncations):
        assert truncations is not None
        quality.append(truncation_table(truncations))
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


def _service_metrics(row: Mapping[str, Any], threshold_s: float, short_s: float) -> list[Metric]:
    """The headline service numbers, each with what it is out of."""
    offered = f"of {row['offered']:,} offered segments"
    return [
        Metric(f"Service level ({threshold_s:g} s)", row["service_level"],
               note=f"answered within {threshold_s:g} s, {offered}", format="percent"),
        Metric("Average speed of answer", row["average_speed_of_answer"],
               note=f"mean wait of {row['answered']:,} answered segments", format="seconds"),
        Metric("Abandonment rate", row["abandonment_rate"],
               note=f"{row['abandoned']:,} abandoned {offered}; {row['short_abandons']:,} "
               f"short abandons (under {short_s:g} s) left out", format="percent"),
        Metric("Average handle time", row["average_handle_time"],
               note=f"over {row['answered']:,} answered segments", format="seconds"),
    ]  # fmt: skip


def places_report(
    *,
    map_page: Any | None,
    tables: Sequence[tuple[str, pl.DataFrame] | Block],
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
        (caption, frame) pairs (countries, US states, area codes, cities...) or ready
        blocks (`geoflex.report.tables.service_table`).
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
                    t[1],
                    caption=t[0],
                    formats=PLACE_FORMATS,
                    show_phone_numbers=show_phone_numbers,
                )
                if isinstance(t, tuple)
                else t
                for t in tables
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
    schedule: pl.DataFrame | None = None,
    patience_s: float | None = None,
    folded_zones: int = 0,
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
    schedule
        `geoflex.staffing.requirement_schedule`: agents per interval with UTC and local
        starts, shown with a CSV download for scheduling tools.
    patience_s
        The callers' mean patience Erlang A used (None: Erlang C only).
    folded_zones
        Timezones folded into "Other" in the local-time heatmap (said in its title).
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
                            "timezone (average week"
                            + (
                                f"; the {folded_zones} quietest zones summed as Other)"
                                if folded_zones
                                else "; every zone with conversations)"
                            ),
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
                    caption="Required agents per hour of the week (UTC), Erlang C"
                    + (" and Erlang A" if patience_s is not None else ""),
                    note="Conversations: average per occurrence of that hour in the data. "
                    "Agents: on the phones; scheduled: after shrinkage. Service level: share "
                    "of arriving conversations answered within the target time.",
                    formats={
                        "conversations": "float",
                        "aht_s": "seconds",
                        "service_level": "percent",
                        "service_level_erlang_a": "percent",
                        "abandon_probability": "percent",
                        "occupancy": "percent",
                        "wait_probability": "percent",
                        "traffic_erlangs": "float",
                    },
                    labels={
                        "hour_of_week": "Hour of week (0 = Monday 00:00 UTC)",
                        "aht_s": "Avg handle time",
                        "traffic_erlangs": "Traffic (erlangs)",
                        "agents": "Agents (Erlang C)",
                        "scheduled": "Scheduled (Erlang C)",
                        "service_level": "Service level (Erlang C)",
                        "occupancy": "Occupancy (Erlang C)",
                        "agents_erlang_a": "Agents (Erlang A)",
                        "scheduled_erlang_a": "Scheduled (Erlang A)",
                        "service_level_erlang_a": "Service level (Erlang A)",
                        "abandon_probability": "Abandoning (Erlang A)",
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
    if schedule is not None and schedule.height:
        model = (
            f"Erlang A with callers' mean patience {patience_s:.0f} s (estimated: total "
            "waiting time of offered segments / abandons)"
            if patience_s is not None
            else "Erlang C (no abandon in the data to estimate patience for Erlang A)"
        )
        sections.append(
            Section(
                "Agents per interval (for scheduling tools)",
                [
                    Table(
                        schedule,
                        caption="Agents to schedule per hour, the week after the data",
                        note=f"Agents: {model}, shrinkage included; the Erlang C and Erlang "
                        "A columns give both. Starts in UTC and in the centre's time.",
                        labels={
                            "interval_start_utc": "Interval start (UTC)",
                            "interval_start_local": "Interval start (local)",
                            "timezone": "Timezone",
                            "interval_minutes": "Minutes",
                            "agents": "Agents to schedule",
                            "agents_on_phones": "Agents on the phones",
                            "agents_erlang_c": "Scheduled (Erlang C)",
                            "agents_erlang_a": "Scheduled (Erlang A)",
                        },
                        csv_columns=True,
                        show_phone_numbers=keep,
                    )
                ],
                intro="The CSV has one row per hour with its start in UTC and in local "
                "time (ISO 8601) and the agents to schedule: the shape workforce-management "
                "tools import.",
            )
        )
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
    blocks.append(
        Table(
            spikes,
            caption="Detected spikes (click a header to sort by time or by excess)",
            note="One row per spike: consecutive hours of one place above what it usually "
            "has then. Observed and expected are conversations over the whole spike; times "
            "in the place's own timezone (the first column in UTC).",
            labels={
                "interval_start": "Starts (UTC)",
                "place": "Place",
                "start_local": "Starts (local)",
                "end_local": "Ends (local)",
                "timezone": "Timezone",
                "conversations": "Observed conversations",
                "expected": "Expected",
                "excess": "Excess",
                "reason": "Why",
            },
            formats={"expected": "float", "excess": "float"},
            show_phone_numbers=keep,
        )
    )
    if not spikes.height:
        blocks.append(Paragraphs(["No spike was detected."]))
    sections = [
        Section(
            "Spikes",
            blocks,
            intro="A spike is a run of hours in which a place has far more conversations "
            "than expected; the expected count is the median of the same hour in earlier "
            "weeks (or days, with less than six weeks of data), as each row's reason "
            "says. Definitions: the Glossary.",
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

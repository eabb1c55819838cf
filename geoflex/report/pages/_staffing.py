"""The staffing page: demand, agents needed (Erlang C and A), coverage, gaps, schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from geoflex.report._base import Report, Section
from geoflex.report._blocks import Block, Bullets, Chart, Embed, Metric, Metrics, Paragraphs, Table
from geoflex.report._charts import hour_of_week_heatmap, staffing_chart, timezone_heatmap
from geoflex.report.pages._common import REPORT_FILES, has_rows, map_document

__all__ = ["staffing_report"]

_MAX_SENTENCES = 12


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
                if has_rows(demand_centre) and centre_timezone != "UTC"
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
                if has_rows(demand_local)
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
            Embed(
                map_document(agents_map), caption="Agents (blue) and customers (orange)", height=560
            )
        )
    if has_rows(agent_places):
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

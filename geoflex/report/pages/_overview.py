"""The overview page (``index.html``): totals, service, busiest places, data quality."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from geoflex.report._base import Report, Section
from geoflex.report._blocks import (
    Block,
    Chart,
    ColumnFormat,
    Links,
    Metric,
    Metrics,
    Paragraphs,
    Table,
)
from geoflex.report._charts import bar_chart
from geoflex.report.pages._common import PLACE_FORMATS, REPORT_FILES, has_rows
from geoflex.report.tables import (
    accuracy_table,
    level_table,
    problem_table,
    status_table,
    truncation_table,
)

__all__ = ["overview_report"]


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
    elif has_rows(queues):
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
    if has_rows(geo_level):
        assert geo_level is not None
        quality.append(level_table(geo_level))
    if has_rows(accuracy):
        assert accuracy is not None
        quality.append(accuracy_table(accuracy))
    if has_rows(problems):
        assert problems is not None
        quality.append(problem_table(problems, show_phone_numbers=keep))
    else:
        quality.append(Paragraphs(["Every input line was used: no problems reported."]))
    if has_rows(truncations):
        assert truncations is not None
        quality.append(truncation_table(truncations))
    else:
        quality.append(Paragraphs(["No attribute value was longer than 255 characters."]))
    if has_rows(counts):
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

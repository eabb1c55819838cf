"""The spikes page: the timeline, where spikes happened and the episodes' table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from geoflex.report._base import Report, Section
from geoflex.report._blocks import Block, Chart, Embed, Paragraphs, Table
from geoflex.report._charts import timeline_chart
from geoflex.report.pages._common import REPORT_FILES, map_document

__all__ = ["spikes_report"]


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
        blocks.append(Embed(map_document(map_page), caption="Where spikes happened", height=520))
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

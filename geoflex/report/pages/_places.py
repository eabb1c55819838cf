"""The places page: the layered map and a table per place level."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from geoflex.report._base import Report, Section
from geoflex.report._blocks import Block, Embed, Paragraphs, Table
from geoflex.report.pages._common import PLACE_FORMATS, REPORT_FILES, map_document

__all__ = ["places_report"]


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
        blocks.append(Embed(map_document(map_page), caption="Conversations by place", height=620))
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

"""What every report page shares: the navigation, number formats of place tables, helpers."""

from __future__ import annotations

from typing import Any

import polars as pl

from geoflex.report._blocks import ColumnFormat
from geoflex.report._map_render import render_map

__all__ = ["PLACE_FORMATS", "REPORT_FILES", "has_rows", "map_document"]

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


def map_document(m: Any) -> str:
    """A folium map (or an already rendered page) as a complete HTML document."""
    return m if isinstance(m, str) else render_map(m)


def has_rows(frame: pl.DataFrame | None) -> bool:
    return frame is not None and frame.height > 0

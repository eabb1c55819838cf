"""geoflex: contact-centre data into geography, and geography into decisions.

``import geoflex`` is light: polars only. Maps, charts and templates are imported when used.
"""

from __future__ import annotations

from geoflex._errors import (
    ColumnError,
    ConfigError,
    DataError,
    GeoflexError,
    MissingDependencyError,
)
from geoflex.aggregate import (
    by_interval,
    geolocation_accuracy,
    hour_of_week,
    local_time,
    service_metrics,
    spikes,
    volume,
)
from geoflex.ingest import FlexData, place_agents, read_events, read_ui_attributes
from geoflex.resolve import GeoRecord, clear_resolve_cache, lookup, resolve
from geoflex.staffing import erlang_c

__version__ = "0.1.0"

__all__ = [
    "ColumnError",
    "ConfigError",
    "DataError",
    "FlexData",
    "GeoRecord",
    "GeoflexError",
    "MissingDependencyError",
    "__version__",
    "by_interval",
    "clear_resolve_cache",
    "erlang_c",
    "geolocation_accuracy",
    "hour_of_week",
    "local_time",
    "lookup",
    "place_agents",
    "read_events",
    "read_ui_attributes",
    "resolve",
    "service_metrics",
    "spikes",
    "volume",
]

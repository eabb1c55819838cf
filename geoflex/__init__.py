"""geoflex: contact-centre data into geography, and geography into decisions.

``import geoflex`` is light: polars and the resolver's expression namespace. The functions
below load on first use; maps, charts and templates when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geoflex._errors import (
    ColumnError,
    ConfigError,
    DataError,
    GeoflexError,
    MissingDependencyError,
)
from geoflex._lazy import lazy_names

# The resolver's polars namespace (``pl.col(...).geoflex``) is there as soon as geoflex is
# imported; everything else loads on first use.
from geoflex.resolve import _namespace  # noqa: F401

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        **dict.fromkeys(
            [
                "by_interval",
                "geolocation_accuracy",
                "hour_of_week",
                "local_time",
                "service_metrics",
                "spikes",
                "volume",
            ],
            "geoflex.aggregate",
        ),
        **dict.fromkeys(
            ["FlexData", "place_agents", "read_events", "read_ui_attributes"], "geoflex.ingest"
        ),
        **dict.fromkeys(
            ["GeoRecord", "clear_resolve_cache", "lookup", "resolve"], "geoflex.resolve"
        ),
        "erlang_c": "geoflex.staffing",
    },
)
# Importing the subpackage above bound ``geoflex.resolve`` to it, but that name is the
# function: drop the binding so the first read loads the function. (The subpackage is
# imported now, so no later import binds it again; ``from geoflex.resolve import ...``
# still finds it in sys.modules.)
del globals()["resolve"]

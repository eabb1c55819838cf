"""Phone numbers and customer attributes → geography (see `resolve`)."""

from __future__ import annotations

from geoflex.resolve._api import resolve
from geoflex.resolve._schema import (
    GEO_COLUMNS,
    GEO_LEVELS,
    GEO_SCHEMA,
    GEO_SOURCES,
    GEO_STATUSES,
    GeoLevel,
    GeoSource,
    GeoStatus,
)

__all__ = [
    "GEO_COLUMNS",
    "GEO_LEVELS",
    "GEO_SCHEMA",
    "GEO_SOURCES",
    "GEO_STATUSES",
    "GeoLevel",
    "GeoSource",
    "GeoStatus",
    "resolve",
]

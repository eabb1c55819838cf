"""Phone numbers and customer attributes → geography (see `resolve`)."""

from __future__ import annotations

from geoflex.resolve import _namespace  # noqa: F401  (registers pl.Expr.geoflex)
from geoflex.resolve._api import resolve
from geoflex.resolve._core import clear_resolve_cache
from geoflex.resolve._lookup_one import GeoRecord, lookup
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
    "GeoRecord",
    "GeoSource",
    "GeoStatus",
    "clear_resolve_cache",
    "lookup",
    "resolve",
]

"""Phone numbers and customer attributes → geography (see `resolve`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geoflex._lazy import lazy_names
from geoflex.resolve import _namespace  # noqa: F401  (registers pl.Expr.geoflex)
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

if TYPE_CHECKING:
    from geoflex.resolve._api import resolve
    from geoflex.resolve._core import clear_resolve_cache
    from geoflex.resolve._lookup_one import GeoRecord, lookup

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

# The resolver and its tables load on first use (see geoflex._lazy).
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "resolve": "geoflex.resolve._api",
        "clear_resolve_cache": "geoflex.resolve._core",
        "GeoRecord": "geoflex.resolve._lookup_one",
        "lookup": "geoflex.resolve._lookup_one",
    },
)

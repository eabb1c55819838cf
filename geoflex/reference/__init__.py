"""Shipped reference geography: countries, subdivisions, ZIPs, places, NANP area codes, GeoJSON.

Everything is read from files inside the package (``geoflex._data``) with importlib.resources;
nothing is downloaded. ``data/README.md`` tells where each table comes from and under which
licence, ``manifest()`` and ``data_versions()`` tell which source versions built them.
"""

from __future__ import annotations

from geoflex.reference._keys import place_key, place_key_expr
from geoflex.reference._tables import (
    GeoJsonName,
    TableName,
    data_versions,
    load_geojson,
    load_table,
    manifest,
)
from geoflex.reference._timezones import timezone_at, timezone_at_expr

__all__ = [
    "GeoJsonName",
    "TableName",
    "data_versions",
    "load_geojson",
    "load_table",
    "manifest",
    "place_key",
    "place_key_expr",
    "timezone_at",
    "timezone_at_expr",
]
